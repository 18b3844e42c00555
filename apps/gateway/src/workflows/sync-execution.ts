import { Injectable } from '@nestjs/common';
import { BatonError, ErrorCode, isTerminalTaskStatus, isTerminalWorkflowStatus, SystemTaskType, traitsOf, type Task, type Workflow } from '@app/contracts';
import { ExecutionQueries } from '@app/persistence';
import { Clock } from '@app/runtime';
import { Watch, WorkflowWatcher } from './workflow-watcher';

/** What a synchronous call answers with (Conductor's `returnStrategy`). */
export const ReturnStrategy = {
  /** The workflow that was started or signalled. */
  TargetWorkflow: 'TARGET_WORKFLOW',
  /** The workflow holding the task it waits on (a sub-workflow's, when that is where it waits). */
  BlockingWorkflow: 'BLOCKING_WORKFLOW',
  /** The task it waits on. */
  BlockingTask: 'BLOCKING_TASK',
  /** The task it waits on, with its input. */
  BlockingTaskInput: 'BLOCKING_TASK_INPUT',
} as const;
export type ReturnStrategy = (typeof ReturnStrategy)[keyof typeof ReturnStrategy];
export const RETURN_STRATEGIES: readonly string[] = Object.values(ReturnStrategy);

/** Conductor's SignalResponse: a WorkflowRun or a TaskRun, with what the call was about. */
export type SignalResponse = Record<string, unknown> & {
  readonly responseType: ReturnStrategy;
  readonly targetWorkflowId: string;
  readonly targetWorkflowStatus: string;
  readonly requestId: string;
  readonly signalTimeout: boolean;
};

/** How deep sub-workflows are followed when looking for what a workflow waits on. */
const MAX_DEPTH = 8;

/**
 * A task the workflow cannot get past without a signal from outside: a HUMAN task, or a WAIT with neither
 * `duration` nor `until` (one with a timer ends by itself).
 */
export function isBlockingTask(t: Task): boolean {
  if (isTerminalTaskStatus(t.status)) return false;
  if (t.taskType === SystemTaskType.Human) return true;
  return t.taskType === SystemTaskType.Wait && t.inputData?.duration === undefined && t.inputData?.until === undefined;
}

export interface AwaitOptions {
  /** Answer once one of these tasks has ended. */
  readonly untilTaskRefs: readonly string[];
  /** Answer once the workflow waits on a worker (a test run: a task it has no mock for). */
  readonly untilWorkerWaits?: boolean;
  readonly timeoutMs: number;
  readonly strategy: ReturnStrategy;
  readonly requestId: string;
}

interface Outcome {
  readonly target: Workflow;
  readonly blocking?: { readonly workflow: Workflow; readonly task: Task };
  readonly timedOut: boolean;
}

/**
 * Synchronous execution: waits until a workflow ends, reaches a task that waits for a signal (in it or, as
 * deep as MAX_DEPTH, in a sub-workflow it runs), or finishes one of the named tasks — woken by the
 * executor's change notifications, never by polling — and answers Conductor's SignalResponse.
 */
@Injectable()
export class SyncExecution {
  constructor(
    private readonly query: ExecutionQueries,
    private readonly watcher: WorkflowWatcher,
    private readonly clock: Clock,
  ) {}

  /** The first task that waits for a signal, in the workflow or the sub-workflows it runs (in task order). */
  async blocking(workflow: Workflow, watch?: Watch, depth = 0): Promise<{ workflow: Workflow; task: Task } | undefined> {
    for (const t of workflow.tasks ?? []) {
      if (isBlockingTask(t)) return { workflow, task: t };
      if (t.taskType === SystemTaskType.SubWorkflow && t.subWorkflowId && !isTerminalTaskStatus(t.status) && depth < MAX_DEPTH) {
        watch?.add(t.subWorkflowId);
        const child = await this.query.workflow(t.subWorkflowId, true);
        const found = child && (await this.blocking(child, watch, depth + 1));
        if (found) return found;
      }
    }
    return undefined;
  }

  /** Waits (at most `timeoutMs`) for the workflow to end, block, or finish one of `untilTaskRefs`; answers as `strategy` says. */
  async await(workflowId: string, opts: AwaitOptions, watch = this.watcher.arm(workflowId)): Promise<SignalResponse> {
    const deadline = this.clock.now() + opts.timeoutMs;
    try {
      for (;;) {
        const outcome = await this.look(workflowId, opts, watch);
        const left = deadline - this.clock.now();
        if (outcome.done || left <= 0) return signalResponse({ ...outcome, timedOut: !outcome.done }, opts.strategy, opts.requestId);
        await watch.wait(left);
      }
    } finally {
      watch.cancel();
    }
  }

  private async look(workflowId: string, opts: AwaitOptions, watch: Watch): Promise<Omit<Outcome, 'timedOut'> & { readonly done: boolean }> {
    const target = await this.query.workflow(workflowId, true);
    if (!target) throw new BatonError(ErrorCode.WorkflowNotFound, `No such workflow found by id: ${workflowId}`);
    const blocking = await this.blocking(target, watch);
    if (isTerminalWorkflowStatus(target.status)) return { target, blocking, done: true };
    const tasks = target.tasks ?? [];
    const reached = opts.untilTaskRefs.length > 0 && tasks.some((t) => opts.untilTaskRefs.includes(t.referenceTaskName) && isTerminalTaskStatus(t.status));
    const waitsOnWorker = !!opts.untilWorkerWaits && tasks.some((t) => !isTerminalTaskStatus(t.status) && traitsOf(t.workflowTask?.type).kind === 'worker');
    return { target, blocking, done: reached || !!blocking || waitsOnWorker };
  }
}

/** Conductor's SignalResponse for an outcome: the WorkflowRun or TaskRun the strategy asks for. */
export function signalResponse(o: Outcome, strategy: ReturnStrategy, requestId: string): SignalResponse {
  const common = { targetWorkflowId: o.target.workflowId, targetWorkflowStatus: o.target.status, requestId, signalTimeout: o.timedOut };
  if ((strategy === ReturnStrategy.BlockingTask || strategy === ReturnStrategy.BlockingTaskInput) && o.blocking) {
    const t = o.blocking.task;
    return {
      responseType: strategy,
      ...common,
      workflowId: t.workflowInstanceId,
      ...(t.correlationId !== undefined ? { correlationId: t.correlationId } : {}),
      input: t.inputData,
      ...(strategy === ReturnStrategy.BlockingTask ? { output: t.outputData } : {}),
      taskType: t.taskType,
      taskId: t.taskId,
      referenceTaskName: t.referenceTaskName,
      retryCount: t.retryCount,
      taskDefName: t.taskDefName,
      workflowType: t.workflowType,
      priority: t.workflowPriority,
      createTime: t.scheduledTime,
      updateTime: t.updateTime,
      status: t.status,
    };
  }
  // A blocking-task strategy with nothing blocking (the workflow ended) answers with the workflow.
  const blockingWorkflow = strategy === ReturnStrategy.BlockingWorkflow && o.blocking ? o.blocking.workflow : o.target;
  const w = blockingWorkflow;
  return {
    responseType: strategy === ReturnStrategy.BlockingWorkflow ? strategy : ReturnStrategy.TargetWorkflow,
    ...common,
    workflowId: w.workflowId,
    ...(w.correlationId !== undefined ? { correlationId: w.correlationId } : {}),
    input: w.input,
    output: w.output,
    priority: w.priority,
    variables: w.variables,
    tasks: w.tasks ?? [],
    ...(w.createdBy !== undefined ? { createdBy: w.createdBy } : {}),
    createTime: w.createTime,
    status: w.status,
    updateTime: w.updateTime,
  };
}

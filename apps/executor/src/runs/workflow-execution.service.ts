import { Injectable } from '@nestjs/common';
import {
  isQueuedTaskType,
  BatonError,
  ErrorCode,
  ExecutorNotice,
  IdempotencyStrategy,
  isTerminalWorkflowStatus,
  RestartWorkflowCommand,
  RemoveWorkflowCommand,
  RaiseEventCommand,
  WakeUpCommand,
  RerunTaskPhaseCommand,
  VerifyWorkflowCommand,
  VerifyWorkflowReply,
  RerunWorkflowCommand,
  RetryWorkflowCommand,
  SkipTaskCommand,
  TerminateWorkflowCommand,
  WorkflowNudgeCommand,
  StartWorkflowCommand,
  StartWorkflowReply,
  UpdateTaskCommand,
  UpdateTaskReply,
  WorkflowDef,
  WorkflowStatus,
} from '@app/contracts';
import { Lease, TaskQueue } from '@app/persistence';
import { Clock } from '@app/runtime';
import { DataSource } from 'typeorm';
import type { Decision } from '../decider/commands';
import type { DeciderEvent } from '../decider/events';
import { latestTaskOf } from '../decider/workflow-run';
import { DefinitionReader } from '../definitions/definition.reader';
import { unrunnableTasks } from '../definitions/runnable';
import { EXECUTOR_PRODUCER, OutboxRelay } from '../outbox/outbox.relay';
import { OutboxRepository } from '../outbox/outbox.repository';
import { DueTimer, TimerRepository } from '../timers/timer.repository';
import { DecisionBatcher } from './decision-batcher';
import { DecisionEffects } from './decision-effects';

/**
 * The executor's entry points: each turns what happened (a command, a notice, a due timer, an expired
 * lease) into a decision job for the batcher, which decides and commits it with whatever else is waiting.
 * The executor is the only writer of workflow, task and timer rows.
 */
@Injectable()
export class WorkflowExecutionService {
  constructor(
    private readonly batcher: DecisionBatcher,
    private readonly dataSource: DataSource,
    private readonly queue: TaskQueue,
    private readonly timers: TimerRepository,
    private readonly outbox: OutboxRepository,
    private readonly effects: DecisionEffects,
    private readonly relay: OutboxRelay,
    private readonly definitions: DefinitionReader,
    private readonly clock: Clock,
  ) {}

  async start(cmd: StartWorkflowCommand): Promise<StartWorkflowReply> {
    let definition: WorkflowDef;
    try {
      definition = await this.definitionFor(cmd);
    } catch (err) {
      // A child that cannot start fails its SUB_WORKFLOW task (a workflow its START_WORKFLOW task) instead of vanishing.
      if (!(err instanceof BatonError) || (!cmd.parent && !cmd.startedBy)) throw err;
      const notice = cmd.parent
        ? this.effects.childEnded(cmd.parent, cmd.workflowId, WorkflowStatus.Failed, {}, err.message)
        : this.effects.startOutcome(cmd.startedBy!, cmd.workflowId, false, err.message);
      const ids = await this.dataSource.transaction((m) => this.outbox.append(m, EXECUTOR_PRODUCER, [notice], this.clock.now()));
      this.relay.publishCommitted([notice], ids);
      return { workflowId: cmd.workflowId };
    }
    // A redelivered start (the gateway's retry, a Kafka redelivery, a parent deciding again) finds its
    // workflow and changes nothing.
    const decision = await this.batcher.submit({
      workflowId: cmd.workflowId,
      start: {
        definition,
        ...(cmd.idempotency ? { commandId: cmd.commandId } : {}),
        event: {
          type: 'workflow.start',
          workflowId: cmd.workflowId,
          input: cmd.input,
          correlationId: cmd.correlationId,
          priority: cmd.priority,
          taskToDomain: cmd.taskToDomain,
          createdBy: cmd.createdBy,
          parent: cmd.parent,
          startedBy: cmd.startedBy,
          ...(cmd.idempotency ? { idempotencyKey: cmd.idempotency.key } : {}),
          ...(cmd.watchMs ? { watchMs: cmd.watchMs } : {}),
          ...(cmd.testRun ? { testRun: cmd.testRun } : {}),
          ...(cmd.runMode ? { runMode: cmd.runMode } : {}),
        },
      },
    });
    if (!decision && cmd.idempotency) await this.answerDuplicate(cmd, cmd.idempotency.strategy);
    return { workflowId: cmd.workflowId };
  }

  /**
   * A start under an idempotency key found its (derived) id taken: a second start raced this one to the
   * key, unless the workflow is this very command's, delivered again. Starts of one id are decided one after
   * the other by its owner, so this reads settled state.
   */
  private async answerDuplicate(cmd: StartWorkflowCommand, strategy: IdempotencyStrategy): Promise<void> {
    const [row]: Array<{ status: WorkflowStatus; start_command_id: string | null }> = await this.dataSource.query(
      'SELECT status, start_command_id FROM workflow WHERE workflow_id = $1',
      [cmd.workflowId],
    );
    if (!row || row.start_command_id === cmd.commandId || strategy === IdempotencyStrategy.ReturnExisting) return;
    const key = cmd.idempotency?.key;
    throw new BatonError(
      ErrorCode.WorkflowConflict,
      strategy === IdempotencyStrategy.Fail || !isTerminalWorkflowStatus(row.status)
        ? `Workflow ${cmd.name} with idempotencyKey ${key} was already started: ${cmd.workflowId} (idempotencyStrategy ${strategy})`
        : `Workflow ${cmd.name} with idempotencyKey ${key} was started and ended meanwhile: ${cmd.workflowId}; start again`,
    );
  }

  private async definitionFor(cmd: StartWorkflowCommand): Promise<WorkflowDef> {
    const m = this.dataSource.manager;
    const found = cmd.workflowDef ?? (await this.definitions.workflowDef(m, cmd.name, cmd.version));
    if (!found) {
      throw new BatonError(ErrorCode.WorkflowDefNotFound, `No such workflow found by name: ${cmd.name}, version: ${cmd.version ?? null}`);
    }
    const unrunnable = unrunnableTasks(found);
    if (unrunnable.length) {
      throw new BatonError(ErrorCode.InvalidArgument, `Workflow ${found.name} version ${found.version ?? 1} uses task types this version of Baton cannot run yet`, unrunnable);
    }
    return this.definitions.withTaskDefs(m, found);
  }

  async update(cmd: UpdateTaskCommand): Promise<UpdateTaskReply> {
    const { result, taskRefName, byEngine, watchMs } = cmd;
    const event = { type: 'task.result' as const, result, ...(taskRefName ? { taskRefName } : {}), ...(byEngine ? { byEngine } : {}), ...(watchMs ? { watchMs } : {}) };
    const decision = await this.batcher.submit({ workflowId: cmd.workflowId, event });
    if (!decision) throw new BatonError(ErrorCode.TaskNotFound, `No such task found by id: ${result.taskId || taskRefName}`);
    if (decision.rejection) throw new BatonError(decision.rejection.code, decision.rejection.message);
    return { taskId: result.taskId || (taskRefName ? (latestTaskOf(decision.state.tasks, taskRefName)?.taskId ?? '') : '') };
  }

  /**
   * A notice for a workflow on this executor: a lease to fold in (IN_PROGRESS, worker, poll count, the
   * task's timeout), a child that ended, a terminate. The decider reads it less its envelope.
   */
  async notice(notice: ExecutorNotice): Promise<Decision | null> {
    const { eventId: _eventId, workflowId, ...event } = notice;
    return this.batcher.submit({ workflowId, event });
  }

  /**
   * Fires a due timer: claims (deletes) its row in the transaction that decides it, so a timer fires once
   * even when two executors race for it during a rebalance; a timer already taken is skipped.
   */
  async fireTimer(timer: DueTimer): Promise<void> {
    await this.batcher.submit({
      workflowId: timer.workflowId,
      eventFor: async (m) => {
        if (!(await this.timers.claim(m, timer))) return null;
        const lease = timer.taskId ? await this.queue.leaseOf(m, timer.taskId) : null;
        return { type: 'timer.fired', kind: timer.kind, taskId: timer.taskId, ...(lease ? { lease: leaseFields(lease) } : {}) };
      },
      // The workflow is gone: its timer has nothing left to guard.
      onMissing: (m) => this.timers.cancel(m, [timer.timerId]),
    });
  }

  /**
   * Restarts an ended workflow from its first task: with `useLatestDefinitions`, on the latest version of
   * its definition (task definitions attached as registered now).
   */
  async restart(cmd: RestartWorkflowCommand): Promise<Record<string, never>> {
    let definition: WorkflowDef | undefined;
    if (cmd.useLatestDefinitions) {
      const m = this.dataSource.manager;
      const [row]: Array<{ workflow_name: string }> = await m.query('SELECT workflow_name FROM workflow WHERE workflow_id = $1', [cmd.workflowId]);
      if (!row) throw new BatonError(ErrorCode.WorkflowNotFound, `No such workflow found by id: ${cmd.workflowId}`);
      const latest = await this.definitions.workflowDef(m, row.workflow_name);
      if (!latest) throw new BatonError(ErrorCode.WorkflowDefNotFound, `No such workflow found by name: ${row.workflow_name}, version: null`);
      definition = await this.definitions.withTaskDefs(m, latest);
    }
    return this.decideOrRefuse(cmd.workflowId, { type: 'workflow.restart', ...(definition ? { definition } : {}) });
  }

  /** Reruns an ended workflow from one of its tasks (or its start); 409 while it runs, 400 for a task it does not have. */
  rerun(cmd: RerunWorkflowCommand): Promise<Record<string, never>> {
    const { reRunFromTaskId, workflowInput, taskInput, correlationId } = cmd;
    return this.decideOrRefuse(cmd.workflowId, { type: 'workflow.rerun', reRunFromTaskId, workflowInput, taskInput, correlationId });
  }

  /**
   * Removes a workflow from the execution store (terminating it first for terminate-remove); archived, it
   * stays in search as it ended — which needs it ended (400, as Conductor). 404 for an unknown workflow.
   */
  remove(cmd: RemoveWorkflowCommand): Promise<Record<string, never>> {
    return this.decideOrRefuse(cmd.workflowId, { type: 'workflow.remove', archive: cmd.archiveWorkflow, ...(cmd.terminate ? { terminate: cmd.terminate } : {}) });
  }

  /** SipRS's re-run of a task's phase, decided by the workflow's owner (refusals: no such task, a phase that cannot run again now). */
  rerunPhase(cmd: RerunTaskPhaseCommand): Promise<Record<string, never>> {
    const { taskId, phase, parameters, outputs } = cmd;
    return this.decideOrRefuse(cmd.workflowId, { type: 'task.rerun-phase', taskId, phase, ...(parameters ? { parameters } : {}), ...(outputs ? { outputs } : {}) });
  }

  /** An event raised for the workflow (Dapr): its waiting task completes, or the event is kept for it; 409 once it has ended. */
  raiseEvent(cmd: RaiseEventCommand): Promise<Record<string, never>> {
    return this.decideOrRefuse(cmd.workflowId, { type: 'workflow.event', name: cmd.name, data: cmd.data });
  }

  /** Rill Flow's trigger of a suspense task: the context merged in, the suspense woken; 404 when it is not waiting. */
  wakeUp(cmd: WakeUpCommand): Promise<Record<string, never>> {
    return this.decideOrRefuse(cmd.workflowId, { type: 'rill.wake-up', taskRefName: cmd.taskRefName, context: cmd.context });
  }

  /** Retries an ended workflow from its failed tasks (new attempts); 404 while it runs, 409 with nothing to retry. */
  retry(cmd: RetryWorkflowCommand): Promise<Record<string, never>> {
    return this.decideOrRefuse(cmd.workflowId, { type: 'workflow.retry', ...(cmd.resumeSubworkflowTasks ? { resumeSubworkflowTasks: true } : {}) });
  }

  /** resetcallbacks, decide, pause and resume: an event of their own for the workflow's owner; 404 for an unknown workflow. */
  nudge(cmd: WorkflowNudgeCommand): Promise<Record<string, never>> {
    if (cmd.type === 'workflow.decide') return this.decideOrRefuse(cmd.workflowId, { type: cmd.type, ...(cmd.watchMs ? { watchMs: cmd.watchMs } : {}) });
    return this.decideOrRefuse(cmd.workflowId, { type: cmd.type });
  }

  /** skiptask: the owner records the task SKIPPED (or refuses: it ran, it is not in the definition, the workflow ended). */
  skipTask(cmd: SkipTaskCommand): Promise<Record<string, never>> {
    const { taskReferenceName, taskInput, taskOutput } = cmd;
    return this.decideOrRefuse(cmd.workflowId, { type: 'workflow.skip-task', taskReferenceName, taskInput, taskOutput });
  }

  /** Terminates a running workflow through the API: everything in flight is cancelled; 409 for one that ended. */
  terminate(cmd: TerminateWorkflowCommand): Promise<Record<string, never>> {
    return this.decideOrRefuse(cmd.workflowId, {
      type: 'workflow.terminate',
      ...(cmd.reason !== undefined ? { reason: cmd.reason } : {}),
      triggerFailureWorkflow: cmd.triggerFailureWorkflow,
      refuseEnded: true,
    });
  }

  /** An operator's command about one workflow, decided by its owner: 404 when there is no such workflow, the decider's refusal as an error. */
  private async decideOrRefuse(workflowId: string, event: DeciderEvent): Promise<Record<string, never>> {
    const decision = await this.batcher.submit({ workflowId, event });
    if (!decision) throw new BatonError(ErrorCode.WorkflowNotFound, `No such workflow found by id: ${workflowId}`);
    if (decision.rejection) throw new BatonError(decision.rejection.code, decision.rejection.message);
    return {};
  }

  /**
   * verifyAndRepair: the workflow's queued tasks that have not ended, checked for their queue rows in the
   * deciding transaction and repaired as the reconciler repairs them. 404 for an unknown workflow.
   */
  async verify(cmd: VerifyWorkflowCommand): Promise<VerifyWorkflowReply> {
    const rows: Array<{ task_id: string; task_type: string }> = await this.dataSource.query(
      `SELECT task_id, task_type FROM task WHERE workflow_id = $1 AND status IN ('SCHEDULED', 'IN_PROGRESS') AND ($2::varchar IS NULL OR task_type = $2)`,
      [cmd.workflowId, cmd.taskType ?? null],
    );
    const known: Array<{ one: number }> = await this.dataSource.query('SELECT 1 AS one FROM workflow WHERE workflow_id = $1', [cmd.workflowId]);
    if (!known.length) throw new BatonError(ErrorCode.WorkflowNotFound, `No such workflow found by id: ${cmd.workflowId}`);
    const queued = rows.filter((r) => isQueuedTaskType(r.task_type)).map((r) => r.task_id);
    return { repaired: queued.length ? await this.reconcile(cmd.workflowId, queued) : 0 };
  }

  /**
   * The reconciler found queued tasks of the workflow without their queue rows: checked again in the
   * deciding transaction (a row pushed meanwhile is no longer missing), and repaired by the owner's
   * decision. Resolves with how many were still missing.
   */
  async reconcile(workflowId: string, taskIds: readonly string[]): Promise<number> {
    let missing = 0;
    await this.batcher.submit({
      workflowId,
      eventFor: async (m) => {
        const without = await this.queue.withoutRows(taskIds, m);
        missing = without.size;
        return missing ? { type: 'workflow.reconcile', missingQueueRows: [...without] } : null;
      },
    });
    return missing;
  }

  /** A lease ran out without a word from its worker: a response timeout (unless it was renewed meanwhile). */
  async expireLease(lease: Lease): Promise<void> {
    await this.batcher.submit({
      workflowId: lease.workflowId,
      eventFor: async (m) => {
        const still = await this.queue.lockExpiredLease(m, lease.taskId);
        return still ? { type: 'task.lease-expired', taskId: still.taskId, lease: leaseFields(still) } : null;
      },
      // An orphan queue row (its workflow is gone): drop it so nobody trips over it again.
      onMissing: (m) => this.queue.remove(m, [lease.taskId]),
    });
  }
}

const leaseFields = (l: Lease) => ({ workerId: l.workerId, leasedAt: l.leasedAt, pollCount: l.pollCount });

import { Inject, Injectable } from '@nestjs/common';
import {
  BatonError,
  CommandReply,
  ErrorCode,
  IdempotencyStrategy,
  isUuid,
  RemoveWorkflowCommand,
  RaiseEventCommand,
  WakeUpCommand,
  VerifyWorkflowCommand,
  VerifyWorkflowReply,
  RerunWorkflowCommand,
  RerunWorkflowRequest,
  RestartWorkflowCommand,
  RetryWorkflowCommand,
  SkipTaskCommand,
  TerminateWorkflowCommand,
  WorkflowNudgeCommand,
  idempotentWorkflowIdFor,
  isTerminalWorkflowStatus,
  StartWorkflowCommand,
  StartWorkflowReply,
  StartWorkflowRequest,
  Task,
  WorkflowDef,
  WorkflowStatus,
  Topic,
  unwrapReply,
  Workflow,
  WorkflowTestMocks,
  RunMode,
} from '@app/contracts';
import { MessageBus, ownerDeadlineMs } from '@app/bus';
import { ExecutionQueries } from '@app/persistence';
import { Clock, IdGenerator } from '@app/runtime';
import { MetadataService } from '../metadata/metadata.service';
import { ReturnStrategy, SignalResponse, SyncExecution } from './sync-execution';

export interface WorkflowStatusView {
  readonly workflowId: string;
  readonly correlationId?: string;
  readonly output?: Record<string, unknown>;
  readonly variables?: Record<string, unknown>;
  readonly status: WorkflowStatus;
}

export interface StartRequest {
  readonly name: string;
  /** Debug or mock mode (Workflow.runMode). */
  readonly runMode?: RunMode;
  readonly version?: number;
  readonly input: Record<string, unknown>;
  readonly correlationId?: string;
  readonly priority: number;
  readonly taskToDomain?: Record<string, string>;
  readonly workflowDef?: WorkflowDef;
  readonly createdBy?: string;
}

/**
 * Where a start under an idempotency key stands, given the workflows already started under it (oldest
 * first): answered now with an existing id or a refusal, or started as the given generation.
 */
export function idempotentStart(
  name: string,
  key: string,
  strategy: IdempotencyStrategy,
  earlier: ReadonlyArray<{ readonly workflowId: string; readonly status: WorkflowStatus }>,
): { readonly existing: string } | { readonly generation: number } {
  const latest = earlier[earlier.length - 1];
  if (!latest) return { generation: 0 };
  if (strategy === IdempotencyStrategy.ReturnExisting) return { existing: latest.workflowId };
  if (strategy === IdempotencyStrategy.Fail) {
    throw new BatonError(ErrorCode.WorkflowConflict, `Workflow ${name} with idempotencyKey ${key} was already started: ${latest.workflowId} (idempotencyStrategy FAIL)`);
  }
  if (!isTerminalWorkflowStatus(latest.status)) {
    throw new BatonError(ErrorCode.WorkflowConflict, `Workflow ${name} with idempotencyKey ${key} is ${latest.status}: ${latest.workflowId} (idempotencyStrategy FAIL_ON_RUNNING)`);
  }
  return { generation: earlier.length };
}

/**
 * How long a caller that waits `timeoutMs` on a workflow has it watched: its wait, and a margin for the
 * command's way to the owner (the watch runs from the owner's clock). The watch then lapses by itself.
 */
export const watchFor = (timeoutMs: number): number => timeoutMs + 10_000;

@Injectable()
export class WorkflowService {
  constructor(
    @Inject(MessageBus) private readonly bus: MessageBus,
    private readonly query: ExecutionQueries,
    private readonly metadata: MetadataService,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly sync: SyncExecution,
  ) {}

  /**
   * Starts a workflow: the id is chosen here, the command goes to the partition that will own the
   * workflow, and the id is returned only after the executor committed it.
   */
  async start(req: StartRequest, workflowId = this.ids.next(), idempotency?: StartWorkflowCommand['idempotency'], watchMs?: number, testRun?: WorkflowTestMocks): Promise<string> {
    const command: StartWorkflowCommand = {
      type: 'workflow.start',
      commandId: this.ids.next(),
      issuedAt: this.clock.now(),
      deadline: this.clock.now() + ownerDeadlineMs(this.bus),
      workflowId,
      name: req.name,
      version: req.version,
      input: req.input,
      correlationId: req.correlationId,
      priority: req.priority,
      ...(req.taskToDomain ? { taskToDomain: req.taskToDomain } : {}),
      ...(req.workflowDef ? { workflowDef: req.workflowDef } : {}),
      ...(req.createdBy ? { createdBy: req.createdBy } : {}),
      ...(idempotency ? { idempotency } : {}),
      ...(watchMs ? { watchMs } : {}),
      ...(testRun ? { testRun } : {}),
      ...(req.runMode ? { runMode: req.runMode } : {}),
    };
    const reply = await this.bus.request<CommandReply<StartWorkflowReply>>({ topic: Topic.ExecutorCommands, key: command.workflowId, value: command });
    return unwrapReply(reply).workflowId;
  }

  /**
   * `POST /api/workflow`: a StartWorkflowRequest. An ephemeral `workflowDef` is validated as a registered
   * one would be (errors under `workflowDef.`) and runs as written. Under an `idempotencyKey` (per workflow
   * name; strategy FAIL unless given) the start is answered from what was started under the key before —
   * and its id is derived from the key, so two that race for it are decided one after the other by the
   * id's owner, and only one starts.
   */
  async startRequest(req: StartWorkflowRequest, watchMs?: number, testRun?: WorkflowTestMocks): Promise<string> {
    if (req.externalInputPayloadStoragePath) {
      throw new BatonError(ErrorCode.InvalidArgument, 'externalInputPayloadStoragePath: Baton keeps no external payload storage; send the input in the request', [
        { path: 'externalInputPayloadStoragePath', message: 'external payload storage is not supported', invalidValue: req.externalInputPayloadStoragePath },
      ]);
    }
    if (req.workflowDef) {
      if (req.workflowDef.name !== undefined && req.workflowDef.name !== req.name) {
        throw new BatonError(ErrorCode.InvalidArgument, `workflowDef.name ${req.workflowDef.name} is not the name to start, ${req.name}`, [
          { path: 'workflowDef.name', message: 'must equal name', invalidValue: req.workflowDef.name },
        ]);
      }
      await this.metadata.validateWorkflowDef({ ...req.workflowDef, name: req.name }).catch((err: unknown) => {
        if (err instanceof BatonError && err.validationErrors.length) {
          throw new BatonError(err.code, err.message, err.validationErrors.map((e) => ({ ...e, path: `workflowDef.${e.path}` })));
        }
        throw err;
      });
    }
    const start: StartRequest = {
      name: req.name,
      version: req.version,
      input: req.input ?? {},
      correlationId: req.correlationId,
      priority: req.priority ?? 0,
      taskToDomain: req.taskToDomain,
      workflowDef: req.workflowDef ? { ...req.workflowDef, name: req.name } : undefined,
      createdBy: req.createdBy,
      ...(req.runMode ? { runMode: req.runMode } : {}),
    };
    if (req.idempotencyKey === undefined) return this.start(start, undefined, undefined, watchMs, testRun);
    const strategy = req.idempotencyStrategy ?? IdempotencyStrategy.Fail;
    const decided = idempotentStart(req.name, req.idempotencyKey, strategy, await this.query.startedUnderKey(req.name, req.idempotencyKey));
    if ('existing' in decided) return decided.existing;
    return this.start(start, idempotentWorkflowIdFor(req.name, req.idempotencyKey, decided.generation), { key: req.idempotencyKey, strategy }, watchMs, testRun);
  }

  restart(workflowId: string, useLatestDefinitions: boolean): Promise<void> {
    return this.toOwner<RestartWorkflowCommand>({ type: 'workflow.restart', workflowId, useLatestDefinitions });
  }

  /** Reruns an ended workflow; answers its id, as Conductor does. */
  async rerun(workflowId: string, req: RerunWorkflowRequest): Promise<string> {
    if (req.reRunFromWorkflowId !== undefined && req.reRunFromWorkflowId !== workflowId) {
      throw new BatonError(ErrorCode.InvalidArgument, `reRunFromWorkflowId ${req.reRunFromWorkflowId} is not the workflow in the path, ${workflowId}`, [
        { path: 'reRunFromWorkflowId', message: 'must be the workflow in the path', invalidValue: req.reRunFromWorkflowId },
      ]);
    }
    const { reRunFromTaskId, workflowInput, taskInput, correlationId } = req;
    await this.toOwner<RerunWorkflowCommand>({ type: 'workflow.rerun', workflowId, reRunFromTaskId, workflowInput, taskInput, correlationId });
    return workflowId;
  }

  /** Rill Flow's trigger of a suspense task: `context` merged into the DAG's, the task woken. */
  wakeUp(workflowId: string, taskRefName: string, context: Record<string, unknown>): Promise<void> {
    return this.toOwner<WakeUpCommand>({ type: 'rill.wake-up', workflowId, taskRefName, context });
  }

  /** An event raised for a workflow (Dapr's raiseEvent). */
  raiseEvent(workflowId: string, name: string, data: Record<string, unknown>): Promise<void> {
    return this.toOwner<RaiseEventCommand>({ type: 'workflow.raise-event', workflowId, name, data });
  }

  /** verifyAndRepair: how many of the workflow's queued tasks lacked their queue row (and were repaired). */
  async verify(workflowId: string, taskType?: string): Promise<number> {
    if (!isUuid(workflowId)) throw new BatonError(ErrorCode.WorkflowNotFound, `No such workflow found by id: ${workflowId}`);
    const now = this.clock.now();
    const command: VerifyWorkflowCommand = { type: 'workflow.verify', workflowId, ...(taskType ? { taskType } : {}), commandId: this.ids.next(), issuedAt: now, deadline: now + ownerDeadlineMs(this.bus) };
    return unwrapReply(await this.bus.request<CommandReply<VerifyWorkflowReply>>({ topic: Topic.ExecutorCommands, key: workflowId, value: command })).repaired;
  }

  /**
   * Conductor's requeue of a type's pending tasks: every workflow with a task of the type that has not
   * ended has those tasks checked by its owner, and a task that lost its queue row gets it back (one a
   * worker held is timed out and retried, never handed to a second worker). Answers how many were repaired.
   */
  async requeue(taskType: string): Promise<number> {
    const ids = await this.query.workflowsWithPendingTasks(taskType);
    let repaired = 0;
    for (let i = 0; i < ids.length; i += 16) {
      const counts = await Promise.all(ids.slice(i, i + 16).map((id) => this.verify(id, taskType).catch((err: unknown) => (err instanceof BatonError && err.code === ErrorCode.WorkflowNotFound ? 0 : Promise.reject(err)))));
      repaired += counts.reduce((a, b) => a + b, 0);
    }
    return repaired;
  }

  /** Deletes a workflow and its tasks; `terminateReason` (terminate-remove): terminated first if it still runs. */
  remove(workflowId: string, archiveWorkflow: boolean, terminate?: { reason?: string }): Promise<void> {
    return this.toOwner<RemoveWorkflowCommand>({ type: 'workflow.remove', workflowId, archiveWorkflow, ...(terminate ? { terminate } : {}) });
  }

  retry(workflowId: string, resumeSubworkflowTasks = false): Promise<void> {
    return this.toOwner<RetryWorkflowCommand>({ type: 'workflow.retry', workflowId, ...(resumeSubworkflowTasks ? { resumeSubworkflowTasks } : {}) });
  }

  /** A command about the workflow; `watchMs`: from now its every change is notified for that long (the sender waits on it, or streams it). */
  nudge(workflowId: string, type: WorkflowNudgeCommand['type'], watchMs?: number): Promise<void> {
    return this.toOwner<WorkflowNudgeCommand>({ type, workflowId, ...(watchMs ? { watchMs } : {}) });
  }

  /**
   * `POST /api/workflow/test`: runs the workflow with its worker tasks' results mocked (per reference, one
   * result per attempt; a sub-workflow's mocks under its reference) and answers the workflow once it ends,
   * waits for a signal or waits on a worker task it has no mock for — or after `timeoutMs`, as it stands.
   */
  async test(req: StartWorkflowRequest, mocks: WorkflowTestMocks, timeoutMs: number): Promise<Workflow> {
    const workflowId = await this.startRequest(req, watchFor(timeoutMs), mocks);
    await this.sync.await(workflowId, { untilTaskRefs: [], untilWorkerWaits: true, timeoutMs, strategy: ReturnStrategy.TargetWorkflow, requestId: workflowId });
    return this.get(workflowId, true);
  }

  /**
   * `execute`: starts the workflow watched (its every change notified) and answers once it ends, reaches a
   * task that waits for a signal, or finishes one of `untilTaskRefs` — or when `timeoutMs` runs out.
   */
  async execute(req: StartWorkflowRequest, opts: { readonly untilTaskRefs: readonly string[]; readonly timeoutMs: number; readonly strategy: ReturnStrategy; readonly requestId: string }): Promise<SignalResponse> {
    const workflowId = await this.startRequest(req, watchFor(opts.timeoutMs));
    // Under an idempotency key the answer may be a workflow started before, by someone else: watch it too.
    if (req.idempotencyKey !== undefined) await this.nudge(workflowId, 'workflow.decide', watchFor(opts.timeoutMs));
    return this.sync.await(workflowId, opts);
  }

  skipTask(workflowId: string, taskReferenceName: string, taskInput?: Record<string, unknown>, taskOutput?: Record<string, unknown>): Promise<void> {
    return this.toOwner<SkipTaskCommand>({ type: 'workflow.skip-task', workflowId, taskReferenceName, ...(taskInput ? { taskInput } : {}), ...(taskOutput ? { taskOutput } : {}) });
  }

  terminate(workflowId: string, reason: string | undefined, triggerFailureWorkflow: boolean): Promise<void> {
    return this.toOwner<TerminateWorkflowCommand>({ type: 'workflow.terminate.request', workflowId, ...(reason !== undefined ? { reason } : {}), triggerFailureWorkflow });
  }

  /**
   * A command about one existing workflow, to its owner (keyed by its id), answered after the owner
   * decided it; a refusal comes back as the owner's error. An id that is no uuid names no workflow.
   */
  private async toOwner<C extends { readonly workflowId: string; readonly commandId: string; readonly issuedAt: number; readonly deadline?: number }>(
    command: Omit<C, 'commandId' | 'issuedAt' | 'deadline'>,
  ): Promise<void> {
    const { workflowId } = command;
    if (!isUuid(workflowId)) throw new BatonError(ErrorCode.WorkflowNotFound, `No such workflow found by id: ${workflowId}`);
    const now = this.clock.now();
    const value = { ...command, commandId: this.ids.next(), issuedAt: now, deadline: now + ownerDeadlineMs(this.bus) };
    unwrapReply(await this.bus.request<CommandReply<unknown>>({ topic: Topic.ExecutorCommands, key: workflowId, value }));
  }

  running(name: string, version: number, startTime?: number, endTime?: number): Promise<string[]> {
    return this.query.running(name, version, startTime, endTime);
  }

  async correlated(name: string, correlationIds: readonly string[], includeClosed: boolean, includeTasks: boolean): Promise<Record<string, Workflow[]>> {
    return Object.fromEntries(await this.query.correlated(name, correlationIds, includeClosed, includeTasks));
  }

  /** Conductor's `SearchResult<Task>` of one workflow's tasks, paged in order. */
  async tasksPage(workflowId: string, start: number, count: number, statuses: readonly string[]): Promise<{ totalHits: number; results: Task[] }> {
    const tasks = (await this.get(workflowId, true)).tasks ?? [];
    const matching = statuses.length ? tasks.filter((t) => statuses.includes(t.status)) : tasks;
    return { totalHits: matching.length, results: matching.slice(start, start + count) };
  }

  /** Conductor's WorkflowStatus view (`GET /api/workflow/{id}/status`). */
  async status(workflowId: string, includeOutput: boolean, includeVariables: boolean): Promise<WorkflowStatusView> {
    const w = await this.get(workflowId, false);
    return {
      workflowId: w.workflowId,
      ...(w.correlationId !== undefined ? { correlationId: w.correlationId } : {}),
      ...(includeOutput ? { output: w.output } : {}),
      ...(includeVariables ? { variables: w.variables } : {}),
      status: w.status,
    };
  }

  async get(workflowId: string, includeTasks: boolean): Promise<Workflow> {
    const workflow = await this.query.workflow(workflowId, includeTasks);
    if (!workflow) throw new BatonError(ErrorCode.WorkflowNotFound, `No such workflow found by id: ${workflowId}`);
    return workflow;
  }
}

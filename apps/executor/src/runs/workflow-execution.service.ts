import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  BatonError,
  ChildEndedNotice,
  ExecutorNotice,
  ErrorCode,
  StartWorkflowCommand,
  StartWorkflowReply,
  Task,
  TaskEvent,
  TerminateWorkflowNotice,
  Topic,
  UpdateTaskCommand,
  UpdateTaskReply,
  WorkflowDef,
  WorkflowEvent,
  WorkflowStatus,
} from '@app/contracts';
import { Clock, IdGenerator } from '@app/runtime';
import { BusMessage, ShardOwnership } from '@app/bus';
import { Lease, TaskQueue } from '@app/persistence';
import { DataSource, EntityManager } from 'typeorm';
import { CommandOf, Decision, EngineCommand } from '../decider/commands';
import { decide } from '../decider/decide';
import type { DeciderEvent } from '../decider/events';
import type { WorkflowRun } from '../decider/workflow-run';
import { DefinitionReader } from '../definitions/definition.reader';
import { unrunnableTasks } from '../definitions/runnable';
import { EXECUTOR_PRODUCER, OutboxRelay } from '../outbox/outbox.relay';
import { OutboxRepository } from '../outbox/outbox.repository';
import { DueTimer, TimerRepository } from '../timers/timer.repository';
import { TimerWakeup } from '../timers/timer-wakeup';
import { LoadedRun, SavedRun, StaleRunError, WorkflowRunRepository } from './workflow-run.repository';

const MAX_STALE_RETRIES = 5;

/**
 * The shell around the decider: load, decide, then save the new state, the queue changes, the timers and
 * the outbox in one transaction; publish after commit. The only writer of workflow, task and timer rows.
 */
@Injectable()
export class WorkflowExecutionService {
  private readonly logger = new Logger(WorkflowExecutionService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: WorkflowRunRepository,
    private readonly queue: TaskQueue,
    private readonly timers: TimerRepository,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
    private readonly definitions: DefinitionReader,
    @Inject(ShardOwnership) private readonly shards: ShardOwnership,
    private readonly wakeup: TimerWakeup,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async start(cmd: StartWorkflowCommand): Promise<StartWorkflowReply> {
    await this.dataSource.transaction(async (m) => {
      // A redelivered start (the gateway's retry, a Kafka redelivery, a parent deciding again) finds its
      // workflow and stops here.
      if (await this.runs.exists(m, cmd.workflowId)) return;
      let definition: WorkflowDef;
      try {
        definition = await this.definitionFor(m, cmd);
      } catch (err) {
        // A child that cannot start fails its SUB_WORKFLOW task instead of vanishing.
        if (!(err instanceof BatonError) || !cmd.parent) throw err;
        await this.outbox.append(m, EXECUTOR_PRODUCER, [this.childEndedMessage(cmd.parent, cmd.workflowId, WorkflowStatus.Failed, {}, err.message)], this.clock.now());
        return;
      }
      const now = this.clock.now();
      const decision = decide(definition, null, {
        type: 'workflow.start',
        workflowId: cmd.workflowId,
        input: cmd.input,
        correlationId: cmd.correlationId,
        priority: cmd.priority,
        taskToDomain: cmd.taskToDomain,
        createdBy: cmd.createdBy,
        parent: cmd.parent,
      }, now);
      const saved = await this.runs.insert(m, decision.state);
      if (saved) await this.carryOut(m, decision, saved, now);
    });
    this.relay.kick();
    return { workflowId: cmd.workflowId };
  }

  private async definitionFor(m: EntityManager, cmd: StartWorkflowCommand): Promise<WorkflowDef> {
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
    const { result } = cmd;
    const decision = await this.onRun(cmd.workflowId, async () => ({ type: 'task.result', result }));
    if (!decision) throw new BatonError(ErrorCode.TaskNotFound, `No such task found by id: ${result.taskId}`);
    if (decision.rejection) throw new BatonError(decision.rejection.code, decision.rejection.message);
    return { taskId: result.taskId };
  }

  /** A poller leased a task: fold it into the run (IN_PROGRESS, worker, poll count, the task's timeout). */
  /**
   * A notice for a workflow on this executor: a lease to fold in (IN_PROGRESS, worker, poll count, the
   * task's timeout), a child that ended, a terminate. The decider reads it less its envelope.
   */
  async notice(notice: ExecutorNotice): Promise<void> {
    const { eventId: _eventId, workflowId, ...event } = notice;
    await this.onRun(workflowId, async () => event);
  }

  /**
   * Fires a due timer: claims (deletes) its row in the transaction that decides it, so a timer fires once
   * even when two executors race for it during a rebalance; a timer already taken is skipped.
   */
  async fireTimer(timer: DueTimer): Promise<void> {
    await this.onRun(timer.workflowId, async (m) => {
      if (!(await this.timers.claim(m, timer))) return null;
      const lease = timer.taskId ? await this.queue.leaseOf(m, timer.taskId) : null;
      return { type: 'timer.fired', kind: timer.kind, taskId: timer.taskId, ...(lease ? { lease: leaseFields(lease) } : {}) };
    }, async (m) => {
      // The workflow is gone: its timer has nothing left to guard.
      await this.timers.cancel(m, [timer.timerId]);
    });
  }

  /** A lease ran out without a word from its worker: a response timeout (unless it was renewed meanwhile). */
  async expireLease(lease: Lease): Promise<void> {
    await this.onRun(lease.workflowId, async (m) => {
      const still = await this.queue.lockExpiredLease(m, lease.taskId);
      return still ? { type: 'task.lease-expired', taskId: still.taskId, lease: leaseFields(still) } : null;
    }, async (m) => {
      // An orphan queue row (its workflow is gone): drop it so nobody trips over it again.
      await this.queue.remove(m, [lease.taskId]);
    });
  }

  /**
   * Applies an event to an existing run. The event is built inside the transaction (a timer is claimed
   * there); null means there is nothing to do. Retries on a stale version (another writer won), deciding
   * again on fresh state. Returns null when the workflow does not exist or there was nothing to do.
   */
  private async onRun(
    workflowId: string,
    eventFor: (m: EntityManager) => Promise<DeciderEvent | null>,
    onMissing?: (m: EntityManager) => Promise<void>,
  ): Promise<Decision | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        const decision = await this.dataSource.transaction(async (m) => {
          const loaded = await this.runs.load(m, workflowId);
          if (!loaded) {
            await onMissing?.(m);
            return null;
          }
          const event = await eventFor(m);
          if (!event) return null;
          const now = this.clock.now();
          const decision = decide(loaded.run.workflow.workflowDefinition, loaded.run, event, now);
          const saved = decision.state === loaded.run ? unchanged(loaded) : await this.runs.save(m, loaded, decision.state);
          await this.carryOut(m, decision, saved, now);
          return decision;
        });
        if (decision?.commands.length) this.relay.kick();
        return decision;
      } catch (err) {
        if (err instanceof StaleRunError && attempt < MAX_STALE_RETRIES) {
          this.logger.debug(`${err.message}; deciding again (attempt ${attempt + 1})`);
          continue;
        }
        // Contention that outlasted the retries (a rebalance storm): the caller may try again.
        if (err instanceof StaleRunError) throw new BatonError(ErrorCode.Unavailable, `${err.message}; try again`);
        throw err;
      }
    }
  }

  /** Turns the decision's commands into queue, timer and outbox writes, in the same transaction. */
  private async carryOut(m: EntityManager, decision: Decision, saved: SavedRun, now: number): Promise<void> {
    const { state } = decision;
    const workflowId = state.workflow.workflowId;
    const shard = this.shards.shardOf(workflowId);
    const of = <T extends EngineCommand['type']>(type: T) => decision.commands.filter((c): c is CommandOf<T> => c.type === type);

    // Queue: the last word on each task wins (a task removed and re-pushed in one decision stays queued).
    const lastQueueOp = new Map<string, CommandOf<'queue.push' | 'queue.remove'>>();
    for (const c of decision.commands) if (c.type === 'queue.push' || c.type === 'queue.remove') lastQueueOp.set(c.taskId, c);
    const finalOps = [...lastQueueOp.values()];
    await this.queue.remove(m, finalOps.filter((c) => c.type === 'queue.remove').map((c) => c.taskId));
    await this.queue.push(
      m,
      finalOps.filter((c): c is CommandOf<'queue.push'> => c.type === 'queue.push').map((p) => ({ ...p, workflowId, shard })),
      now,
    );
    await this.queue.extend(m, of('queue.extend').filter((c) => lastQueueOp.get(c.taskId)?.type !== 'queue.remove'));

    // Timers: cancelling all of them (the workflow ended) supersedes the rest; otherwise the last word wins.
    if (of('timer.cancel-all').length) {
      await this.timers.cancelAllOf(m, workflowId);
    } else {
      const lastTimerOp = new Map<string, CommandOf<'timer.set' | 'timer.cancel'>>();
      for (const c of decision.commands) if (c.type === 'timer.set' || c.type === 'timer.cancel') lastTimerOp.set(c.timerId, c);
      const ops = [...lastTimerOp.values()];
      await this.timers.cancel(m, ops.filter((c) => c.type === 'timer.cancel').map((c) => c.timerId));
      const toSet = ops.filter((c): c is CommandOf<'timer.set'> => c.type === 'timer.set');
      await this.timers.set(m, toSet.map((t) => ({ ...t, workflowId, shard })));
      for (const t of toSet) this.wakeup.dueAt(t.dueAt);
    }

    const messages: BusMessage[] = [];
    for (const c of decision.commands) {
      if (c.type === 'emit.task') messages.push(this.taskEvent(state, saved, c.eventType, c.taskId, now));
      if (c.type === 'emit.workflow') messages.push(this.workflowEvent(state, saved, c.eventType, now));
      if (c.type === 'child.start') messages.push(this.childStart(c, now));
      if (c.type === 'child.terminate') messages.push(this.terminateMessage(c.childWorkflowId, c.reason));
      if (c.type === 'parent.notify') messages.push(this.childEndedMessage(c.parent, workflowId, c.status, c.output, c.reasonForIncompletion));
    }
    await this.outbox.append(m, EXECUTOR_PRODUCER, messages, now);
  }

  private childStart(c: CommandOf<'child.start'>, now: number): BusMessage<StartWorkflowCommand> {
    const command: StartWorkflowCommand = {
      type: 'workflow.start',
      commandId: this.ids.next(),
      issuedAt: now,
      workflowId: c.childWorkflowId,
      name: c.name,
      version: c.version,
      workflowDef: c.workflowDef,
      input: c.input,
      correlationId: c.correlationId,
      priority: c.priority,
      taskToDomain: c.taskToDomain,
      parent: c.parent,
    };
    return { topic: Topic.ExecutorCommands, key: command.workflowId, value: command };
  }

  private terminateMessage(workflowId: string, reason: string): BusMessage<TerminateWorkflowNotice> {
    return { topic: Topic.ExecutorCommands, key: workflowId, value: { type: 'workflow.terminate', eventId: this.ids.next(), workflowId, reason } };
  }

  private childEndedMessage(
    parent: { workflowId: string; taskId: string },
    childWorkflowId: string,
    status: WorkflowStatus,
    output: Record<string, unknown>,
    reasonForIncompletion?: string,
  ): BusMessage<ChildEndedNotice> {
    const notice: ChildEndedNotice = {
      type: 'child.ended',
      eventId: this.ids.next(),
      workflowId: parent.workflowId,
      taskId: parent.taskId,
      childWorkflowId,
      status,
      output,
      ...(reasonForIncompletion ? { reasonForIncompletion } : {}),
    };
    return { topic: Topic.ExecutorCommands, key: parent.workflowId, value: notice };
  }

  private taskEvent(run: WorkflowRun, saved: SavedRun, type: TaskEvent['type'], taskId: string, now: number): BusMessage<TaskEvent> {
    const task = run.tasks.find((t) => t.taskId === taskId) as Task;
    const event: TaskEvent = {
      eventId: this.ids.next(),
      type,
      workflowId: run.workflow.workflowId,
      taskId,
      attempt: task.retryCount + 1,
      status: task.status,
      version: saved.taskVersions.get(taskId) ?? 1,
      occurredAt: now,
      task,
    };
    return { topic: Topic.TaskEvents, key: event.workflowId, value: event };
  }

  private workflowEvent(run: WorkflowRun, saved: SavedRun, type: WorkflowEvent['type'], now: number): BusMessage<WorkflowEvent> {
    const event: WorkflowEvent = {
      eventId: this.ids.next(),
      type,
      workflowId: run.workflow.workflowId,
      status: run.workflow.status,
      version: saved.version,
      occurredAt: now,
      workflow: run.workflow,
    };
    return { topic: Topic.WorkflowEvents, key: event.workflowId, value: event };
  }
}

const unchanged = (loaded: LoadedRun): SavedRun => ({ version: loaded.version, taskVersions: loaded.taskVersions });
const leaseFields = (l: Lease) => ({ workerId: l.workerId, leasedAt: l.leasedAt, pollCount: l.pollCount });

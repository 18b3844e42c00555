import { Inject, Injectable } from '@nestjs/common';
import { CallbackMessage, ChildEndedNotice, ChildRetryNotice, ConductorEventMessage, ParentLink, StartOutcomeNotice, StartWorkflowCommand, Task, TaskEvent, servedWorkflow, TerminateWorkflowNotice, Topic, withoutDefinitionParts, WorkflowEvent, WorkflowStatus } from '@app/contracts';
import { BusMessage, ShardOwnership } from '@app/bus';
import { QueuedTask } from '@app/persistence';
import { IdGenerator } from '@app/runtime';
import type { CommandOf, Decision } from '../decider/commands';
import type { WorkflowRun } from '../decider/workflow-run';
import type { TimerToSet } from '../timers/timer.repository';
import type { BatchWrite } from './batch.writer';
import type { SavedRun } from './workflow-run.repository';

/** One decision to carry out: its commands, the versions its state was written with, and when it was made. */
export interface Effect {
  readonly decision: Decision;
  readonly saved: SavedRun;
  readonly now: number;
}

/**
 * Turns the commands of a batch of decisions into what the batch writes: queue removals, pushes and lease
 * extensions (the last word on each task wins: a task removed and re-pushed stays queued), timer
 * cancellations and sets (a workflow's end cancels all of its timers), and outbox messages (task and
 * workflow events, child starts and terminations, notices to parents), in the order the decisions were made.
 */
@Injectable()
export class DecisionEffects {
  constructor(
    @Inject(ShardOwnership) private readonly shards: ShardOwnership,
    private readonly ids: IdGenerator,
  ) {}

  /**
   * What the effects write, less the runs themselves (queue rows, timers, outbox messages), for the batch's
   * one statement. Pure: it builds rows and messages, in the order the decisions were made.
   */
  plan(effects: readonly Effect[]): Pick<BatchWrite, 'queue' | 'timers' | 'removed'> & { readonly messages: BusMessage[] } {
    const queueOps = new Map<string, { op: CommandOf<'queue.push' | 'queue.remove'>; workflowId: string }>();
    const extendOps: Array<CommandOf<'queue.extend'>> = [];
    const timerOps = new Map<string, { op: CommandOf<'timer.set' | 'timer.cancel'>; workflowId: string }>();
    const endedWorkflows = new Set<string>();
    const removed = new Set<string>();
    const messages: BusMessage[] = [];

    for (const { decision, saved, now: at } of effects) {
      const { state } = decision;
      const workflowId = state.workflow.workflowId;
      for (const c of decision.commands) {
        switch (c.type) {
          case 'queue.push':
          case 'queue.remove':
            queueOps.set(c.taskId, { op: c, workflowId });
            break;
          case 'queue.extend':
            extendOps.push(c);
            break;
          case 'timer.set':
          case 'timer.cancel':
            timerOps.set(c.timerId, { op: c, workflowId });
            break;
          case 'timer.cancel-all':
            for (const [id, t] of timerOps) if (t.workflowId === workflowId) timerOps.delete(id);
            endedWorkflows.add(workflowId);
            break;
          case 'emit.task':
            messages.push(this.taskEvent(state, saved, c.eventType, c.taskId, at));
            break;
          case 'workflow.remove':
            removed.add(workflowId);
            messages.push(this.workflowEvent(state, saved, 'workflow.removed', at, c.archive));
            break;
          case 'emit.workflow':
            messages.push(this.workflowEvent(state, saved, c.eventType, at, undefined, c.droppedTaskIds));
            break;
          case 'child.start':
            // A SUB_WORKFLOW's child of a watched workflow is watched too, for what is left of the parent's watch (a caller waits on what blocks it).
            messages.push(this.childStart(c, at, c.parent ? Math.max(0, (state.workflow.notifyUntil ?? 0) - at) : 0));
            break;
          case 'child.terminate':
            messages.push(this.terminate(c.childWorkflowId, c.reason));
            break;
          case 'child.retry':
            messages.push({ topic: Topic.ExecutorCommands, key: c.childWorkflowId, value: { type: 'child.retry', eventId: this.ids.next(), workflowId: c.childWorkflowId } satisfies ChildRetryNotice });
            break;
          case 'parent.notify':
            messages.push(this.childEnded(c.parent, workflowId, c.status, c.output, c.reasonForIncompletion));
            break;
          case 'starter.notify':
            messages.push(this.startOutcome(c.startedBy, workflowId, c.started, c.reason));
            break;
          case 'event.publish':
            messages.push(this.eventMessage(c, at));
            break;
          case 'callback.send': {
            const callback: CallbackMessage = { eventId: this.ids.next(), workflowId, url: c.url, body: c.body };
            messages.push({ topic: Topic.Callbacks, key: workflowId, value: callback });
            break;
          }
        }
      }
    }

    const ops = [...queueOps.values()];
    const push: QueuedTask[] = [];
    for (const { op, workflowId } of ops) if (op.type === 'queue.push') push.push({ ...op, workflowId, shard: this.shards.shardOf(workflowId) });
    const set: TimerToSet[] = [];
    const cancel: string[] = [];
    for (const { op, workflowId } of timerOps.values()) {
      if (op.type === 'timer.set') set.push({ ...op, workflowId, shard: this.shards.shardOf(workflowId) });
      else cancel.push(op.timerId);
    }
    return {
      queue: {
        remove: ops.filter((o) => o.op.type === 'queue.remove').map((o) => o.op.taskId),
        push,
        // One statement touches a row once: a lease extended and then ended in the batch is only ended.
        extend: extendOps.filter((e) => !queueOps.has(e.taskId)).map((e) => ({ taskId: e.taskId, leaseMs: e.leaseMs })),
      },
      timers: { cancel, cancelAllOf: [...endedWorkflows], set },
      removed: [...removed],
      messages,
    };
  }

  /**
   * An EVENT task's message: on Baton's internal event queue topic, keyed by the queue (so one queue's
   * messages stay in order), or to the Kafka topic its sink names, keyed by the message id.
   */
  private eventMessage(c: CommandOf<'event.publish'>, at: number): BusMessage {
    if (c.sink === 'kafka') return { topic: c.topic, key: c.messageId, value: c.payload };
    const value: ConductorEventMessage = { messageId: c.messageId, queue: c.queue, payload: c.payload, publishedAt: at };
    return { topic: Topic.ConductorEvents, key: c.queue, value };
  }

  /** A child that could not start fails its SUB_WORKFLOW task: the notice its parent gets. */
  childEnded(parent: ParentLink, childWorkflowId: string, status: WorkflowStatus, output: Record<string, unknown>, reasonForIncompletion?: string): BusMessage<ChildEndedNotice> {
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

  /** Whether the workflow a START_WORKFLOW task asked for started: the notice that task's owner gets. */
  startOutcome(startedBy: ParentLink, startedWorkflowId: string, started: boolean, reason?: string): BusMessage<StartOutcomeNotice> {
    const notice: StartOutcomeNotice = {
      type: 'start.outcome',
      eventId: this.ids.next(),
      workflowId: startedBy.workflowId,
      taskId: startedBy.taskId,
      startedWorkflowId,
      started,
      ...(reason ? { reason } : {}),
    };
    return { topic: Topic.ExecutorCommands, key: startedBy.workflowId, value: notice };
  }

  private childStart(c: CommandOf<'child.start'>, now: number, watchMs: number): BusMessage<StartWorkflowCommand> {
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
      ...(c.parent ? { parent: c.parent } : {}),
      ...(c.startedBy ? { startedBy: c.startedBy } : {}),
      ...(watchMs > 0 ? { watchMs } : {}),
      ...(c.testRun ? { testRun: c.testRun } : {}),
    };
    return { topic: Topic.ExecutorCommands, key: command.workflowId, value: command };
  }

  private terminate(workflowId: string, reason: string): BusMessage<TerminateWorkflowNotice> {
    return { topic: Topic.ExecutorCommands, key: workflowId, value: { type: 'workflow.terminate', eventId: this.ids.next(), workflowId, reason } };
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
      task: withoutDefinitionParts(task),
    };
    return { topic: Topic.TaskEvents, key: event.workflowId, value: event };
  }

  private workflowEvent(run: WorkflowRun, saved: SavedRun, type: WorkflowEvent['type'], now: number, archived?: boolean, droppedTaskIds?: readonly string[]): BusMessage<WorkflowEvent> {
    // The pinned definition is the run's, not the change's: events never carry it.
    const { workflowDefinition: _definition, ...workflow } = servedWorkflow(run.workflow);
    const event: WorkflowEvent = {
      eventId: this.ids.next(),
      type,
      workflowId: run.workflow.workflowId,
      status: run.workflow.status,
      version: saved.version,
      occurredAt: now,
      workflow,
      ...(archived !== undefined ? { archived } : {}),
      ...(droppedTaskIds?.length ? { droppedTaskIds: [...droppedTaskIds] } : {}),
    };
    return { topic: Topic.WorkflowEvents, key: event.workflowId, value: event };
  }
}

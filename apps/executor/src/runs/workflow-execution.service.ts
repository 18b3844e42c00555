import { Injectable, Logger } from '@nestjs/common';
import {
  BatonError,
  ClaimTaskCommand,
  ClaimTaskReply,
  ErrorCode,
  StartWorkflowCommand,
  StartWorkflowReply,
  Task,
  TaskEvent,
  Topic,
  UpdateTaskCommand,
  UpdateTaskReply,
  WorkflowEvent,
} from '@app/contracts';
import { Clock, IdGenerator } from '@app/runtime';
import type { BusMessage } from '@app/bus';
import { DataSource, EntityManager } from 'typeorm';
import { Decision, EngineCommand } from '../decider/commands';
import { decide } from '../decider/decide';
import type { DeciderEvent } from '../decider/events';
import type { WorkflowRun } from '../decider/workflow-run';
import { DefinitionReader } from '../definitions/definition.reader';
import { unrunnableTasks } from '../definitions/runnable';
import { EXECUTOR_PRODUCER, OutboxRelay } from '../outbox/outbox.relay';
import { OutboxRepository } from '../outbox/outbox.repository';
import { TaskQueueWriter } from './task-queue.writer';
import { LoadedRun, SavedRun, StaleRunError, WorkflowRunRepository } from './workflow-run.repository';

const MAX_STALE_RETRIES = 5;

/**
 * The shell around the decider: load, decide, then save the new state, the queue changes and the outbox in
 * one transaction; publish after commit. The only writer of workflow and task rows.
 */
@Injectable()
export class WorkflowExecutionService {
  private readonly logger = new Logger(WorkflowExecutionService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: WorkflowRunRepository,
    private readonly queue: TaskQueueWriter,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
    private readonly definitions: DefinitionReader,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async start(cmd: StartWorkflowCommand): Promise<StartWorkflowReply> {
    await this.dataSource.transaction(async (m) => {
      // A redelivered start (the gateway's retry or a Kafka redelivery) finds its workflow and stops here.
      if (await this.runs.exists(m, cmd.workflowId)) return;
      const found = await this.definitions.workflowDef(m, cmd.name, cmd.version);
      if (!found) {
        throw new BatonError(ErrorCode.WorkflowDefNotFound, `No such workflow found by name: ${cmd.name}, version: ${cmd.version ?? null}`);
      }
      const unrunnable = unrunnableTasks(found);
      if (unrunnable.length) {
        throw new BatonError(ErrorCode.InvalidArgument, `Workflow ${found.name} version ${found.version ?? 1} uses task types this version of Baton cannot run yet`, unrunnable);
      }
      const definition = await this.definitions.withTaskDefs(m, found);
      const now = this.clock.now();
      const decision = decide(definition, null, {
        type: 'workflow.start',
        workflowId: cmd.workflowId,
        input: cmd.input,
        correlationId: cmd.correlationId,
        priority: cmd.priority,
        taskToDomain: cmd.taskToDomain,
        createdBy: cmd.createdBy,
      }, now);
      const saved = await this.runs.insert(m, decision.state);
      if (saved) await this.carryOut(m, decision, saved, now);
    });
    this.relay.kick();
    return { workflowId: cmd.workflowId };
  }

  async claim(cmd: ClaimTaskCommand): Promise<ClaimTaskReply> {
    // The poller stopped waiting (a slow rebalance): leave the task queued for the next poll.
    if (this.clock.now() > cmd.deadline) return { task: null, refused: 'expired' };
    const decision = await this.onRun(cmd.workflowId, { type: 'task.claim', taskId: cmd.taskId, workerId: cmd.workerId }, async (m) => {
      // An orphan queue row (its workflow is gone): drop it so pollers stop finding it.
      await this.queue.remove(m, [cmd.taskId]);
    });
    if (!decision || decision.rejection) return { task: null, refused: 'stale' };
    return { task: decision.state.tasks.find((t) => t.taskId === cmd.taskId) ?? null };
  }

  async update(cmd: UpdateTaskCommand): Promise<UpdateTaskReply> {
    const { result } = cmd;
    const decision = await this.onRun(cmd.workflowId, { type: 'task.result', result });
    if (!decision) throw new BatonError(ErrorCode.TaskNotFound, `No such task found by id: ${result.taskId}`);
    if (decision.rejection) throw new BatonError(decision.rejection.code, decision.rejection.message);
    return { taskId: result.taskId };
  }

  /**
   * Applies an event to an existing run. Retries on a stale version (another writer won), deciding again
   * on fresh state. Returns null when the workflow does not exist.
   */
  private async onRun(workflowId: string, event: DeciderEvent, onMissing?: (m: EntityManager) => Promise<void>): Promise<Decision | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        const decision = await this.dataSource.transaction(async (m) => {
          const loaded = await this.runs.load(m, workflowId);
          if (!loaded) {
            await onMissing?.(m);
            return null;
          }
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

  /** Turns the decision's commands into queue writes and outbox messages, in the same transaction. */
  private async carryOut(m: EntityManager, decision: Decision, saved: SavedRun, now: number): Promise<void> {
    const { state } = decision;
    const pushes = decision.commands.filter((c): c is Extract<EngineCommand, { type: 'queue.push' }> => c.type === 'queue.push');
    const removals = decision.commands.filter((c) => c.type === 'queue.remove').map((c) => (c as { taskId: string }).taskId);
    const pushed = new Set(pushes.map((p) => p.taskId));
    // A task removed and pushed in one decision (re-queued) must end up queued.
    await this.queue.remove(m, removals.filter((id) => !pushed.has(id)));
    await this.queue.push(m, pushes.map((p) => ({ ...p, workflowId: state.workflow.workflowId })), now);

    const messages: BusMessage[] = [];
    for (const c of decision.commands) {
      if (c.type === 'emit.task') messages.push(this.taskEvent(state, saved, c.eventType, c.taskId, now));
      if (c.type === 'emit.workflow') messages.push(this.workflowEvent(state, saved, c.eventType, now));
    }
    await this.outbox.append(m, EXECUTOR_PRODUCER, messages, now);
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

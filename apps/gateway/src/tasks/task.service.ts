import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  BatonError,
  ClaimTaskCommand,
  ClaimTaskReply,
  CommandReply,
  ErrorCode,
  isUuid,
  Task,
  TaskResult,
  Topic,
  UpdateTaskCommand,
  UpdateTaskReply,
  unwrapReply,
} from '@app/contracts';
import { MessageBus, ownerDeadlineMs } from '@app/bus';
import { Clock, IdGenerator } from '@app/runtime';
import { ExecutionQueryRepository } from '../workflows/execution-query.repository';
import { QueueWaiter } from './queue-waiter';
import { TaskQueueRepository } from './task-queue.repository';

/** How long a poller holds a leased row while the owner processes its claim. */
const LEASE_MS = 30_000;
/** How long the owner has to hand a claimed task out; the claim is refused after that. */
const CLAIM_DEADLINE_MS = 5_000;
/** How long the poller waits for the claim's reply: longer than the deadline, so no claim outlives it. */
const CLAIM_REPLY_TIMEOUT_MS = 8_000;

export interface PollRequest {
  readonly taskType: string;
  readonly workerId?: string;
  readonly count: number;
  readonly timeoutMs: number;
}

@Injectable()
export class TaskService {
  private readonly logger = new Logger(TaskService.name);

  constructor(
    @Inject(MessageBus) private readonly bus: MessageBus,
    private readonly queue: TaskQueueRepository,
    private readonly waiter: QueueWaiter,
    private readonly query: ExecutionQueryRepository,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  /**
   * Batch poll: lease ready rows, have each task's owner hand it out (SCHEDULED → IN_PROGRESS, recorded
   * before the worker sees it), and return what was handed out. With nothing ready, wait for the queue to
   * be notified — returning as soon as anything arrives — until the timeout.
   */
  async poll(req: PollRequest): Promise<Task[]> {
    const deadline = this.clock.now() + req.timeoutMs;
    for (;;) {
      // Listen before looking: work that arrives while we look wakes us instead of being slept through.
      const waiter = this.waiter.arm(req.taskType);
      try {
        const leased = await this.queue.lease(req.taskType, req.count, LEASE_MS);
        if (leased.length) {
          const tasks = await this.claimAll(leased, req.workerId);
          if (tasks.length) return tasks;
          continue; // all of them were stale (canceled meanwhile): look again
        }
        const remaining = deadline - this.clock.now();
        if (remaining <= 0) return [];
        const nextReady = await this.queue.msUntilNextReady(req.taskType);
        await waiter.wait(nextReady === null ? remaining : Math.min(remaining, Math.max(nextReady, 5)));
      } finally {
        waiter.cancel();
      }
    }
  }

  async update(result: TaskResult): Promise<string> {
    // Baton's ids are uuids: anything else cannot name a task, and must not reach a uuid column.
    if (!isUuid(result.taskId) || !isUuid(result.workflowInstanceId)) {
      throw new BatonError(ErrorCode.TaskNotFound, `No such task found by id: ${result.taskId}`);
    }
    const command: UpdateTaskCommand = {
      type: 'task.update',
      commandId: this.ids.next(),
      issuedAt: this.clock.now(),
      deadline: this.clock.now() + ownerDeadlineMs(this.bus),
      workflowId: result.workflowInstanceId,
      result,
    };
    const reply = await this.bus.request<CommandReply<UpdateTaskReply>>({ topic: Topic.ExecutorCommands, key: command.workflowId, value: command });
    return unwrapReply(reply).taskId;
  }

  async get(taskId: string): Promise<Task> {
    const task = await this.query.task(taskId);
    if (!task) throw new BatonError(ErrorCode.TaskNotFound, `No such task found by id: ${taskId}`);
    return task;
  }

  private async claimAll(leased: readonly { taskId: string; workflowId: string }[], workerId?: string): Promise<Task[]> {
    const outcomes = await Promise.allSettled(
      leased.map((l) => {
        const issuedAt = this.clock.now();
        const command: ClaimTaskCommand = {
          type: 'task.claim',
          commandId: this.ids.next(),
          issuedAt,
          deadline: issuedAt + CLAIM_DEADLINE_MS,
          workflowId: l.workflowId,
          taskId: l.taskId,
          workerId,
        };
        return this.bus.request<CommandReply<ClaimTaskReply>>(
          { topic: Topic.ExecutorCommands, key: l.workflowId, value: command },
          { timeoutMs: CLAIM_REPLY_TIMEOUT_MS },
        );
      }),
    );
    const tasks: Task[] = [];
    const unanswered: string[] = [];
    outcomes.forEach((o, i) => {
      if (o.status === 'fulfilled' && o.value.ok) {
        const { task, refused } = o.value.result;
        if (task) tasks.push(task);
        if (refused === 'expired') unanswered.push(leased[i].taskId);
        return;
      }
      unanswered.push(leased[i].taskId);
      const why = o.status === 'rejected' ? String((o.reason as Error)?.message ?? o.reason) : o.value.ok ? '' : o.value.error.message;
      this.logger.warn(`claim of task ${leased[i].taskId} failed: ${why}`);
    });
    // The owner did not answer or failed (a rebalance, a restart): hand the rows back for the next poll.
    if (unanswered.length) await this.queue.release(unanswered);
    if (!tasks.length && unanswered.length === leased.length) {
      throw new BatonError(ErrorCode.Unavailable, 'The executor did not answer the claims; try again');
    }
    return tasks;
  }
}

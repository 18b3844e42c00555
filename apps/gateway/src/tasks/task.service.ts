import { Inject, Injectable, Logger } from '@nestjs/common';
import { BatonError, CommandReply, ErrorCode, isQueuedKind, queueNameFor, isUuid, Task, TaskLeasedNotice, TaskResult, TaskResultStatus, Topic, traitsOf, UpdateTaskCommand, UpdateTaskReply, unwrapReply, Workflow } from '@app/contracts';
import { BusMessage, MessageBus, ownerDeadlineMs } from '@app/bus';
import { ExecutionQueries, LeasedTask, TaskQueue } from '@app/persistence';
import { Clock, IdGenerator } from '@app/runtime';
import { QueueWaiter } from './queue-waiter';
import { logsOfResult, TaskExecLog, TaskLogs } from './task-logs';

export interface PollRequest {
  readonly taskType: string;
  /** Poll the type's queue in this domain (`<domain>:<type>`); without one, the type's own queue. */
  readonly domain?: string;
  readonly workerId?: string;
  readonly count: number;
  readonly timeoutMs: number;
}

@Injectable()
export class TaskService {
  private readonly logger = new Logger(TaskService.name);

  constructor(
    @Inject(MessageBus) private readonly bus: MessageBus,
    private readonly queue: TaskQueue,
    private readonly waiter: QueueWaiter,
    private readonly query: ExecutionQueries,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly logs: TaskLogs,
  ) {}

  /**
   * Batch poll: one statement leases ready tasks and makes them IN_PROGRESS (the lease is the record; no
   * round trip to the executor stands between a poll and its answer), then each task's owner is told by a
   * notice it folds into the run. With nothing ready, wait for the queue to be notified — returning as
   * soon as anything arrives — until the timeout. Tasks the type's limits hold back (concurrentExecLimit,
   * rateLimitPerFrequency) are waited for the same way: a lease of the type that ends notifies the queue,
   * and a rate window ends when the lease said it would.
   */
  async poll(req: PollRequest): Promise<Task[]> {
    const deadline = this.clock.now() + req.timeoutMs;
    for (;;) {
      // Listen before looking: work that arrives while we look wakes us instead of being slept through.
      const queueName = queueNameFor(req.taskType, req.domain);
      const waiter = this.waiter.arm(queueName);
      try {
        // A worker task type's queue: its tasks run the task definition of that name.
        const { tasks: leased, heldBack } = await this.queue.lease(queueName, req.count, req.workerId, req.taskType);
        if (leased.length) {
          // Not awaited: the lease is the record; the answer to the worker waits for nothing else.
          void this.notifyOwners(leased);
          return leased.map((l) => l.task);
        }
        const remaining = deadline - this.clock.now();
        if (remaining <= 0) return [];
        if (heldBack) {
          await waiter.wait(Math.min(remaining, Math.max(heldBack.windowEndsInMs ?? remaining, 1)));
          continue;
        }
        const nextReady = await this.queue.msUntilNextReady(queueName);
        await waiter.wait(nextReady === null ? remaining : Math.min(remaining, Math.max(nextReady, 5)));
      } finally {
        waiter.cancel();
      }
    }
  }

  /**
   * Tells each task's owner about its lease. Best effort: the lease is already durable in the queue, and an
   * owner that never hears of it learns from the worker's result, or from the lease's expiry.
   */
  private async notifyOwners(leased: readonly LeasedTask[]): Promise<void> {
    const messages: BusMessage<TaskLeasedNotice>[] = leased.map((l) => ({
      topic: Topic.ExecutorCommands,
      key: l.workflowId,
      value: {
        type: 'task.leased',
        eventId: this.ids.next(),
        workflowId: l.workflowId,
        taskId: l.taskId,
        ...(l.workerId ? { workerId: l.workerId } : {}),
        leasedAt: l.leasedAt,
        pollCount: l.pollCount,
      },
    }));
    try {
      await this.bus.publish(messages);
    } catch (err) {
      this.logger.warn(`could not tell the executor about ${leased.length} lease(s): ${(err as Error).message}`);
    }
  }

  async update(result: TaskResult, taskRefName?: string, watchMs?: number): Promise<string> {
    // Baton's ids are uuids: anything else cannot name a task, and must not reach a uuid column.
    if ((!taskRefName && !isUuid(result.taskId)) || !isUuid(result.workflowInstanceId)) {
      throw new BatonError(ErrorCode.TaskNotFound, taskRefName ? `No such workflow found by id: ${result.workflowInstanceId}` : `No such task found by id: ${result.taskId}`);
    }
    const command: UpdateTaskCommand = {
      type: 'task.update',
      commandId: this.ids.next(),
      issuedAt: this.clock.now(),
      deadline: this.clock.now() + ownerDeadlineMs(this.bus),
      workflowId: result.workflowInstanceId,
      result,
      ...(taskRefName ? { taskRefName } : {}),
      ...(watchMs ? { watchMs } : {}),
    };
    const reply = await this.bus.request<CommandReply<UpdateTaskReply>>({ topic: Topic.ExecutorCommands, key: command.workflowId, value: command });
    const taskId = unwrapReply(reply).taskId;
    // A result's logs are kept once its owner took the result.
    const logs = logsOfResult(result.logs);
    if (logs.length && taskId) await this.logs.append(taskId, logs, this.clock.now());
    return taskId;
  }

  /** What waits in a queue, as `GET /api/tasks/{id}` shows each task. */
  waiting(queueName: string, start: number, count: number): Promise<Task[]> {
    return this.query.waitingTasks(queueName, start, count);
  }

  queueSizes(queueNames?: readonly string[]): Promise<Map<string, { waiting: number; leased: number }>> {
    return this.queue.sizes(queueNames);
  }

  /** `POST /api/tasks/{taskId}/log`: one line for a task that exists. */
  async addLog(taskId: string, log: string): Promise<void> {
    await this.get(taskId);
    await this.logs.append(taskId, [{ log }], this.clock.now());
  }

  /** `GET /api/tasks/{taskId}/log`: the task's logs in order (empty: none). */
  taskLogs(taskId: string): Promise<TaskExecLog[]> {
    return isUuid(taskId) ? this.logs.of(taskId) : Promise.resolve([]);
  }

  /**
   * `POST /api/tasks/update-v2`: the update, then — once the task ended — the next task of the same type
   * for the same worker, handed out at once without waiting (Conductor's task chaining); null when there is
   * none or the task goes on.
   */
  async updateAndPoll(result: TaskResult): Promise<Task | null> {
    await this.update(result);
    if (result.status === TaskResultStatus.InProgress) return null;
    const task = await this.query.task(result.taskId);
    if (!task || !isQueuedKind(traitsOf(task.workflowTask?.type ?? task.taskType).kind)) return null;
    const [next] = await this.poll({ taskType: task.taskType, workerId: result.workerId, count: 1, timeoutMs: 0 });
    return next ?? null;
  }

  async workflow(workflowId: string): Promise<Workflow> {
    const workflow = await this.query.workflow(workflowId, true);
    if (!workflow) throw new BatonError(ErrorCode.WorkflowNotFound, `No such workflow found by id: ${workflowId}`);
    return workflow;
  }

  async get(taskId: string): Promise<Task> {
    const task = await this.query.task(taskId);
    if (!task) throw new BatonError(ErrorCode.TaskNotFound, `No such task found by id: ${taskId}`);
    return task;
  }
}

/** A TaskResult status named in a path (the by-reference and queue update routes), or a 400 naming it. */
export function resultStatusOf(status: string): TaskResultStatus {
  const statuses = Object.values(TaskResultStatus) as string[];
  if (statuses.includes(status)) return status as TaskResultStatus;
  throw new BatonError(ErrorCode.ValidationFailed, 'Validation failed, check below errors for detail.', [
    { path: 'status', message: `status must be one of ${statuses.join(', ')}`, invalidValue: status },
  ]);
}

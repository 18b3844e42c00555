import { Inject, Injectable, Logger } from '@nestjs/common';
import { BatonError, CommandReply, ErrorCode, TaskLeasedNotice, Topic, UpdateTaskCommand, UpdateTaskReply, unwrapReply, WorkerTaskReport } from '@app/contracts';
import { MessageBus, ownerDeadlineMs } from '@app/bus';
import { TaskQueue } from '@app/persistence';
import { Clock } from '@app/runtime';
import { actionOf } from './worker-reports';

/**
 * Applies native workers' reports (worker-protocol.ts) through the paths an HTTP worker's calls take, so
 * the owner of each workflow decides them as it decides polls and `POST /api/tasks`:
 *
 * - `start.begin`: the queue row's hand-off becomes the worker's lease from now (responseTimeoutSeconds
 *   runs from the worker's start, a heartbeat extends it), then the owner gets the `task.leased` notice a
 *   poll sends. A task whose row holds no lease (it ended, timed out, was never handed out) is left alone.
 * - results: the `task.update` command the gateway sends, to the owner, keyed by the workflow, answered
 *   after its commit. A result for a task that is over is acknowledged and ignored by the owner, as for
 *   HTTP workers; any other refusal (no such task) will not change on redelivery: it is logged and dropped.
 *
 * A transient failure (the database, the bus, no answer in time) propagates, so the report is redelivered
 * (at-least-once; applying one twice is harmless: a second begin restamps the same lease, a second result
 * of an ended task is ignored). A report that can never be applied goes to the dead-letter topic.
 */
@Injectable()
export class WorkerReportService {
  private readonly logger = new Logger(WorkerReportService.name);

  constructor(
    private readonly queue: TaskQueue,
    @Inject(MessageBus) private readonly bus: MessageBus,
    private readonly clock: Clock,
  ) {}

  async apply(report: WorkerTaskReport): Promise<void> {
    const action = actionOf(report);
    switch (action.kind) {
      case 'invalid':
        return this.deadLetter(report, action.reason);
      case 'begin': {
        const lease = await this.queue.begin(action.taskId, action.workflowId, action.workerId);
        if (!lease) {
          this.logger.debug(`start.begin of task ${action.taskId} by ${action.workerId ?? 'a worker'}: the task holds no lease (it ended or was never handed out); ignored`);
          return;
        }
        const notice: TaskLeasedNotice = {
          type: 'task.leased',
          eventId: action.eventId,
          workflowId: lease.workflowId,
          taskId: lease.taskId,
          ...(lease.workerId ? { workerId: lease.workerId } : {}),
          leasedAt: lease.leasedAt,
          pollCount: lease.pollCount,
        };
        // Unlike a poll's notice this one is awaited: the report is the only record of the start the
        // owner can get besides the lease, so a failed publish has it redelivered.
        await this.bus.publish([{ topic: Topic.ExecutorCommands, key: lease.workflowId, value: notice }]);
        return;
      }
      case 'update': {
        const now = this.clock.now();
        const command: UpdateTaskCommand = {
          type: 'task.update',
          // The report's id: a redelivered report is the same command delivered again.
          commandId: action.eventId,
          issuedAt: now,
          deadline: now + ownerDeadlineMs(this.bus),
          workflowId: action.workflowId,
          result: action.result,
        };
        try {
          unwrapReply(await this.bus.request<CommandReply<UpdateTaskReply>>({ topic: Topic.ExecutorCommands, key: action.workflowId, value: command }));
        } catch (err) {
          if (err instanceof BatonError && err.code !== ErrorCode.Unavailable) {
            this.logger.warn(`${report.type} for task ${action.result.taskId} was refused, and will not be applied: ${err.message}`);
            return;
          }
          throw err;
        }
        return;
      }
    }
  }

  private async deadLetter(report: unknown, reason: string): Promise<void> {
    this.logger.error(`dead-lettering a worker report from ${Topic.WorkerTaskEvents}: ${reason}`);
    const key = (report as { workflowId?: unknown })?.workflowId;
    await this.bus.publish([{ topic: Topic.DeadLetter, key: typeof key === 'string' ? key : 'unknown', value: { topic: Topic.WorkerTaskEvents, reason, payload: report } }]);
  }
}

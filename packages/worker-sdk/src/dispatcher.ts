import type { WorkerLogger } from './logger';
import type { TaskResult } from './protocol';
import { Slots } from './slots';
import { executeTask, heartbeatIntervalOf, TaskHandler } from './task-execution';
import { heartbeatOf } from './task-outcome';
import type { Delivery, Dispatcher } from './transport';

export interface DispatcherOptions {
  readonly handler: TaskHandler;
  readonly workerId: string;
  readonly concurrency: number;
  readonly heartbeatEveryMs: number | undefined;
  readonly leaseExtension: boolean;
  readonly logger: WorkerLogger;
  readonly now: () => number;
  readonly onUnreportedResult: ((result: TaskResult, error: unknown) => void) | undefined;
}

interface Running {
  readonly delivery: Delivery;
  readonly controller: AbortController;
  abandoned: boolean;
}

/**
 * Runs delivered tasks in bounded slots: handler, heartbeats, result, and — when the transport chains —
 * the next task in the same slot. Owns the two shutdown signals the transports watch.
 */
export class TaskDispatcher implements Dispatcher {
  readonly slots: Slots;
  private readonly stop = new AbortController();
  private readonly deadline = new AbortController();
  private readonly running = new Set<Running>();

  constructor(private readonly o: DispatcherOptions) {
    this.slots = new Slots(o.concurrency);
  }

  get stopping(): AbortSignal {
    return this.stop.signal;
  }

  get abandoning(): AbortSignal {
    return this.deadline.signal;
  }

  run(delivery: Delivery): void {
    const release = this.slots.take();
    void this.chain(delivery).finally(release);
  }

  beginStopping(): void {
    this.stop.abort();
  }

  /** Resolves true once nothing is in flight, false if the deadline passed first. */
  drained(): Promise<boolean> {
    return this.slots.waitForIdle(this.deadline.signal);
  }

  /** The deadline passed: abort the handlers still running and let their tasks go. */
  async abandonAll(): Promise<void> {
    this.deadline.abort();
    const abandoned = [...this.running];
    for (const r of abandoned) {
      r.abandoned = true;
      r.controller.abort(new Error('the worker is shutting down'));
    }
    await Promise.all(
      abandoned.map(({ delivery }) =>
        delivery.abandon().catch((error: unknown) => this.o.logger.warn('task.abandon_failed', { taskType: delivery.task.taskType, taskId: delivery.task.taskId, error })),
      ),
    );
  }

  private async chain(first: Delivery): Promise<void> {
    let delivery: Delivery | null = first;
    while (delivery) delivery = await this.runOne(delivery);
  }

  /** Runs one task and reports it; the next task when the transport chained one. Never rejects. */
  private async runOne(delivery: Delivery): Promise<Delivery | null> {
    const { task } = delivery;
    if (this.deadline.signal.aborted) {
      // Chained to us after the deadline passed: not ours to start any more.
      await delivery.abandon().catch((error: unknown) => this.o.logger.warn('task.abandon_failed', { taskType: task.taskType, taskId: task.taskId, error }));
      return null;
    }
    const entry: Running = { delivery, controller: new AbortController(), abandoned: false };
    this.running.add(entry);
    let result: TaskResult;
    try {
      result = await executeTask(task, {
        handler: this.o.handler,
        workerId: this.o.workerId,
        signal: entry.controller.signal,
        heartbeatEveryMs: heartbeatIntervalOf(task, this.o.heartbeatEveryMs, this.o.leaseExtension),
        heartbeat: () => delivery.heartbeat(heartbeatOf(task, this.o.workerId)),
        logger: this.o.logger,
        now: this.o.now,
      });
    } finally {
      this.running.delete(entry);
    }
    if (entry.abandoned) {
      // Work that completed after all is worth a warning; a handler that stopped on its signal is expected.
      const fields = { taskType: task.taskType, taskId: task.taskId, status: result.status, reason: 'the handler finished after the shutdown deadline; the task was given back' };
      if (result.status === 'COMPLETED') this.o.logger.warn('result.dropped', fields);
      else this.o.logger.debug('result.dropped', fields);
      return null;
    }
    try {
      return await delivery.complete(result, { chain: !this.stop.signal.aborted, signal: this.deadline.signal });
    } catch (error) {
      this.o.logger.error('result.unreported', {
        taskType: task.taskType,
        taskId: task.taskId,
        workflowId: task.workflowInstanceId,
        status: result.status,
        error,
      });
      try {
        this.o.onUnreportedResult?.(result, error);
      } catch (hookError) {
        this.o.logger.error('hook.failed', { hook: 'onUnreportedResult', taskId: task.taskId, error: hookError });
      }
      return null;
    }
  }
}

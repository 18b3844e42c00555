import type { WorkerLogger } from '../logger';
import type { Task, TaskResult } from '../protocol';
import { backoffDelay, retrying, RetryPolicy, sleep } from '../retry';
import { handBackOf } from '../task-outcome';
import type { Delivery, Dispatcher, Transport } from '../transport';
import { ConductorClient, HttpStatusError, isRetryableRequestError } from './conductor.client';

export interface HttpTransportSettings {
  readonly client: ConductorClient;
  readonly taskType: string;
  readonly workerId: string;
  readonly domain: string | undefined;
  readonly pollTimeoutMs: number;
  readonly retry: RetryPolicy;
  readonly logger: WorkerLogger;
  readonly now: () => number;
}

/**
 * A server that answers an empty poll at once (no long poll) must not be hammered: an empty answer that
 * came back sooner than this is followed by a pause making up the difference.
 */
const MIN_EMPTY_POLL_CYCLE_MS = 100;

/**
 * Conductor's worker protocol over HTTP: one poller per worker asks for as many tasks as it has free
 * slots (long poll), results go to update-v2, whose answer — the next task of the type — runs in the same
 * slot without another poll. A server without update-v2 (404/405 that plain update does not share) is
 * remembered and gets plain updates from then on.
 */
export class HttpTransport implements Transport {
  private loop: Promise<void> | undefined;
  private updateV2Supported = true;

  constructor(private readonly s: HttpTransportSettings) {}

  async start(dispatcher: Dispatcher): Promise<void> {
    this.loop = this.pollLoop(dispatcher);
  }

  async stopTaking(): Promise<void> {
    await this.loop;
  }

  async close(): Promise<void> {
    // fetch keeps no connection state of ours.
  }

  private async pollLoop(d: Dispatcher): Promise<void> {
    const { taskType, logger } = this.s;
    let failures = 0;
    while (!d.stopping.aborted) {
      if (!(await d.slots.waitForFree(d.stopping))) break;
      const count = d.slots.free;
      const startedAt = this.s.now();
      let tasks: Task[];
      try {
        // Only the deadline aborts a poll: a poll cut short could leave tasks leased to nobody until their
        // response timeout, so a graceful stop waits for the answer and runs what it brings.
        tasks = await this.s.client.batchPoll(taskType, { workerId: this.s.workerId, count, timeoutMs: this.s.pollTimeoutMs, domain: this.s.domain }, d.abandoning);
      } catch (error) {
        if (d.abandoning.aborted) break;
        failures++;
        // Quiet: the first failure of a streak is a warning, the rest are debug until it recovers.
        if (failures === 1) logger.warn('poll.failed', { taskType, failures, error });
        else logger.debug('poll.failed', { taskType, failures, error });
        await sleep(backoffDelay(this.s.retry, failures), d.stopping);
        continue;
      }
      if (failures) logger.info('poll.recovered', { taskType, failures });
      failures = 0;
      for (const [i, task] of tasks.entries()) {
        if (i < count) d.run(this.delivery(task));
        else this.handBackExtra(task);
      }
      if (!tasks.length) await sleep(MIN_EMPTY_POLL_CYCLE_MS - (this.s.now() - startedAt), d.stopping);
    }
  }

  /** More tasks than asked for (a misbehaving server): no slot to run them, so they go straight back. */
  private handBackExtra(task: Task): void {
    this.s.logger.warn('poll.too_many_tasks', { taskType: this.s.taskType, taskId: task.taskId });
    this.s.client.update(handBackOf(task, this.s.workerId)).catch((error: unknown) => this.s.logger.warn('task.abandon_failed', { taskType: this.s.taskType, taskId: task.taskId, error }));
  }

  private delivery(task: Task): Delivery {
    return {
      task,
      heartbeat: async (result) => {
        await this.s.client.update(result);
      },
      complete: async (result, { chain, signal }) => {
        const next = await retrying(() => this.sendResult(result, chain), {
          policy: this.s.retry,
          isRetryable: isRetryableRequestError,
          signal,
          onRetry: (error, attempt, delayMs) => this.s.logger.debug('result.retry', { taskType: this.s.taskType, taskId: task.taskId, attempt, delayMs, error }),
        });
        return next ? this.delivery(next) : null;
      },
      abandon: async () => {
        await this.s.client.update(handBackOf(task, this.s.workerId));
        this.s.logger.info('task.handed_back', { taskType: this.s.taskType, taskId: task.taskId });
      },
    };
  }

  /** One attempt at reporting a result: update-v2 when chaining (and the server has it), else plain update. */
  private async sendResult(result: TaskResult, chain: boolean): Promise<Task | null> {
    if (!chain || !this.updateV2Supported) {
      await this.s.client.update(result);
      return null;
    }
    try {
      return await this.s.client.updateV2(result);
    } catch (err) {
      if (!(err instanceof HttpStatusError) || (err.status !== 404 && err.status !== 405)) throw err;
      // 404 is also how a server says "no such task": only when plain update takes the result is it the
      // route that is missing.
      await this.s.client.update(result);
      this.updateV2Supported = false;
      this.s.logger.info('update_v2.unsupported', { taskType: this.s.taskType, status: err.status });
      return null;
    }
  }
}

import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { Topic } from '@app/contracts';
import { ShardOwnership } from '@app/bus';
import { TaskQueue } from '@app/persistence';
import { Clock } from '@app/runtime';
import { WorkflowExecutionService } from '../runs/workflow-execution.service';
import { TimerRepository } from './timer.repository';
import { TimerWakeup } from './timer-wakeup';

/** The longest the sweeper sleeps: timers set by other processes and expiring leases are found this late at most. */
const MAX_SLEEP_MS = 1000;
const BATCH = 200;
/** How many timers fire at once: they are independent workflows, decided in their own transactions. */
const CONCURRENCY = 8;

/**
 * Fires the durable timers and expires the leases of the shards this executor owns (its Kafka partitions,
 * or every lane embedded). It looks ahead: after a look it sleeps until the next known due time (at most
 * a second), and a decision that sets a sooner timer in this process wakes it early. Firing goes through
 * the execution service, which claims each timer in the deciding transaction, so a timer fires once even
 * when ownership moves mid-flight.
 */
@Injectable()
export class TimerSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TimerSweeper.name);
  private timer: NodeJS.Timeout | null = null;
  private nextAt = Number.POSITIVE_INFINITY;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly timers: TimerRepository,
    private readonly queue: TaskQueue,
    private readonly executions: WorkflowExecutionService,
    @Inject(ShardOwnership) private readonly shards: ShardOwnership,
    private readonly wakeup: TimerWakeup,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.wakeup.onDue((dueAt) => this.wakeAt(dueAt));
    this.wakeAt(this.clock.now());
  }

  /** Before the bus closes: nothing may be published or decided after it. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Makes sure a sweep runs by `at` (epoch ms). */
  private wakeAt(at: number): void {
    if (this.stopped || at >= this.nextAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.nextAt = at;
    this.timer = setTimeout(() => this.sweep(), Math.max(0, at - this.clock.now()));
  }

  private sweep(): void {
    this.timer = null;
    this.nextAt = Number.POSITIVE_INFINITY;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .then((next) => this.wakeAt(next))
      .catch((err) => {
        this.logger.warn(`timer sweep failed, retrying: ${(err as Error).message}`);
        this.wakeAt(this.clock.now() + MAX_SLEEP_MS);
      })
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.wakeAt(this.clock.now());
        }
      });
  }

  /** One look: fires what is due, expires what ran out; resolves with when to look next. */
  private async pass(): Promise<number> {
    const owned = this.shards.owned(Topic.ExecutorCommands);
    const now = this.clock.now();
    const horizon = now + MAX_SLEEP_MS;
    if (!owned.length) return horizon;
    const upcoming = await this.timers.dueBy(owned, horizon, BATCH);
    const due = upcoming.filter((t) => t.dueAt <= now);
    await inParallel(due, CONCURRENCY, (t) => this.executions.fireTimer(t));
    const expired = await this.queue.expiredLeases(owned, BATCH);
    await inParallel(expired, CONCURRENCY, (l) => this.executions.expireLease(l));
    // A full batch means more is waiting: look again at once.
    if (due.length === BATCH || expired.length === BATCH) return this.clock.now();
    const later = upcoming.find((t) => t.dueAt > now);
    return later ? Math.min(later.dueAt, horizon) : horizon;
  }
}

/** Runs `fn` over items, at most `limit` at a time; one failure is logged by the caller's sweep, not fatal to the rest. */
async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      await fn(item).catch((err) => errors.push(err));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length) throw errors[0];
}

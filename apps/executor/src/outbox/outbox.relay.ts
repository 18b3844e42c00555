import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { MessageBus } from '@app/bus';
import { DataSource } from 'typeorm';
import { OutboxRepository } from './outbox.repository';

export const EXECUTOR_PRODUCER = 'executor';
const BATCH = 500;
const SWEEP_INTERVAL_MS = 1000;

/**
 * Publishes committed outbox messages and deletes them once the bus acknowledged them. Kicked right after
 * every commit (the fast path) and swept every second (messages left by a crash or a failed publish, or
 * skipped while another executor's relay held the outbox). At-least-once: a crash between publish and
 * delete republishes, and consumers dedupe.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxRepository,
    @Inject(MessageBus) private readonly bus: MessageBus,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), SWEEP_INTERVAL_MS);
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Requests a relay pass; passes never overlap, and a kick during a pass schedules one more. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.again && !this.stopped) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Waits for this process's pass in flight, then relays what is left (tests, and shutdown). */
  async settle(): Promise<void> {
    await this.running;
    await this.drain();
  }

  /** Publishes everything pending now; resolves when the outbox is empty (or a publish failed). */
  async drain(): Promise<void> {
    try {
      while (!this.stopped && (await this.relayBatch()) === BATCH);
    } catch (err) {
      this.logger.warn(`outbox relay paused, will retry: ${(err as Error).message}`);
    }
  }

  private relayBatch(): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      // Another relay is draining: it will publish these too, in order.
      if (!(await this.outbox.tryBecomeRelay(m, EXECUTOR_PRODUCER))) return 0;
      const rows = await this.outbox.claimBatch(m, EXECUTOR_PRODUCER, BATCH);
      if (!rows.length) return 0;
      await this.bus.publish(rows);
      await this.outbox.delete(m, rows.map((r) => r.id));
      return rows.length;
    });
  }
}

import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { BusMessage, MessageBus } from '@app/bus';
import { DataSource } from 'typeorm';
import { OutboxRepository } from './outbox.repository';

export const EXECUTOR_PRODUCER = 'executor';
const SWEEP_BATCH = 500;
const SWEEP_INTERVAL_MS = 1000;
/** A message this old was not published by the transaction that wrote it (a crash, a failed publish). */
const LEFTOVER_AFTER_MS = 5000;
/** How long a stopping relay waits for publishes under way. */
const SHUTDOWN_WAIT_MS = 10_000;

/**
 * Publishes committed outbox messages and deletes them once the bus acknowledged them.
 *
 * - The fast path: a batch of decisions hands over the rows it just committed; they are published at once
 *   (each batch's messages in order; batches in flight concern different workflows) and deleted by id
 *   once the bus acknowledged them (Kafka: the broker has them; in-process: a consumer took them) — no
 *   scan of the table, no transaction, no lock.
 * - The sweep, every second: rows older than a few seconds were not published by the process that wrote
 *   them (it crashed, or the publish failed); one sweeper at a time (an advisory lock) publishes them in
 *   id order, skipping rows another transaction still holds.
 *
 * At-least-once: a crash between publish and delete republishes, and consumers dedupe.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  /** Rows handed to the bus and not yet deleted: the sweep leaves them alone. */
  private readonly inFlight = new Set<string>();
  private readonly acknowledged: string[] = [];
  private deleting: Promise<void> | null = null;
  private publishing: Promise<void> = Promise.resolve();
  private sweeping: Promise<void> | null = null;
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

  /** Before the bus closes: nothing may be published or decided after it. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    // Bounded: what is not published by then stays in the table for the next start's sweep.
    const giveUp = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_WAIT_MS).unref());
    await Promise.race([Promise.all([this.publishing, this.sweeping]).then(() => this.deleting), giveUp]);
  }

  /**
   * Publishes messages that were just committed (stored as rows `ids`), after what was handed over before.
   * Publishing does not wait for the previous publish to be acknowledged (order is the bus's: per key, in
   * the order handed over); rows are deleted once acknowledged, gathered into one delete.
   */
  publishCommitted(messages: readonly BusMessage[], ids: readonly string[]): void {
    if (!messages.length || this.stopped) return;
    ids.forEach((id) => this.inFlight.add(id));
    const acknowledged = this.bus.publish(messages).then(
      () => this.deleteSoon(ids),
      (err) => {
        // Left in the table: the sweep publishes them once they are old enough to be leftovers.
        ids.forEach((id) => this.inFlight.delete(id));
        this.logger.warn(`publishing ${messages.length} committed message(s) failed, the sweep will retry: ${(err as Error).message}`);
      },
    );
    this.publishing = Promise.all([this.publishing, acknowledged]).then(() => undefined);
  }

  /** Deletes acknowledged rows in one statement per tick, however many publishes were acknowledged in it. */
  private deleteSoon(ids: readonly string[]): void {
    this.acknowledged.push(...ids);
    if (this.deleting) return;
    this.deleting = new Promise<void>((resolve) => setImmediate(resolve))
      .then(async () => {
        while (this.acknowledged.length) {
          const batch = this.acknowledged.splice(0);
          await this.outbox.delete(batch).catch((err) => this.logger.warn(`deleting ${batch.length} published outbox row(s) failed, the sweep will republish them: ${(err as Error).message}`));
          batch.forEach((id) => this.inFlight.delete(id));
        }
      })
      .finally(() => (this.deleting = null));
  }

  /** Requests a sweep of leftovers; sweeps never overlap. */
  kick(): void {
    if (this.stopped || this.sweeping) return;
    this.sweeping = this.sweep().finally(() => (this.sweeping = null));
  }

  /** Waits for what was handed over, then publishes everything still in the table (tests, and shutdown). */
  async settle(): Promise<void> {
    await this.publishing;
    await this.deleting;
    await this.sweeping;
    await this.sweep(0);
  }

  private async sweep(olderThanMs = LEFTOVER_AFTER_MS): Promise<void> {
    try {
      await this.sweepAll(olderThanMs);
    } catch (err) {
      this.logger.warn(`outbox sweep paused, will retry: ${(err as Error).message}`);
    }
  }

  private async sweepAll(olderThanMs: number): Promise<void> {
    while (!this.stopped && (await this.sweepBatch(olderThanMs)) === SWEEP_BATCH);
  }

  private sweepBatch(olderThanMs: number): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      if (!(await this.outbox.tryBecomeSweeper(m, EXECUTOR_PRODUCER))) return 0;
      const rows = await this.outbox.leftovers(m, EXECUTOR_PRODUCER, olderThanMs, SWEEP_BATCH, [...this.inFlight]);
      if (!rows.length) return 0;
      await this.bus.publish(rows);
      await this.outbox.delete(rows.map((r) => r.id), m);
      return rows.length;
    });
  }
}

import { Logger } from '@nestjs/common';

export interface Delivery {
  readonly topic: string;
  readonly key: string;
  readonly value: unknown;
  /** Present for a request: the handler's result goes back here. */
  readonly reply?: { resolve(value: unknown): void; reject(err: unknown): void };
}

export type DeliveryHandler = (delivery: Delivery) => Promise<void>;

export interface InProcessBrokerOptions {
  /** Independent ordered lanes (Kafka's partitions): messages with one key always share a lane. */
  readonly lanes: number;
  /** Attempts for a failing event before it is dead-lettered (logged); Kafka retries forever instead. */
  readonly maxAttempts?: number;
}

/**
 * The in-process stand-in for Kafka. Each key hashes to a lane; a lane delivers one message at a time in
 * publish order, so per-key order holds. A delivery whose handler fails is retried with backoff before the
 * lane moves on (at-least-once), as a Kafka consumer that does not commit the offset would.
 */
export class InProcessBroker {
  private readonly logger = new Logger(InProcessBroker.name);
  private readonly queues: Delivery[][];
  private readonly running: boolean[];
  private handler: DeliveryHandler | null = null;
  private readonly idle: Array<() => void> = [];
  private stopped = false;

  constructor(private readonly options: InProcessBrokerOptions) {
    this.queues = Array.from({ length: options.lanes }, () => []);
    this.running = Array.from({ length: options.lanes }, () => false);
  }

  attach(handler: DeliveryHandler): void {
    this.handler = handler;
    this.queues.forEach((_, lane) => this.drain(lane));
  }

  detach(): Promise<void> {
    this.stopped = true;
    this.handler = null;
    return this.whenIdle();
  }

  enqueue(delivery: Delivery): void {
    if (this.stopped) throw new Error('the in-process bus is closed');
    const lane = laneOf(delivery.key, this.options.lanes);
    this.queues[lane].push(delivery);
    this.drain(lane);
  }

  /** Resolves when no lane has work in flight (tests and shutdown). */
  whenIdle(): Promise<void> {
    if (this.running.every((r) => !r)) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private drain(lane: number): void {
    if (this.running[lane] || !this.handler) return;
    this.running[lane] = true;
    // Deliver on a later tick: a publisher never runs its own consumer synchronously.
    setImmediate(() => void this.run(lane));
  }

  private async run(lane: number): Promise<void> {
    const queue = this.queues[lane];
    while (queue.length && this.handler) {
      await this.deliver(queue[0]);
      queue.shift();
    }
    this.running[lane] = false;
    if (this.running.every((r) => !r)) this.idle.splice(0).forEach((resolve) => resolve());
  }

  private async deliver(delivery: Delivery): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 8;
    for (let attempt = 1; this.handler; attempt++) {
      try {
        await this.handler(delivery);
        return;
      } catch (err) {
        if (delivery.reply) {
          delivery.reply.reject(err);
          return;
        }
        if (attempt >= maxAttempts) {
          this.logger.error(`dropping ${delivery.topic} message for key ${delivery.key} after ${attempt} attempts: ${(err as Error).message}`);
          return;
        }
        await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 2000)));
      }
    }
  }
}

/** FNV-1a: stable across processes and restarts, cheap, and spreads uuids evenly. */
export function laneOf(key: string, lanes: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % lanes;
}

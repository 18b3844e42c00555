import { Logger } from '@nestjs/common';

export interface Delivery {
  readonly topic: string;
  readonly key: string;
  readonly value: unknown;
  /** Present for a request: the handler's result goes back here. */
  readonly reply?: { resolve(value: unknown): void; reject(err: unknown): void };
  /** For an event: called once a handler took it (there is no broker to keep it: handled is durable). */
  readonly handled?: () => void;
}

export type DeliveryHandler = (delivery: Delivery) => Promise<void>;

/** A consumer of one topic in the same process (`InProcessBroker.subscribe`), as a Kafka consumer of it would be. */
export type TopicSubscriber = (message: { readonly topic: string; readonly key: string; readonly value: unknown }) => Promise<void> | void;

export interface InProcessBrokerOptions {
  /**
   * Ordered lanes per topic (Kafka's partitions): messages of one topic with one key always share a lane;
   * topics never share lanes, so a slow consumer of one topic does not hold up another.
   */
  readonly lanes: number;
  /**
   * Attempts for a failing event before it is dropped (logged). Unset, as by default: retry forever, as a
   * Kafka consumer that never commits the offset would. Tests set it.
   */
  readonly maxAttempts?: number;
  /** How long `detach` lets queued messages drain before dropping them (default 10 s). */
  readonly drainMs?: number;
}

/**
 * The in-process stand-in for Kafka. Each (topic, key) hashes to a lane of that topic; a lane delivers one
 * message at a time in publish order, so per-key order holds. A delivery whose handler fails is retried
 * with backoff before the lane moves on (at-least-once), as a Kafka consumer that does not commit the
 * offset would.
 */
export class InProcessBroker {
  private readonly logger = new Logger(InProcessBroker.name);
  private readonly queues = new Map<string, Delivery[]>();
  private readonly running = new Set<string>();
  private handler: DeliveryHandler | null = null;
  private readonly subscribers = new Map<string, DeliveryHandler>();
  private readonly idle: Array<() => void> = [];
  private stopped = false;

  constructor(private readonly options: InProcessBrokerOptions) {}

  attach(handler: DeliveryHandler): void {
    this.handler = handler;
    for (const lane of this.queues.keys()) this.drain(lane);
  }

  /**
   * Consumes one topic in this process, instead of the attached server's handlers: what a Kafka consumer of
   * a topic named at run time is (a native worker of a KAFKA-delivered task type, run in the engine's
   * process). Same semantics as the server's handlers: per-key order, a failing handler is retried before
   * its lane moves on, and `publish` resolves once the handler returned — so a handler should take its
   * message and return, not run a long job. Unlike Kafka, nothing is kept for a consumer that comes later:
   * a message published while the topic has no subscriber goes to the attached server, which drops what
   * it has no handler for. One subscriber per topic; returns the unsubscribe.
   */
  subscribe(topic: string, subscriber: TopicSubscriber): () => void {
    if (this.subscribers.has(topic)) throw new Error(`${topic} already has an in-process subscriber`);
    const handler: DeliveryHandler = async (d) => {
      await subscriber({ topic: d.topic, key: d.key, value: d.value });
      d.reply?.resolve(undefined);
    };
    this.subscribers.set(topic, handler);
    for (const lane of this.queues.keys()) if (topicOfLane(lane) === topic) this.drain(lane);
    return () => {
      if (this.subscribers.get(topic) === handler) this.subscribers.delete(topic);
    };
  }

  /**
   * Stops taking messages, lets what is queued drain (up to `drainMs`), then stops delivering. Events still
   * queued after that are lost from memory; their effects are reproducible (an outbox is republished, a
   * projection is rebuilt from the next event of the same entity).
   */
  async detach(): Promise<void> {
    this.stopped = true;
    const drained = this.whenIdle();
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), this.options.drainMs ?? 10_000).unref());
    if ((await Promise.race([drained, timeout])) === 'timeout') {
      const left = [...this.queues.values()].reduce((n, q) => n + q.length, 0);
      this.logger.warn(`stopping the in-process bus with ${left} message(s) undelivered`);
    }
    this.handler = null;
    this.subscribers.clear();
    await this.whenIdle();
  }

  enqueue(delivery: Delivery): void {
    if (this.stopped) throw new Error('the in-process bus is closed');
    const lane = `${delivery.topic}#${laneOf(delivery.key, this.options.lanes)}`;
    let queue = this.queues.get(lane);
    if (!queue) this.queues.set(lane, (queue = []));
    queue.push(delivery);
    this.drain(lane);
  }

  /** Resolves when no lane has work in flight (tests and shutdown). */
  whenIdle(): Promise<void> {
    if (!this.running.size) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Who consumes a topic: its in-process subscriber, else the attached server (null: nobody yet). */
  private consumerOf(topic: string): DeliveryHandler | null {
    return this.subscribers.get(topic) ?? this.handler;
  }

  private drain(lane: string): void {
    if (this.running.has(lane) || !this.consumerOf(topicOfLane(lane))) return;
    this.running.add(lane);
    // Deliver on a later tick: a publisher never runs its own consumer synchronously.
    setImmediate(() => void this.run(lane));
  }

  private async run(lane: string): Promise<void> {
    const queue = this.queues.get(lane) ?? [];
    const topic = topicOfLane(lane);
    while (queue.length && this.consumerOf(topic)) {
      await this.deliver(queue[0]);
      queue.shift();
    }
    this.running.delete(lane);
    if (!this.running.size) this.idle.splice(0).forEach((resolve) => resolve());
  }

  private async deliver(delivery: Delivery): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? Number.POSITIVE_INFINITY;
    for (let attempt = 1, consumer = this.consumerOf(delivery.topic); consumer; attempt++, consumer = this.consumerOf(delivery.topic)) {
      try {
        await consumer(delivery);
        delivery.handled?.();
        return;
      } catch (err) {
        if (delivery.reply) {
          delivery.reply.reject(err);
          return;
        }
        if (attempt >= maxAttempts) {
          this.logger.error(`dropping ${delivery.topic} message for key ${delivery.key} after ${attempt} attempts: ${(err as Error).message}`);
          delivery.handled?.();
          return;
        }
        if (attempt === 1 || attempt % 10 === 0) {
          this.logger.warn(`${delivery.topic} message for key ${delivery.key} failed (attempt ${attempt}), retrying: ${(err as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 2000)));
      }
    }
  }
}

/** The topic of a lane (`<topic>#<n>`). */
const topicOfLane = (lane: string): string => lane.slice(0, lane.lastIndexOf('#'));

/** FNV-1a: stable across processes and restarts, cheap, and spreads uuids evenly. */
export function laneOf(key: string, lanes: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % lanes;
}

import type { KafkaMessage } from 'kafkajs';

export interface PipelineOptions {
  /** Messages handed over and not yet handled before `accept` makes the fetch loop wait. */
  readonly maxInFlight: number;
  /** How often handled offsets are committed (one request for every partition that moved). */
  readonly commitIntervalMs: number;
  /** Wait before handling a failed message again (attempt 1, 2, …). */
  readonly retryDelayMs: (attempt: number) => number;
  readonly onHandlerError: (err: unknown, where: { topic: string; partition: number; offset: string; attempt: number }) => void;
  readonly onCommitError: (err: unknown) => void;
}

export interface CommittableOffset {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to consume, as Kafka commits it (last handled + 1). */
  readonly offset: string;
}

type Handle = (topic: string, partition: number, message: KafkaMessage) => Promise<void>;
type Commit = (offsets: readonly CommittableOffset[]) => Promise<void>;

/**
 * The offsets of one partition handed to the pipeline in one consumer-group generation: handled out of
 * order (different keys run at once), committed only up to the first one not handled yet.
 */
class PartitionOffsets {
  private readonly order: number[] = [];
  private head = 0;
  private readonly done = new Set<number>();
  private handledUpTo = -1;
  committed = -1;

  begin(offset: number): void {
    this.order.push(offset);
  }

  end(offset: number): void {
    this.done.add(offset);
    while (this.head < this.order.length && this.done.has(this.order[this.head])) {
      this.done.delete(this.order[this.head]);
      this.handledUpTo = this.order[this.head++];
    }
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order.splice(0, this.head);
      this.head = 0;
    }
  }

  /** The offset to commit if it moved since the last commit, else undefined. */
  toCommit(): number | undefined {
    return this.handledUpTo > this.committed ? this.handledUpTo + 1 : undefined;
  }
}

/**
 * Decouples handling from kafkajs's fetch loop. kafkajs fetches, hands every partition's batch to
 * `eachBatch`, waits for all of them to return, commits each partition, and only then fetches again: a
 * consumer whose handler waits on a group commit spends most of its time in neither. Here `accept` starts
 * each message and returns at once (unless `maxInFlight` messages are already running), so the next fetch
 * overlaps this one's work.
 *
 * What stays as it was: messages of one key are handled one after another, in offset order (a chain per
 * key); an offset is committed only once it and every offset before it in its partition were handled, so a
 * crash redelivers what was not finished (at least once, as before); a message whose handler fails is
 * handled again, after a pause, before anything behind it on its key. Commits are batched: one request per
 * `commitIntervalMs` for all partitions that moved, instead of one per partition per fetch.
 *
 * A rebalance starts a new generation: offsets of the old one are no longer committed (their partitions
 * may be someone else's; what was not committed is redelivered, and handlers are idempotent).
 */
export class MessagePipeline {
  private readonly chains = new Map<string, Promise<void>>();
  private partitions = new Map<string, PartitionOffsets>();
  private inFlight = 0;
  private roomWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private commitTimer?: NodeJS.Timeout;
  private committing?: Promise<void>;
  private stopping = false;

  constructor(
    private readonly handle: Handle,
    private readonly commit: Commit,
    private readonly options: PipelineOptions,
  ) {}

  get running(): number {
    return this.inFlight;
  }

  /** Starts handling a fetched batch; resolves once fewer than `maxInFlight` messages are running. */
  async accept(topic: string, partition: number, messages: readonly KafkaMessage[]): Promise<void> {
    if (this.stopping) return; // not handled, so never committed: redelivered to whoever consumes next
    const offsets = this.offsetsOf(topic, partition);
    for (const message of messages) {
      const offset = Number(message.offset);
      offsets.begin(offset);
      this.inFlight++;
      const chainKey = `${topic}\u0000${message.key?.toString() ?? ''}`;
      const previous = this.chains.get(chainKey) ?? Promise.resolve();
      const next = previous.then(() => this.handleUntilDone(topic, partition, message, offsets, offset));
      this.chains.set(chainKey, next);
      void next.then(() => {
        if (this.chains.get(chainKey) === next) this.chains.delete(chainKey);
      });
    }
    while (this.inFlight >= this.options.maxInFlight && !this.stopping) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
  }

  /** A new consumer-group generation: what was handed over before is no longer ours to commit. */
  newGeneration(): void {
    this.partitions = new Map();
  }

  /**
   * Stops taking messages and starting those queued behind others on their key, waits (at most `timeoutMs`)
   * for those running, and commits what was handled.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.stopping = true;
    this.roomWaiters.splice(0).forEach((wake) => wake());
    if (this.inFlight > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
      ]);
      clearTimeout(timer);
    }
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    await this.committing;
    await this.commitNow();
  }

  private offsetsOf(topic: string, partition: number): PartitionOffsets {
    const key = `${topic}\u0000${partition}`;
    let offsets = this.partitions.get(key);
    if (!offsets) this.partitions.set(key, (offsets = new PartitionOffsets()));
    return offsets;
  }

  private async handleUntilDone(topic: string, partition: number, message: KafkaMessage, offsets: PartitionOffsets, offset: number): Promise<void> {
    // Closing: a message not started yet is left for whoever consumes next (it was never committed), and
    // so is everything behind it on its key.
    for (let attempt = 1; !this.stopping || attempt > 1; attempt++) {
      try {
        await this.handle(topic, partition, message);
        offsets.end(offset);
        this.scheduleCommit();
        break;
      } catch (err) {
        this.options.onHandlerError(err, { topic, partition, offset: message.offset, attempt });
        if (this.stopping) break; // left unhandled: not committed, so redelivered after the restart
        await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs(attempt)));
      }
    }
    this.inFlight--;
    if (this.inFlight < this.options.maxInFlight) this.roomWaiters.splice(0).forEach((wake) => wake());
    if (this.inFlight === 0) this.idleWaiters.splice(0).forEach((wake) => wake());
  }

  private scheduleCommit(): void {
    if (this.commitTimer || this.stopping) return;
    this.commitTimer = setTimeout(() => {
      this.commitTimer = undefined;
      // Commits go one after another, so the broker never sees an older offset after a newer one.
      const tracked: Promise<void> = (this.committing ?? Promise.resolve())
        .then(() => this.commitNow())
        .finally(() => {
          if (this.committing === tracked) this.committing = undefined;
        });
      this.committing = tracked;
    }, this.options.commitIntervalMs);
  }

  private async commitNow(): Promise<void> {
    const taken: { offsets: PartitionOffsets; next: number }[] = [];
    const request: CommittableOffset[] = [];
    for (const [key, offsets] of this.partitions) {
      const next = offsets.toCommit();
      if (next === undefined) continue;
      const [topic, partition] = key.split('\u0000');
      taken.push({ offsets, next });
      request.push({ topic, partition: Number(partition), offset: String(next) });
    }
    if (!request.length) return;
    try {
      await this.commit(request);
      for (const { offsets, next } of taken) offsets.committed = Math.max(offsets.committed, next - 1);
    } catch (err) {
      // Typically a rebalance in progress: the next generation commits its own progress.
      this.options.onCommitError(err);
      this.scheduleCommit();
    }
  }
}

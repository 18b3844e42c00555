interface Entry {
  readonly offset: bigint;
  done: boolean;
}

/**
 * The offsets of one partition that this worker took and has not committed past yet. Tasks finish out of
 * order, but a Kafka offset commit says "everything before this is done", so the offset that may be
 * committed is the first one still in flight (or one past the last when all are done). Entries stay until
 * a commit past them succeeded: a message the group hands out again after a rebalance is recognised as
 * already taken and not run twice by this worker.
 */
export class OffsetTracker {
  private entries: Entry[] = [];
  private committed: bigint | undefined;

  /** Notes a message taken for processing. */
  begin(offset: string): void {
    const o = BigInt(offset);
    if (this.find(o)) return;
    const at = this.entries.findIndex((e) => e.offset > o);
    if (at === -1) this.entries.push({ offset: o, done: false });
    else this.entries.splice(at, 0, { offset: o, done: false });
  }

  /** Notes a message whose result Kafka acknowledged (or that could never be processed and was parked). */
  done(offset: string): void {
    const e = this.find(BigInt(offset));
    if (e) e.done = true;
  }

  /** Whether the message is taken here and not committed yet (in flight or done). */
  has(offset: string): boolean {
    return this.find(BigInt(offset)) !== undefined;
  }

  get inFlight(): number {
    return this.entries.filter((e) => !e.done).length;
  }

  /** The offset to commit (the next one to read), when it is past what was last committed; else undefined. */
  committable(): string | undefined {
    if (!this.entries.length) return undefined;
    const firstOpen = this.entries.find((e) => !e.done);
    const next = firstOpen ? firstOpen.offset : this.entries[this.entries.length - 1].offset + 1n;
    if (this.committed !== undefined && next <= this.committed) return undefined;
    if (firstOpen && firstOpen === this.entries[0]) return undefined; // nothing done before the first open one
    return next.toString();
  }

  /** A commit of `offset` succeeded: forget what lies before it. */
  committedAt(offset: string): void {
    const o = BigInt(offset);
    if (this.committed === undefined || o > this.committed) this.committed = o;
    this.entries = this.entries.filter((e) => e.offset >= o);
  }

  private find(o: bigint): Entry | undefined {
    return this.entries.find((e) => e.offset === o);
  }
}

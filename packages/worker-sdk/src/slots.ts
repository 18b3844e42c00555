/**
 * A worker's execution slots: how many tasks it may hold at once. A task keeps its slot from the moment
 * it is taken until its result is reported (or given up), so "every slot free" means "nothing in flight".
 */
export class Slots {
  private used = 0;
  private waiters: Array<() => void> = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  get free(): number {
    return this.capacity - this.used;
  }

  get inUse(): number {
    return this.used;
  }

  /** Takes a slot that the caller saw free; the returned release is safe to call more than once. */
  take(): () => void {
    if (this.used >= this.capacity) throw new Error('no free slot: take() only after seeing one free');
    this.used++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used--;
      this.notify();
    };
  }

  /**
   * Resolves true once a slot is free, false when `signal` aborts or `timeoutMs` passes first. Waiting does
   * not reserve the slot: the caller takes it after.
   */
  waitForFree(signal: AbortSignal, timeoutMs?: number): Promise<boolean> {
    return this.waitUntil(() => this.free > 0, signal, timeoutMs);
  }

  /** Resolves true once every slot is free (nothing in flight), false when `signal` aborts first. */
  waitForIdle(signal: AbortSignal): Promise<boolean> {
    return this.waitUntil(() => this.used === 0, signal);
  }

  private waitUntil(ready: () => boolean, signal: AbortSignal, timeoutMs?: number): Promise<boolean> {
    if (ready()) return Promise.resolve(true);
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (value: boolean): void => {
        if (timer) clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve(value);
      };
      const check = (): void => {
        if (ready()) finish(true);
      };
      const onAbort = (): void => finish(false);
      this.waiters.push(check);
      signal.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined) timer = setTimeout(() => finish(false), timeoutMs);
    });
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }
}

import type { Runnable, StopOptions } from './worker';

/** Several workers started and stopped as one (typically one per task type in a process). */
export class WorkerGroup implements Runnable {
  constructor(readonly workers: readonly Runnable[]) {}

  /** Starts every worker; if one fails, stops the others at once and rejects with the first failure. */
  async start(): Promise<void> {
    const outcomes = await Promise.allSettled(this.workers.map((w) => w.start()));
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (!failed) return;
    await this.stop({ timeoutMs: 0 });
    throw failed.reason;
  }

  /** Stops every worker together, each with the same deadline. */
  async stop(options?: StopOptions): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop(options)));
  }
}

/** The part of `process` that runUntilSignal uses (a fake in tests). */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

export interface RunUntilSignalOptions {
  /** Default SIGTERM and SIGINT. */
  readonly signals?: readonly NodeJS.Signals[];
  /** The graceful stop's deadline; default each worker's shutdownTimeoutMs. */
  readonly timeoutMs?: number;
  readonly source?: SignalSource;
}

/**
 * Starts `target`, runs it until the process gets one of the signals, then stops it gracefully; a second
 * signal gives up on the tasks still running (stop with a 0 ms deadline). Resolves with the signal once
 * stopped, so the caller decides how the process ends. The listeners are in place before `start`, so a
 * signal during start-up still ends in a graceful stop.
 */
export async function runUntilSignal(target: Runnable, options: RunUntilSignalOptions = {}): Promise<NodeJS.Signals> {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const source: SignalSource = options.source ?? process;
  let received!: (s: NodeJS.Signals) => void;
  const firstSignal = new Promise<NodeJS.Signals>((resolve) => (received = resolve));
  let count = 0;
  const listeners = signals.map((s) => {
    const listener = (): void => {
      count++;
      if (count === 1) received(s);
      else void target.stop({ timeoutMs: 0 });
    };
    source.on(s, listener);
    return [s, listener] as const;
  });
  try {
    await target.start();
    const signal = await firstSignal;
    await target.stop(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
    return signal;
  } finally {
    for (const [s, listener] of listeners) source.off(s, listener);
  }
}

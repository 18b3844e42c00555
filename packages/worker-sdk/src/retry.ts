/** How the SDK retries its own requests (result updates, Kafka reports) and backs off a failing poll. */
export interface RetryPolicy {
  /** Attempts in all, the first included. Polls ignore it: a worker polls until it is stopped. */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/** About a minute of trying (0.2 s, 0.4 s, … capped at 10 s) before a result is declared unreported. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 10, initialDelayMs: 200, maxDelayMs: 10_000 };

/**
 * The wait before retry number `attempt` (1 = the first retry): exponential, capped, with "equal jitter"
 * (half fixed, half random) so that workers that failed together do not retry together.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + (random() * exp) / 2);
}

/** Resolves after `ms`, or at once when `signal` aborts (it never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Thrown when a retry loop gives up because the worker is shutting down; `cause` is the last failure. */
export class RetryAbortedError extends Error {
  override readonly name = 'RetryAbortedError';
}

export interface RetryOptions {
  readonly policy: RetryPolicy;
  /** Whether this failure is worth another attempt (network, 5xx, 429); anything else is thrown at once. */
  readonly isRetryable: (err: unknown) => boolean;
  /** Cuts the waits short: the last failure is thrown, as a RetryAbortedError. */
  readonly signal?: AbortSignal;
  readonly onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  readonly random?: () => number;
}

/** Runs `op` until it succeeds, fails in a way not worth retrying, runs out of attempts, or is aborted. */
export async function retrying<T>(op: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await op(attempt);
    } catch (err) {
      if (attempt >= o.policy.maxAttempts || !o.isRetryable(err)) throw err;
      if (o.signal?.aborted) throw new RetryAbortedError('gave up retrying: the worker is shutting down', { cause: err });
      const delayMs = backoffDelay(o.policy, attempt, o.random);
      o.onRetry?.(err, attempt, delayMs);
      await sleep(delayMs, o.signal);
      if (o.signal?.aborted) throw new RetryAbortedError('gave up retrying: the worker is shutting down', { cause: err });
    }
  }
}

import { backoffDelay, RetryAbortedError, retrying, RetryPolicy } from './retry';

const policy: RetryPolicy = { maxAttempts: 4, initialDelayMs: 100, maxDelayMs: 1000 };

describe('backoffDelay', () => {
  it.each([
    [1, 0, 50],
    [1, 1, 100],
    [2, 0, 100],
    [3, 1, 400],
    [5, 1, 1000], // 1600 capped
    [40, 1, 1000],
  ])('retry %i with random %d waits %i ms', (attempt, random, expected) => {
    expect(backoffDelay(policy, attempt, () => random)).toBe(expected);
  });
});

describe('retrying', () => {
  const fast: RetryPolicy = { maxAttempts: 4, initialDelayMs: 0, maxDelayMs: 0 };
  const transient = new Error('transient');
  const final = new Error('final');
  const isRetryable = (e: unknown): boolean => e === transient;

  it('retries what is retryable until it succeeds', async () => {
    const op = jest.fn().mockRejectedValueOnce(transient).mockRejectedValueOnce(transient).mockResolvedValue('ok');
    await expect(retrying(op, { policy: fast, isRetryable })).resolves.toBe('ok');
    expect(op).toHaveBeenCalledTimes(3);
  });

  it('throws at once what is not retryable', async () => {
    const op = jest.fn().mockRejectedValue(final);
    await expect(retrying(op, { policy: fast, isRetryable })).rejects.toBe(final);
    expect(op).toHaveBeenCalledTimes(1);
  });

  it('gives up after maxAttempts with the last failure', async () => {
    const op = jest.fn().mockRejectedValue(transient);
    await expect(retrying(op, { policy: fast, isRetryable })).rejects.toBe(transient);
    expect(op).toHaveBeenCalledTimes(4);
  });

  it('stops waiting when aborted, keeping the last failure as the cause', async () => {
    const abort = new AbortController();
    const op = jest.fn().mockRejectedValue(transient);
    const run = retrying(op, { policy: { maxAttempts: 10, initialDelayMs: 60_000, maxDelayMs: 60_000 }, isRetryable, signal: abort.signal });
    abort.abort();
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryAbortedError);
    expect((error as Error).cause).toBe(transient);
    expect(op).toHaveBeenCalledTimes(1);
  });
});

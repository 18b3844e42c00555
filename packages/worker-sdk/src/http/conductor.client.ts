import type { Task, TaskResult } from '../protocol';

/** An HTTP answer that is not a success; `retryable` for 5xx and 429 (worth another attempt later). */
export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${path} answered ${status}${body ? `: ${body.slice(0, 500)}` : ''}`);
  }

  get retryable(): boolean {
    return this.status >= 500 || this.status === 429;
  }
}

/** The request never got an answer: connection refused or reset, DNS, or no answer within the timeout. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
}

/** The caller gave up on the request (the worker is shutting down): not a failure of the server. */
export class RequestAbortedError extends Error {
  override readonly name = 'RequestAbortedError';
}

/** Network errors, 5xx and 429 are retried; any other 4xx is an answer, and another attempt would get it again. */
export function isRetryableRequestError(err: unknown): boolean {
  return err instanceof NetworkError || (err instanceof HttpStatusError && err.retryable);
}

export interface ConductorClientOptions {
  /** The server, e.g. `http://localhost:8080`; a trailing `/api` is accepted and dropped. */
  readonly baseUrl: string;
  /** Sent with every request (e.g. an `X-Authorization` token). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Per request, on top of a poll's own long-poll timeout. Default 10 s. */
  readonly requestTimeoutMs?: number;
  /** Defaults to the global fetch. */
  readonly fetch?: typeof fetch;
}

export interface BatchPollRequest {
  readonly workerId: string;
  readonly count: number;
  readonly timeoutMs: number;
  readonly domain?: string;
}

/** The worker's slice of Conductor's `/api/tasks`: batch poll, update, update-v2. */
export class ConductorClient {
  private readonly baseUrl: string;
  private readonly requestTimeoutMs: number;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly o: ConductorClientOptions) {
    this.baseUrl = o.baseUrl.replace(/\/+$/, '').replace(/\/api$/, '');
    this.requestTimeoutMs = o.requestTimeoutMs ?? 10_000;
    this.fetchFn = o.fetch ?? fetch;
  }

  /** `GET /api/tasks/poll/batch/{type}`: up to `count` tasks, waiting up to `timeoutMs` for the first. */
  async batchPoll(taskType: string, r: BatchPollRequest, signal?: AbortSignal): Promise<Task[]> {
    const query = new URLSearchParams({ workerid: r.workerId, count: String(r.count), timeout: String(r.timeoutMs) });
    if (r.domain) query.set('domain', r.domain);
    const res = await this.request('GET', `/api/tasks/poll/batch/${encodeURIComponent(taskType)}?${query}`, undefined, r.timeoutMs + this.requestTimeoutMs, signal);
    if (res.status === 204 || !res.body) return [];
    const tasks = JSON.parse(res.body) as unknown;
    if (!Array.isArray(tasks)) throw new Error(`batch poll answered ${typeof tasks}, not a list of tasks`);
    return tasks as Task[];
  }

  /** `POST /api/tasks`: the result; answers the task's id. */
  async update(result: TaskResult, signal?: AbortSignal): Promise<string> {
    return (await this.request('POST', '/api/tasks', result, this.requestTimeoutMs, signal)).body;
  }

  /** `POST /api/tasks/update-v2`: the result; answers the next task of the same type for this worker, or null (204). */
  async updateV2(result: TaskResult, signal?: AbortSignal): Promise<Task | null> {
    const res = await this.request('POST', '/api/tasks/update-v2', result, this.requestTimeoutMs, signal);
    if (res.status === 204 || !res.body.trim()) return null;
    return JSON.parse(res.body) as Task;
  }

  private async request(method: string, path: string, body: unknown, timeoutMs: number, signal?: AbortSignal): Promise<{ status: number; body: string }> {
    const timeout = AbortSignal.timeout(timeoutMs);
    let res: Response;
    let text: string;
    try {
      res = await this.fetchFn(`${this.baseUrl}${path}`, {
        method,
        headers: { accept: 'application/json, text/plain', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...this.o.headers },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      text = await res.text();
    } catch (err) {
      if (signal?.aborted) throw new RequestAbortedError(`${method} ${path} aborted`, { cause: err });
      if (timeout.aborted) throw new NetworkError(`${method} ${path}: no answer within ${timeoutMs} ms`, { cause: err });
      // undici says "fetch failed" and keeps the useful part (ECONNREFUSED, …) in the cause.
      const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
      const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : (err as Error).message;
      throw new NetworkError(`${method} ${path}: ${detail}`, { cause: err });
    }
    if (!res.ok) throw new HttpStatusError(method, path, res.status, text);
    return { status: res.status, body: text };
  }
}

import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Task, TaskResult } from '../src/protocol';

export interface RecordedRequest {
  readonly seq: number;
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
}

/** A canned answer: a status and body, or a connection dropped without an answer. */
export type Canned = { readonly status: number; readonly body?: unknown } | { readonly drop: true };

/** `METHOD path` without the query, e.g. `POST /api/tasks/update-v2`. */
export type Route = string;

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'FAILED_WITH_TERMINAL_ERROR', 'CANCELED']);

/**
 * A stand-in for Baton's task API (node:http): a queue of tasks handed out by batch long-poll, update and
 * update-v2 (which hands out the next queued task, as the server does), every request recorded, and canned
 * answers to make a route fail.
 */
export class FakeConductor {
  readonly requests: RecordedRequest[] = [];
  private readonly queue: Task[] = [];
  private readonly once = new Map<Route, Canned[]>();
  private readonly always = new Map<Route, Canned>();
  private readonly pollWaiters = new Set<() => void>();
  private readonly requestWaiters = new Set<() => void>();
  private seq = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeConductor> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const fake = new FakeConductor(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void fake.handle(req, res));
    return fake;
  }

  async close(): Promise<void> {
    for (const w of this.pollWaiters) w();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Queues tasks for the next polls; a long poll waiting for one returns at once. */
  enqueue(...tasks: Task[]): void {
    this.queue.push(...tasks);
    for (const w of [...this.pollWaiters]) w();
  }

  /** The next answers on a route, one per request, before its normal behaviour resumes. */
  respondOnce(route: Route, ...answers: Canned[]): void {
    this.once.set(route, [...(this.once.get(route) ?? []), ...answers]);
  }

  /** The answer on a route from now on. */
  respondAlways(route: Route, answer: Canned): void {
    this.always.set(route, answer);
  }

  matching(route: Route): RecordedRequest[] {
    return this.requests.filter((r) => `${r.method} ${r.path}` === route || (route.endsWith('*') && `${r.method} ${r.path}`.startsWith(route.slice(0, -1))));
  }

  /** Results posted for a task on either update route (heartbeats included). */
  resultsFor(taskId: string): Array<TaskResult & { route: string }> {
    return this.requests
      .filter((r) => r.method === 'POST' && (r.path === '/api/tasks' || r.path === '/api/tasks/update-v2') && (r.body as TaskResult).taskId === taskId)
      .map((r) => ({ ...(r.body as TaskResult), route: r.path }));
  }

  /** Resolves once `count` requests satisfy `predicate` (at once if they already have). */
  async waitFor(predicate: (r: RecordedRequest) => boolean, count = 1): Promise<RecordedRequest[]> {
    for (;;) {
      const found = this.requests.filter(predicate);
      if (found.length >= count) return found;
      await new Promise<void>((resolve) => {
        const w = (): void => {
          this.requestWaiters.delete(w);
          resolve();
        };
        this.requestWaiters.add(w);
      });
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const request: RecordedRequest = { seq: ++this.seq, method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body: raw ? (JSON.parse(raw) as unknown) : undefined };
    this.requests.push(request);
    for (const w of [...this.requestWaiters]) w();

    const route = `${request.method} ${request.path}`;
    const canned = this.once.get(route)?.shift() ?? this.always.get(route);
    if (canned) return this.answer(res, canned);

    if (request.method === 'GET' && request.path.startsWith('/api/tasks/poll/batch/')) {
      const taskType = decodeURIComponent(request.path.slice('/api/tasks/poll/batch/'.length));
      const tasks = await this.poll(taskType, Number(url.searchParams.get('count') ?? 1), Number(url.searchParams.get('timeout') ?? 100));
      return this.answer(res, { status: 200, body: tasks });
    }
    if (route === 'POST /api/tasks') return this.answer(res, { status: 200, body: (request.body as TaskResult).taskId });
    if (route === 'POST /api/tasks/update-v2') {
      const result = request.body as TaskResult;
      const next = TERMINAL.has(result.status) ? this.take(this.typeOf(result.taskId), 1)[0] : undefined;
      return this.answer(res, next ? { status: 200, body: next } : { status: 204 });
    }
    return this.answer(res, { status: 404, body: { status: 404, message: `no route ${route}` } });
  }

  private readonly typeByTask = new Map<string, string>();

  private typeOf(taskId: string): string | undefined {
    return this.typeByTask.get(taskId);
  }

  private take(taskType: string | undefined, count: number): Task[] {
    const taken: Task[] = [];
    for (let i = 0; i < this.queue.length && taken.length < count; ) {
      if (this.queue[i].taskType === taskType) {
        const [t] = this.queue.splice(i, 1);
        this.typeByTask.set(t.taskId, t.taskType);
        taken.push(t);
      } else i++;
    }
    return taken;
  }

  private async poll(taskType: string, count: number, timeoutMs: number): Promise<Task[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const tasks = this.take(taskType, count);
      const left = deadline - Date.now();
      if (tasks.length || left <= 0) return tasks;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.pollWaiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.pollWaiters.add(done);
      });
    }
  }

  private answer(res: ServerResponse, canned: Canned): void {
    if ('drop' in canned) {
      res.socket?.destroy();
      return;
    }
    if (canned.body === undefined) {
      res.writeHead(canned.status).end();
      return;
    }
    const text = typeof canned.body === 'string' ? canned.body : JSON.stringify(canned.body);
    res.writeHead(canned.status, { 'content-type': typeof canned.body === 'string' ? 'text/plain' : 'application/json' }).end(text);
  }
}

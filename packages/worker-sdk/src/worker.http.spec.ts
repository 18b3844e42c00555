import { aTask, deferred, recordingLogger } from '../test-support/fixtures';
import { FakeConductor, RecordedRequest } from '../test-support/fake-conductor';
import { HttpStatusError } from './http/conductor.client';
import { silentLogger } from './logger';
import type { TaskResult } from './protocol';
import { TaskOutcome, TerminalError } from './task-outcome';
import type { TaskHandler } from './task-execution';
import { Worker } from './worker';
import { WorkerConfigError, WorkerOptions } from './worker-options';

const POLL = 'GET /api/tasks/poll/batch/greet';
const UPDATE = 'POST /api/tasks';
const UPDATE_V2 = 'POST /api/tasks/update-v2';
const isPoll = (r: RecordedRequest): boolean => `${r.method} ${r.path}` === POLL;
const isUpdateV2 = (r: RecordedRequest): boolean => `${r.method} ${r.path}` === UPDATE_V2;
const isUpdateOf =
  (taskId: string) =>
  (r: RecordedRequest): boolean =>
    `${r.method} ${r.path}` === UPDATE && (r.body as TaskResult).taskId === taskId && !(r.body as TaskResult).extendLease;
const isHeartbeat = (r: RecordedRequest): boolean => `${r.method} ${r.path}` === UPDATE && (r.body as TaskResult).extendLease === true;

describe('Worker over HTTP (Conductor task API)', () => {
  let fake: FakeConductor;
  const started: Worker[] = [];

  beforeEach(async () => {
    fake = await FakeConductor.start();
  });

  afterEach(async () => {
    await Promise.all(started.splice(0).map((w) => w.stop({ timeoutMs: 0 })));
    await fake.close();
  });

  function worker(o: Partial<WorkerOptions> & { handler: TaskHandler }): Worker {
    const w = new Worker({
      taskType: 'greet',
      transport: { kind: 'http', baseUrl: fake.url },
      workerId: 'w1',
      pollTimeoutMs: 100,
      logger: silentLogger,
      retry: { initialDelayMs: 1, maxDelayMs: 5 },
      ...o,
    });
    started.push(w);
    return w;
  }

  it('polls for as many tasks as it has free slots, runs the handler and reports the output', async () => {
    const task = aTask({ inputData: { name: 'Ada' } });
    fake.enqueue(task);
    const w = worker({ concurrency: 2, domain: 'blue', handler: (t) => ({ greeting: `Hello, ${String(t.inputData.name)}!` }) });

    await w.start();
    const [update] = await fake.waitFor(isUpdateV2);

    expect(update.body).toEqual({ workflowInstanceId: task.workflowInstanceId, taskId: task.taskId, workerId: 'w1', status: 'COMPLETED', outputData: { greeting: 'Hello, Ada!' } });
    expect(Object.fromEntries(fake.matching(POLL)[0].query)).toEqual({ workerid: 'w1', count: '2', timeout: '100', domain: 'blue' });
    expect(fake.resultsFor(task.taskId)).toHaveLength(1); // a quick task sends no heartbeat
  });

  it('chains: runs the task update-v2 answers with in the same slot, without polling for it', async () => {
    const [t1, t2] = [aTask(), aTask()];
    fake.enqueue(t1, t2);
    const seen: string[] = [];
    const w = worker({ concurrency: 1, handler: (t) => void seen.push(t.taskId) });

    await w.start();
    const updates = await fake.waitFor(isUpdateV2, 2);

    expect(seen).toEqual([t1.taskId, t2.taskId]);
    expect(updates.map((u) => (u.body as TaskResult).taskId)).toEqual([t1.taskId, t2.taskId]);
    expect(fake.requests.filter((r) => isPoll(r) && r.seq < updates[1].seq)).toHaveLength(1);
  });

  it('falls back to POST /api/tasks when the server has no update-v2, and stays with it', async () => {
    fake.respondAlways(UPDATE_V2, { status: 404, body: { status: 404, message: 'Not Found' } });
    const [t1, t2] = [aTask(), aTask()];
    fake.enqueue(t1, t2);
    const w = worker({ concurrency: 1, handler: () => ({ ok: true }) });

    await w.start();
    await fake.waitFor(isUpdateOf(t1.taskId));
    await fake.waitFor(isUpdateOf(t2.taskId));

    expect(fake.matching(UPDATE_V2)).toHaveLength(1);
    expect(fake.resultsFor(t2.taskId)).toEqual([expect.objectContaining({ status: 'COMPLETED', outputData: { ok: true }, route: '/api/tasks' })]);
  });

  it('heartbeats (IN_PROGRESS, extendLease) while a handler runs longer than the interval, and reports after the last one', async () => {
    const task = aTask();
    fake.enqueue(task);
    const w = worker({
      heartbeatEveryMs: 20,
      handler: async () => {
        await fake.waitFor(isHeartbeat, 2);
        return { done: true };
      },
    });

    await w.start();
    await fake.waitFor(isUpdateV2);

    const results = fake.resultsFor(task.taskId);
    const heartbeats = results.slice(0, -1);
    expect(heartbeats.length).toBeGreaterThanOrEqual(2);
    for (const hb of heartbeats) {
      expect(hb).toEqual({ workflowInstanceId: task.workflowInstanceId, taskId: task.taskId, workerId: 'w1', status: 'IN_PROGRESS', extendLease: true, route: '/api/tasks' });
    }
    expect(results.at(-1)).toMatchObject({ status: 'COMPLETED', outputData: { done: true }, route: '/api/tasks/update-v2' });
  });

  it('sends no heartbeat when lease extension is off', async () => {
    const task = aTask();
    fake.enqueue(task);
    const w = worker({ heartbeatEveryMs: 10, leaseExtension: false, handler: () => new Promise((resolve) => setTimeout(() => resolve({}), 80)) });

    await w.start();
    await fake.waitFor(isUpdateV2);

    expect(fake.requests.filter(isHeartbeat)).toHaveLength(0);
  });

  it.each([
    ['503 twice', [{ status: 503 }, { status: 503 }]],
    ['429', [{ status: 429, body: { message: 'slow down' } }]],
    ['a dropped connection', [{ drop: true as const }]],
  ])('retries a result update after %s, then succeeds', async (_name, failures) => {
    fake.respondOnce(UPDATE_V2, ...failures);
    const task = aTask();
    fake.enqueue(task);
    const { logger, events } = recordingLogger();
    let runs = 0;
    const w = worker({ logger, handler: () => ({ run: ++runs }) });

    await w.start();
    const updates = await fake.waitFor(isUpdateV2, failures.length + 1);
    await w.stop();

    expect(runs).toBe(1);
    expect(new Set(updates.map((u) => JSON.stringify(u.body)))).toEqual(new Set([JSON.stringify(updates[0].body)]));
    expect(events('error')).toEqual([]);
  });

  it('does not retry a 4xx answer: the result is reported as unreported, never dropped silently', async () => {
    fake.respondOnce(UPDATE_V2, { status: 400, body: { status: 400, message: 'Validation failed' } });
    const task = aTask();
    fake.enqueue(task);
    const { logger, records } = recordingLogger();
    const unreported = deferred<[TaskResult, unknown]>();
    const w = worker({ logger, handler: () => ({}), onUnreportedResult: (result, error) => unreported.resolve([result, error]) });

    await w.start();
    const [result, error] = await unreported.promise;

    expect(result).toMatchObject({ taskId: task.taskId, status: 'COMPLETED' });
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as HttpStatusError).status).toBe(400);
    expect(fake.matching(UPDATE_V2)).toHaveLength(1);
    expect(records.filter((r) => r.level === 'error')).toEqual([expect.objectContaining({ event: 'result.unreported', fields: expect.objectContaining({ taskId: task.taskId, status: 'COMPLETED' }) })]);
  });

  it.each<[string, TaskHandler, Partial<TaskResult>]>([
    ['a thrown error fails the task with its message', () => { throw new Error('boom'); }, { status: 'FAILED', reasonForIncompletion: 'boom' }],
    ['a TerminalError fails it for good', async () => { throw new TerminalError('bad input'); }, { status: 'FAILED_WITH_TERMINAL_ERROR', reasonForIncompletion: 'bad input' }],
    ['TaskOutcome.failed', () => TaskOutcome.failed('not yet', { code: 7 }), { status: 'FAILED', reasonForIncompletion: 'not yet', outputData: { code: 7 } }],
    ['TaskOutcome.inProgress asks to be called back', () => TaskOutcome.inProgress(30, { step: 1 }), { status: 'IN_PROGRESS', callbackAfterSeconds: 30, outputData: { step: 1 } }],
    ['a value that is not an object is wrapped', () => 42 as never, { status: 'COMPLETED', outputData: { result: 42 } }],
  ])('%s', async (_name, handler, expected) => {
    const task = aTask();
    fake.enqueue(task);
    const w = worker({ handler });

    await w.start();
    const [update] = await fake.waitFor(isUpdateV2);

    expect(update.body).toMatchObject({ taskId: task.taskId, workflowInstanceId: task.workflowInstanceId, workerId: 'w1', ...expected });
  });

  it('sends the lines a handler logged with its result', async () => {
    const task = aTask();
    fake.enqueue(task);
    const w = worker({ handler: (_t, ctx) => void ctx.log('looked up the name') });

    await w.start();
    const [update] = await fake.waitFor(isUpdateV2);

    expect((update.body as TaskResult).logs).toEqual([{ log: 'looked up the name', taskId: task.taskId, createdTime: expect.any(Number) }]);
  });

  it('never runs more handlers at once than its concurrency, nor polls for more', async () => {
    const tasks = Array.from({ length: 5 }, () => aTask());
    fake.enqueue(...tasks);
    let running = 0;
    let most = 0;
    const w = worker({
      concurrency: 2,
      handler: async () => {
        most = Math.max(most, ++running);
        await new Promise((resolve) => setTimeout(resolve, 15)); // work that overlaps
        running--;
        return {};
      },
    });

    await w.start();
    await fake.waitFor(isUpdateV2, 5);

    expect(most).toBe(2);
    expect(fake.matching(POLL).every((p) => Number(p.query.get('count')) <= 2)).toBe(true);
    expect(new Set(fake.matching(UPDATE_V2).map((u) => (u.body as TaskResult).taskId))).toEqual(new Set(tasks.map((t) => t.taskId)));
  });

  it('backs off a failing poll, warns once, and recovers', async () => {
    fake.respondOnce(POLL, { status: 500 }, { status: 502 }, { status: 503 });
    const task = aTask();
    fake.enqueue(task);
    const { logger, events } = recordingLogger();
    const w = worker({ logger, handler: () => ({}) });

    await w.start();
    await fake.waitFor(isUpdateV2);

    expect(fake.matching(POLL).length).toBeGreaterThanOrEqual(4);
    expect(events('warn')).toEqual(['poll.failed']);
    expect(events('info')).toContain('poll.recovered');
  });

  describe('graceful shutdown', () => {
    it('stops polling, lets the task in flight finish and report (plain update: nothing chained), then resolves', async () => {
      const task = aTask();
      fake.enqueue(task, aTask()); // the second one must not be taken
      const running = deferred();
      const finish = deferred();
      const w = worker({
        concurrency: 1,
        handler: async () => {
          running.resolve();
          await finish.promise;
          return { ok: true };
        },
      });
      await w.start();
      await running.promise;
      const pollsAtStop = fake.matching(POLL).length;

      let stopped = false;
      const stopping = w.stop({ timeoutMs: 10_000 }).then(() => (stopped = true));
      await new Promise((resolve) => setImmediate(resolve));
      expect(stopped).toBe(false);
      expect(w.state).toBe('stopping');

      finish.resolve();
      await stopping;

      expect(w.state).toBe('stopped');
      expect(fake.resultsFor(task.taskId)).toEqual([expect.objectContaining({ status: 'COMPLETED', outputData: { ok: true }, route: '/api/tasks' })]);
      expect(fake.matching(POLL)).toHaveLength(pollsAtStop);
      expect(fake.matching(UPDATE_V2)).toHaveLength(0);
    });

    it('at the deadline, aborts the handler and hands its task back to the queue (IN_PROGRESS, callback 0)', async () => {
      const task = aTask();
      fake.enqueue(task);
      const running = deferred();
      let aborted = false;
      const { logger, events } = recordingLogger();
      const w = worker({
        logger,
        handler: (_t, ctx) =>
          new Promise((_resolve, reject) => {
            running.resolve();
            ctx.signal.addEventListener('abort', () => {
              aborted = true;
              reject(new Error('aborted'));
            });
          }),
      });
      await w.start();
      await running.promise;

      await w.stop({ timeoutMs: 20 });

      expect(aborted).toBe(true);
      expect(fake.resultsFor(task.taskId)).toEqual([
        expect.objectContaining({ status: 'IN_PROGRESS', callbackAfterSeconds: 0, workerId: 'w1', route: '/api/tasks' }),
      ]);
      expect(events()).toEqual(expect.arrayContaining(['task.handed_back', 'result.dropped']));
    });

    it('a second stop brings the deadline closer', async () => {
      const task = aTask();
      fake.enqueue(task);
      const running = deferred();
      const w = worker({ handler: () => (running.resolve(), new Promise(() => undefined)) });
      await w.start();
      await running.promise;

      const first = w.stop({ timeoutMs: 60_000 });
      await w.stop({ timeoutMs: 0 });
      await first;

      expect(fake.resultsFor(task.taskId)).toEqual([expect.objectContaining({ status: 'IN_PROGRESS', callbackAfterSeconds: 0 })]);
    });
  });

  it('lists every problem with its options at once', () => {
    const build = (): Worker =>
      new Worker({ taskType: '', handler: undefined as unknown as TaskHandler, transport: { kind: 'http', baseUrl: 'not a url' }, concurrency: 0, pollTimeoutMs: 6000 });

    let error: unknown;
    try {
      build();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(WorkerConfigError);
    expect((error as WorkerConfigError).problems).toEqual([
        'taskType is required',
        'handler must be a function',
        'concurrency must be an integer from 1 to 1000, got 0',
        'pollTimeoutMs must be an integer from 0 to 5000, got 6000',
        'transport.baseUrl must be an http(s) URL, got "not a url"',
    ]);
  });
});

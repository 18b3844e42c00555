import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EngineDouble } from '../test-support/engine-double';
import { aTask, deferred, recordingLogger, RecordingLogger } from '../test-support/fixtures';
import { workerGroupOf } from './protocol';
import { TaskOutcome } from './task-outcome';
import type { TaskHandler } from './task-execution';
import { Worker } from './worker';
import type { WorkerOptions } from './worker-options';

// The broker: TEST_KAFKA_BROKERS, else the one the repository's `scripts/infra/up.sh` started (it writes
// `.infra/env`). None: the tier fails loudly, never skips.
const infraEnv = join(__dirname, '../../../.infra/env');
const TEST_KAFKA_BROKERS =
  process.env.TEST_KAFKA_BROKERS || (existsSync(infraEnv) ? /^KAFKA_BROKERS=(.+)$/m.exec(readFileSync(infraEnv, 'utf8'))?.[1]?.trim() : undefined);
if (!TEST_KAFKA_BROKERS) {
  throw new Error('No Kafka for the worker SDK tests: start it (`scripts/infra/up.sh` at the repo root) or set TEST_KAFKA_BROKERS=127.0.0.1:9092.');
}
const brokers = TEST_KAFKA_BROKERS.split(',');

// A first group join can take seconds on a busy broker; the suite sets its own budget wherever it runs.
jest.setTimeout(60_000);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('Worker over Kafka (native worker protocol, real broker)', () => {
  let engine: EngineDouble;
  let taskType: string;
  const workers: Worker[] = [];

  beforeEach(async () => {
    taskType = `sdk-test-${randomUUID().slice(0, 8)}`;
    engine = new EngineDouble(brokers);
    await engine.start(taskType);
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop({ timeoutMs: 0 })));
    await engine.stop();
  });

  function worker(o: Partial<WorkerOptions> & { handler: TaskHandler; log?: RecordingLogger }): Worker {
    const { log, ...options } = o;
    const w = new Worker({
      taskType,
      transport: { kind: 'kafka', brokers, consumer: { heartbeatInterval: 300, sessionTimeout: 6000, maxWaitTimeInMs: 100 } },
      workerId: 'kw1',
      logger: (log ?? recordingLogger()).logger,
      retry: { initialDelayMs: 50, maxDelayMs: 500 },
      ...options,
    });
    workers.push(w);
    return w;
  }

  const aTaskOfType = (inputData: Record<string, unknown> = {}) => aTask({ taskType, taskDefName: taskType, inputData });

  it('reports start.begin on receipt and start.success with the output, keyed by workflowId, then commits past the task', async () => {
    const log = recordingLogger();
    const w = worker({ log, handler: (t) => ({ greeting: `Hello, ${String(t.inputData.name)}!` }) });
    await w.start();
    const task = aTaskOfType({ name: 'Ada' });

    await engine.produce(task);
    const reports = await engine.waitForReports(task.taskId, 2);
    await log.waitFor('offset.committed', (f) => f.offset === '1');

    expect(reports.map((r) => r.report.type)).toEqual(['start.begin', 'start.success']);
    expect(reports.every((r) => r.key === task.workflowInstanceId)).toBe(true);
    const [begin, success] = reports.map((r) => r.report);
    expect(begin).toEqual({ source: 'worker', eventId: expect.stringMatching(UUID), type: 'start.begin', workflowId: task.workflowInstanceId, taskId: task.taskId, workerId: 'kw1', occurredAt: expect.any(Number) });
    expect(success.eventId).not.toBe(begin.eventId);
    expect(success.result).toEqual({ workflowInstanceId: task.workflowInstanceId, taskId: task.taskId, workerId: 'kw1', status: 'COMPLETED', outputData: { greeting: 'Hello, Ada!' } });
    expect(await engine.committedOffset(workerGroupOf(taskType), taskType)).toBe('1');
  });

  it.each<[string, string, TaskHandler, object]>([
    ['a thrown error', 'start.failed', () => { throw new Error('boom'); }, { status: 'FAILED', reasonForIncompletion: 'boom' }],
    ['an IN_PROGRESS outcome', 'monitor.success', () => TaskOutcome.inProgress(5, { step: 1 }), { status: 'IN_PROGRESS', callbackAfterSeconds: 5, outputData: { step: 1 } }],
  ])('reports %s as %s', async (_name, type, handler, result) => {
    const w = worker({ handler });
    await w.start();
    const task = aTaskOfType();

    await engine.produce(task);
    const [, report] = await engine.waitForReports(task.taskId, 2);

    expect(report.report.type).toBe(type);
    expect(report.report.result).toMatchObject(result);
  });

  it('heartbeats with monitor.success (extendLease) while a handler runs longer than the interval', async () => {
    const task = aTaskOfType();
    const isBeat = (r: { type: string; result?: { extendLease?: boolean } }): boolean => r.type === 'monitor.success' && r.result?.extendLease === true;
    const w = worker({
      heartbeatEveryMs: 50,
      handler: async () => {
        await engine.waitForReports(task.taskId, 2, isBeat);
        return {};
      },
    });
    await w.start();

    await engine.produce(task);
    const reports = (await engine.waitForReports(task.taskId, 4)).map((r) => r.report);

    expect(reports[0].type).toBe('start.begin');
    expect(reports.slice(1, -1).every(isBeat)).toBe(true);
    expect(reports.at(-1)?.type).toBe('start.success');
  });

  it('runs tasks of one partition concurrently, up to its concurrency, and commits only what is done in order', async () => {
    const log = recordingLogger();
    let running = 0;
    let most = 0;
    const w = worker({
      log,
      concurrency: 3,
      handler: async (t) => {
        most = Math.max(most, ++running);
        await new Promise((resolve) => setTimeout(resolve, Number(t.inputData.workMs))); // out-of-order finishes
        running--;
        return {};
      },
    });
    await w.start();
    const tasks = [120, 10, 60, 10, 90, 10].map((workMs) => aTaskOfType({ workMs }));

    for (const t of tasks) await engine.produce(t);
    for (const t of tasks) await engine.waitForReports(t.taskId, 2);
    await log.waitFor('offset.committed', (f) => f.offset === '6');

    expect(most).toBe(3);
    expect(await engine.committedOffset(workerGroupOf(taskType), taskType)).toBe('6');
  });

  it("leaves a task it gave up on uncommitted, so another worker of the group runs it", async () => {
    const task = aTaskOfType();
    const first = worker({ workerId: 'kw-first', handler: (_t, ctx) => new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')))) });
    await first.start();
    await engine.produce(task);
    await engine.waitForReports(task.taskId, 1);

    await first.stop({ timeoutMs: 0 }); // gives the task up at once, as a worker that dies would
    expect(await engine.committedOffset(workerGroupOf(taskType), taskType)).toBe('-1');

    const second = worker({ workerId: 'kw-second', handler: () => ({ by: 'second' }) });
    await second.start();
    const [success] = await engine.waitForReports(task.taskId, 1, (r) => r.type === 'start.success');

    expect(success.report.workerId).toBe('kw-second');
    expect(success.report.result?.outputData).toEqual({ by: 'second' });
    expect(engine.reportsFor(task.taskId).filter((r) => r.report.workerId === 'kw-first').map((r) => r.report.type)).toEqual(['start.begin']);
  });

  it('stops gracefully: the task in flight finishes, reports and is committed before stop resolves', async () => {
    const running = deferred();
    const finish = deferred();
    const w = worker({
      handler: async () => {
        running.resolve();
        await finish.promise;
        return { finished: true };
      },
    });
    await w.start();
    const task = aTaskOfType();
    await engine.produce(task);
    await running.promise;

    const stopping = w.stop({ timeoutMs: 30_000 });
    finish.resolve();
    await stopping;

    expect(engine.reportsFor(task.taskId).map((r) => r.report.type)).toEqual(['start.begin', 'start.success']);
    expect(await engine.committedOffset(workerGroupOf(taskType), taskType)).toBe('1');
  });

  it('parks a message that is not a task on the dead-letter topic and goes on', async () => {
    const log = recordingLogger();
    const w = worker({ log, handler: () => ({}) });
    await w.start();
    const poisonKey = `poison-${randomUUID()}`;
    const task = aTaskOfType();

    await engine.produceRaw(taskType, poisonKey, '{"type":"produce"');
    await engine.produce(task);
    const dead = await engine.waitForDeadLetter(poisonKey);
    await engine.waitForReports(task.taskId, 2);
    await log.waitFor('offset.committed', (f) => f.offset === '2');

    expect(dead.reason).toMatch(/^not JSON/);
    expect(dead.value).toMatchObject({ topic: `baton.worker.tasks.${taskType}.v1`, payload: '{"type":"produce"' });
  });

  it('a stop during start-up does not wait for the group join, and ends stopped', async () => {
    const w = worker({ handler: () => ({}) });

    const starting = w.start();
    await w.stop();
    await starting;

    expect(w.state).toBe('stopped');
  });

  it('fails to start, saying why, when the task topic does not exist', async () => {
    const w = new Worker({ taskType: `sdk-test-missing-${randomUUID().slice(0, 8)}`, handler: () => ({}), transport: { kind: 'kafka', brokers }, logger: recordingLogger().logger });

    await expect(w.start()).rejects.toThrow(/cannot subscribe to baton\.worker\.tasks\.sdk-test-missing-.*deliveryMode KAFKA/);
    expect(w.state).toBe('failed');
  });
});

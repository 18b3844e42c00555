import { ExecutionQueries, LeaseBatch, PgNotificationHub, QueuedTask, TaskQueue } from '@app/persistence';
import { Clock, IdGenerator } from '@app/runtime';
import { DataSource } from 'typeorm';
import { Client } from 'pg';
import { createMigratedDataSource, TestDatabase } from '../../../../test/support/database';
import { RecordingBus } from '../../../../test/support/recording-bus';
import { defineTask as defineTaskDef, enqueueTask, executorQueueWrite, queuedTask } from '../../../../test/support/task-queue';
import { TaskLogs } from './task-logs';
import { QueueWaiter } from './queue-waiter';
import { TaskService } from './task.service';

/**
 * TaskDef concurrentExecLimit and rate limits, enforced by the queue's lease on real Postgres: concurrent
 * pollers never exceed them, a lease that ends wakes a poller held back, a rate window hands out its
 * share and the next window the rest, a changed definition holds from the next poll — and a type without
 * limits still leases in one statement.
 */
describe('task definition limits on the worker queue (real Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let queue: TaskQueue;
  let hub: PgNotificationHub;
  let waiter: QueueWaiter;
  let tasks: TaskService;

  const defineTask = (name: string, def: Record<string, unknown>) => defineTaskDef(ds, name, def);
  const enqueue = (queueName: string, opts: { taskDefName?: string } = {}) => enqueueTask(ds, queue, queueName, opts);
  /** The executor's part of its batch statement, as it runs it: rows removed (a task ended) and pushed. */
  const executorWrites = (w: { remove?: string[]; push?: QueuedTask[] }) => executorQueueWrite(ds, queue, w);

  const leasedOf = async (taskDefName: string): Promise<number> =>
    (await ds.query(`SELECT count(*)::int AS n FROM task_queue WHERE task_def_name = $1 AND leased_until IS NOT NULL`, [taskDefName]))[0].n;

  /** Round trips to PostgreSQL (statements; BEGIN and COMMIT included) made on any connection while `fn` runs. */
  const roundTrips = async <T>(fn: () => Promise<T>): Promise<{ result: T; statements: number }> => {
    const spy = jest.spyOn(Client.prototype, 'query');
    try {
      const result = await fn();
      return { result, statements: spy.mock.calls.length };
    } finally {
      spy.mockRestore();
    }
  };

  /** Resolves once a lease of the queue came back with tasks held back (the poller is then waiting). */
  const heldBackOnce = (queueName: string): Promise<LeaseBatch> => {
    const lease = queue.lease.bind(queue);
    return new Promise((resolve) => {
      const spy = jest.spyOn(queue, 'lease').mockImplementation(async (...args) => {
        const batch = await lease(...args);
        if (args[0] === queueName && batch.heldBack) {
          spy.mockRestore();
          resolve(batch);
        }
        return batch;
      });
    });
  };

  beforeAll(async () => {
    ({ db, dataSource: ds } = await createMigratedDataSource('baton_limits'));
    queue = new TaskQueue(ds);
    hub = new PgNotificationHub(db.url);
    waiter = new QueueWaiter(hub);
    await waiter.onModuleInit();
    tasks = new TaskService(new RecordingBus(), queue, waiter, new ExecutionQueries(ds, queue), new Clock(), new IdGenerator(), new TaskLogs(ds));
  });

  afterEach(() => jest.restoreAllMocks());

  afterAll(async () => {
    await hub?.close();
    await ds?.destroy();
    await db?.drop();
  });

  it('never has more leased than concurrentExecLimit (2), with 10 queued and 4 concurrent pollers, and hands out all 10 once each', async () => {
    await defineTask('lim_conc', { concurrentExecLimit: 2 });
    const ids = new Set<string>();
    for (let i = 0; i < 10; i++) ids.add(await enqueue('lim_conc'));

    const handedOut: string[] = [];
    let held = 0;
    let mostHeld = 0;
    let mostLeasedInDb = 0;
    const poller = async (workerId: string) => {
      while (handedOut.length < ids.size) {
        const got = await tasks.poll({ taskType: 'lim_conc', workerId, count: 10, timeoutMs: 1000 });
        held += got.length;
        mostHeld = Math.max(mostHeld, held);
        mostLeasedInDb = Math.max(mostLeasedInDb, await leasedOf('lim_conc'));
        for (const t of got) {
          handedOut.push(t.taskId);
          // Let go before the row goes (the count above never over-reports), then end it as the executor does.
          held--;
          await executorWrites({ remove: [t.taskId] });
        }
      }
    };
    await Promise.all(['w1', 'w2', 'w3', 'w4'].map(poller));

    expect(mostHeld).toBeLessThanOrEqual(2);
    expect(mostLeasedInDb).toBeLessThanOrEqual(2);
    expect(handedOut.sort()).toEqual([...ids].sort());
  });

  it('gives concurrent lease calls no more than concurrentExecLimit in all', async () => {
    await defineTask('lim_burst', { concurrentExecLimit: 2 });
    for (let i = 0; i < 10; i++) await enqueue('lim_burst');

    const batches = await Promise.all(Array.from({ length: 6 }, (_, i) => queue.lease('lim_burst', 10, `w${i}`, 'lim_burst')));

    expect(batches.flatMap((b) => b.tasks)).toHaveLength(2);
    expect(await leasedOf('lim_burst')).toBe(2);
    expect((await queue.lease('lim_burst', 10, 'late', 'lim_burst')).heldBack?.taskDefs).toEqual(['lim_burst']);
  });

  it('wakes a long poll held back by the limit when a leased task of the type ends, and hands it the next task', async () => {
    await defineTask('lim_wake', { concurrentExecLimit: 1 });
    const first = await enqueue('lim_wake');
    const second = await enqueue('lim_wake');
    const [running] = await tasks.poll({ taskType: 'lim_wake', workerId: 'a', count: 1, timeoutMs: 0 });
    expect(running.taskId).toBe(first);

    const order: string[] = [];
    const waiting = heldBackOnce('lim_wake');
    // Set before the poll starts, so it goes off no later than the poll's own timeout.
    const deadline = setTimeout(() => order.push('poll timeout'), 30_000);
    const longPoll = tasks.poll({ taskType: 'lim_wake', workerId: 'b', count: 5, timeoutMs: 30_000 }).then((got) => (order.push('polled'), got));
    // Held back, the poll waits (had it found a task, it would have answered).
    await Promise.race([waiting, longPoll]);
    expect(order).toEqual([]);

    // The worker completes the task: the executor removes its row in the batch that decides it.
    const notified = await executorWrites({ remove: [first] });
    order.push('removed');
    const got = await longPoll;
    clearTimeout(deadline);

    expect(notified).toBe(1);
    expect(order).toEqual(['removed', 'polled']);
    expect(got.map((t) => t.taskId)).toEqual([second]);
  }, 60_000);

  it('frees the slot when a leased task is pushed back (IN_PROGRESS with callbackAfterSeconds), waking the poller held back', async () => {
    await defineTask('lim_callback', { concurrentExecLimit: 1 });
    const first = await enqueue('lim_callback');
    const second = await enqueue('lim_callback');
    const [running] = await tasks.poll({ taskType: 'lim_callback', workerId: 'a', count: 1, timeoutMs: 0 });
    const [row] = await ds.query('SELECT workflow_id FROM task_queue WHERE task_id = $1', [running.taskId]);

    const order: string[] = [];
    const waiting = heldBackOnce('lim_callback');
    const deadline = setTimeout(() => order.push('poll timeout'), 30_000);
    const longPoll = tasks.poll({ taskType: 'lim_callback', workerId: 'b', count: 5, timeoutMs: 30_000 }).then((got) => (order.push('polled'), got));
    await Promise.race([waiting, longPoll]);
    expect(order).toEqual([]);

    await executorWrites({ push: [queuedTask({ taskId: first, queueName: 'lim_callback', taskDefName: 'lim_callback', workflowId: row.workflow_id, visibleAt: Date.now() + 60_000, pollCount: 1 })] });
    order.push('pushed back');
    const got = await longPoll;
    clearTimeout(deadline);

    expect(order).toEqual(['pushed back', 'polled']);
    expect(got.map((t) => t.taskId)).toEqual([second]);
  }, 60_000);

  it('answers a poll with timeout 0 of a type whose limit is reached at once, with nothing', async () => {
    await defineTask('lim_full', { concurrentExecLimit: 1 });
    await enqueue('lim_full');
    await enqueue('lim_full');
    expect(await tasks.poll({ taskType: 'lim_full', workerId: 'a', count: 5, timeoutMs: 0 })).toHaveLength(1);

    expect(await tasks.poll({ taskType: 'lim_full', workerId: 'b', count: 5, timeoutMs: 0 })).toEqual([]);
  });

  it('hands out rateLimitPerFrequency (3) per rateLimitFrequencyInSeconds (1 s) window, the rest in later windows', async () => {
    await defineTask('lim_rate', { rateLimitPerFrequency: 3, rateLimitFrequencyInSeconds: 1 });
    for (let i = 0; i < 7; i++) await enqueue('lim_rate');

    const firstWindow = await queue.lease('lim_rate', 10, 'w', 'lim_rate');
    expect(firstWindow.tasks).toHaveLength(3);
    // Nothing more in this window, though no task is held: the window says when the next share goes out.
    const refused = await queue.lease('lim_rate', 10, 'w', 'lim_rate');
    expect(refused.tasks).toEqual([]);
    expect(refused.heldBack).toEqual({ taskDefs: ['lim_rate'], windowEndsInMs: expect.any(Number) });
    expect(refused.heldBack!.windowEndsInMs).toBeLessThanOrEqual(1000);

    // A long poll waits the window out (no notification comes) and takes the next share, then the last one.
    const secondWindow = await tasks.poll({ taskType: 'lim_rate', workerId: 'w', count: 10, timeoutMs: 5000 });
    const thirdWindow = await tasks.poll({ taskType: 'lim_rate', workerId: 'w', count: 10, timeoutMs: 5000 });
    expect([secondWindow.length, thirdWindow.length]).toEqual([3, 1]);

    const starts = [firstWindow.tasks[0].leasedAt, secondWindow[0].startTime, thirdWindow[0].startTime];
    expect(starts[1] - starts[0]).toBeGreaterThanOrEqual(1000);
    expect(starts[2] - starts[1]).toBeGreaterThanOrEqual(1000);
  }, 30_000);

  it('takes a changed limit at the next poll: raised, then removed (back to one statement per poll)', async () => {
    await defineTask('lim_change', { concurrentExecLimit: 1 });
    for (let i = 0; i < 6; i++) await enqueue('lim_change');
    expect((await queue.lease('lim_change', 10, 'w', 'lim_change')).tasks).toHaveLength(1);
    expect((await queue.lease('lim_change', 10, 'w', 'lim_change')).tasks).toHaveLength(0);

    await defineTask('lim_change', { concurrentExecLimit: 3 });
    expect((await queue.lease('lim_change', 10, 'w', 'lim_change')).tasks).toHaveLength(2);

    await defineTask('lim_change', { retryCount: 1 });
    expect((await queue.lease('lim_change', 1, 'w', 'lim_change')).tasks).toHaveLength(1);
    const { result, statements } = await roundTrips(() => queue.lease('lim_change', 10, 'w', 'lim_change'));
    expect(result.tasks).toHaveLength(2);
    expect(statements).toBe(1);
  });

  it('leases an unlimited type as before: one statement per poll, registered or not, and no slot notifications', async () => {
    await defineTask('free_registered', { retryCount: 2, responseTimeoutSeconds: 60 });
    for (let i = 0; i < 3; i++) await enqueue('free_registered');
    for (let i = 0; i < 3; i++) await enqueue('free_adhoc');

    for (const type of ['free_registered', 'free_adhoc']) {
      const { result, statements } = await roundTrips(() => queue.lease(type, 10, 'w', type));
      expect(result).toEqual({ tasks: expect.any(Array) });
      expect(result.tasks).toHaveLength(3);
      expect(statements).toBe(1);
    }
    const empty = await roundTrips(() => queue.lease('free_adhoc', 10, 'w', 'free_adhoc'));
    expect([empty.result, empty.statements]).toEqual([{ tasks: [] }, 1]);

    const [leased] = await ds.query(`SELECT array_agg(task_id) AS ids FROM task_queue WHERE queue_name = 'free_adhoc'`);
    const notified = await executorWrites({ remove: leased.ids });
    expect(notified).toBe(0);
  });

  it('leases a limited type in a transaction of two statements (four round trips) once it is known to be limited', async () => {
    await defineTask('lim_cost', { concurrentExecLimit: 5 });
    for (let i = 0; i < 4; i++) await enqueue('lim_cost');

    const first = await roundTrips(() => queue.lease('lim_cost', 1, 'w', 'lim_cost'));
    const next = await roundTrips(() => queue.lease('lim_cost', 1, 'w', 'lim_cost'));

    expect([first.result.tasks.length, first.statements]).toEqual([1, 5]);
    expect([next.result.tasks.length, next.statements]).toEqual([1, 4]);
  });

  it('counts a definition across every queue that holds it, and on a queue of many definitions (HTTP) never lets a limited one block the rest', async () => {
    await defineTask('call_inventory', { concurrentExecLimit: 1 });
    // Older tasks of the limited definition first in line, then those of an unlimited one.
    const inventory = [await enqueue('SYS_MIXED', { taskDefName: 'call_inventory' }), await enqueue('SYS_MIXED', { taskDefName: 'call_inventory' })];
    const weather = [await enqueue('SYS_MIXED', { taskDefName: 'call_weather' }), await enqueue('SYS_MIXED', { taskDefName: 'call_weather' })];

    const first = await queue.lease('SYS_MIXED', 2, 'engine');
    const second = await queue.lease('SYS_MIXED', 2, 'engine');

    expect(first.tasks.map((t) => t.taskId).sort()).toEqual([inventory[0], weather[0]].sort());
    expect(second.tasks.map((t) => t.taskId)).toEqual([weather[1]]);
    expect(second.heldBack?.taskDefs).toEqual(['call_inventory']);
    // Another queue of the same definition shares its limit.
    await enqueue('OTHER_QUEUE', { taskDefName: 'call_inventory' });
    expect((await queue.lease('OTHER_QUEUE', 5, 'engine')).tasks).toEqual([]);

    await executorWrites({ remove: [inventory[0]] });
    expect((await queue.lease('SYS_MIXED', 5, 'engine')).tasks.map((t) => t.taskId)).toEqual([inventory[1]]);
  });
});

import { PgNotificationHub, TASK_QUEUE_CHANNEL } from '@app/persistence';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createMigratedDataSource, TestDatabase } from '../../../../test/support/database';
import { QueueWaiter } from './queue-waiter';
import { TaskQueueRepository } from './task-queue.repository';

describe('the worker queue on real Postgres', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let queue: TaskQueueRepository;

  const enqueue = async (queueName: string, opts: { priority?: number; delayMs?: number } = {}): Promise<string> => {
    const taskId = randomUUID();
    await ds.query(
      `INSERT INTO task_queue (task_id, queue_name, workflow_id, priority, visible_at, created_at)
       VALUES ($1, $2, $3, $4, now() + ($5 || ' milliseconds')::interval, clock_timestamp())`,
      [taskId, queueName, randomUUID(), opts.priority ?? 0, String(opts.delayMs ?? 0)],
    );
    return taskId;
  };

  beforeAll(async () => {
    ({ db, dataSource: ds } = await createMigratedDataSource('baton_queue'));
    queue = new TaskQueueRepository(ds);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('gives concurrent pollers different rows (SKIP LOCKED), never the same one twice', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, () => enqueue('q_concurrent')));

    const batches = await Promise.all(Array.from({ length: 5 }, () => queue.lease('q_concurrent', 6, 30_000)));

    const leased = batches.flat().map((l) => l.taskId);
    expect(new Set(leased).size).toBe(leased.length);
    expect(leased.sort()).toEqual([...ids].sort());
  });

  it('hands out higher priority first, then oldest first', async () => {
    const low = await enqueue('q_prio', { priority: 0 });
    const high = await enqueue('q_prio', { priority: 50 });
    const low2 = await enqueue('q_prio', { priority: 0 });

    const leased = await queue.lease('q_prio', 3, 30_000);

    expect(leased.map((l) => l.taskId)).toEqual([high, low, low2]);
  });

  it('does not hand out a task before it is visible, nor one that is leased, until the lease ends', async () => {
    await enqueue('q_later', { delayMs: 60_000 });
    expect(await queue.lease('q_later', 5, 30_000)).toEqual([]);
    expect(await queue.msUntilNextReady('q_later')).toBeGreaterThan(50_000);

    const id = await enqueue('q_lease');
    expect((await queue.lease('q_lease', 1, 200)).map((l) => l.taskId)).toEqual([id]);
    expect(await queue.lease('q_lease', 1, 200)).toEqual([]);
    await ds.query(`UPDATE task_queue SET leased_until = now() - interval '1 second' WHERE task_id = $1`, [id]);
    expect((await queue.lease('q_lease', 1, 200)).map((l) => l.taskId)).toEqual([id]);

    await queue.release([id]);
    expect((await queue.lease('q_lease', 1, 200)).map((l) => l.taskId)).toEqual([id]);
  });

  it('wakes a waiting poller when the queue is notified at commit, and only that queue', async () => {
    const hub = new PgNotificationHub(db.url);
    const waiter = new QueueWaiter(hub);
    await waiter.onModuleInit();
    try {
      const otherQueue = waiter.wait('q_other', 300);
      const woken = waiter.wait('q_wake', 10_000);
      await ds.transaction(async (m) => {
        await m.query('SELECT pg_notify($1, $2)', [TASK_QUEUE_CHANNEL, 'q_wake']);
      });
      await expect(woken).resolves.toBe(true);
      await expect(otherQueue).resolves.toBe(false);
    } finally {
      await hub.close();
    }
  });

  it('keeps a notification that lands after arming but before waiting (a poller between its look and its wait)', async () => {
    const hub = new PgNotificationHub(db.url);
    const waiter = new QueueWaiter(hub);
    await waiter.onModuleInit();
    try {
      const poller = waiter.arm('q_race');
      const probe = waiter.arm('q_race');
      await ds.query('SELECT pg_notify($1, $2)', [TASK_QUEUE_CHANNEL, 'q_race']);
      await expect(probe.wait(10_000)).resolves.toBe(true); // the notification has been delivered

      await expect(poller.wait(10)).resolves.toBe(true);
    } finally {
      await hub.close();
    }
  });

  it('does not deliver a notification from a transaction that rolled back', async () => {
    const hub = new PgNotificationHub(db.url);
    const waiter = new QueueWaiter(hub);
    await waiter.onModuleInit();
    try {
      const woken = waiter.wait('q_rollback', 500);
      await ds
        .transaction(async (m) => {
          await m.query('SELECT pg_notify($1, $2)', [TASK_QUEUE_CHANNEL, 'q_rollback']);
          throw new Error('roll back');
        })
        .catch(() => undefined);
      await expect(woken).resolves.toBe(false);
    } finally {
      await hub.close();
    }
  });
});

import { NotificationChannel } from '@app/contracts';
import { PgNotificationHub, TaskQueue } from '@app/persistence';
import { DataSource } from 'typeorm';
import { createMigratedDataSource, TestDatabase } from '../../../../test/support/database';
import { enqueueTask } from '../../../../test/support/task-queue';
import { QueueWaiter } from './queue-waiter';

describe('the worker queue on real Postgres: pushes, leases and long-poll wake-ups', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let queue: TaskQueue;

  /** Pushes a task (and its task row, which a lease returns) the way the executor does (a 30 s lease unless told). */
  const enqueue = (queueName: string, opts: { priority?: number; delayMs?: number; leaseMs?: number; shard?: number } = {}): Promise<string> =>
    enqueueTask(ds, queue, queueName, { leaseMs: 30_000, ...opts });

  beforeAll(async () => {
    ({ db, dataSource: ds } = await createMigratedDataSource('baton_queue'));
    queue = new TaskQueue(ds);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('gives concurrent pollers different rows (SKIP LOCKED), never the same one twice', async () => {
    const ids = [];
    for (let i = 0; i < 20; i++) ids.push(await enqueue('q_concurrent'));

    const batches = await Promise.all(Array.from({ length: 5 }, (_, i) => queue.lease('q_concurrent', 6, `w${i}`)));

    const leased = batches.flatMap((b) => b.tasks).map((l) => l.taskId);
    expect(new Set(leased).size).toBe(leased.length);
    expect(leased.sort()).toEqual([...ids].sort());
  });

  it('hands out higher priority first, then oldest first', async () => {
    const low = await enqueue('q_prio', { priority: 0 });
    const high = await enqueue('q_prio', { priority: 50 });
    const low2 = await enqueue('q_prio', { priority: 0 });

    const { tasks: leased } = await queue.lease('q_prio', 3, 'w');

    expect(leased.map((l) => l.taskId)).toEqual([high, low, low2]);
  });

  it('marks a lease in the one statement that hands the task out: IN_PROGRESS, the worker, the poll count', async () => {
    const id = await enqueue('q_mark', { leaseMs: 45_000 });

    const {
      tasks: [l],
    } = await queue.lease('q_mark', 1, 'worker-7');

    expect(l).toMatchObject({ taskId: id, workerId: 'worker-7', pollCount: 1 });
    expect(l.task).toMatchObject({ taskId: id, status: 'IN_PROGRESS', workerId: 'worker-7', pollCount: 1, startTime: l.leasedAt });
    const [row] = await ds.query(`SELECT EXTRACT(EPOCH FROM (leased_until - leased_at)) * 1000 AS ms FROM task_queue WHERE task_id = $1`, [id]);
    expect(Math.round(Number(row.ms))).toBe(45_000);
    // A reader sees the lease before any executor has folded it in.
    const leases = await queue.leasesOf([id]);
    expect(leases.get(id)).toMatchObject({ workerId: 'worker-7', pollCount: 1 });
  });

  it('does not hand out a task before it is visible, nor a leased one — not even after its lease ran out', async () => {
    await enqueue('q_later', { delayMs: 60_000 });
    expect(await queue.lease('q_later', 5, 'w')).toEqual({ tasks: [] });
    expect(await queue.msUntilNextReady('q_later')).toBeGreaterThan(50_000);

    const id = await enqueue('q_lease', { leaseMs: 200, shard: 3 });
    expect((await queue.lease('q_lease', 1, 'w')).tasks.map((l) => l.taskId)).toEqual([id]);
    expect(await queue.lease('q_lease', 1, 'w')).toEqual({ tasks: [] });
    await ds.query(`UPDATE task_queue SET leased_until = now() - interval '1 second' WHERE task_id = $1`, [id]);
    // An expired lease is a response timeout for the shard's owner, not a task for the next poller.
    expect(await queue.lease('q_lease', 1, 'w')).toEqual({ tasks: [] });
    expect((await queue.expiredLeases([3], 10)).map((l) => l.taskId)).toEqual([id]);
    expect(await queue.expiredLeases([4], 10)).toEqual([]);
  });

  it('extends a held lease on a heartbeat, and re-queues a task pushed again (callback), clearing its lease', async () => {
    const id = await enqueue('q_beat', { leaseMs: 100 });
    await queue.lease('q_beat', 1, 'w');
    await ds.transaction((m) => queue.extend(m, [{ taskId: id, leaseMs: 60_000 }]));
    const [row] = await ds.query(`SELECT leased_until > now() + interval '50 seconds' AS long FROM task_queue WHERE task_id = $1`, [id]);
    expect(row.long).toBe(true);

    const [again] = await ds.query('SELECT workflow_id FROM task_queue WHERE task_id = $1', [id]);
    await ds.transaction((m) =>
      queue.push(m, [{ taskId: id, queueName: 'q_beat', taskDefName: 'q_beat', workflowId: again.workflow_id, shard: 0, priority: 0, visibleAt: Date.now(), leaseMs: 100, pollCount: 1 }], Date.now()),
    );
    const {
      tasks: [l],
    } = await queue.lease('q_beat', 1, 'w2');
    expect(l).toMatchObject({ taskId: id, workerId: 'w2', pollCount: 2 });
  });

  describe('long-poll wake-ups', () => {
    let hub: PgNotificationHub;
    let waiter: QueueWaiter;

    beforeEach(async () => {
      hub = new PgNotificationHub(db.url);
      waiter = new QueueWaiter(hub);
      await waiter.onModuleInit();
    });
    afterEach(() => hub.close());

    it('wakes a waiting poller when a task is pushed (at commit), and only on that queue', async () => {
      const otherQueue = waiter.wait('q_other', 300);
      const woken = waiter.wait('q_wake', 10_000);
      await enqueue('q_wake');
      await expect(woken).resolves.toBe(true);
      await expect(otherQueue).resolves.toBe(false);
    });

    it('wakes one waiting poller per task pushed, not all of them', async () => {
      const waiters = Array.from({ length: 3 }, () => waiter.wait('q_one', 700));
      await enqueue('q_one');
      const woken = await Promise.all(waiters);
      expect(woken.filter(Boolean)).toHaveLength(1);
      expect(woken[0]).toBe(true); // the longest waiting first
    });

    it('keeps a notification that lands after arming but before waiting (a poller between its look and its wait)', async () => {
      const poller = waiter.arm('q_race');
      const probe = waiter.arm('q_race');
      await ds.query('SELECT pg_notify($1, $2)', [NotificationChannel.TaskQueue, '2:q_race']);
      await expect(probe.wait(10_000)).resolves.toBe(true); // the notification has been delivered

      await expect(poller.wait(10)).resolves.toBe(true);
    });

    it('does not deliver a notification from a transaction that rolled back', async () => {
      const woken = waiter.wait('q_rollback', 500);
      await ds
        .transaction(async (m) => {
          await m.query('SELECT pg_notify($1, $2)', [NotificationChannel.TaskQueue, '1:q_rollback']);
          throw new Error('roll back');
        })
        .catch(() => undefined);
      await expect(woken).resolves.toBe(false);
    });
  });
});

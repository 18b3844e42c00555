import { Injectable } from '@nestjs/common';
import { NotificationChannel, Task, TaskStatus } from '@app/contracts';
import { DataSource, EntityManager } from 'typeorm';

/** A worker task to make pollable (or pollable again). */
export interface QueuedTask {
  readonly taskId: string;
  readonly queueName: string;
  /**
   * The task definition the task runs (its `taskDefName`: a worker task's type, an HTTP or KAFKA_PUBLISH
   * task's own name): the key its definition's limits are counted by, across every queue that holds it.
   */
  readonly taskDefName: string;
  readonly workflowId: string;
  /** The Kafka partition or in-process lane of the workflow: whose executor watches the lease. */
  readonly shard: number;
  readonly priority: number;
  readonly visibleAt: number;
  /** How long a lease lasts: the task's responseTimeoutSeconds, in ms. */
  readonly leaseMs: number;
  readonly pollCount: number;
}

/** A lease as the queue holds it. */
export interface Lease {
  readonly taskId: string;
  readonly workflowId: string;
  readonly workerId?: string;
  readonly leasedAt: number;
  readonly pollCount: number;
}

/** A task handed to a poller: the lease and the task row as the executor last wrote it. */
export interface LeasedTask extends Lease {
  readonly task: Task;
}

/** What a poll got: the tasks leased, and whether task definitions' limits held more back. */
export interface LeaseBatch {
  readonly tasks: LeasedTask[];
  /**
   * Set when limits (concurrentExecLimit, rateLimitPerFrequency) held ready tasks back: the poll got fewer
   * than it asked for because of them. A slot that frees (a limited lease ends) notifies the queue;
   * `windowEndsInMs` is when the earliest exhausted rate window of those definitions rolls over (absent:
   * only a freed slot lets more through). Nothing is postponed: the tasks stay first in line.
   */
  readonly heldBack?: { readonly taskDefs: readonly string[]; readonly windowEndsInMs?: number };
}

type LeaseRow = { task_id: string; workflow_id: string; worker_id: string | null; leased_at: Date; poll_count: number };
const toLease = (r: LeaseRow): Lease => ({
  taskId: r.task_id,
  workflowId: r.workflow_id,
  ...(r.worker_id ? { workerId: r.worker_id } : {}),
  leasedAt: r.leased_at.getTime(),
  pollCount: r.poll_count,
});

/**
 * The leased rows of a lease statement (which may add a row with no task, for what it reports). A task
 * handed off (`awaitingStart`) has not started: it is returned as its executor wrote it (SCHEDULED), with
 * the poll count of the hand-off.
 */
function leasedTasks(rows: ReadonlyArray<Partial<LeaseRow> & { data: Task | null }>, awaitingStart: boolean): LeasedTask[] {
  return rows.flatMap((r) => {
    if (!r.task_id || !r.data) return [];
    const lease = toLease(r as LeaseRow);
    return [{ ...lease, task: awaitingStart ? { ...r.data, pollCount: lease.pollCount } : withLease(r.data, lease) }];
  });
}

/** How a lease is taken. */
export interface LeaseOptions {
  /**
   * A hand-off, not a start: the tasks go to a transport (the executor's Kafka dispatcher produces them for
   * native workers) and start only when a worker says so (`begin`). The lease runs all the same — a task
   * nobody begins times out after its responseTimeoutSeconds — but until then reads show the task
   * SCHEDULED and a poll timeout still counts.
   */
  readonly awaitingStart?: boolean;
}

/**
 * A task definition's limits in SQL, from its row `d` in task_def (0 = none, also when there is no row):
 * concurrentExecLimit, rateLimitPerFrequency, and the rate window (rateLimitFrequencyInSeconds; Conductor's
 * 1 s when only rateLimitPerFrequency is set).
 */
const CONC = `least(coalesce((d.definition ->> 'concurrentExecLimit')::numeric, 0), 2147483647)::int`;
const RATE = `least(coalesce((d.definition ->> 'rateLimitPerFrequency')::numeric, 0), 2147483647)::int`;
const FREQ = `make_interval(secs => CASE WHEN (d.definition ->> 'rateLimitFrequencyInSeconds')::numeric > 0 THEN (d.definition ->> 'rateLimitFrequencyInSeconds')::float8 ELSE 1 END)`;
const LIMITED = `(${CONC} > 0 OR ${RATE} > 0)`;

/** The leases of a lease statement, in the queue's order, then one row per limited definition (`held`). */
const LEASED_THEN_HELD = `
  (SELECT NULL::varchar AS held, l.task_id, l.workflow_id, l.worker_id, l.leased_at, l.poll_count, t.data
   FROM leased l JOIN task t ON t.task_id = l.task_id
   ORDER BY l.priority DESC, l.visible_at, l.created_at)
  UNION ALL SELECT name, NULL, NULL, NULL, NULL, NULL, NULL FROM held`;

/**
 * The worker-task queue: one component, two sides. The executor pushes and removes rows in the
 * transaction that decides them (and extends or expires leases); pollers lease ready rows, one statement
 * per batch, which makes the tasks IN_PROGRESS at once — reads overlay the lease until the executor has
 * folded it into the run. A lease lasts the task's responseTimeoutSeconds; an expired one is a response
 * timeout for the executor that owns the row's shard, never handed to another poller directly. A task
 * definition's concurrentExecLimit and rate limit are enforced here, at the lease, and a lease that held
 * one of its slots notifies its queue when it ends, so a poller held back takes the slot at once.
 */
@Injectable()
export class TaskQueue {
  /** Per queue, the task definitions found limited at its last polls: their tasks are leased under their limits. */
  private readonly limitedDefs = new Map<string, Set<string>>();

  constructor(private readonly dataSource: DataSource) {}

  // ---- the executor's side ---------------------------------------------------------------------------

  /**
   * The queue's part of the executor's one-statement batch write: common table expressions over the
   * parameters named (`remove`: a uuid[] of task ids; `push`: QueuedTask rows as JSON; `extend`:
   * {taskId, leaseMs} as JSON, with `extendIds` their uuid[]; `now`: epoch ms), and `q_notify`, which the
   * statement must select from. Applied in one statement, the three sets must not share a task.
   *
   * `q_notify` sends one NOTIFY per queue, delivered at commit, with the payload `<n>:<queue>`: n = the
   * tasks pushed to the queue plus the lease slots freed on it (a removed row whose lease counted against
   * its definition's limits: the task ended, timed out, or its lease ran out). Each gateway wakes n of the
   * queue's waiters, one per task that can now be handed out. A leased task pushed back (a callback) frees
   * its slot too, and its push already wakes one waiter; a removed row of an unlimited definition wakes none.
   */
  batchCtes(p: { readonly remove: string; readonly push: string; readonly extend: string; readonly extendIds: string; readonly now: string }): string {
    // Rows are named by '= ANY(ids)' so the planner reads them by primary key (see the executor's batch writer).
    return `q_remove AS (
        DELETE FROM task_queue WHERE task_id = ANY(${p.remove}::uuid[])
        RETURNING queue_name, limited AND leased_until IS NOT NULL AS freed),
      q_push AS (
        INSERT INTO task_queue (task_id, queue_name, task_def_name, workflow_id, shard, priority, visible_at, lease_ms, poll_count, leased_until, created_at)
        SELECT t."taskId", t."queueName", t."taskDefName", t."workflowId", t.shard, t.priority, to_timestamp(t."visibleAt" / 1000.0), least(t."leaseMs", 2147483647)::int,
               t."pollCount", NULL, to_timestamp(${p.now}::float8 / 1000.0)
        FROM jsonb_to_recordset(${p.push}::jsonb) AS t("taskId" uuid, "queueName" varchar, "taskDefName" varchar, "workflowId" uuid, shard int, priority int, "visibleAt" float8, "leaseMs" float8, "pollCount" int)
        ON CONFLICT (task_id) DO UPDATE SET queue_name = EXCLUDED.queue_name, task_def_name = EXCLUDED.task_def_name, priority = EXCLUDED.priority, visible_at = EXCLUDED.visible_at,
          lease_ms = EXCLUDED.lease_ms, poll_count = EXCLUDED.poll_count, leased_until = NULL, worker_id = NULL, leased_at = NULL, limited = false, awaiting_start = false
        RETURNING queue_name),
      q_extend AS (
        UPDATE task_queue q SET leased_until = now() + least(e."leaseMs", 2147483647) * interval '1 millisecond'
        FROM jsonb_to_recordset(${p.extend}::jsonb) AS e("taskId" uuid, "leaseMs" float8)
        WHERE q.task_id = ANY(${p.extendIds}::uuid[]) AND q.task_id = e."taskId" AND q.leased_until IS NOT NULL),
      q_notify AS (
        SELECT pg_notify('${NotificationChannel.TaskQueue}', count(*) || ':' || queue_name)
        FROM (SELECT queue_name FROM q_push UNION ALL SELECT queue_name FROM q_remove WHERE freed) AS woken
        GROUP BY queue_name)`;
  }

  /**
   * Pushes (or pushes again) outside a batch, notifying as `batchCtes` does: at commit, so a woken poller
   * always finds the row; one waiter per task pushed.
   */
  async push(m: EntityManager, tasks: readonly QueuedTask[], now: number): Promise<void> {
    if (!tasks.length) return;
    await m.query(
      `WITH pushed AS (
         INSERT INTO task_queue (task_id, queue_name, task_def_name, workflow_id, shard, priority, visible_at, lease_ms, poll_count, leased_until, created_at)
         SELECT t.task_id, t.queue_name, t.task_def_name, t.workflow_id, t.shard, t.priority, to_timestamp(t.visible_at / 1000.0), t.lease_ms, t.poll_count, NULL, to_timestamp($10::float8 / 1000.0)
         FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::uuid[], $5::int[], $6::int[], $7::float8[], $8::int[], $9::int[])
           AS t(task_id, queue_name, task_def_name, workflow_id, shard, priority, visible_at, lease_ms, poll_count)
         ON CONFLICT (task_id) DO UPDATE SET queue_name = EXCLUDED.queue_name, task_def_name = EXCLUDED.task_def_name, priority = EXCLUDED.priority,
           visible_at = EXCLUDED.visible_at, lease_ms = EXCLUDED.lease_ms, poll_count = EXCLUDED.poll_count,
           leased_until = NULL, worker_id = NULL, leased_at = NULL, limited = false, awaiting_start = false
         RETURNING queue_name)
       SELECT pg_notify($11, count(*) || ':' || queue_name) FROM pushed GROUP BY queue_name`,
      [
        tasks.map((t) => t.taskId),
        tasks.map((t) => t.queueName),
        tasks.map((t) => t.taskDefName),
        tasks.map((t) => t.workflowId),
        tasks.map((t) => t.shard),
        tasks.map((t) => t.priority),
        tasks.map((t) => t.visibleAt),
        tasks.map((t) => Math.min(t.leaseMs, 2_147_483_647)),
        tasks.map((t) => t.pollCount),
        now,
        NotificationChannel.TaskQueue,
      ],
    );
  }

  /** Takes rows out outside a batch; a lease that held a slot of its definition's limits notifies its queue. */
  async remove(m: EntityManager, taskIds: readonly string[]): Promise<void> {
    if (!taskIds.length) return;
    await m.query(
      `WITH gone AS (DELETE FROM task_queue WHERE task_id = ANY($1::uuid[]) RETURNING queue_name, limited AND leased_until IS NOT NULL AS freed)
       SELECT pg_notify($2, count(*) || ':' || queue_name) FROM gone WHERE freed GROUP BY queue_name`,
      [taskIds, NotificationChannel.TaskQueue],
    );
  }

  /** A heartbeat: each lease held now runs its `leaseMs` again from now. */
  async extend(m: EntityManager, leases: ReadonlyArray<{ taskId: string; leaseMs: number }>): Promise<void> {
    if (!leases.length) return;
    await m.query(
      `UPDATE task_queue q SET leased_until = now() + e.lease_ms * interval '1 millisecond'
       FROM unnest($1::uuid[], $2::int[]) AS e(task_id, lease_ms)
       WHERE q.task_id = e.task_id AND q.leased_until IS NOT NULL`,
      [leases.map((l) => l.taskId), leases.map((l) => Math.min(l.leaseMs, 2_147_483_647))],
    );
  }

  /** Leases on the given shards that ran out, oldest first: response timeouts to act on. */
  async expiredLeases(shards: readonly number[], limit: number): Promise<Lease[]> {
    if (!shards.length) return [];
    const rows: LeaseRow[] = await this.dataSource.query(
      `SELECT task_id, workflow_id, worker_id, leased_at, poll_count FROM task_queue
       WHERE shard = ANY($1::int[]) AND leased_until <= now() ORDER BY leased_until LIMIT $2`,
      [shards, limit],
    );
    return rows.map(toLease);
  }

  /** The task's lease if it is still expired, locked for the caller's transaction (null: renewed or gone). */
  async lockExpiredLease(m: EntityManager, taskId: string): Promise<Lease | null> {
    const rows: LeaseRow[] = await m.query(
      `SELECT task_id, workflow_id, worker_id, leased_at, poll_count FROM task_queue WHERE task_id = $1 AND leased_until <= now() FOR UPDATE`,
      [taskId],
    );
    return rows[0] ? toLease(rows[0]) : null;
  }

  /** The task's current lease, if a poller holds it (a hand-off no worker has begun is none: the task has not started). */
  async leaseOf(m: EntityManager, taskId: string): Promise<Lease | null> {
    const rows: LeaseRow[] = await m.query(
      `SELECT task_id, workflow_id, worker_id, leased_at, poll_count FROM task_queue WHERE task_id = $1 AND leased_until IS NOT NULL AND NOT awaiting_start`,
      [taskId],
    );
    return rows[0] ? toLease(rows[0]) : null;
  }

  /**
   * A worker began a task that was handed off to it (`LeaseOptions.awaitingStart`; a worker that begins
   * again, after a redelivery, is taken the same way): the lease is the worker's now and runs its
   * responseTimeoutSeconds from now. Null when the task holds no lease of that workflow (it ended, timed
   * out, was never handed out): nothing changes.
   */
  async begin(taskId: string, workflowId: string, workerId: string | undefined): Promise<Lease | null> {
    const rows: LeaseRow[] = await this.dataSource.query(
      `WITH begun AS (
         UPDATE task_queue SET leased_until = now() + lease_ms * interval '1 millisecond', leased_at = now(), worker_id = $3, awaiting_start = false
         WHERE task_id = $1 AND workflow_id = $2 AND leased_until IS NOT NULL
         RETURNING task_id, workflow_id, worker_id, leased_at, poll_count)
       SELECT * FROM begun`,
      [taskId, workflowId, workerId ?? null],
    );
    return rows[0] ? toLease(rows[0]) : null;
  }

  /**
   * Takes back hand-offs that never reached their transport (a produce that failed): the tasks wait again,
   * visible after `delayMs`, as if never leased — a lease that counted against its definition's limits no
   * longer does. Leases a worker has begun are left alone.
   */
  async release(taskIds: readonly string[], delayMs: number): Promise<void> {
    if (!taskIds.length) return;
    await this.dataSource.query(
      `UPDATE task_queue SET leased_until = NULL, leased_at = NULL, worker_id = NULL, limited = false, awaiting_start = false,
         poll_count = greatest(poll_count - 1, 0), visible_at = now() + $2 * interval '1 millisecond'
       WHERE task_id = ANY($1::uuid[]) AND awaiting_start`,
      [taskIds, delayMs],
    );
  }

  // ---- the pollers' side -----------------------------------------------------------------------------

  /**
   * Leases up to `count` ready tasks of a queue, highest priority first, then oldest, within their task
   * definitions' limits as the definitions stand now (a changed TaskDef holds from the next poll).
   *
   * Tasks of unlimited definitions: one statement that looks up the definition's limits by primary key,
   * picks (SKIP LOCKED: concurrent pollers take different rows instead of waiting on each other), marks
   * the lease (worker, time, expiry, poll count) and returns each task as its executor last wrote it.
   * Tasks whose definition has limits are left where they are by that statement and leased per definition
   * under its limits (`leaseWithinLimits`: a transaction of two statements); a definition found limited is
   * remembered per queue, so the next poll goes there at once.
   *
   * `taskDef`: the one definition every task of the queue runs — a worker task type's queue, whose tasks
   * are defined by their type. Without it, each task's own (the engine's HTTP and KAFKA_PUBLISH queues,
   * whose tasks are named by their workflow tasks): the statement then looks up the definitions of the
   * tasks it picks, and tasks of limited definitions never stand in the way of the others.
   */
  async lease(queueName: string, count: number, workerId: string | undefined, taskDef?: string, options: LeaseOptions = {}): Promise<LeaseBatch> {
    const awaitingStart = options.awaitingStart === true;
    const tasks: LeasedTask[] = [];
    const known = this.limitedDefs.get(queueName) ?? new Set<string>();
    const done = new Set<string>();
    const heldBack: string[] = [];
    let windowEndsInMs: number | undefined;
    const underLimits = async (def: string) => {
      done.add(def);
      const want = count - tasks.length;
      if (want <= 0) return;
      const r = await this.leaseWithinLimits(queueName, def, want, workerId, awaitingStart);
      tasks.push(...r.tasks);
      // Forget a definition that lost its limits; on a mixed queue also one with nothing left to lease
      // (its tasks are found again when they reach the head of the queue).
      if (!r.limited || (taskDef === undefined && r.tasks.length < r.allowed)) known.delete(def);
      if (r.limited && r.tasks.length === r.allowed && r.allowed < want) {
        heldBack.push(def);
        if (r.windowEndsInMs !== undefined) windowEndsInMs = Math.min(windowEndsInMs ?? Infinity, r.windowEndsInMs);
      }
    };

    if (taskDef === undefined || !known.has(taskDef)) {
      const first = await this.leaseUnlimited(queueName, count, workerId, taskDef ?? [...known], awaitingStart);
      // The hot path: nothing of the queue is known to be limited, and nothing picked was.
      if (!first.held.length && !known.size) return { tasks: first.tasks };
      tasks.push(...first.tasks);
      for (let found = first.held; found.length; ) {
        for (const def of found) known.add(def);
        // Found first in line: their turn comes before what stands behind them.
        for (const def of found) await underLimits(def);
        // On a queue of many definitions, look past them for tasks of the others.
        if (taskDef !== undefined || tasks.length >= count) break;
        const more = await this.leaseUnlimited(queueName, count - tasks.length, workerId, [...new Set([...known, ...done])], awaitingStart);
        tasks.push(...more.tasks);
        found = more.held;
      }
    }
    for (const def of [...known]) if (!done.has(def)) await underLimits(def);

    if (known.size) this.limitedDefs.set(queueName, known);
    else this.limitedDefs.delete(queueName);
    return heldBack.length ? { tasks, heldBack: { taskDefs: heldBack, ...(windowEndsInMs !== undefined ? { windowEndsInMs } : {}) } } : { tasks };
  }

  /**
   * One statement, prepared once per connection (its text never changes): leases the head of the queue
   * unless limits apply. `scope` is the queue's one definition (its limits are looked up first, and if it
   * has any nothing is leased), or, for a queue of many, the definitions known to be limited (their tasks
   * are passed over) — the definitions of the tasks picked are then looked up, and those found limited
   * are left alone. Either way the limited ones are named in `held`.
   */
  private async leaseUnlimited(
    queueName: string,
    count: number,
    workerId: string | undefined,
    scope: string | readonly string[],
    awaitingStart: boolean,
  ): Promise<{ tasks: LeasedTask[]; held: string[] }> {
    const statement =
      typeof scope === 'string'
        ? // One definition ($4): its limits by primary key, and unless it has any, the lease as before limits
          // existed — of that definition's rows only, so a poll named after another queue (a KAFKA-delivered
          // definition's `kafka/<name>`, whose rows run `<name>`) is handed nothing.
          {
            name: 'baton.queue.lease.v3',
            text: `
              WITH held AS (
                SELECT d.name FROM task_def d WHERE d.name = $4 AND ${LIMITED}),
              picked AS (
                SELECT task_id FROM task_queue
                WHERE queue_name = $1 AND task_def_name = $4 AND visible_at <= now() AND leased_until IS NULL AND NOT EXISTS (SELECT 1 FROM held)
                ORDER BY priority DESC, visible_at, created_at
                LIMIT $2
                FOR UPDATE SKIP LOCKED),
              leased AS (
                UPDATE task_queue q SET leased_until = now() + q.lease_ms * interval '1 millisecond', leased_at = now(), worker_id = $3,
                  poll_count = q.poll_count + 1, limited = false, awaiting_start = $5
                FROM picked WHERE q.task_id = picked.task_id
                RETURNING q.task_id, q.workflow_id, q.worker_id, q.leased_at, q.poll_count, q.priority, q.visible_at, q.created_at)
              ${LEASED_THEN_HELD}`,
          }
        : // Many: the head of the queue less the known limited ($4), one primary-key probe per definition
          // picked (LATERAL … LIMIT 1: never a scan of task_def), the lease of those without limits.
          {
            name: 'baton.queue.lease-each-definition.v2',
            text: `
              WITH picked AS (
                SELECT task_id, task_def_name FROM task_queue
                WHERE queue_name = $1 AND visible_at <= now() AND leased_until IS NULL AND task_def_name <> ALL($4::text[])
                ORDER BY priority DESC, visible_at, created_at
                LIMIT $2
                FOR UPDATE SKIP LOCKED),
              held AS (
                SELECT p.name FROM (SELECT DISTINCT task_def_name AS name FROM picked) AS p
                CROSS JOIN LATERAL (SELECT 1 FROM task_def d WHERE d.name = p.name AND ${LIMITED} LIMIT 1) AS limited_def),
              leased AS (
                UPDATE task_queue q SET leased_until = now() + q.lease_ms * interval '1 millisecond', leased_at = now(), worker_id = $3,
                  poll_count = q.poll_count + 1, limited = false, awaiting_start = $5
                FROM picked WHERE q.task_id = picked.task_id AND picked.task_def_name NOT IN (SELECT name FROM held)
                RETURNING q.task_id, q.workflow_id, q.worker_id, q.leased_at, q.poll_count, q.priority, q.visible_at, q.created_at)
              ${LEASED_THEN_HELD}`,
          };
    const { rows } = await this.pool().query<Partial<LeaseRow> & { held: string | null; data: Task | null }>({
      ...statement,
      values: [queueName, count, workerId ?? null, scope, awaitingStart],
    });
    return { tasks: leasedTasks(rows, awaitingStart), held: rows.flatMap((r) => (r.held ? [r.held] : [])) };
  }

  private pool(): { query<R>(q: { name: string; text: string; values: unknown[] }): Promise<{ rows: R[] }> } {
    return (this.dataSource.driver as unknown as { master: ReturnType<TaskQueue['pool']> }).master;
  }

  /**
   * Leases up to `count` ready tasks of one definition on the queue, within its limits: a transaction that
   * first locks the definition's `task_limit_state` row (concurrent pollers of the definition take turns),
   * then, in a statement of its own — whose snapshot, taken after the lock, sees every lease committed
   * before it — counts the definition's limited leases held on every queue, computes what may go
   * (concurrentExecLimit less those; rateLimitPerFrequency less what the fixed window of
   * rateLimitFrequencyInSeconds, default 1 s, already handed out, a new window starting when it has run
   * out), leases that many and counts them into the window. Times are the second statement's, so a window
   * and the leases it counts share one clock and follow the order of the lock.
   */
  private async leaseWithinLimits(
    queueName: string,
    taskDef: string,
    count: number,
    workerId: string | undefined,
    awaitingStart: boolean,
  ): Promise<{ tasks: LeasedTask[]; limited: boolean; allowed: number; windowEndsInMs?: number }> {
    type Row = Partial<LeaseRow> & { conc: number; rate: number; allowed: number; window_ends_in_ms: string | null; data: Task | null };
    const rows: Row[] = await this.dataSource.transaction(async (m) => {
      // Creates the row the first time; otherwise only locks it (a DO UPDATE whose WHERE fails still locks).
      await m.query(
        `INSERT INTO task_limit_state (task_def_name) VALUES ($1)
         ON CONFLICT (task_def_name) DO UPDATE SET window_count = task_limit_state.window_count WHERE false`,
        [taskDef],
      );
      return m.query(
        `WITH limits AS (
           SELECT conc, rate, freq, at,
                  CASE WHEN rate > 0 AND started + freq > at THEN started ELSE at END AS window_start,
                  CASE WHEN rate > 0 AND started + freq > at THEN counted ELSE 0 END AS window_count
           FROM (SELECT ${CONC} AS conc, ${RATE} AS rate, ${FREQ} AS freq,
                        s.window_start AS started, s.window_count AS counted, statement_timestamp() AS at
                 FROM task_limit_state s LEFT JOIN task_def d ON d.name = $4
                 WHERE s.task_def_name = $4) AS current),
         allowed AS (
           SELECT l.*, least($2::int,
             CASE WHEN l.conc > 0
               THEN greatest(l.conc - (SELECT count(*) FROM task_queue f WHERE f.task_def_name = $4 AND f.limited AND f.leased_until IS NOT NULL), 0)
               ELSE $2::int END,
             CASE WHEN l.rate > 0 THEN greatest(l.rate - l.window_count, 0) ELSE $2::int END)::int AS n
           FROM limits l),
         picked AS (
           SELECT task_id FROM task_queue
           WHERE queue_name = $1 AND task_def_name = $4 AND visible_at <= statement_timestamp() AND leased_until IS NULL
           ORDER BY priority DESC, visible_at, created_at
           LIMIT coalesce((SELECT n FROM allowed), 0)
           FOR UPDATE SKIP LOCKED),
         leased AS (
           UPDATE task_queue q SET leased_until = a.at + q.lease_ms * interval '1 millisecond', leased_at = a.at, worker_id = $3,
             poll_count = q.poll_count + 1, limited = (a.conc > 0 OR a.rate > 0), awaiting_start = $5
           FROM picked, allowed a WHERE q.task_id = picked.task_id
           RETURNING q.task_id, q.workflow_id, q.worker_id, q.leased_at, q.poll_count, q.priority, q.visible_at, q.created_at),
         windowed AS (
           UPDATE task_limit_state s SET window_start = a.window_start, window_count = a.window_count + (SELECT count(*) FROM leased)
           FROM allowed a
           WHERE s.task_def_name = $4 AND a.rate > 0 AND (s.window_start IS DISTINCT FROM a.window_start OR EXISTS (SELECT 1 FROM leased)))
         SELECT a.conc, a.rate, a.n AS allowed,
                CASE WHEN a.rate > 0 AND a.window_count + (SELECT count(*) FROM leased) >= a.rate
                  THEN greatest(EXTRACT(EPOCH FROM (a.window_start + a.freq - a.at)) * 1000, 0) END AS window_ends_in_ms,
                l.task_id, l.workflow_id, l.worker_id, l.leased_at, l.poll_count, t.data
         FROM allowed a LEFT JOIN (leased l JOIN task t ON t.task_id = l.task_id) ON true
         ORDER BY l.priority DESC, l.visible_at, l.created_at`,
        [queueName, count, workerId ?? null, taskDef, awaitingStart],
      );
    });
    const info = rows[0];
    if (!info) return { tasks: [], limited: false, allowed: 0 };
    return {
      tasks: leasedTasks(rows, awaitingStart),
      limited: info.conc > 0 || info.rate > 0,
      allowed: info.allowed,
      ...(info.window_ends_in_ms !== null ? { windowEndsInMs: Math.ceil(Number(info.window_ends_in_ms)) } : {}),
    };
  }

  /**
   * Milliseconds until the next row of the queue becomes pollable, or null when none is waiting; rows of
   * `exceptDefs` (definitions whose limits hold them back: a freed slot or a new window wakes those) aside,
   * and with `onlyDef`, rows of other definitions too (what a lease naming that definition never takes).
   */
  async msUntilNextReady(queueName: string, exceptDefs: readonly string[] = [], onlyDef?: string): Promise<number | null> {
    const [row]: Array<{ ms: string | null }> = await this.dataSource.query(
      `SELECT EXTRACT(EPOCH FROM (min(visible_at) - now())) * 1000 AS ms FROM task_queue
       WHERE queue_name = $1 AND leased_until IS NULL AND task_def_name <> ALL($2::text[]) AND ($3::text IS NULL OR task_def_name = $3)`,
      [queueName, exceptDefs, onlyDef ?? null],
    );
    return row?.ms === null || row?.ms === undefined ? null : Math.max(0, Math.ceil(Number(row.ms)));
  }

  /**
   * The queues whose names start with `prefix` that hold rows waiting to be leased, each with the
   * milliseconds until its next row is ready (0: now). A look for a process that leases such queues and
   * has not been told (it started, or its notification connection came back).
   */
  async waitingQueues(prefix: string): Promise<Map<string, number>> {
    const rows: Array<{ queue_name: string; ms: string }> = await this.dataSource.query(
      `SELECT queue_name, EXTRACT(EPOCH FROM (min(visible_at) - now())) * 1000 AS ms FROM task_queue
       WHERE starts_with(queue_name, $1) AND leased_until IS NULL GROUP BY queue_name`,
      [prefix],
    );
    return new Map(rows.map((r) => [r.queue_name, Math.max(0, Math.ceil(Number(r.ms)))]));
  }

  /**
   * Per queue (all of them, or those named): how many tasks wait in it (not leased: ready, or waiting out a
   * delay) and how many are leased (IN_PROGRESS with a worker). Queues without rows are absent.
   */
  async sizes(queueNames?: readonly string[]): Promise<Map<string, { waiting: number; leased: number }>> {
    const rows: Array<{ queue_name: string; waiting: number; leased: number }> = await this.dataSource.query(
      `SELECT queue_name, count(*) FILTER (WHERE leased_until IS NULL)::int AS waiting, count(*) FILTER (WHERE leased_until IS NOT NULL)::int AS leased
       FROM task_queue WHERE $1::varchar[] IS NULL OR queue_name = ANY($1::varchar[]) GROUP BY queue_name ORDER BY queue_name`,
      [queueNames ? [...queueNames] : null],
    );
    return new Map(rows.map((r) => [r.queue_name, { waiting: r.waiting, leased: r.leased }]));
  }

  /**
   * The leases held on these tasks (for reads that must show a lease before the executor folded it); a
   * hand-off no worker has begun is none: its task has not started.
   */
  async leasesOf(taskIds: readonly string[]): Promise<Map<string, Lease>> {
    if (!taskIds.length) return new Map();
    const rows: LeaseRow[] = await this.dataSource.query(
      `SELECT task_id, workflow_id, worker_id, leased_at, poll_count FROM task_queue WHERE task_id = ANY($1::uuid[]) AND leased_until IS NOT NULL AND NOT awaiting_start`,
      [taskIds],
    );
    return new Map(rows.map((r) => [r.task_id, toLease(r)]));
  }

  // ---- the reconciler's (the executor's side) -------------------------------------------------------

  /** Which of these tasks have no queue row (in the caller's transaction when given). */
  async withoutRows(taskIds: readonly string[], m: EntityManager = this.dataSource.manager): Promise<Set<string>> {
    if (!taskIds.length) return new Set();
    const rows: Array<{ task_id: string }> = await m.query(`SELECT task_id FROM task_queue WHERE task_id = ANY($1::uuid[])`, [taskIds]);
    const present = new Set(rows.map((r) => r.task_id));
    return new Set(taskIds.filter((id) => !present.has(id)));
  }

  /**
   * Removes queue rows older than `olderThanMs` whose task has ended or is gone (a bug's or a hand's
   * leftovers: the executor removes a task's row in the transaction that ends it), so no poller is handed
   * a dead task. A task never returns from an ended status, so the check and the delete cannot race a
   * decision that queues it again.
   */
  async removeOrphans(olderThanMs: number, limit = 500): Promise<number> {
    // A removed lease that held a limited slot frees it: its queue is notified, as the executor's batch does.
    const [row]: Array<{ n: number }> = await this.dataSource.query(
      `WITH gone AS (
         DELETE FROM task_queue q WHERE q.task_id IN (
           SELECT o.task_id FROM task_queue o LEFT JOIN task t ON t.task_id = o.task_id
           WHERE o.created_at < now() - $1 * interval '1 millisecond'
             AND (t.task_id IS NULL OR (t.status NOT IN ('SCHEDULED', 'IN_PROGRESS')
               -- an ended task in a phase of its own (a completed task being rolled back) still needs its row
               AND coalesce(t.data ->> 'phaseStatus', '') NOT IN ('rollback.begin', 'delete.begin', 'cancel.begin')))
           LIMIT $2 FOR UPDATE OF o SKIP LOCKED)
         RETURNING q.queue_name, q.limited AND q.leased_until IS NOT NULL AS freed),
       freed AS (
         SELECT pg_notify('${NotificationChannel.TaskQueue}', count(*) || ':' || queue_name) FROM gone WHERE freed GROUP BY queue_name)
       SELECT (SELECT count(*)::int FROM gone) AS n, (SELECT count(*) FROM freed) AS notified`,
      [olderThanMs, limit],
    );
    return row?.n ?? 0;
  }
}

/**
 * A task as a reader must see it while a lease is not folded into the run yet: IN_PROGRESS, with the
 * worker, the start time and the poll count of the lease. A task the executor already moved on is left
 * as it is.
 */
export function withLease(task: Task, lease: Lease | undefined): Task {
  if (!lease || task.status !== TaskStatus.Scheduled) return task;
  return {
    ...task,
    status: TaskStatus.InProgress,
    workerId: lease.workerId ?? task.workerId,
    startTime: task.startTime || lease.leasedAt,
    pollCount: Math.max(task.pollCount, lease.pollCount),
    queueWaitTime: Math.max(0, lease.leasedAt - task.scheduledTime),
    updateTime: Math.max(task.updateTime, lease.leasedAt),
  };
}

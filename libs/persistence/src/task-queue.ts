import { Injectable } from '@nestjs/common';
import { NotificationChannel, Task, TaskStatus } from '@app/contracts';
import { DataSource, EntityManager } from 'typeorm';

/** A worker task to make pollable (or pollable again). */
export interface QueuedTask {
  readonly taskId: string;
  readonly queueName: string;
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

type LeaseRow = { task_id: string; workflow_id: string; worker_id: string | null; leased_at: Date; poll_count: number };
const toLease = (r: LeaseRow): Lease => ({
  taskId: r.task_id,
  workflowId: r.workflow_id,
  ...(r.worker_id ? { workerId: r.worker_id } : {}),
  leasedAt: r.leased_at.getTime(),
  pollCount: r.poll_count,
});

/**
 * The worker-task queue: one component, two sides. The executor pushes and removes rows in the
 * transaction that decides them (and extends or expires leases); pollers lease ready rows, one statement
 * per batch, which makes the tasks IN_PROGRESS at once — reads overlay the lease until the executor has
 * folded it into the run. A lease lasts the task's responseTimeoutSeconds; an expired one is a response
 * timeout for the executor that owns the row's shard, never handed to another poller directly.
 */
@Injectable()
export class TaskQueue {
  constructor(private readonly dataSource: DataSource) {}

  // ---- the executor's side ---------------------------------------------------------------------------

  /**
   * The queue's part of the executor's one-statement batch write: common table expressions over the
   * parameters named (`remove`: a uuid[] of task ids; `push`: QueuedTask rows as JSON; `extend`:
   * {taskId, leaseMs} as JSON, with `extendIds` their uuid[]; `now`: epoch ms), and `q_notify`, which the statement must select from (one NOTIFY per queue with the count pushed,
   * delivered at commit). Applied in one statement, the three sets must not share a task.
   */
  batchCtes(p: { readonly remove: string; readonly push: string; readonly extend: string; readonly extendIds: string; readonly now: string }): string {
    // Rows are named by '= ANY(ids)' so the planner reads them by primary key (see the executor's batch writer).
    return `q_remove AS (
        DELETE FROM task_queue WHERE task_id = ANY(${p.remove}::uuid[])),
      q_push AS (
        INSERT INTO task_queue (task_id, queue_name, workflow_id, shard, priority, visible_at, lease_ms, poll_count, leased_until, created_at)
        SELECT t."taskId", t."queueName", t."workflowId", t.shard, t.priority, to_timestamp(t."visibleAt" / 1000.0), least(t."leaseMs", 2147483647)::int,
               t."pollCount", NULL, to_timestamp(${p.now}::float8 / 1000.0)
        FROM jsonb_to_recordset(${p.push}::jsonb) AS t("taskId" uuid, "queueName" varchar, "workflowId" uuid, shard int, priority int, "visibleAt" float8, "leaseMs" float8, "pollCount" int)
        ON CONFLICT (task_id) DO UPDATE SET queue_name = EXCLUDED.queue_name, priority = EXCLUDED.priority, visible_at = EXCLUDED.visible_at,
          lease_ms = EXCLUDED.lease_ms, poll_count = EXCLUDED.poll_count, leased_until = NULL, worker_id = NULL, leased_at = NULL
        RETURNING queue_name),
      q_extend AS (
        UPDATE task_queue q SET leased_until = now() + least(e."leaseMs", 2147483647) * interval '1 millisecond'
        FROM jsonb_to_recordset(${p.extend}::jsonb) AS e("taskId" uuid, "leaseMs" float8)
        WHERE q.task_id = ANY(${p.extendIds}::uuid[]) AND q.task_id = e."taskId" AND q.leased_until IS NOT NULL),
      q_notify AS (
        SELECT pg_notify('${NotificationChannel.TaskQueue}', count(*) || ':' || queue_name) FROM q_push GROUP BY queue_name)`;
  }

  async push(m: EntityManager, tasks: readonly QueuedTask[], now: number): Promise<void> {
    if (!tasks.length) return;
    await m.query(
      `INSERT INTO task_queue (task_id, queue_name, workflow_id, shard, priority, visible_at, lease_ms, poll_count, leased_until, created_at)
       SELECT t.task_id, t.queue_name, t.workflow_id, t.shard, t.priority, to_timestamp(t.visible_at / 1000.0), t.lease_ms, t.poll_count, NULL, to_timestamp($9::float8 / 1000.0)
       FROM unnest($1::uuid[], $2::varchar[], $3::uuid[], $4::int[], $5::int[], $6::float8[], $7::int[], $8::int[])
         AS t(task_id, queue_name, workflow_id, shard, priority, visible_at, lease_ms, poll_count)
       ON CONFLICT (task_id) DO UPDATE SET queue_name = EXCLUDED.queue_name, priority = EXCLUDED.priority, visible_at = EXCLUDED.visible_at,
         lease_ms = EXCLUDED.lease_ms, poll_count = EXCLUDED.poll_count, leased_until = NULL, worker_id = NULL, leased_at = NULL`,
      [
        tasks.map((t) => t.taskId),
        tasks.map((t) => t.queueName),
        tasks.map((t) => t.workflowId),
        tasks.map((t) => t.shard),
        tasks.map((t) => t.priority),
        tasks.map((t) => t.visibleAt),
        tasks.map((t) => Math.min(t.leaseMs, 2_147_483_647)),
        tasks.map((t) => t.pollCount),
        now,
      ],
    );
    // Delivered at commit, so a woken poller always finds the row; one waiter is woken per task.
    const counts = new Map<string, number>();
    for (const t of tasks) counts.set(t.queueName, (counts.get(t.queueName) ?? 0) + 1);
    await m.query('SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p', [NotificationChannel.TaskQueue, [...counts].map(([q, n]) => `${n}:${q}`)]);
  }

  async remove(m: EntityManager, taskIds: readonly string[]): Promise<void> {
    if (taskIds.length) await m.query('DELETE FROM task_queue WHERE task_id = ANY($1::uuid[])', [taskIds]);
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

  /** The task's current lease, if a poller holds it. */
  async leaseOf(m: EntityManager, taskId: string): Promise<Lease | null> {
    const rows: LeaseRow[] = await m.query(
      `SELECT task_id, workflow_id, worker_id, leased_at, poll_count FROM task_queue WHERE task_id = $1 AND leased_until IS NOT NULL`,
      [taskId],
    );
    return rows[0] ? toLease(rows[0]) : null;
  }

  // ---- the pollers' side -----------------------------------------------------------------------------

  /**
   * Leases up to `count` ready tasks of a queue, highest priority first, then oldest — one statement that
   * picks (SKIP LOCKED: concurrent pollers take different rows instead of waiting on each other), marks
   * the lease (worker, time, expiry, poll count) and returns each task as its executor last wrote it.
   */
  async lease(queueName: string, count: number, workerId: string | undefined): Promise<LeasedTask[]> {
    const rows: Array<LeaseRow & { data: Task }> = await this.dataSource.query(
      `WITH picked AS (
         SELECT task_id FROM task_queue
         WHERE queue_name = $1 AND visible_at <= now() AND leased_until IS NULL
         ORDER BY priority DESC, visible_at, created_at
         LIMIT $2
         FOR UPDATE SKIP LOCKED),
       leased AS (
         UPDATE task_queue q SET leased_until = now() + q.lease_ms * interval '1 millisecond', leased_at = now(), worker_id = $3,
           poll_count = q.poll_count + 1
         FROM picked WHERE q.task_id = picked.task_id
         RETURNING q.task_id, q.workflow_id, q.worker_id, q.leased_at, q.poll_count, q.priority, q.visible_at, q.created_at)
       SELECT l.task_id, l.workflow_id, l.worker_id, l.leased_at, l.poll_count, t.data
       FROM leased l JOIN task t ON t.task_id = l.task_id
       ORDER BY l.priority DESC, l.visible_at, l.created_at`,
      [queueName, count, workerId ?? null],
    );
    return rows.map((r) => ({ ...toLease(r), task: withLease(r.data, toLease(r)) }));
  }

  /** Milliseconds until the next row of the queue becomes pollable, or null when none is waiting. */
  async msUntilNextReady(queueName: string): Promise<number | null> {
    const [row]: Array<{ ms: string | null }> = await this.dataSource.query(
      `SELECT EXTRACT(EPOCH FROM (min(visible_at) - now())) * 1000 AS ms FROM task_queue WHERE queue_name = $1 AND leased_until IS NULL`,
      [queueName],
    );
    return row?.ms === null || row?.ms === undefined ? null : Math.max(0, Math.ceil(Number(row.ms)));
  }

  /** The leases held on these tasks (for reads that must show a lease before the executor folded it). */
  async leasesOf(taskIds: readonly string[]): Promise<Map<string, Lease>> {
    if (!taskIds.length) return new Map();
    const rows: LeaseRow[] = await this.dataSource.query(
      `SELECT task_id, workflow_id, worker_id, leased_at, poll_count FROM task_queue WHERE task_id = ANY($1::uuid[]) AND leased_until IS NOT NULL`,
      [taskIds],
    );
    return new Map(rows.map((r) => [r.task_id, toLease(r)]));
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

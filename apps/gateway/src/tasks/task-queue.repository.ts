import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface LeasedTask {
  readonly taskId: string;
  readonly workflowId: string;
}

/** The pollers' side of the worker queue: lease ready rows without blocking other pollers. */
@Injectable()
export class TaskQueueRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Leases up to `count` ready tasks of a queue for `leaseMs`, highest priority first, then oldest.
   * SKIP LOCKED lets concurrent pollers take different rows instead of waiting on each other.
   */
  async lease(queueName: string, count: number, leaseMs: number): Promise<LeasedTask[]> {
    // The UPDATE's RETURNING has no order of its own: order the leased rows as they were picked.
    const rows: Array<{ task_id: string; workflow_id: string }> = await this.dataSource.query(
      `WITH picked AS (
         SELECT task_id FROM task_queue
         WHERE queue_name = $1 AND visible_at <= now() AND (leased_until IS NULL OR leased_until <= now())
         ORDER BY priority DESC, visible_at, created_at
         LIMIT $2
         FOR UPDATE SKIP LOCKED),
       leased AS (
         UPDATE task_queue q SET leased_until = now() + ($3 || ' milliseconds')::interval
         FROM picked WHERE q.task_id = picked.task_id
         RETURNING q.task_id, q.workflow_id, q.priority, q.visible_at, q.created_at)
       SELECT task_id, workflow_id FROM leased ORDER BY priority DESC, visible_at, created_at`,
      [queueName, count, String(leaseMs)],
    );
    return rows.map((r) => ({ taskId: r.task_id, workflowId: r.workflow_id }));
  }

  /** Milliseconds until the next row of the queue becomes pollable, or null when none is waiting. */
  async msUntilNextReady(queueName: string): Promise<number | null> {
    const [row]: Array<{ ms: string | null }> = await this.dataSource.query(
      `SELECT EXTRACT(EPOCH FROM (min(greatest(visible_at, coalesce(leased_until, visible_at))) - now())) * 1000 AS ms
       FROM task_queue WHERE queue_name = $1`,
      [queueName],
    );
    return row?.ms === null || row?.ms === undefined ? null : Math.max(0, Math.ceil(Number(row.ms)));
  }

  /** Gives leased rows back at once (the claim was not processed), instead of waiting for the lease to end. */
  async release(taskIds: readonly string[]): Promise<void> {
    if (taskIds.length) await this.dataSource.query('UPDATE task_queue SET leased_until = NULL WHERE task_id = ANY($1::uuid[])', [taskIds]);
  }
}

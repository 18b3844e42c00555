import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { isTimerKind, TimerKind } from '../decider/timers';

export interface TimerToSet {
  readonly timerId: string;
  readonly workflowId: string;
  readonly shard: number;
  readonly kind: TimerKind;
  readonly taskId?: string;
  readonly dueAt: number;
}

export interface DueTimer {
  readonly timerId: string;
  readonly workflowId: string;
  readonly kind: TimerKind;
  readonly taskId?: string;
  readonly dueAt: number;
}

/** Durable timers: set and cancelled in the decision's transaction; claimed (deleted) by the firing one. */
@Injectable()
export class TimerRepository {
  constructor(private readonly dataSource: DataSource) {}

  async set(m: EntityManager, timers: readonly TimerToSet[]): Promise<void> {
    if (!timers.length) return;
    await m.query(
      `INSERT INTO timer (timer_id, workflow_id, shard, kind, task_id, due_at)
       SELECT t.timer_id, t.workflow_id, t.shard, t.kind, t.task_id, to_timestamp(t.due_at / 1000.0)
       FROM unnest($1::varchar[], $2::uuid[], $3::int[], $4::varchar[], $5::uuid[], $6::float8[]) AS t(timer_id, workflow_id, shard, kind, task_id, due_at)
       ON CONFLICT (timer_id) DO UPDATE SET due_at = EXCLUDED.due_at, shard = EXCLUDED.shard`,
      [
        timers.map((t) => t.timerId),
        timers.map((t) => t.workflowId),
        timers.map((t) => t.shard),
        timers.map((t) => t.kind),
        timers.map((t) => t.taskId ?? null),
        timers.map((t) => t.dueAt),
      ],
    );
  }

  async cancel(m: EntityManager, timerIds: readonly string[]): Promise<void> {
    if (timerIds.length) await m.query('DELETE FROM timer WHERE timer_id = ANY($1::varchar[])', [timerIds]);
  }

  async cancelAllOf(m: EntityManager, workflowId: string): Promise<void> {
    await m.query('DELETE FROM timer WHERE workflow_id = $1', [workflowId]);
  }

  /** Timers on these shards due by `until` (epoch ms), soonest first. */
  async dueBy(shards: readonly number[], until: number, limit: number): Promise<DueTimer[]> {
    if (!shards.length) return [];
    const rows: Array<{ timer_id: string; workflow_id: string; kind: string; task_id: string | null; due_at: Date }> = await this.dataSource.query(
      `SELECT timer_id, workflow_id, kind, task_id, due_at FROM timer
       WHERE shard = ANY($1::int[]) AND due_at <= to_timestamp($2::float8 / 1000.0) ORDER BY due_at LIMIT $3`,
      [shards, until, limit],
    );
    return rows
      .filter((r) => isTimerKind(r.kind))
      .map((r) => ({ timerId: r.timer_id, workflowId: r.workflow_id, kind: r.kind as TimerKind, ...(r.task_id ? { taskId: r.task_id } : {}), dueAt: r.due_at.getTime() }));
  }

  /**
   * Takes a timer that was found due at `dueAt` for the caller's transaction: false when another firing or
   * a cancel took it first, or a decision moved it later meanwhile.
   */
  async claim(m: EntityManager, timer: Pick<DueTimer, 'timerId' | 'dueAt'>): Promise<boolean> {
    const rows: unknown[] = await m.query('DELETE FROM timer WHERE timer_id = $1 AND due_at <= to_timestamp(($2::float8 + 1) / 1000.0) RETURNING 1', [timer.timerId, timer.dueAt]);
    return rows.length > 0;
  }
}

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

/** Durable timers: set and cancelled by the batch writer with the decisions; claimed (deleted) by the firing transaction. */
@Injectable()
export class TimerRepository {
  constructor(private readonly dataSource: DataSource) {}

  async cancel(m: EntityManager, timerIds: readonly string[]): Promise<void> {
    if (timerIds.length) await m.query('DELETE FROM timer WHERE timer_id = ANY($1::varchar[])', [timerIds]);
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

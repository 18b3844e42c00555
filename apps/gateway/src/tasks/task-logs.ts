import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Conductor's `TaskExecLog`. */
export interface TaskExecLog {
  readonly log: string;
  readonly taskId: string;
  readonly createdTime: number;
}

/** The longest log line kept (Conductor keeps what it is given; an unbounded line is a worker's bug). */
const MAX_LOG_CHARS = 32 * 1024;

/**
 * Workers' logs against a task (`POST /api/tasks/{taskId}/log`, a TaskResult's `logs`): appended in the
 * order they arrive, served back in that order. The gateway's own table: logs change no execution state.
 */
@Injectable()
export class TaskLogs {
  constructor(private readonly dataSource: DataSource) {}

  async append(taskId: string, logs: ReadonlyArray<{ readonly log: string; readonly createdTime?: number }>, now: number): Promise<void> {
    if (!logs.length) return;
    await this.dataSource.query(
      `INSERT INTO task_log (task_id, log, created_time)
       SELECT $1, l.log, to_timestamp(l.created / 1000.0) FROM unnest($2::text[], $3::float8[]) WITH ORDINALITY AS l(log, created, n) ORDER BY l.n`,
      [taskId, logs.map((l) => l.log.slice(0, MAX_LOG_CHARS)), logs.map((l) => l.createdTime ?? now)],
    );
  }

  async of(taskId: string): Promise<TaskExecLog[]> {
    const rows: Array<{ log: string; created_time: Date }> = await this.dataSource.query('SELECT log, created_time FROM task_log WHERE task_id = $1 ORDER BY id', [taskId]);
    return rows.map((r) => ({ log: r.log, taskId, createdTime: r.created_time.getTime() }));
  }
}

/** A TaskResult's `logs` as Conductor's clients send them: TaskExecLog objects (or plain strings). */
export function logsOfResult(logs: readonly unknown[] | undefined): Array<{ log: string; createdTime?: number }> {
  return (logs ?? []).flatMap((l) => {
    if (typeof l === 'string') return [{ log: l }];
    if (l && typeof l === 'object' && typeof (l as { log?: unknown }).log === 'string') {
      const created = (l as { createdTime?: unknown }).createdTime;
      return [{ log: (l as { log: string }).log, ...(typeof created === 'number' && Number.isFinite(created) ? { createdTime: created } : {}) }];
    }
    return [];
  });
}

import { Injectable } from '@nestjs/common';
import { TASK_QUEUE_CHANNEL } from '@app/persistence';
import { EntityManager } from 'typeorm';

export interface QueuedTask {
  readonly taskId: string;
  readonly queueName: string;
  readonly workflowId: string;
  readonly priority: number;
  readonly visibleAt: number;
}

/** The executor's side of the worker queue: tasks go in and come out in the run's own transaction. */
@Injectable()
export class TaskQueueWriter {
  async push(m: EntityManager, tasks: readonly QueuedTask[], now: number): Promise<void> {
    if (!tasks.length) return;
    const values: unknown[] = [];
    const rows = tasks.map((t, i) => {
      values.push(t.taskId, t.queueName, t.workflowId, t.priority, t.visibleAt, now);
      const p = i * 6;
      return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, to_timestamp($${p + 5} / 1000.0), NULL, to_timestamp($${p + 6} / 1000.0))`;
    });
    await m.query(
      `INSERT INTO task_queue (task_id, queue_name, workflow_id, priority, visible_at, leased_until, created_at)
       VALUES ${rows.join(', ')}
       ON CONFLICT (task_id) DO UPDATE SET queue_name = EXCLUDED.queue_name, priority = EXCLUDED.priority,
         visible_at = EXCLUDED.visible_at, leased_until = NULL`,
      values,
    );
    // Delivered at commit, so a woken poller always finds the row.
    for (const queueName of new Set(tasks.map((t) => t.queueName))) {
      await m.query('SELECT pg_notify($1, $2)', [TASK_QUEUE_CHANNEL, queueName]);
    }
  }

  async remove(m: EntityManager, taskIds: readonly string[]): Promise<void> {
    if (taskIds.length) await m.query('DELETE FROM task_queue WHERE task_id = ANY($1::uuid[])', [taskIds]);
  }
}

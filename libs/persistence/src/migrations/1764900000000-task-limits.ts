import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * TaskDef `concurrentExecLimit` and `rateLimitPerFrequency` / `rateLimitFrequencyInSeconds`, enforced
 * where tasks are handed out: the worker queue.
 *
 * - `task_queue.task_def_name`: the task definition a row runs, the key its limits are counted by (a
 *   worker task's type; an HTTP or KAFKA_PUBLISH task's own name), across every queue that holds it. Rows
 *   queued by an older version take it from their task row, else from their queue (a worker task's type).
 * - `task_queue.limited`: the row's lease was handed out under its definition's limits, so it counts
 *   against them while held and its end frees a slot (the executor then notifies the queue). Only such
 *   leases are in the partial index that counts them: leases of unlimited definitions cost it nothing.
 * - `task_limit_state`: one row per limited definition, locked by the poll that leases under its limits
 *   (so concurrent pollers take turns) and holding its rate window: when it began, how many it handed out.
 */
export class TaskLimits1764900000000 implements MigrationInterface {
  name = 'TaskLimits1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE task_queue ADD COLUMN task_def_name varchar(255), ADD COLUMN limited boolean NOT NULL DEFAULT false`);
    await q.query(`UPDATE task_queue q SET task_def_name = coalesce((SELECT t.data ->> 'taskDefName' FROM task t WHERE t.task_id = q.task_id), q.queue_name)`);
    await q.query(`ALTER TABLE task_queue ALTER COLUMN task_def_name SET NOT NULL`);
    await q.query(`CREATE INDEX idx_task_queue_limited_leases ON task_queue (task_def_name) WHERE limited AND leased_until IS NOT NULL`);
    await q.query(`
      CREATE TABLE task_limit_state (
        task_def_name varchar(255) PRIMARY KEY,
        window_start  timestamptz,
        window_count  integer      NOT NULL DEFAULT 0
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS task_limit_state`);
    await q.query(`DROP INDEX IF EXISTS idx_task_queue_limited_leases`);
    await q.query(`ALTER TABLE task_queue DROP COLUMN task_def_name, DROP COLUMN limited`);
  }
}

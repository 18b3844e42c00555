import { MigrationInterface, QueryRunner } from 'typeorm';

/** What workers log against a task (`POST /api/tasks/{taskId}/log`, a TaskResult's `logs`), in the order it came. */
export class TaskLogs1765200000000 implements MigrationInterface {
  name = 'TaskLogs1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE task_log (id bigserial PRIMARY KEY, task_id uuid NOT NULL, log text NOT NULL, created_time timestamptz NOT NULL)`);
    await q.query(`CREATE INDEX idx_task_log_task ON task_log (task_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE task_log`);
  }
}

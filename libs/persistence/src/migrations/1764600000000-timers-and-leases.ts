import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Execution core I: durable timers, and the worker queue's rows as leases.
 *
 * - `timer`: one row per pending timer (WAIT, task and workflow timeouts, poll timeouts), written by the
 *   executor in the transaction that decides it and fired by the executor that owns its shard (the Kafka
 *   partition or in-process lane of its workflow id).
 * - `task_queue` gains the lease: who holds it, since when, how long a lease lasts for this task (its
 *   responseTimeoutSeconds) and how many times it was handed out. An expired lease is a response timeout,
 *   acted on by the shard's owner; rows carry their workflow's shard for that sweep.
 */
export class TimersAndLeases1764600000000 implements MigrationInterface {
  name = 'TimersAndLeases1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE timer (
        timer_id    varchar(128) PRIMARY KEY,
        workflow_id uuid         NOT NULL,
        shard       integer      NOT NULL,
        kind        varchar(32)  NOT NULL,
        task_id     uuid,
        due_at      timestamptz  NOT NULL
      )`);
    await q.query(`CREATE INDEX idx_timer_shard_due ON timer (shard, due_at)`);
    await q.query(`CREATE INDEX idx_timer_workflow ON timer (workflow_id)`);
    // Rows queued by an older version: shard 0 until they are pushed again (any owner may act on them
    // safely: decisions are guarded by the workflow's version).
    await q.query(`
      ALTER TABLE task_queue
        ADD COLUMN shard      integer     NOT NULL DEFAULT 0,
        ADD COLUMN lease_ms   integer     NOT NULL DEFAULT 3600000,
        ADD COLUMN worker_id  varchar(255),
        ADD COLUMN leased_at  timestamptz,
        ADD COLUMN poll_count integer     NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE task_queue ALTER COLUMN shard DROP DEFAULT`);
    await q.query(`CREATE INDEX idx_task_queue_lease ON task_queue (shard, leased_until) WHERE leased_until IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS idx_task_queue_lease`);
    await q.query(`ALTER TABLE task_queue DROP COLUMN shard, DROP COLUMN lease_ms, DROP COLUMN worker_id, DROP COLUMN leased_at, DROP COLUMN poll_count`);
    await q.query(`DROP TABLE IF EXISTS timer`);
  }
}

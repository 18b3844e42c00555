import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Native Kafka workers (TaskDef `deliveryMode: KAFKA`). The executor's dispatcher leases the rows of a
 * KAFKA-delivered definition's queue and produces the tasks for workers; `task_queue.awaiting_start` marks
 * such a lease as a hand-off no worker has begun yet: it times out like any lease, but reads do not show
 * its task IN_PROGRESS and a poll timeout still counts, until a worker's `start.begin` takes it over.
 * (A constant default: PostgreSQL adds the column without rewriting the table.)
 */
export class KafkaDelivery1765400000000 implements MigrationInterface {
  name = 'KafkaDelivery1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE task_queue ADD COLUMN awaiting_start boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE task_queue DROP COLUMN awaiting_start`);
  }
}

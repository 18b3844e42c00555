import { MigrationInterface, QueryRunner } from 'typeorm';

/** When each worker last polled each queue (Conductor's PollData): what the task-queue views show. */
export class PollData1765300000000 implements MigrationInterface {
  name = 'PollData1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE poll_data (queue_name varchar(512) NOT NULL, domain varchar(255) NOT NULL DEFAULT '', worker_id varchar(255) NOT NULL, last_poll_time timestamptz NOT NULL,
         PRIMARY KEY (queue_name, domain, worker_id))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE poll_data`);
  }
}

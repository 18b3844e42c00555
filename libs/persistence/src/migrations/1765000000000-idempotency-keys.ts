import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Starts under an idempotency key: the key a workflow was started under, findable per workflow name (a
 * partial index: workflows started without a key cost it nothing), and the id of the command that started
 * it, so a start delivered twice is told apart from a second start.
 */
export class IdempotencyKeys1765000000000 implements MigrationInterface {
  name = 'IdempotencyKeys1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE workflow ADD COLUMN idempotency_key varchar(255), ADD COLUMN start_command_id uuid`);
    await q.query(`CREATE INDEX idx_workflow_idempotency_key ON workflow (workflow_name, idempotency_key) WHERE idempotency_key IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX idx_workflow_idempotency_key`);
    await q.query(`ALTER TABLE workflow DROP COLUMN idempotency_key, DROP COLUMN start_command_id`);
  }
}

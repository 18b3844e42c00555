import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The definition a run pins moves out of the workflow row's `data` into a column of its own, written once
 * at insert: saving a run no longer rewrites it, and events no longer carry it. Rows written before keep it
 * inside `data` and are read either way.
 */
export class WorkflowDefinitionColumn1764700000000 implements MigrationInterface {
  name = 'WorkflowDefinitionColumn1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE workflow ADD COLUMN definition jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE workflow SET data = data || jsonb_build_object('workflowDefinition', definition) WHERE definition IS NOT NULL`);
    await q.query(`ALTER TABLE workflow DROP COLUMN definition`);
  }
}

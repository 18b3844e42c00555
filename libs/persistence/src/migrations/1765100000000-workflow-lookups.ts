import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the workflow API looks workflows up by, besides their id: a name and version (the running ones,
 * `/api/workflow/running/{name}`) and a name and correlation id (`…/correlated/…`). The first is not
 * partial on the status on purpose: a workflow's status changes as it ends, and an index on it would make
 * that update leave the heap-only (HOT) path, on every workflow; the second is partial on having a
 * correlation id, which never changes.
 */
export class WorkflowLookups1765100000000 implements MigrationInterface {
  name = 'WorkflowLookups1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX idx_workflow_name_version ON workflow (workflow_name, workflow_version, create_time)`);
    await q.query(`CREATE INDEX idx_workflow_correlation ON workflow (workflow_name, correlation_id) WHERE correlation_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX idx_workflow_correlation`);
    await q.query(`DROP INDEX idx_workflow_name_version`);
  }
}

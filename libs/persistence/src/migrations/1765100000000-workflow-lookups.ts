import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the workflow API looks workflows up by, besides their id: the running ones of a name and version
 * (`/api/workflow/running/{name}`), and those of a name and correlation id (`…/correlated/…`). Both partial,
 * so a workflow costs them an entry only while it runs, or only when it has a correlation id.
 */
export class WorkflowLookups1765100000000 implements MigrationInterface {
  name = 'WorkflowLookups1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX idx_workflow_running ON workflow (workflow_name, workflow_version, create_time) WHERE status = 'RUNNING'`);
    await q.query(`CREATE INDEX idx_workflow_correlation ON workflow (workflow_name, correlation_id) WHERE correlation_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX idx_workflow_correlation`);
    await q.query(`DROP INDEX idx_workflow_running`);
  }
}

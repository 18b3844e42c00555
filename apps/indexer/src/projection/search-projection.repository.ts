import { Injectable } from '@nestjs/common';
import type { TaskEvent, WorkflowEvent } from '@app/contracts';
import { DataSource, EntityManager } from 'typeorm';
import { SearchProjection } from './search-projection';

/**
 * The Postgres search backend: one document per workflow and per task, upserted in bulk and guarded by
 * version, so a late or redelivered event never overwrites a newer document (idempotent by design).
 */
@Injectable()
export class SearchProjectionRepository extends SearchProjection {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  /**
   * Writes the workflows and tasks of one batch in one statement (atomic on its own: no transaction
   * round trips), one statement shape whatever the batch size (arrays as JSON), so it is planned once.
   */
  async write(workflows: readonly WorkflowEvent[], tasks: readonly TaskEvent[], m: EntityManager = this.dataSource.manager): Promise<void> {
    // A removal that does not archive takes the workflow out of search; an archived one stays as it was.
    const removals = workflows.filter((e) => e.type === 'workflow.removed');
    const gone = removals.filter((e) => !e.archived).map((e) => e.workflowId);
    if (removals.length) workflows = workflows.filter((e) => e.type !== 'workflow.removed');
    await this.upsert(workflows, tasks, m);
    // Tasks a restart, a rerun or a loop's keepLastN dropped from their run leave search with it.
    const dropped = workflows.flatMap((e) => e.droppedTaskIds ?? []);
    if (dropped.length) await m.query(`DELETE FROM search_task WHERE task_id = ANY($1::uuid[])`, [dropped]);
    if (gone.length) {
      await m.query(
        `WITH t AS (DELETE FROM search_task WHERE workflow_id = ANY($1::uuid[])) DELETE FROM search_workflow WHERE workflow_id = ANY($1::uuid[])`,
        [gone],
      );
    }
  }

  private async upsert(workflows: readonly WorkflowEvent[], tasks: readonly TaskEvent[], m: EntityManager): Promise<void> {
    const wf = newestBy(workflows, (e) => e.workflowId);
    const ts = newestBy(tasks, (e) => e.taskId);
    if (!wf.length && !ts.length) return;
    await m.query(
      `WITH
       workflows AS (
         INSERT INTO search_workflow (workflow_id, version, workflow_type, status, correlation_id, start_time, update_time, doc)
         SELECT v.id, v.version, v.type, v.status, v."correlationId", to_timestamp(v."startTime" / 1000.0), to_timestamp(v."updateTime" / 1000.0), v.doc
         FROM jsonb_to_recordset($1::jsonb) AS v(id uuid, version int, type varchar, status varchar, "correlationId" varchar, "startTime" float8, "updateTime" float8, doc jsonb)
         ON CONFLICT (workflow_id) DO UPDATE SET version = EXCLUDED.version, status = EXCLUDED.status,
           correlation_id = EXCLUDED.correlation_id, update_time = EXCLUDED.update_time, doc = EXCLUDED.doc
         WHERE search_workflow.version < EXCLUDED.version),
       tasks AS (
         INSERT INTO search_task (task_id, version, workflow_id, task_type, status, update_time, doc)
         SELECT v.id, v.version, v."workflowId", v.type, v.status, to_timestamp(v."updateTime" / 1000.0), v.doc
         FROM jsonb_to_recordset($2::jsonb) AS v(id uuid, version int, "workflowId" uuid, type varchar, status varchar, "updateTime" float8, doc jsonb)
         ON CONFLICT (task_id) DO UPDATE SET version = EXCLUDED.version, status = EXCLUDED.status,
           update_time = EXCLUDED.update_time, doc = EXCLUDED.doc
         WHERE search_task.version < EXCLUDED.version)
       SELECT 1`,
      [
        JSON.stringify(
          wf.map((e) => ({
            id: e.workflowId,
            version: e.version,
            type: e.workflow.workflowName,
            status: e.status,
            correlationId: e.workflow.correlationId ?? null,
            startTime: e.workflow.startTime,
            updateTime: e.workflow.updateTime ?? e.workflow.startTime,
            doc: e.workflow,
          })),
        ),
        JSON.stringify(
          ts.map((e) => ({ id: e.taskId, version: e.version, workflowId: e.workflowId, type: e.task.taskType, status: e.status, updateTime: e.task.updateTime, doc: e.task })),
        ),
      ],
    );
  }
}

/** One event per id, the newest: a multi-row upsert may not touch a row twice. */
function newestBy<E extends { version: number }>(events: readonly E[], id: (e: E) => string): E[] {
  const newest = new Map<string, E>();
  for (const e of events) {
    const seen = newest.get(id(e));
    if (!seen || seen.version < e.version) newest.set(id(e), e);
  }
  return [...newest.values()];
}

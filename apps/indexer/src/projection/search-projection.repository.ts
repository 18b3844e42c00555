import { Injectable } from '@nestjs/common';
import type { TaskEvent, WorkflowEvent } from '@app/contracts';
import { DataSource, EntityManager } from 'typeorm';

/**
 * The Postgres search backend: one document per workflow and per task, upserted in bulk and guarded by
 * version, so a late or redelivered event never overwrites a newer document (idempotent by design).
 */
@Injectable()
export class SearchProjectionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Writes workflows and tasks of one batch in one transaction. */
  async write(workflows: readonly WorkflowEvent[], tasks: readonly TaskEvent[]): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await this.upsertWorkflows(workflows, m);
      await this.upsertTasks(tasks, m);
    });
  }

  async upsertWorkflows(events: readonly WorkflowEvent[], m: EntityManager = this.dataSource.manager): Promise<void> {
    const latest = newestBy(events, (e) => e.workflowId);
    if (!latest.length) return;
    // One statement shape whatever the batch size (unnest of arrays), so PostgreSQL plans it once.
    await m.query(
      `INSERT INTO search_workflow (workflow_id, version, workflow_type, status, correlation_id, start_time, update_time, doc)
       SELECT v.id, v.version, v.type, v.status, v.correlation_id, to_timestamp(v.start_time / 1000.0), to_timestamp(v.update_time / 1000.0), v.doc
       FROM unnest($1::uuid[], $2::int[], $3::varchar[], $4::varchar[], $5::varchar[], $6::float8[], $7::float8[], $8::jsonb[])
         AS v(id, version, type, status, correlation_id, start_time, update_time, doc)
       ON CONFLICT (workflow_id) DO UPDATE SET version = EXCLUDED.version, status = EXCLUDED.status,
         correlation_id = EXCLUDED.correlation_id, update_time = EXCLUDED.update_time, doc = EXCLUDED.doc
       WHERE search_workflow.version < EXCLUDED.version`,
      [
        latest.map((e) => e.workflowId),
        latest.map((e) => e.version),
        latest.map((e) => e.workflow.workflowName),
        latest.map((e) => e.status),
        latest.map((e) => e.workflow.correlationId ?? null),
        latest.map((e) => e.workflow.startTime),
        latest.map((e) => e.workflow.updateTime ?? e.workflow.startTime),
        latest.map((e) => e.workflow),
      ],
    );
  }

  async upsertTasks(events: readonly TaskEvent[], m: EntityManager = this.dataSource.manager): Promise<void> {
    const latest = newestBy(events, (e) => e.taskId);
    if (!latest.length) return;
    await m.query(
      `INSERT INTO search_task (task_id, version, workflow_id, task_type, status, update_time, doc)
       SELECT v.id, v.version, v.workflow_id, v.type, v.status, to_timestamp(v.update_time / 1000.0), v.doc
       FROM unnest($1::uuid[], $2::int[], $3::uuid[], $4::varchar[], $5::varchar[], $6::float8[], $7::jsonb[])
         AS v(id, version, workflow_id, type, status, update_time, doc)
       ON CONFLICT (task_id) DO UPDATE SET version = EXCLUDED.version, status = EXCLUDED.status,
         update_time = EXCLUDED.update_time, doc = EXCLUDED.doc
       WHERE search_task.version < EXCLUDED.version`,
      [
        latest.map((e) => e.taskId),
        latest.map((e) => e.version),
        latest.map((e) => e.workflowId),
        latest.map((e) => e.task.taskType),
        latest.map((e) => e.status),
        latest.map((e) => e.task.updateTime),
        latest.map((e) => e.task),
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

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
    const values: unknown[] = [];
    const rows = latest.map((e, i) => {
      const w = e.workflow;
      values.push(e.workflowId, e.version, w.workflowName, e.status, w.correlationId ?? null, w.startTime, w.updateTime ?? w.startTime, w);
      const p = i * 8;
      return `($${p + 1}::uuid, $${p + 2}::int, $${p + 3}, $${p + 4}, $${p + 5}, to_timestamp($${p + 6} / 1000.0), to_timestamp($${p + 7} / 1000.0), $${p + 8}::jsonb)`;
    });
    await m.query(
      `INSERT INTO search_workflow (workflow_id, version, workflow_type, status, correlation_id, start_time, update_time, doc)
       VALUES ${rows.join(', ')}
       ON CONFLICT (workflow_id) DO UPDATE SET version = EXCLUDED.version, status = EXCLUDED.status,
         correlation_id = EXCLUDED.correlation_id, update_time = EXCLUDED.update_time, doc = EXCLUDED.doc
       WHERE search_workflow.version < EXCLUDED.version`,
      values,
    );
  }

  async upsertTasks(events: readonly TaskEvent[], m: EntityManager = this.dataSource.manager): Promise<void> {
    const latest = newestBy(events, (e) => e.taskId);
    if (!latest.length) return;
    const values: unknown[] = [];
    const rows = latest.map((e, i) => {
      values.push(e.taskId, e.version, e.workflowId, e.task.taskType, e.status, e.task.updateTime, e.task);
      const p = i * 7;
      return `($${p + 1}::uuid, $${p + 2}::int, $${p + 3}::uuid, $${p + 4}, $${p + 5}, to_timestamp($${p + 6} / 1000.0), $${p + 7}::jsonb)`;
    });
    await m.query(
      `INSERT INTO search_task (task_id, version, workflow_id, task_type, status, update_time, doc)
       VALUES ${rows.join(', ')}
       ON CONFLICT (task_id) DO UPDATE SET version = EXCLUDED.version, status = EXCLUDED.status,
         update_time = EXCLUDED.update_time, doc = EXCLUDED.doc
       WHERE search_task.version < EXCLUDED.version`,
      values,
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

import { Injectable } from '@nestjs/common';
import { isUuid, Task, Workflow } from '@app/contracts';
import { TaskEntity, WorkflowEntity } from '@app/persistence';
import { EntityManager } from 'typeorm';
import type { WorkflowRun } from '../decider/workflow-run';

/** A run as loaded, with the versions needed to write it back safely. */
export interface LoadedRun {
  readonly run: WorkflowRun;
  readonly version: number;
  readonly taskVersions: ReadonlyMap<string, number>;
}

/** What a save wrote: the new versions, for the events that describe the change. */
export interface SavedRun {
  readonly version: number;
  readonly taskVersions: ReadonlyMap<string, number>;
}

/** Another writer saved the workflow since it was loaded (a rebalance): decide again on fresh state. */
export class StaleRunError extends Error {
  constructor(workflowId: string) {
    super(`workflow ${workflowId} was changed by another writer`);
    this.name = 'StaleRunError';
  }
}

/**
 * The workflow-run aggregate: a workflow row and its task rows, always written together in the caller's
 * transaction, guarded by the workflow row's version.
 */
@Injectable()
export class WorkflowRunRepository {
  async exists(m: EntityManager, workflowId: string): Promise<boolean> {
    const rows: unknown[] = await m.query('SELECT 1 FROM workflow WHERE workflow_id = $1', [workflowId]);
    return rows.length > 0;
  }

  async load(m: EntityManager, workflowId: string): Promise<LoadedRun | null> {
    if (!isUuid(workflowId)) return null;
    const wf = await m.findOne(WorkflowEntity, { where: { workflowId } });
    if (!wf) return null;
    const tasks = await m.find(TaskEntity, { where: { workflowId }, order: { seq: 'ASC' } });
    return {
      run: { workflow: wf.data as unknown as Omit<Workflow, 'tasks'>, tasks: tasks.map((t) => t.data as unknown as Task) },
      version: wf.version,
      taskVersions: new Map(tasks.map((t) => [t.taskId, t.version])),
    };
  }

  /** Inserts a new run; false when a run with this id already exists (a redelivered start). */
  async insert(m: EntityManager, run: WorkflowRun): Promise<SavedRun | null> {
    const w = run.workflow;
    const inserted: unknown[] = await m.query(
      `INSERT INTO workflow (workflow_id, workflow_name, workflow_version, status, correlation_id, priority, version, data, create_time, update_time, end_time)
       VALUES ($1, $2, $3, $4, $5, $6, 1, $7, to_timestamp($8 / 1000.0), to_timestamp($9 / 1000.0), $10)
       ON CONFLICT (workflow_id) DO NOTHING RETURNING 1`,
      [w.workflowId, w.workflowName, w.workflowVersion, w.status, w.correlationId ?? null, w.priority, w, w.createTime, w.updateTime ?? w.createTime, toTimestamp(w.endTime)],
    );
    if (!inserted.length) return null;
    const taskVersions = await this.upsertTasks(m, run.tasks, new Map());
    return { version: 1, taskVersions };
  }

  /** Writes what changed between `loaded` and `next`; throws StaleRunError if someone else wrote first. */
  async save(m: EntityManager, loaded: LoadedRun, next: WorkflowRun): Promise<SavedRun> {
    const w = next.workflow;
    const updated: [unknown[], number] = await m.query(
      `UPDATE workflow SET status = $3, data = $4, update_time = to_timestamp($5 / 1000.0), end_time = $6, version = version + 1
       WHERE workflow_id = $1 AND version = $2`,
      [w.workflowId, loaded.version, w.status, w, w.updateTime ?? w.createTime, toTimestamp(w.endTime)],
    );
    if (updated[1] !== 1) throw new StaleRunError(w.workflowId);
    const before = new Map(loaded.run.tasks.map((t) => [t.taskId, t]));
    const changed = next.tasks.filter((t) => before.get(t.taskId) !== t);
    const taskVersions = await this.upsertTasks(m, changed, loaded.taskVersions);
    return { version: loaded.version + 1, taskVersions: new Map([...loaded.taskVersions, ...taskVersions]) };
  }

  private async upsertTasks(m: EntityManager, tasks: readonly Task[], versions: ReadonlyMap<string, number>): Promise<Map<string, number>> {
    const written = new Map<string, number>();
    if (!tasks.length) return written;
    const values: unknown[] = [];
    const rows = tasks.map((t, i) => {
      const version = (versions.get(t.taskId) ?? 0) + 1;
      written.set(t.taskId, version);
      values.push(t.taskId, t.workflowInstanceId, t.seq, t.referenceTaskName, t.taskType, t.status, version, t, t.updateTime);
      const p = i * 9;
      return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6}, $${p + 7}, $${p + 8}, to_timestamp($${p + 9} / 1000.0))`;
    });
    await m.query(
      `INSERT INTO task (task_id, workflow_id, seq, reference_task_name, task_type, status, version, data, update_time)
       VALUES ${rows.join(', ')}
       ON CONFLICT (task_id) DO UPDATE SET status = EXCLUDED.status, version = EXCLUDED.version, data = EXCLUDED.data, update_time = EXCLUDED.update_time`,
      values,
    );
    return written;
  }
}

const toTimestamp = (ms: number | undefined): Date | null => (ms ? new Date(ms) : null);

import { Injectable } from '@nestjs/common';
import { isUuid, Task, Workflow, WorkflowDef } from '@app/contracts';
import { EntityManager } from 'typeorm';
import type { WorkflowRun } from '../decider/workflow-run';

/** A run as loaded (or as last written by this process), with the versions needed to write it back safely. */
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

/** A run to write: new (`before` null) or changed since `before` (the version it was loaded at). */
export interface RunWrite {
  readonly before: LoadedRun | null;
  readonly after: WorkflowRun;
  readonly saved: SavedRun;
}

/** Another writer saved these workflows since they were loaded (a rebalance): decide again on fresh state. */
export class StaleRunError extends Error {
  constructor(readonly workflowIds: readonly string[]) {
    super(`workflow ${workflowIds.join(', ')} was changed by another writer`);
    this.name = 'StaleRunError';
  }
}

type WorkflowRow = { workflow_id: string; version: number; data: Omit<Workflow, 'tasks' | 'workflowDefinition'> & { workflowDefinition?: WorkflowDef }; definition: WorkflowDef | null };
type TaskRow = { task_id: string; workflow_id: string; version: number; data: Task };

/**
 * The workflow-run aggregate: a workflow row and its task rows, always written together in the caller's
 * transaction, guarded by the workflow row's version. Every operation takes many runs at once — a batch of
 * decisions is loaded in two statements and written in a few multi-row statements, whatever its size. The
 * pinned definition is written once, at insert, in a column of its own: saves and events never carry it.
 */
@Injectable()
export class WorkflowRunRepository {
  /** The runs that exist among `workflowIds`, by id. */
  async loadMany(m: EntityManager, workflowIds: readonly string[]): Promise<Map<string, LoadedRun>> {
    const ids = workflowIds.filter(isUuid);
    const loaded = new Map<string, LoadedRun>();
    if (!ids.length) return loaded;
    const workflows: WorkflowRow[] = await m.query(
      'SELECT workflow_id, version, data, definition FROM workflow WHERE workflow_id = ANY($1::uuid[])',
      [ids],
    );
    if (!workflows.length) return loaded;
    const tasks: TaskRow[] = await m.query(
      'SELECT task_id, workflow_id, version, data FROM task WHERE workflow_id = ANY($1::uuid[]) ORDER BY workflow_id, seq',
      [workflows.map((w) => w.workflow_id)],
    );
    const tasksOf = new Map<string, TaskRow[]>();
    for (const t of tasks) tasksOf.set(t.workflow_id, [...(tasksOf.get(t.workflow_id) ?? []), t]);
    for (const w of workflows) {
      const rows = tasksOf.get(w.workflow_id) ?? [];
      // Rows written before the definition had its own column carry it inside `data`.
      const workflowDefinition = (w.definition ?? w.data.workflowDefinition) as WorkflowDef;
      loaded.set(w.workflow_id, {
        run: { workflow: { ...w.data, workflowDefinition }, tasks: rows.map((t) => t.data) },
        version: w.version,
        taskVersions: new Map(rows.map((t) => [t.task_id, t.version])),
      });
    }
    return loaded;
  }

  async load(m: EntityManager, workflowId: string): Promise<LoadedRun | null> {
    return (await this.loadMany(m, [workflowId])).get(workflowId) ?? null;
  }

  /**
   * Writes new runs and what changed in existing ones. Throws StaleRunError (naming every workflow) when
   * another writer got there first — a new run that already exists, or a changed one whose version moved —
   * so the caller rolls back and decides again on fresh state.
   */
  async writeMany(m: EntityManager, writes: readonly RunWrite[]): Promise<void> {
    const inserts = writes.filter((w) => !w.before);
    // Every changed run moves its workflow row's version, even when only its tasks changed: that is the check
    // that stops a writer who lost the workflow.
    const updates = writes.filter((w) => w.before);
    const stale: string[] = [];

    if (inserts.length) {
      const rows = inserts.map((w) => w.after.workflow);
      const inserted: Array<{ workflow_id: string }> = await m.query(
        `INSERT INTO workflow (workflow_id, workflow_name, workflow_version, status, correlation_id, priority, version, data, definition, create_time, update_time, end_time)
         SELECT v.id, v.name, v.wf_version, v.status, v.correlation_id, v.priority, v.version, v.data, v.definition,
                to_timestamp(v.create_time / 1000.0), to_timestamp(v.update_time / 1000.0), to_timestamp(v.end_time / 1000.0)
         FROM unnest($1::uuid[], $2::varchar[], $3::int[], $4::varchar[], $5::varchar[], $6::int[], $7::int[], $8::jsonb[], $9::jsonb[], $10::float8[], $11::float8[], $12::float8[])
           AS v(id, name, wf_version, status, correlation_id, priority, version, data, definition, create_time, update_time, end_time)
         ON CONFLICT (workflow_id) DO NOTHING RETURNING workflow_id`,
        [
          rows.map((w) => w.workflowId),
          rows.map((w) => w.workflowName),
          rows.map((w) => w.workflowVersion),
          rows.map((w) => w.status),
          rows.map((w) => w.correlationId ?? null),
          rows.map((w) => w.priority),
          inserts.map((w) => w.saved.version),
          rows.map(withoutDefinition),
          rows.map((w) => w.workflowDefinition),
          rows.map((w) => w.createTime),
          rows.map((w) => w.updateTime ?? w.createTime),
          rows.map((w) => w.endTime ?? null),
        ],
      );
      const done = new Set(inserted.map((r) => r.workflow_id));
      stale.push(...rows.map((w) => w.workflowId).filter((id) => !done.has(id)));
    }

    if (updates.length) {
      const rows = updates.map((w) => w.after.workflow);
      // TypeORM answers an UPDATE … RETURNING with [rows, count].
      const [updated]: [Array<{ workflow_id: string }>, number] = await m.query(
        `UPDATE workflow w SET status = v.status, data = v.data, update_time = to_timestamp(v.update_time / 1000.0),
           end_time = to_timestamp(v.end_time / 1000.0), version = v.new_version
         FROM unnest($1::uuid[], $2::int[], $3::int[], $4::varchar[], $5::jsonb[], $6::float8[], $7::float8[])
           AS v(id, old_version, new_version, status, data, update_time, end_time)
         WHERE w.workflow_id = v.id AND w.version = v.old_version
         RETURNING w.workflow_id`,
        [
          rows.map((w) => w.workflowId),
          updates.map((w) => (w.before as LoadedRun).version),
          updates.map((w) => w.saved.version),
          rows.map((w) => w.status),
          rows.map(withoutDefinition),
          rows.map((w) => w.updateTime ?? w.createTime),
          rows.map((w) => w.endTime ?? null),
        ],
      );
      const done = new Set(updated.map((r) => r.workflow_id));
      stale.push(...rows.map((w) => w.workflowId).filter((id) => !done.has(id)));
    }
    if (stale.length) throw new StaleRunError(stale);

    const tasks: Array<{ task: Task; version: number }> = [];
    for (const w of writes) {
      const before = new Map(w.before?.run.tasks.map((t) => [t.taskId, t]) ?? []);
      for (const t of w.after.tasks) if (before.get(t.taskId) !== t) tasks.push({ task: t, version: w.saved.taskVersions.get(t.taskId) ?? 1 });
    }
    if (tasks.length) {
      await m.query(
        `INSERT INTO task (task_id, workflow_id, seq, reference_task_name, task_type, status, version, data, update_time)
         SELECT v.id, v.workflow_id, v.seq, v.ref, v.type, v.status, v.version, v.data, to_timestamp(v.update_time / 1000.0)
         FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::varchar[], $5::varchar[], $6::varchar[], $7::int[], $8::jsonb[], $9::float8[])
           AS v(id, workflow_id, seq, ref, type, status, version, data, update_time)
         ON CONFLICT (task_id) DO UPDATE SET status = EXCLUDED.status, version = EXCLUDED.version, data = EXCLUDED.data, update_time = EXCLUDED.update_time`,
        [
          tasks.map((t) => t.task.taskId),
          tasks.map((t) => t.task.workflowInstanceId),
          tasks.map((t) => t.task.seq),
          tasks.map((t) => t.task.referenceTaskName),
          tasks.map((t) => t.task.taskType),
          tasks.map((t) => t.task.status),
          tasks.map((t) => t.version),
          tasks.map((t) => t.task),
          tasks.map((t) => t.task.updateTime),
        ],
      );
    }
  }

  /** One run's write (tests, and callers outside a batch). */
  async save(m: EntityManager, loaded: LoadedRun, next: WorkflowRun): Promise<SavedRun> {
    const saved = nextVersions(loaded, next);
    await this.writeMany(m, [{ before: loaded, after: next, saved }]);
    return saved;
  }
}

/**
 * The versions a run gets when `next` is written over `before`: the workflow's goes up by one, each changed
 * task's too (the indexer keeps the highest of each, so events of one batch stay in order).
 */
export function nextVersions(before: Pick<LoadedRun, 'run' | 'version' | 'taskVersions'> | null, next: WorkflowRun): SavedRun {
  const tasks = new Map(before?.run.tasks.map((t) => [t.taskId, t]) ?? []);
  const taskVersions = new Map(before?.taskVersions ?? []);
  for (const t of next.tasks) if (tasks.get(t.taskId) !== t) taskVersions.set(t.taskId, (taskVersions.get(t.taskId) ?? 0) + 1);
  return { version: (before?.version ?? 0) + 1, taskVersions };
}

const withoutDefinition = (w: WorkflowRun['workflow']): Omit<Workflow, 'tasks' | 'workflowDefinition'> => {
  const { workflowDefinition: _definition, ...rest } = w;
  return rest;
};

import { Injectable } from '@nestjs/common';
import { isUuid, Task, withDefinitionParts, Workflow, WorkflowDef } from '@app/contracts';
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
  /** A new run under an idempotency key: the command that started it (a redelivery of it is no duplicate). */
  readonly startCommandId?: string;
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
 * The workflow-run aggregate: a workflow row and its task rows, guarded by the workflow row's version. A
 * batch of decisions loads the runs it does not hold in two statements, whatever its size; it writes them
 * with the batch writer's one statement. The pinned definition has a column of its own, written once.
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
    for (const t of tasks) {
      const list = tasksOf.get(t.workflow_id);
      if (list) list.push(t);
      else tasksOf.set(t.workflow_id, [t]);
    }
    for (const w of workflows) {
      const rows = tasksOf.get(w.workflow_id) ?? [];
      // Rows written before the definition had its own column carry it inside `data`.
      const workflowDefinition = (w.definition ?? w.data.workflowDefinition) as WorkflowDef;
      loaded.set(w.workflow_id, {
        run: { workflow: { ...w.data, workflowDefinition }, tasks: rows.map((t) => withDefinitionParts(t.data, workflowDefinition) as Task) },
        version: w.version,
        taskVersions: new Map(rows.map((t) => [t.task_id, t.version])),
      });
    }
    return loaded;
  }

  async load(m: EntityManager, workflowId: string): Promise<LoadedRun | null> {
    return (await this.loadMany(m, [workflowId])).get(workflowId) ?? null;
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


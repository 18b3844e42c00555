import { baseRefOf, loopRefOf, type Task, type Workflow } from '@app/contracts';

/**
 * The decider's view of one execution: the workflow (Conductor's `Workflow` without its tasks) and every
 * task attempt so far, ordered by `seq`. Values are never mutated: a decision returns new objects for what
 * changed and the same objects for what did not, which is how the executor knows what to write.
 */
export interface WorkflowRun {
  readonly workflow: Readonly<Omit<Workflow, 'tasks'>>;
  readonly tasks: readonly Readonly<Task>[];
}

export const taskById = (run: WorkflowRun, taskId: string): Readonly<Task> | undefined =>
  run.tasks.find((t) => t.taskId === taskId);

/** The newest attempt of each reference name (a retry supersedes the attempt it retried). */
export function latestByRef(tasks: readonly Readonly<Task>[]): Map<string, Readonly<Task>> {
  const latest = new Map<string, Readonly<Task>>();
  for (const t of tasks) {
    const seen = latest.get(t.referenceTaskName);
    if (!seen || seen.seq < t.seq) latest.set(t.referenceTaskName, t);
  }
  return latest;
}

/**
 * The newest attempt under a reference name; for a task inside a DO_WHILE, named by its ref without the
 * `__<iteration>` suffix, the newest attempt of its last iteration.
 */
export function latestTaskOf(tasks: readonly Readonly<Task>[], ref: string): Readonly<Task> | undefined {
  let found: Readonly<Task> | undefined;
  for (const t of tasks) if (t.referenceTaskName === ref && (!found || t.seq > found.seq)) found = t;
  if (found) return found;
  for (const t of tasks) if (t.loopOverTask && baseRefOf(t.referenceTaskName) === ref && (!found || t.seq > found.seq)) found = t;
  return found;
}

export const nextSeq = (run: WorkflowRun): number => run.tasks.reduce((max, t) => Math.max(max, t.seq), 0) + 1;

export { baseRefOf, loopRefOf };

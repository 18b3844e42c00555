import { rillExecutionIdOf, Task, TaskStatus, WorkflowDef, WorkflowStatus } from '@app/contracts';
import type { ChildEnded } from '../events';
import type { Kernel } from '../kernel';
import { childWorkflowIdFor } from '../task-ids';

/** One child run of a fan-out: the body it runs and its context. */
export interface Branch {
  readonly body: WorkflowDef;
  readonly context: Record<string, unknown>;
}

/**
 * What a fan-out keeps in its task's output, as Rill Flow shows it: each branch's final context in order
 * (`sub_context`, null while it runs; `$.output.sub_context.[*].x` in outputMappings) and the execution id
 * of each branch started so far.
 */
interface FanOutOutput {
  readonly sub_context: Array<Record<string, unknown> | null>;
  readonly sub_execution_ids: string[];
}

/**
 * Rill Flow's tasks that generate sub-tasks (choice, foreach): each branch runs as a child workflow of its
 * own — its own context, the DAG's execution id format — at most `maxConcurrency` at once, started in
 * order as others end. The task completes when every branch has (its output each branch's context), and
 * fails with the first branch that fails (the others are stopped). A child's id is derived from the task's
 * and the branch's index, so a redelivered start starts nothing twice.
 */
export const branchWorkflowIdOf = (task: Pick<Task, 'taskId'>, index: number): string => childWorkflowIdFor(`${task.taskId}#${index}`);

const outputOf = (task: Readonly<Task>): FanOutOutput => task.outputData as unknown as FanOutOutput;

/** Starts the branches a fan-out begins with; an empty fan-out completes at once. */
export function fanOut(k: Kernel, task: Readonly<Task>, branches: readonly Branch[], maxConcurrency: number): void {
  if (!branches.length) return void k.completeTask(task, { outputData: { sub_context: [], sub_execution_ids: [] } });
  const first = k.patchTask(task.taskId, { outputData: { sub_context: branches.map(() => null), sub_execution_ids: [] } });
  startMore(k, first, branches, maxConcurrency);
}

/** A branch ended: recorded; the next ones start; the task completes once all have, or fails with the first that failed. */
export function branchEnded(k: Kernel, task: Readonly<Task>, e: ChildEnded, branches: readonly Branch[], maxConcurrency: number): void {
  const out = outputOf(task);
  const index = out.sub_execution_ids.findIndex((id) => id.endsWith(`_c_${e.childWorkflowId}`));
  if (index < 0 || out.sub_context[index] !== null) return;
  // The kernel stops the branches still running when the task fails (runningBranches).
  if (e.status !== WorkflowStatus.Completed) {
    return k.failTask(task, { status: TaskStatus.Failed, reason: e.reasonForIncompletion ?? `branch ${index} (${out.sub_execution_ids[index]}) ended ${e.status}` });
  }
  const sub_context = out.sub_context.map((c, i) => (i === index ? e.output : c));
  const updated = k.patchTask(task.taskId, { outputData: { ...out, sub_context } });
  if (sub_context.every((c) => c !== null)) return void k.completeTask(updated, { outputData: { ...out, sub_context } });
  startMore(k, updated, branches, maxConcurrency);
}

/** The fan-out's children still running: the ones whose end it waits for, and the kernel stops if the task ends first. */
export function runningBranches(task: Readonly<Task>): string[] {
  const out = outputOf(task);
  if (!Array.isArray(out?.sub_execution_ids)) return [];
  return out.sub_execution_ids.flatMap((id, i) => (out.sub_context[i] === null ? [branchWorkflowIdOf(task, i)] : []));
}

function startMore(k: Kernel, task: Readonly<Task>, branches: readonly Branch[], maxConcurrency: number): void {
  const out = outputOf(task);
  const running = out.sub_execution_ids.filter((_, i) => out.sub_context[i] === null).length;
  const starting = branches.slice(out.sub_execution_ids.length, out.sub_execution_ids.length + Math.max(0, maxConcurrency - running));
  if (!starting.length) return;
  const descriptorId = k.definition.rill?.descriptorId ?? k.workflow.workflowName;
  const ids = starting.map((_, j) => branchWorkflowIdOf(task, out.sub_execution_ids.length + j));
  starting.forEach((branch, j) =>
    k.command({
      type: 'child.start',
      childWorkflowId: ids[j],
      name: branch.body.name,
      version: branch.body.version,
      workflowDef: branch.body,
      input: branch.context,
      correlationId: rillExecutionIdOf(descriptorId, ids[j]),
      priority: k.workflow.priority,
      parent: { workflowId: k.workflow.workflowId, taskId: task.taskId },
    }),
  );
  k.patchTask(task.taskId, { outputData: { ...out, sub_execution_ids: [...out.sub_execution_ids, ...ids.map((id) => rillExecutionIdOf(descriptorId, id))] } });
}

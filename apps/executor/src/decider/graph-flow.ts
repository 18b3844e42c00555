import { isSuccessfulTaskStatus, isTerminalTaskStatus, Task, TaskList, TaskNode, TaskStatus, WorkflowFlow } from '@app/contracts';
import type { Kernel } from './kernel';

/**
 * A graph flow (`WorkflowDef.flow: graph`, what a Rill Flow DAG runs as): the workflow's tasks name what
 * follows each one (`WorkflowTask.next`) instead of running in list order.
 *
 * - The tasks nothing leads to start together.
 * - A task runs once every task that leads to it has ended, and at least one of them leads to it: it
 *   completed (or was tolerated, or skipped by an operator) and, when it chose among what follows it
 *   (`Task.takenNext`: a switch, a return), chose this task.
 * - A task that every edge into it passes by is SKIPPED (with nothing taken after it), so what only it led
 *   to is skipped too, and the flow goes on wherever another edge arrives.
 * - The flow has ended when every task has ended; a task that fails for good ends the workflow as in a
 *   list flow.
 *
 * Only the workflow's own list is a graph: nested lists (a fork's branches, a loop's body) are lists.
 */
export const isGraphList = (k: Kernel, list: TaskList): boolean => list === k.graph.root && k.definition.flow === WorkflowFlow.Graph;

/** Each graph's edges reversed, built once per definition graph (graphs are shared and never change). */
const reversed = new WeakMap<TaskList, ReadonlyMap<string, TaskNode[]>>();

/** Every task that names `node` in its `next`. */
export function predecessorsOf(k: Kernel, node: TaskNode): readonly TaskNode[] {
  const root = k.graph.root;
  let before = reversed.get(root);
  if (!before) {
    const built = new Map<string, TaskNode[]>();
    for (const n of root.nodes) for (const ref of n.task.next ?? []) built.set(ref, [...(built.get(ref) ?? []), n]);
    reversed.set(root, built);
    before = built;
  }
  return before.get(node.ref ?? '') ?? [];
}

/** The tasks a node's `next` names (references naming no task are refused when the DAG is registered). */
export function successorsOf(k: Kernel, node: TaskNode): TaskNode[] {
  return (node.task.next ?? []).flatMap((ref) => k.graph.byRef.get(ref) ?? []);
}

/** Starts a graph: every task nothing leads to. */
export function enterGraph(k: Kernel): void {
  const leads = new Set(k.graph.root.nodes.flatMap((n) => n.task.next ?? []));
  for (const node of k.graph.root.nodes) if (node.ref && !leads.has(node.ref)) k.schedule(node);
}

/** `task` (of `node`) is done: each task it leads to that now has all it waits for runs, or is skipped. */
export function advanceInGraph(k: Kernel, node: TaskNode, task: Readonly<Task>): void {
  for (const next of successorsOf(k, node)) {
    if (!k.isRunning) return;
    if (!next.ref || k.latest(next.ref)) continue;
    const before = predecessorsOf(k, next).map((p) => (p.ref ? k.latest(p.ref) : undefined));
    if (!before.every((t) => t && isTerminalTaskStatus(t.status) && !t.retried)) continue;
    if (before.some((t) => t && leadsTo(t, next))) k.schedule(next);
    else skip(k, next, `no task that leads to ${next.ref} chose it (after ${task.referenceTaskName})`);
  }
}

/** Whether an ended task hands on to `next`: it succeeded (or was passed over) and chose it, if it chose. */
function leadsTo(t: Readonly<Task>, next: TaskNode): boolean {
  if (!isSuccessfulTaskStatus(t.status)) return false;
  return !t.takenNext || t.takenNext.includes(next.ref ?? '');
}

/** Records `node` SKIPPED, leading nowhere, and goes on from it. */
function skip(k: Kernel, node: TaskNode, reason: string): void {
  const skipped = k.addTask(
    k.newTask(node, {}, { status: TaskStatus.Skipped, inputData: {}, startTime: k.now, endTime: k.now, takenNext: [], reasonForIncompletion: reason }),
    'mock.passed',
  );
  advanceInGraph(k, node, skipped);
}

/** Every task of the graph has run (or been skipped) and nothing is left in flight. */
export function graphEnded(k: Kernel): boolean {
  return k.graph.root.nodes.every((n) => {
    const t = n.ref ? k.latest(n.ref) : undefined;
    return !!t && isTerminalTaskStatus(t.status) && !t.retried;
  });
}

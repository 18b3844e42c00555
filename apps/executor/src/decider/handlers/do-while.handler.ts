import { isTerminalTaskStatus, Task, TaskList, TaskStatus, WorkflowTask } from '@app/contracts';
import { evaluateExpression } from '../evaluators';
import { resolveParameters } from '../expressions';
import { expressionDocument } from '../expression-document';
import type { Kernel } from '../kernel';
import { baseRefOf } from '../workflow-run';
import type { TaskHandler } from './task-handler';

/**
 * DO_WHILE: runs its `loopOver` list, then decides whether to run it again — a `loopCondition` (JavaScript
 * with `$` bound to the loop's input, its own output under its reference, and each loop task's output
 * under its reference; `value-param` reads an input parameter), or a list: `items` (the task's field, or
 * Orkes-style `inputParameters.items` / `_items`) runs once per element, exposing `loopItem` and the
 * zero-based `loopIndex` in the loop's output, and stops at the end of the list (and earlier when a
 * condition is given and turns false).
 *
 * Each iteration's task instances are named `<ref>__<iteration>` (from 1). The loop stays IN_PROGRESS,
 * its output holding `iteration` (the current one) and, per finished iteration, `"<n>": {ref: output}`;
 * it completes with the last of them. A condition that cannot be evaluated fails it with a terminal error;
 * a loop task that fails for good fails the workflow as anywhere else (the loop is a control-flow
 * operator: never retried). `keepLastN` keeps only the last N iterations: older entries leave the output
 * and older iterations' tasks leave the run (and the database), as in Conductor.
 */
export const doWhileHandler: TaskHandler = {
  acceptsResults: false,
  schedule(k, node, opts) {
    const wt = node.task;
    const inputData = k.inputsOf(wt);
    const items = itemsOf(k, wt, inputData);
    const task = k.addTask(k.newTask(node, opts, { status: TaskStatus.InProgress, startTime: k.now, inputData, iteration: 1 }), 'start.begin');
    if (items === 'invalid') {
      return k.failTask(task, { status: TaskStatus.FailedWithTerminalError, reason: `items of DO_WHILE ${wt.taskReferenceName} must resolve to a list` });
    }
    if (items && !items.length) return void k.completeTask(task, { iteration: 0, outputData: { iteration: 0 } });
    k.patchTask(task.taskId, { outputData: { iteration: 1, ...(items ? { loopItem: items[0], loopIndex: 0 } : {}) } });
    k.enterList(loopOf(node.children));
  },
  onListEnded(k, loop, list) {
    const iteration = loop.iteration;
    const outputs = iterationOutputs(k, loop, iteration);
    const output: Record<string, unknown> = { ...loop.outputData, [String(iteration)]: outputs, iteration };
    const wt = loop.workflowTask;
    const items = itemsOf(k, wt, loop.inputData);
    const listed = Array.isArray(items) ? items : undefined;

    let again = listed ? iteration < listed.length : true;
    const condition = wt.loopCondition?.trim();
    if (again && condition) {
      // Its inputParameters are resolved again for every evaluation, against the run as it is now (Conductor's DoWhile).
      const $ = { ...k.inputsOf(wt), [wt.taskReferenceName]: output, ...outputs };
      const result = evaluateExpression(k.evaluators, wt.evaluatorType, condition, $);
      if (!result.ok) {
        k.patchTask(loop.taskId, { outputData: output });
        return k.failTask(k.task(loop.taskId) as Readonly<Task>, {
          status: TaskStatus.FailedWithTerminalError,
          reason: `Unable to evaluate loopCondition of ${wt.taskReferenceName}: ${result.message}`,
        });
      }
      again = isTrue(result.value);
    } else if (!listed && !condition) {
      again = false; // neither a list nor a condition: the validator refuses this; run once
    }

    const keep = keepLastNOf(loop.inputData.keepLastN);
    const kept = keep ? withoutIterationsBefore(output, iteration - keep + 1) : output;
    if (keep) k.dropTasks(tasksOfIterationsBefore(k, loop, iteration - keep + 1));
    if (!again) return void k.completeTask(loop, { outputData: kept });
    const next = iteration + 1;
    k.patchTask(loop.taskId, {
      iteration: next,
      outputData: { ...kept, iteration: next, ...(listed ? { loopItem: listed[next - 1], loopIndex: next - 1 } : {}) },
    });
    k.enterList(list);
  },
};

const loopOf = (children: readonly TaskList[]): TaskList => {
  const list = children.find((l) => l.field === 'loopOver');
  // The validator requires a non-empty loopOver; the graph always has the list.
  if (!list) throw new Error('DO_WHILE without a loopOver list');
  return list;
};

/** The list a list-mode loop iterates, `undefined` for a condition loop, 'invalid' for a non-list. */
function itemsOf(k: Kernel, wt: WorkflowTask, input: Record<string, unknown>): unknown[] | undefined | 'invalid' {
  const field = (wt as WorkflowTask & { items?: unknown }).items;
  const given = field !== undefined && field !== null && field !== '' ? resolveParameters({ items: field }, expressionDocument(k.run)).items : (input.items ?? input._items);
  if (given === undefined || given === null || given === '') return undefined;
  return Array.isArray(given) ? given : 'invalid';
}

/** `{ref: output}` of the newest attempt of each task this loop ran in the iteration. */
function iterationOutputs(k: Kernel, loop: Readonly<Task>, iteration: number): Record<string, unknown> {
  const outputs: Record<string, unknown> = {};
  const seqs: Record<string, number> = {};
  for (const t of k.run.tasks) {
    if (!t.loopOverTask || t.seq <= loop.seq || t.iteration !== iteration) continue;
    if (k.enclosingLoop(k.nodeOf(t))?.taskId !== loop.taskId) continue;
    const ref = baseRefOf(t.referenceTaskName);
    if (seqs[ref] === undefined || seqs[ref] < t.seq) {
      seqs[ref] = t.seq;
      outputs[ref] = t.outputData;
    }
  }
  return outputs;
}

const keepLastNOf = (keep: unknown): number | undefined => {
  const n = typeof keep === 'number' ? keep : typeof keep === 'string' && /^\d+$/.test(keep) ? Number(keep) : undefined;
  return n !== undefined && Number.isInteger(n) && n >= 1 ? n : undefined;
};

/** The output without the entries of iterations before `first`. */
const withoutIterationsBefore = (output: Record<string, unknown>, first: number): Record<string, unknown> =>
  Object.fromEntries(Object.entries(output).filter(([key]) => !/^\d+$/.test(key) || Number(key) >= first));

/** The ended tasks this loop ran in iterations before `first` (what keepLastN no longer keeps). */
function tasksOfIterationsBefore(k: Kernel, loop: Readonly<Task>, first: number): Set<string> {
  const ids = new Set<string>();
  for (const t of k.run.tasks) {
    if (!t.loopOverTask || t.seq <= loop.seq || t.iteration >= first || !isTerminalTaskStatus(t.status)) continue;
    if (k.enclosingLoop(k.nodeOf(t))?.taskId === loop.taskId) ids.add(t.taskId);
  }
  return ids;
}

/** A condition's verdict: JavaScript truthiness, with the strings "true"/"false" read as booleans. */
function isTrue(value: unknown): boolean {
  if (typeof value === 'string') return value.trim().toLowerCase() === 'true';
  return Boolean(value);
}

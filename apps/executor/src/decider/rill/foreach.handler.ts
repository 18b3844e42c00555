import { RillForeachTask, Task, TaskStatus } from '@app/contracts';
import type { TaskHandler } from '../handlers/task-handler';
import { Branch, branchEnded, fanOut, runningBranches } from './fan-out';
import { readPath } from './jsonpath';
import { allMatch } from './conditions';
import { beginRillTask, mapOutput, rillOf } from './rill-task';

/**
 * Rill Flow's `foreach`: its body runs once per element of `iterationMapping.collection` (a JSONPath over
 * the task's input, which does not change while it runs), each iteration a child workflow whose context is the task's input
 * with the element under `item` and its position under `index`; at most `synchronization.maxConcurrency`
 * at once (a number, or a path to one) when all `synchronization.conditions` hold, else all together. Its
 * output is every iteration's final context in order (`sub_context`), which its outputMappings read
 * (`$.output.sub_context.[*].x`). A collection that is not a list fails the task.
 */
export const rillForeachHandler: TaskHandler = {
  acceptsResults: false,
  schedule(k, node, opts) {
    const task = beginRillTask(k, node, opts);
    if (!task) return;
    const branches = branchesOf(task);
    if (typeof branches === 'string') return k.failTask(task, { status: TaskStatus.FailedWithTerminalError, reason: branches });
    fanOut(k, task, branches, concurrencyOf(task));
  },
  onChildEnded(k, task, e) {
    const branches = branchesOf(task);
    if (typeof branches !== 'string') branchEnded(k, task, e, branches, concurrencyOf(task));
  },
  childrenOf: runningBranches,
  onCompleting: (k, task) => mapOutput(k, task),
};

/** One branch per element of the collection, or why there is no collection to iterate. */
function branchesOf(task: Readonly<Task>): Branch[] | string {
  const rill = rillOf(task) as RillForeachTask;
  const body = task.workflowTask.bodies?.[0];
  const { collection, item, index } = rill.iterationMapping;
  const read = readPath(collection, { input: task.inputData });
  if (!read.ok) return `iterationMapping.collection ${collection}: ${read.message}`;
  if (!Array.isArray(read.value)) return `iterationMapping.collection ${collection} is not a list`;
  if (!body) return `foreach ${task.referenceTaskName} has no body to run`;
  return read.value.map((element, i) => ({ body, context: { ...task.inputData, [item ?? 'item']: element, ...(index ? { [index]: i } : {}) } }));
}

/** `synchronization.maxConcurrency` when its conditions hold (a number, or a path to one), else unbounded. */
function concurrencyOf(task: Readonly<Task>): number {
  const sync = (rillOf(task) as RillForeachTask).synchronization;
  if (!sync?.maxConcurrency || !allMatch(sync.conditions, { input: task.inputData })) return Number.MAX_SAFE_INTEGER;
  const raw = typeof sync.maxConcurrency === 'number' ? sync.maxConcurrency : readPath(sync.maxConcurrency, { input: task.inputData });
  const value = typeof raw === 'number' ? raw : raw.ok ? Number(raw.value) : NaN;
  return Number.isInteger(value) && value > 0 ? value : Number.MAX_SAFE_INTEGER;
}

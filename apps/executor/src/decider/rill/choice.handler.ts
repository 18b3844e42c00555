import { RillChoiceTask, Task } from '@app/contracts';
import type { TaskHandler } from '../handlers/task-handler';
import { Branch, branchEnded, fanOut, runningBranches } from './fan-out';
import { conditionMatches } from './conditions';
import { beginRillTask, mapOutput, rillOf } from './rill-task';

/**
 * Rill Flow's `choice`: every choice whose condition holds over the task's input runs
 * its tasks as a branch — a child workflow whose context is the task's input — side by side. The task
 * completes when all chosen branches have (none chosen: at once), its output their contexts in the order
 * of the choices (`sub_context`), which its outputMappings read.
 */
export const rillChoiceHandler: TaskHandler = {
  acceptsResults: false,
  schedule(k, node, opts) {
    const task = beginRillTask(k, node, opts);
    if (task) fanOut(k, task, branchesOf(task), Number.MAX_SAFE_INTEGER);
  },
  onChildEnded: (k, task, e) => branchEnded(k, task, e, branchesOf(task), Number.MAX_SAFE_INTEGER),
  childrenOf: runningBranches,
  onCompleting: (k, task) => mapOutput(k, task),
};

/** The chosen choices' bodies (the translation's `bodies`, one per choice), each with the task's input as context. */
function branchesOf(task: Readonly<Task>): Branch[] {
  const rill = rillOf(task) as RillChoiceTask;
  const bodies = task.workflowTask.bodies ?? [];
  // Over the input alone (as Rill Flow): it does not change while the branches run, so the same branches are
  // chosen each time this is asked.
  return rill.choices.flatMap((choice, i) => (bodies[i] && conditionMatches(choice.condition, { input: task.inputData }) ? [{ body: bodies[i], context: { ...task.inputData } }] : []));
}

import { isSuccessfulTaskStatus, isTerminalTaskStatus, SystemTaskType, Task, TaskNode, TaskStatus } from '@app/contracts';
import type { Kernel } from '../kernel';
import { baseRefOf } from '../workflow-run';
import type { TaskHandler } from './task-handler';

/**
 * JOIN: IN_PROGRESS until every task in `joinOn` has ended, then COMPLETED with `{ref: output}` of each
 * — COMPLETED_WITH_ERRORS when an optional one failed (it counts as ended, COMPLETED_WITH_ERRORS itself).
 * A joined task that failed for good has already ended the workflow.
 */
export const joinHandler: TaskHandler = {
  acceptsResults: false,
  schedule(k, node, opts) {
    // Conductor's JoinTaskMapper records what it joins on in the task's input; after a dynamic fork, that
    // is the branches the fork made, known only now.
    const inputData = { ...k.inputsOf(node.task), joinOn: joinOnOf(k, node) };
    k.addTask(k.newTask(node, opts, { status: TaskStatus.InProgress, startTime: k.now, inputData }), 'start.begin');
  },
  evaluate(k, join) {
    const joinOn = refsOf(join.inputData.joinOn);
    const joined = joinOn.map((ref) => k.latest(ref));
    if (joined.some((t) => !t || !isTerminalTaskStatus(t.status))) return false;
    // A permissive task that failed let its siblings run on; once all ended, the JOIN fails on it (the
    // workflow with it), its output the failed tasks' outputs, as Conductor's Join does.
    const permitted = joined.filter((t): t is Readonly<Task> => !!t && !isSuccessfulTaskStatus(t.status) && !!t.workflowTask?.permissive);
    if (permitted.length) {
      const outputData = Object.fromEntries(permitted.map((t) => [baseRefOf(t.referenceTaskName), t.outputData]));
      k.failTask(join, { status: TaskStatus.Failed, reason: permitted[0].reasonForIncompletion ?? `${permitted[0].referenceTaskName} failed`, patch: { outputData } });
      return true;
    }
    if (joined.some((t) => t && !isSuccessfulTaskStatus(t.status))) return false; // the workflow is ending
    const outputData = Object.fromEntries(joinOn.map((ref, i) => [ref, joined[i]?.outputData ?? {}]));
    // Conductor's Join: tolerated (optional) failures make the JOIN itself COMPLETED_WITH_ERRORS, naming them.
    const tolerated = joined.filter((t): t is Readonly<Task> => !!t && t.status === TaskStatus.CompletedWithErrors);
    if (!tolerated.length) k.completeTask(join, { outputData });
    else k.completeTask(join, { outputData, reasonForIncompletion: `${tolerated.map((t) => `${t.taskDefName}/${t.taskId}`).join(' ')} completed with errors` }, { withErrors: true });
    return true;
  },
};

/** The task references in a value that should be a list of them (an input as stored); anything else is none. */
export const refsOf = (value: unknown): string[] => (Array.isArray(value) ? value.filter((r): r is string => typeof r === 'string') : []);

/** What a JOIN waits for: its `joinOn`, or right after a FORK_JOIN_DYNAMIC, the branches that fork made. */
function joinOnOf(k: Kernel, node: TaskNode): string[] {
  const before = node.list.nodes.filter((n) => n.index < node.index).pop();
  if (before?.type === SystemTaskType.ForkJoinDynamic && before.ref) {
    const fork = k.latest(before.ref);
    if (fork) return refsOf(fork.inputData.forkedTasks);
  }
  return node.task.joinOn ?? [];
}

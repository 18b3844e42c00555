import { isSuccessfulTaskStatus, isTerminalTaskStatus, Task, TaskStatus } from '@app/contracts';
import type { TaskHandler } from './task-handler';

/**
 * JOIN: IN_PROGRESS until every task in `joinOn` has ended, then COMPLETED with `{ref: output}` of each
 * — COMPLETED_WITH_ERRORS when an optional one failed (it counts as ended, COMPLETED_WITH_ERRORS itself).
 * A joined task that failed for good has already ended the workflow.
 */
export const joinHandler: TaskHandler = {
  acceptsResults: false,
  schedule(k, node, opts) {
    // Conductor's JoinTaskMapper records what it joins on in the task's input.
    const inputData = { ...k.inputsOf(node.task), joinOn: node.task.joinOn ?? [] };
    k.addTask(k.newTask(node, opts, { status: TaskStatus.InProgress, startTime: k.now, inputData }), 'start.begin');
  },
  evaluate(k, join) {
    const joinOn = join.workflowTask.joinOn ?? [];
    const joined = joinOn.map((ref) => k.latest(ref));
    if (joined.some((t) => !t || !isTerminalTaskStatus(t.status))) return false;
    if (joined.some((t) => t && !isSuccessfulTaskStatus(t.status))) return false; // the workflow is ending
    const outputData = Object.fromEntries(joinOn.map((ref, i) => [ref, joined[i]?.outputData ?? {}]));
    // Conductor's Join: tolerated (optional) failures make the JOIN itself COMPLETED_WITH_ERRORS, naming them.
    const tolerated = joined.filter((t): t is Readonly<Task> => !!t && t.status === TaskStatus.CompletedWithErrors);
    if (!tolerated.length) k.completeTask(join, { outputData });
    else k.completeTask(join, { outputData, reasonForIncompletion: `${tolerated.map((t) => `${t.taskDefName}/${t.taskId}`).join(' ')} completed with errors` }, { withErrors: true });
    return true;
  },
};

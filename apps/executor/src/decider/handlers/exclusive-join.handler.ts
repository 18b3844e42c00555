import { isSuccessfulTaskStatus, isTerminalTaskStatus, Task, TaskStatus, WorkflowTask } from '@app/contracts';
import type { Kernel } from '../kernel';
import { refsOf } from './join.handler';
import type { TaskHandler } from './task-handler';

type ExclusiveJoinTask = WorkflowTask & { defaultExclusiveJoinTask?: unknown };


/**
 * EXCLUSIVE_JOIN: closes a SWITCH (or DECISION) whose cases each end in a task it names in `joinOn`. It
 * waits for the first listed task that ran (a case not taken left its tasks unscheduled) to end, and
 * completes with that task's output — or fails with its reason when it failed. When no listed task ran,
 * `defaultExclusiveJoinTask` is looked at the same way; when that is empty too, it completes with no
 * output (Conductor's ExclusiveJoin).
 */
export const exclusiveJoinHandler: TaskHandler = {
  acceptsResults: false,
  schedule(k, node, opts) {
    const wt = node.task as ExclusiveJoinTask;
    const inputData = { ...k.inputsOf(wt), joinOn: wt.joinOn ?? [], defaultExclusiveJoinTask: refsOf(wt.defaultExclusiveJoinTask) };
    k.addTask(k.newTask(node, opts, { status: TaskStatus.InProgress, startTime: k.now, inputData }), 'start.begin');
  },
  evaluate(k, join) {
    const wt = join.workflowTask as ExclusiveJoinTask;
    const joined = firstThatRan(k, wt.joinOn ?? []) ?? firstThatRan(k, refsOf(wt.defaultExclusiveJoinTask));
    if (!joined) {
      if (refsOf(wt.defaultExclusiveJoinTask).length) return false; // the default path has not started yet
      k.completeTask(join);
      return true;
    }
    if (!isTerminalTaskStatus(joined.status)) return false;
    if (isSuccessfulTaskStatus(joined.status)) k.completeTask(join, { outputData: { ...joined.outputData } });
    else k.failTask(join, { status: TaskStatus.Failed, reason: joined.reasonForIncompletion ?? `${joined.referenceTaskName} ended ${joined.status}` });
    return true;
  },
};

/** The newest attempt of the first of `refs` that was scheduled and not skipped. */
function firstThatRan(k: Kernel, refs: readonly string[]): Readonly<Task> | undefined {
  for (const ref of refs) {
    const t = k.latest(ref);
    if (t && t.status !== TaskStatus.Skipped) return t;
  }
  return undefined;
}

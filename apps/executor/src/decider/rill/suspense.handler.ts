import { RillSuspenseTask, Task, TaskStatus } from '@app/contracts';
import type { Kernel } from '../kernel';
import type { TaskHandler } from '../handlers/task-handler';
import { beginRillTask, mapOutput, rillAllMatch, rillAnyMatch, rillInput, rillOf } from './rill-task';

/**
 * Rill Flow's `suspense`: waits, RUNNING, for data from outside. Each time the context changes
 * (`/flow/trigger.json` or `/flow/wakeup.json` merge what they carry into it) its input is mapped again:
 * when any `interruptions` holds it fails ("interruption"); when all `conditions` hold it succeeds. With no
 * conditions, the first wake-up for the task itself succeeds it (the gateway completes it by name). Its
 * timeline's timeout ends the wait: FAILED, or SKIPPED when the task is tolerant (Rill's skipOnTimeout).
 */
export const rillSuspenseHandler: TaskHandler = {
  acceptsResults: true,
  schedule(k, node, opts) {
    const task = beginRillTask(k, node, opts);
    if (task) wake(k, task);
  },
  evaluate: (k, task) => wake(k, task),
  onCompleting: (k, task) => mapOutput(k, task),
};

/** Looks at the suspense's conditions over the context as it is now; true when it ended the wait. */
function wake(k: Kernel, task: Readonly<Task>): boolean {
  if (!k.isRunning || task.status !== TaskStatus.InProgress) return false;
  const rill = rillOf(task) as RillSuspenseTask;
  if (!rill.conditions.length && !rill.interruptions.length) return false;
  const { input } = rillInput(k, rill);
  if (rill.interruptions.length && rillAnyMatch(k, rill.interruptions, input)) {
    k.failTask(task, { status: TaskStatus.FailedWithTerminalError, reason: 'interruption', patch: { inputData: input } });
    return true;
  }
  if (rill.conditions.length && rillAllMatch(k, rill.conditions, input)) {
    k.completeTask(task, { inputData: input, outputData: { ...input } });
    return true;
  }
  return false;
}

import { RillReturnTask } from '@app/contracts';
import type { TaskHandler } from '../handlers/task-handler';
import { beginRillTask, mapOutput, rillAllMatch, rillOf } from './rill-task';

/**
 * Rill Flow's `return`: when all its `conditions` hold over its input (and the context), the flow stops
 * here — nothing after it is taken, so every task only it leads to is SKIPPED (`returned: true` in its
 * output). Otherwise it passes. Rill Flow skips everything downstream of it; Baton still runs a task that
 * another, untouched path also reaches (the graph flow's rule), which a DAG that returns does not have.
 */
export const rillReturnHandler: TaskHandler = {
  acceptsResults: false,
  schedule(k, node, opts) {
    const task = beginRillTask(k, node, opts);
    if (!task) return;
    const returned = rillAllMatch(k, (rillOf(task) as RillReturnTask).conditions, task.inputData);
    k.completeTask(task, { outputData: { returned }, ...(returned ? { takenNext: [] } : {}) });
  },
  onCompleting: (k, task) => mapOutput(k, task),
};

import type { TaskHandler } from '../handlers/task-handler';
import { beginRillTask, mapOutput } from './rill-task';

/**
 * Rill Flow's `pass`: succeeds at once, its mappings applied — input from the context, then output (its
 * input, so `$.output.x` reads what was mapped in) back into it; often a place for a `transform`.
 */
export const rillPassHandler: TaskHandler = {
  acceptsResults: false,
  schedule(k, node, opts) {
    const task = beginRillTask(k, node, opts);
    if (task) k.completeTask(task, { outputData: { ...task.inputData } });
  },
  onCompleting: (k, task) => mapOutput(k, task),
};

import { RillSwitchTask } from '@app/contracts';
import type { TaskHandler } from '../handlers/task-handler';
import { beginRillTask, rillAllMatch, rillOf } from './rill-task';

/**
 * Rill Flow's `switch`: each of its `switches` whose condition holds over its input (and the context)
 * leads to its `next`, in order, until one that holds says `break`; the tasks no chosen switch leads to
 * are SKIPPED unless another path reaches them. Its output names what was chosen; it has no
 * outputMappings (as in Rill Flow).
 */
export const rillSwitchHandler: TaskHandler = {
  acceptsResults: false,
  schedule(k, node, opts) {
    const task = beginRillTask(k, node, opts);
    if (!task) return;
    const taken: string[] = [];
    for (const choice of (rillOf(task) as RillSwitchTask).switches) {
      if (!rillAllMatch(k, [choice.condition], task.inputData)) continue;
      for (const next of choice.next) if (!taken.includes(next)) taken.push(next);
      if (choice.break) break;
    }
    k.completeTask(task, { outputData: { next: taken }, takenNext: taken });
  },
};

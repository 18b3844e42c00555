import { TaskStatus } from '@app/contracts';
import type { TaskHandler } from './task-handler';

/** Conductor's runtime type of a FORK_JOIN instance. */
export const FORK_TASK_TYPE = 'FORK';

/**
 * FORK_JOIN: decided in place. The FORK task completes at once and the first task of every branch is
 * scheduled, then the JOIN that follows it (which waits for the branches). A branch that ends has nothing
 * more to do here: the JOIN notices.
 */
export const forkJoinHandler: TaskHandler = {
  acceptsResults: false,
  schedule(k, node, opts) {
    const branches = node.children.filter((l) => l.field === 'forkTasks');
    const done = k.addTask(
      k.newTask(node, opts, { taskType: FORK_TASK_TYPE, status: TaskStatus.Completed, startTime: k.now, endTime: k.now, executed: true }),
      'start.success',
    );
    for (const branch of branches) k.enterList(branch);
    k.advance(done);
  },
  onListEnded() {
    // The JOIN after the fork re-evaluates as the decision settles.
  },
};

import { TaskStatus } from '@app/contracts';
import type { TaskHandler } from './task-handler';

/** NOOP: completes in the decision that reaches it, with no output, and the flow goes on. */
export const noopHandler: TaskHandler = {
  acceptsResults: false,
  schedule(k, node, opts) {
    const done = k.addTask(k.newTask(node, opts, { status: TaskStatus.Completed, startTime: k.now, endTime: k.now, executed: true }), 'start.success');
    k.advance(done);
  },
};

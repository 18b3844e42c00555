import { TaskStatus } from '@app/contracts';
import type { TaskHandler } from './task-handler';

/**
 * HUMAN: IN_PROGRESS until something outside completes or fails it through the task API
 * (`POST /api/tasks`). Nothing is queued and no timer is set: the run simply waits, costing nothing, the
 * way Conductor takes a workflow blocked on a human task out of its decider queue.
 */
export const humanHandler: TaskHandler = {
  acceptsResults: true,
  schedule(k, node, opts) {
    const task = k.addTask(k.newTask(node, opts, { status: TaskStatus.InProgress, startTime: k.now }), 'start.begin');
    // A task that names an event (Dapr's raiseEvent) takes one raised before it waited.
    k.takeRaisedEvent(task);
  },
};

import { implementsPhase, Task, TaskMock, TaskNode, TaskStatus } from '@app/contracts';
import type { Kernel, ScheduleOptions } from '../kernel';
import { queueNameOf, taskDefOf } from '../task-defs';
import { TimerKind } from '../timers';
import type { TaskHandler } from './task-handler';

/**
 * A worker task (SIMPLE, or any type name that is not a built-in): queued for the workers of its type to
 * lease. `startDelay` and retry backoff are the queue row's visibility time, durable like a timer; a poll
 * timeout is a timer from the moment the task becomes pollable.
 */
export const workerHandler: TaskHandler = {
  acceptsResults: true,
  schedule(k, node, opts) {
    const mock = mockOf(k, node, opts);
    if (mock) return runMocked(k, node, opts, mock);
    // A dry run (runMode mock): a worker that implements `mock` is handed the task in that phase; any
    // other task is passed over (mock.passed: SKIPPED), the flow going on past it.
    if (k.workflow.runMode === 'mock') {
      if (!implementsPhase(taskDefOf(node.task), 'mock')) {
        return k.advance(k.addTask(k.newTask(node, opts, { status: TaskStatus.Skipped, startTime: k.now, endTime: k.now }), 'mock.passed'));
      }
      enqueue(k, node, opts, taskDefOf(node.task).responseTimeoutSeconds * 1000, { phase: 'mock' });
      return;
    }
    enqueue(k, node, opts, taskDefOf(node.task).responseTimeoutSeconds * 1000);
  },
};

/** A test run's mocked result for this attempt of the task (one per attempt, in order), if it has one. */
function mockOf(k: Kernel, node: TaskNode, opts: ScheduleOptions): TaskMock | undefined {
  const mocks = node.ref ? k.workflow.testRun?.taskRefToMockOutput?.[node.ref] : undefined;
  return mocks?.[opts.retryOf ? opts.retryOf.retryCount + 1 : 0];
}

/** A mocked attempt: it is not queued; it runs (mock.begin) and ends with the mocked result at once. */
function runMocked(k: Kernel, node: TaskNode, opts: ScheduleOptions, mock: TaskMock): void {
  const queueWaitTime = mock.queueWaitTime ?? 0;
  const task = k.addTask(k.newTask(node, opts, { status: TaskStatus.InProgress, startTime: k.now + queueWaitTime, queueWaitTime, workerId: 'test-mock' }), 'mock.begin');
  const patch = { outputData: { ...(mock.output ?? {}) }, endTime: k.now + queueWaitTime + (mock.executionTime ?? 0) };
  if (mock.status === 'COMPLETED') k.completeTask(task, patch);
  else k.failTask(task, { status: mock.status === 'FAILED' ? TaskStatus.Failed : TaskStatus.FailedWithTerminalError, reason: `mocked ${mock.status}`, patch });
}

/**
 * Creates the task SCHEDULED and queues it for a lease of `leaseMs` (how long a worker may hold it before
 * it is handed out again as a new attempt).
 */
export function enqueue(k: Kernel, node: TaskNode, opts: ScheduleOptions, leaseMs: number, fields: Partial<Task> = {}): Readonly<Task> {
  const def = taskDefOf(node.task);
  const task = k.addTask(k.newTask(node, opts, { ...fields, status: TaskStatus.Scheduled }), 'produce.success');
  const visibleAt = k.now + (node.task.startDelay ?? 0) * 1000 + (opts.delayMs ?? 0);
  k.command({ type: 'queue.push', taskId: task.taskId, queueName: queueNameOf(task), taskDefName: task.taskDefName, visibleAt, priority: k.workflow.priority, leaseMs, pollCount: 0 });
  const pollTimeoutSeconds = def.pollTimeoutSeconds ?? 0;
  if (pollTimeoutSeconds > 0) k.setTimer(TimerKind.PollTimeout, visibleAt + pollTimeoutSeconds * 1000, task.taskId);
  return task;
}

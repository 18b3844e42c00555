import { parseWaitDuration, parseWaitUntil, TaskStatus } from '@app/contracts';
import { TimerKind } from '../timers';
import type { TaskHandler } from './task-handler';

/**
 * WAIT: IN_PROGRESS until its `duration` passes or its `until` arrives (a durable timer), or — with
 * neither — until something completes it through the task API. Both, or a value that does not parse once
 * its expressions are resolved, fail it with a terminal error, as Conductor does.
 */
export const waitHandler: TaskHandler = {
  acceptsResults: true,
  schedule(k, node, opts) {
    const task = k.addTask(k.newTask(node, opts, { status: TaskStatus.InProgress, startTime: k.now }), 'start.begin');
    const { duration, until } = task.inputData;
    const given = (v: unknown) => v !== undefined && v !== null && v !== '';
    if (given(duration) && given(until)) {
      return k.failTask(task, { status: TaskStatus.FailedWithTerminalError, reason: "Both 'duration' and 'until' specified. Please provide only one input" });
    }
    if (given(duration)) {
      const seconds = parseWaitDuration(String(duration));
      if (seconds === undefined) return k.failTask(task, { status: TaskStatus.FailedWithTerminalError, reason: `Wait duration '${String(duration)}' is invalid: use a form like '10s', '5 minutes' or '1d 2h'` });
      return k.setTimer(TimerKind.Wait, k.now + seconds * 1000, task.taskId);
    }
    if (given(until)) {
      const at = parseWaitUntil(String(until));
      if (at === undefined) return k.failTask(task, { status: TaskStatus.FailedWithTerminalError, reason: `Unable to parse date '${String(until)}': use yyyy-MM-dd HH:mm, yyyy-MM-dd HH:mm <zone> or yyyy-MM-dd` });
      return k.setTimer(TimerKind.Wait, at, task.taskId);
    }
    // Neither: the task waits for an update from outside — or for a raised event it names (Dapr), which
    // may have come already.
    k.takeRaisedEvent(task);
  },
  onTimer(k, task) {
    k.completeTask(task);
  },
};

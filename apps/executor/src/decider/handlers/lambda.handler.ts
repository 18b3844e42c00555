import { TaskStatus } from '@app/contracts';
import type { TaskHandler } from './task-handler';

/**
 * LAMBDA (Conductor's older INLINE): `scriptExpression` is the body of a function — it may `return` — run
 * in the sandbox with `$` bound to the task's input; the task completes with `{ result }`. A script that
 * fails fails the task (retried per its definition, as Conductor's Lambda is).
 */
export const lambdaHandler: TaskHandler = {
  acceptsResults: false,
  schedule(k, node, opts) {
    const task = k.addTask(k.newTask(node, opts, { status: TaskStatus.InProgress, startTime: k.now }), 'start.begin');
    const script = task.inputData.scriptExpression;
    if (typeof script !== 'string' || !script.trim()) {
      return k.failTask(task, { status: TaskStatus.FailedWithTerminalError, reason: 'Empty scriptExpression: inputParameters.scriptExpression is required for LAMBDA' });
    }
    const result = k.evaluators.javascript(`(function scriptFun() {\n${script}\n})()`, task.inputData);
    if (!result.ok) {
      const reason = `Failed to execute the script: ${result.message}`;
      return k.failTask(task, { status: TaskStatus.Failed, reason, patch: { outputData: { error: reason } } });
    }
    k.completeTask(task, { outputData: { result: result.value ?? null } });
  },
};

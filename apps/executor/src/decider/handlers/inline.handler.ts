import { TaskStatus } from '@app/contracts';
import { evaluateExpression } from '../evaluators';
import type { TaskHandler } from './task-handler';

/**
 * INLINE: evaluates `expression` in the decision that reaches it — `javascript`/`graaljs` (the default) in
 * the sandbox with `$` bound to the task's input (plain JSON, where Conductor hands scripts a Java map),
 * or `value-param` — and completes with `{ result }` (`undefined` becomes `null`). A script that fails
 * (throws, does not parse, runs out of time or memory) fails the task with a terminal error, its message
 * in the reason and in `output.error`, as Conductor's Inline does.
 */
export const inlineHandler: TaskHandler = {
  acceptsResults: false,
  schedule(k, node, opts) {
    const task = k.addTask(k.newTask(node, opts, { status: TaskStatus.InProgress, startTime: k.now }), 'start.begin');
    const { evaluatorType, expression } = task.inputData;
    if (typeof expression !== 'string' || !expression.trim()) {
      const reason = 'Empty expression: inputParameters.expression is required for INLINE';
      return k.failTask(task, { status: TaskStatus.FailedWithTerminalError, reason, patch: { outputData: { error: reason } } });
    }
    const result = evaluateExpression(k.evaluators, typeof evaluatorType === 'string' ? evaluatorType : 'javascript', expression, task.inputData);
    if (!result.ok) {
      const reason = `Error evaluating the script \`${result.message}\``;
      return k.failTask(task, { status: TaskStatus.FailedWithTerminalError, reason, patch: { outputData: { error: reason } } });
    }
    k.completeTask(task, { outputData: { result: result.value ?? null } });
  },
};

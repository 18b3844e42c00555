import { TaskStatus } from '@app/contracts';
import type { TaskHandler } from './task-handler';

/**
 * JSON_JQ_TRANSFORM: runs the jq program `queryExpression` (real jq, compiled to WASM) over the task's
 * whole input — `queryExpression` included, as Conductor's does — and completes with `result` (the first
 * value it emitted, `null` if none) and `resultList` (all of them). A program that does not compile or
 * fails at run time fails the task, its message in the reason and in `output.error`.
 */
export const jsonJqTransformHandler: TaskHandler = {
  acceptsResults: false,
  schedule(k, node, opts) {
    const task = k.addTask(k.newTask(node, opts, { status: TaskStatus.InProgress, startTime: k.now }), 'start.begin');
    const query = task.inputData.queryExpression;
    if (typeof query !== 'string' || !query.trim()) {
      const reason = 'Empty queryExpression: inputParameters.queryExpression is required for JSON_JQ_TRANSFORM';
      return k.failTask(task, { status: TaskStatus.FailedWithTerminalError, reason, patch: { outputData: { error: reason } } });
    }
    const result = k.evaluators.jq(query, task.inputData);
    if (!result.ok) return k.failTask(task, { status: TaskStatus.Failed, reason: result.message, patch: { outputData: { error: result.message } } });
    k.completeTask(task, { outputData: { result: result.results.length ? result.results[0] : null, resultList: result.results } });
  },
};

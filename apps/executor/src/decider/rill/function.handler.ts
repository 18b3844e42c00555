import { ResourceCall, RillFunctionTask, TaskStatus } from '@app/contracts';
import type { TaskHandler } from '../handlers/task-handler';
import { enqueue } from '../handlers/worker.handler';
import { mapOutput, rillAllMatch, rillInput, rillOf, triggerUrlOf } from './rill-task';

/** What the engine's worker may need beyond the call itself (the lease notice, the result's round trip). */
const LEASE_MARGIN_MS = 30_000;
/** How long a call may take when the task's timeline sets no timeout (Rill Flow's HTTP client default is of this order). */
export const RILL_CALL_TIMEOUT_MS = 30_000;

/**
 * A Rill Flow `function` task over HTTP: queued under RILL_FUNCTION for the engine's own worker
 * (`system-tasks/rill`), which calls `resourceName` as Rill Flow's dispatcher does and reports the response
 * as the task's output — so retries (the task's `retry`, as Baton's backoff), a crash mid-call (the lease
 * runs out; handed out again) and timeouts work as for any queued task. `task_async` (and `task_scheduler`)
 * tasks are `asyncComplete`: the call only hands the work over, and the task stays RUNNING until the
 * executor reports through `/flow/finish.json` or the `X-Callback-Url` (`/flow/trigger.json`).
 *
 * Success, decided when the result arrives (the call's response, or the callback's): with
 * `successConditions`, they must all hold over `$.output`; else with `failConditions`, any that holds fails
 * it; else a `result_type` other than SUCCESS fails it (Rill Flow's FunctionTaskRunner, whose order the
 * code gives: its docs put failConditions first).
 */
export const rillFunctionHandler: TaskHandler = {
  acceptsResults: true,
  schedule(k, node, opts) {
    const rill = rillOf({ workflowTask: node.task });
    const { input, error } = rillInput(k, rill);
    const timeoutMs = callMs(node.task.taskDefinition?.timeoutSeconds);
    const call: ResourceCall = {
      url: (rill as RillFunctionTask).resourceName ?? '',
      method: (rill as RillFunctionTask).requestType === 'get' ? 'GET' : 'POST',
      async: !!node.task.asyncComplete,
      timeoutMs,
    };
    const task = enqueue(k, node, { ...opts, inputData: input }, timeoutMs + LEASE_MARGIN_MS, { callbackUrl: triggerUrlOf(k, node.task.taskReferenceName), call });
    if (error) k.failTask(task, { status: TaskStatus.FailedWithTerminalError, reason: error });
  },
  onCompleting(k, task) {
    const rill = rillOf(task) as RillFunctionTask;
    const output = task.outputData;
    if (rill.successConditions.length) {
      if (!rillAllMatch(k, rill.successConditions, task.inputData, output)) return `successConditions do not hold over the output: ${rill.successConditions.join(' && ')}`;
    } else if (rill.failConditions.length) {
      const failed = rill.failConditions.find((c) => rillAllMatch(k, [c], task.inputData, output));
      if (failed) return `failCondition holds over the output: ${failed}`;
    } else if (typeof output.result_type === 'string' && output.result_type.toUpperCase() !== 'SUCCESS') {
      return `the executor answered result_type ${output.result_type}`;
    }
    return mapOutput(k, task);
  },
  leaseMsOf: (task) => (task.call?.timeoutMs ?? callMs(task.taskDefinition?.timeoutSeconds)) + LEASE_MARGIN_MS,
};

/** How long the engine's worker gives one call: the task's timeout when it has one, else the default. */
export const callMs = (timeoutSeconds: number | undefined): number => (timeoutSeconds && timeoutSeconds > 0 ? Math.min(timeoutSeconds * 1000, RILL_CALL_TIMEOUT_MS * 10) : RILL_CALL_TIMEOUT_MS);

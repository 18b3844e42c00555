import { TaskStatus } from '@app/contracts';
import type { TaskHandler } from './task-handler';

/** Conductor's `maxWorkflowVariablesPayloadSizeThreshold` default: the variables of a run, as JSON. */
export const MAX_WORKFLOW_VARIABLES_BYTES = 256 * 1024;

/**
 * SET_VARIABLE: merges its resolved input into `workflow.variables` (a key given again is replaced) and
 * completes at once. Variables that would grow past 256 KB are not written; the task fails with a terminal
 * error instead, as Conductor's SetVariable does.
 */
export const setVariableHandler: TaskHandler = {
  acceptsResults: false,
  schedule(k, node, opts) {
    const task = k.addTask(k.newTask(node, opts, { status: TaskStatus.InProgress, startTime: k.now }), 'start.begin');
    const variables = { ...(k.workflow.variables ?? {}), ...task.inputData };
    const bytes = Buffer.byteLength(JSON.stringify(variables));
    if (bytes > MAX_WORKFLOW_VARIABLES_BYTES) {
      return k.failTask(task, {
        status: TaskStatus.FailedWithTerminalError,
        reason: `The variables payload size: ${bytes} bytes of workflow ${k.workflow.workflowId} is greater than the permissible limit: ${MAX_WORKFLOW_VARIABLES_BYTES} bytes`,
      });
    }
    k.setWorkflow({ variables });
    k.completeTask(task);
  },
};

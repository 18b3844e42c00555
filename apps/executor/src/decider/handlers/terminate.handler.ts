import { TaskStatus, WorkflowStatus } from '@app/contracts';
import type { TaskHandler } from './task-handler';

const ENDINGS: Readonly<Record<string, WorkflowStatus>> = {
  COMPLETED: WorkflowStatus.Completed,
  FAILED: WorkflowStatus.Failed,
  TERMINATED: WorkflowStatus.Terminated,
};

/**
 * TERMINATE: ends the workflow in the decision that reaches it, with `terminationStatus` (COMPLETED,
 * FAILED or TERMINATED), `terminationReason` and `workflowOutput`. The task completes with the output it
 * hands the workflow — `workflowOutput` itself when it is an object, else `{ output: workflowOutput }` —
 * and whatever else is still running (another fork branch, a timer, a child workflow) is cancelled. The
 * workflow's output is the TERMINATE's, even where the definition has outputParameters, and its reason is
 * `terminationReason` or `Workflow is <status> by TERMINATE task: <id>` — COMPLETED included (checked
 * against Conductor 3.32). A status that is none of the three fails the task (Conductor's message), which
 * fails the workflow.
 */
export const terminateHandler: TaskHandler = {
  acceptsResults: false,
  schedule(k, node, opts) {
    const task = k.addTask(k.newTask(node, opts, { status: TaskStatus.InProgress, startTime: k.now }), 'start.begin');
    const { terminationStatus, terminationReason, workflowOutput } = task.inputData;
    const status = typeof terminationStatus === 'string' ? ENDINGS[terminationStatus] : undefined;
    if (!status) {
      return k.failTask(task, { status: TaskStatus.Failed, reason: 'given termination status is not valid', retry: false });
    }
    const output: Record<string, unknown> =
      workflowOutput === undefined || workflowOutput === null
        ? {}
        : typeof workflowOutput === 'object' && !Array.isArray(workflowOutput)
          ? { ...(workflowOutput as Record<string, unknown>) }
          : { output: workflowOutput };
    // Recorded without advancing: nothing after a TERMINATE runs.
    const done = k.transition(task.taskId, 'start.success', { outputData: output, endTime: k.now, executed: true });
    // Conductor records the reason for every ending, COMPLETED included.
    const reason = typeof terminationReason === 'string' && terminationReason ? terminationReason : `Workflow is ${status} by TERMINATE task: ${done.taskId}`;
    // A TERMINATE that fails or terminates the run starts its failureWorkflow, as a failed task would (checked on 3.32.1).
    k.endWorkflow(status, { output, reasonForIncompletion: reason }, status === WorkflowStatus.Completed ? undefined : { failureWorkflow: true, failedTaskId: done.taskId });
  },
};

import { TaskStatus, WorkflowDef } from '@app/contracts';
import { isJson } from '../expressions';
import { childWorkflowIdFor } from '../task-ids';
import type { TaskHandler } from './task-handler';

/**
 * START_WORKFLOW: starts another workflow and does not wait for it (fire and forget). `startWorkflow` is a
 * StartWorkflowRequest — `name`, `version`, `input`, `correlationId`, `priority`, `taskToDomain`, or an
 * inline `workflowDef`. The new workflow's id is derived from the task's (a redelivered start starts it
 * once) and its start is a message to its owner; the task is IN_PROGRESS until that owner answers, in the
 * start's own decision: COMPLETED with `{ workflowId }`, or FAILED with why it could not start (no such
 * definition, a type this version cannot run) — as Conductor's StartWorkflow fails on a start that throws.
 * The started workflow is no child: nothing links it back, and it outlives the task.
 */
export const startWorkflowHandler: TaskHandler = {
  acceptsResults: false,
  schedule(k, node, opts) {
    const draft = k.newTask(node, opts, { status: TaskStatus.InProgress, startTime: k.now });
    const request = draft.inputData.startWorkflow;
    const invalid = problemWith(request);
    if (invalid) {
      const task = k.addTask(draft, 'start.begin');
      return k.failTask(task, { status: TaskStatus.FailedWithTerminalError, reason: invalid });
    }
    const r = request as Record<string, unknown>;
    const workflowId = childWorkflowIdFor(draft.taskId);
    const task = k.addTask({ ...draft, outputData: { workflowId } }, 'start.begin');
    // An inline definition's `${…}` belong to the started workflow: take it as written, not as resolved here.
    const written = node.task.inputParameters?.startWorkflow;
    const writtenDef = isJson(written) && isJson(written.workflowDef) ? written.workflowDef : undefined;
    const inline = (writtenDef ?? (isJson(r.workflowDef) ? r.workflowDef : undefined)) as WorkflowDef | undefined;
    k.command({
      type: 'child.start',
      childWorkflowId: workflowId,
      name: (inline?.name ?? r.name) as string,
      ...(typeof r.version === 'number' ? { version: r.version } : {}),
      ...(inline ? { workflowDef: inline } : {}),
      input: isJson(r.input) ? r.input : {},
      ...(typeof r.correlationId === 'string' ? { correlationId: r.correlationId } : {}),
      priority: typeof r.priority === 'number' ? r.priority : 0,
      ...(isJson(r.taskToDomain) ? { taskToDomain: r.taskToDomain as Record<string, string> } : {}),
      startedBy: { workflowId: k.workflow.workflowId, taskId: task.taskId },
    });
  },
  onStartOutcome(k, task, e) {
    if (e.started) k.completeTask(task, { outputData: { workflowId: e.startedWorkflowId } });
    else k.failTask(task, { status: TaskStatus.Failed, reason: e.reason ?? `Workflow ${e.startedWorkflowId} could not be started` });
  },
};

/** Why a StartWorkflowRequest cannot be sent, or undefined. */
function problemWith(request: unknown): string | undefined {
  if (!isJson(request)) return 'inputParameters.startWorkflow must be a StartWorkflowRequest object';
  const inline = isJson(request.workflowDef) ? request.workflowDef : undefined;
  const name = inline?.name ?? request.name;
  if (typeof name !== 'string' || !name.trim()) return 'startWorkflow.name (or startWorkflow.workflowDef.name) is required';
  if (request.version !== undefined && request.version !== null && !(Number.isInteger(request.version) && (request.version as number) >= 1)) {
    return `startWorkflow.version must be a positive integer, got ${JSON.stringify(request.version)}`;
  }
  if (request.input !== undefined && request.input !== null && !isJson(request.input)) return 'startWorkflow.input must be an object';
  if (request.priority !== undefined && request.priority !== null && !(Number.isInteger(request.priority) && (request.priority as number) >= 0 && (request.priority as number) <= 99)) {
    return `startWorkflow.priority must be an integer from 0 to 99, got ${JSON.stringify(request.priority)}`;
  }
  return undefined;
}

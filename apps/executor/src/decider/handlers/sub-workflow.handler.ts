import { SubWorkflowParams, TaskStatus, WorkflowDef, WorkflowStatus } from '@app/contracts';
import type { Kernel } from '../kernel';
import { expressionDocument } from '../expression-document';
import { isJson, resolveValue } from '../expressions';
import { childWorkflowIdFor } from '../task-ids';
import type { TaskHandler } from './task-handler';

/**
 * SUB_WORKFLOW: starts a child workflow by a message to the child's owner (keyed by the child's id, which
 * is derived from the task's id, so a redelivered start starts nothing twice) and stays IN_PROGRESS until
 * the child ends. The child's status maps onto the task as Conductor maps it: COMPLETED → COMPLETED (its
 * output plus `subWorkflowId`), FAILED → FAILED and TIMED_OUT → TIMED_OUT (both retried per the task's
 * definition), TERMINATED → CANCELED.
 */
export const subWorkflowHandler: TaskHandler = {
  acceptsResults: true,
  schedule(k, node, opts) {
    const params = subWorkflowParamsOf(k, node.task.subWorkflowParam);
    const draft = k.newTask(node, opts, { status: TaskStatus.InProgress, startTime: k.now });
    const childWorkflowId = childWorkflowIdFor(draft.taskId);
    const task = k.addTask({ ...draft, subWorkflowId: childWorkflowId, outputData: { subWorkflowId: childWorkflowId } }, 'start.begin');
    const inline = isJson(params.workflowDefinition) ? (params.workflowDefinition as unknown as WorkflowDef) : undefined;
    const name = inline?.name ?? params.name;
    if (typeof name !== 'string' || !name) {
      return k.failTask(task, { status: TaskStatus.FailedWithTerminalError, reason: 'subWorkflowParam.name resolved to no workflow name' });
    }
    k.command({
      type: 'child.start',
      childWorkflowId,
      name,
      version: versionOf(params.version),
      workflowDef: inline,
      input: task.inputData,
      correlationId: k.workflow.correlationId,
      priority: k.workflow.priority,
      taskToDomain: params.taskToDomain ?? k.workflow.taskToDomain,
      parent: { workflowId: k.workflow.workflowId, taskId: task.taskId },
      ...(k.workflow.testRun?.subWorkflowTestRequest?.[task.referenceTaskName] ? { testRun: k.workflow.testRun.subWorkflowTestRequest[task.referenceTaskName] } : {}),
    });
  },
  onChildEnded(k, task, e) {
    const outputData = { ...e.output, subWorkflowId: e.childWorkflowId };
    const reason = e.reasonForIncompletion ?? `Sub workflow ${e.childWorkflowId} ended ${e.status}`;
    switch (e.status) {
      case WorkflowStatus.Completed:
        return void k.completeTask(task, { outputData });
      case WorkflowStatus.TimedOut:
        return k.failTask(task, { status: TaskStatus.TimedOut, reason, patch: { outputData } });
      case WorkflowStatus.Terminated:
        return k.failTask(task, { status: TaskStatus.Canceled, reason, patch: { outputData } });
      default:
        return k.failTask(task, { status: TaskStatus.Failed, reason, patch: { outputData } });
    }
  },
};

/**
 * The sub-workflow parameters with their expressions resolved against the parent — all but an inline
 * `workflowDefinition` object, whose `${…}` belong to the child and are resolved when the child runs
 * (only a definition given as one expression, `"${workflow.input.def}"`, is looked up here).
 */
function subWorkflowParamsOf(k: Kernel, raw: SubWorkflowParams | undefined): Partial<SubWorkflowParams> {
  const { workflowDefinition, ...rest } = raw ?? ({} as Partial<SubWorkflowParams>);
  const doc = expressionDocument(k.run);
  const resolved = resolveValue(rest, doc) as Partial<SubWorkflowParams>;
  if (workflowDefinition === undefined) return resolved;
  const definition = typeof workflowDefinition === 'string' ? resolveValue(workflowDefinition, doc) : workflowDefinition;
  return { ...resolved, workflowDefinition: definition as SubWorkflowParams['workflowDefinition'] };
}

/** A version given as a number, or as digits (a `${…}` inside text resolves to text). */
function versionOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

import type { Task, Workflow } from '@app/contracts';

/** Conductor's summary times: `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`, in GMT (SimpleDateFormat in WorkflowSummary). */
const isoOf = (ms: number): string => new Date(ms).toISOString();
const jsonOf = (value: unknown): string => JSON.stringify(value ?? {});

/** Conductor's `WorkflowSummary`: what `/api/workflow/search` answers per hit. */
export interface WorkflowSummary {
  readonly workflowType: string;
  readonly version: number;
  readonly workflowId: string;
  readonly correlationId?: string;
  readonly startTime: string;
  readonly updateTime?: string;
  readonly endTime?: string;
  readonly status: string;
  readonly input: string;
  readonly output: string;
  readonly reasonForIncompletion?: string;
  readonly executionTime: number;
  readonly failedReferenceTaskNames: string;
  readonly failedTaskNames: string[];
  readonly priority: number;
  readonly createdBy?: string;
  readonly idempotencyKey?: string;
  readonly parentWorkflowId?: string;
}

/** Conductor's `TaskSummary`: what `/api/tasks/search` answers per hit. */
export interface TaskSummary {
  readonly workflowId: string;
  readonly workflowType: string;
  readonly correlationId?: string;
  readonly scheduledTime: string;
  readonly startTime?: string;
  readonly updateTime?: string;
  readonly endTime?: string;
  readonly status: string;
  readonly reasonForIncompletion?: string;
  readonly executionTime: number;
  readonly queueWaitTime: number;
  readonly taskDefName: string;
  readonly taskType: string;
  readonly input: string;
  readonly output: string;
  readonly taskId: string;
  readonly workflowPriority: number;
  readonly domain?: string;
}

/**
 * A workflow as Conductor summarises it for search: times as ISO strings (GMT), input and output as JSON
 * text, the failed references joined by commas, executionTime 0 until it ends; absent values left out.
 */
export function workflowSummaryOf(w: Workflow): WorkflowSummary {
  const startTime = w.startTime ?? w.createTime ?? 0;
  return {
    workflowType: w.workflowName,
    version: w.workflowVersion,
    workflowId: w.workflowId,
    ...(w.correlationId !== undefined ? { correlationId: w.correlationId } : {}),
    startTime: isoOf(startTime),
    ...(w.updateTime ? { updateTime: isoOf(w.updateTime) } : {}),
    ...(w.endTime ? { endTime: isoOf(w.endTime) } : {}),
    status: w.status,
    input: jsonOf(w.input),
    output: jsonOf(w.output),
    ...(w.reasonForIncompletion ? { reasonForIncompletion: w.reasonForIncompletion } : {}),
    executionTime: w.endTime ? w.endTime - startTime : 0,
    failedReferenceTaskNames: (w.failedReferenceTaskNames ?? []).join(','),
    failedTaskNames: [...(w.failedTaskNames ?? [])],
    priority: w.priority ?? 0,
    ...(w.createdBy ? { createdBy: w.createdBy } : {}),
    ...(w.idempotencyKey ? { idempotencyKey: w.idempotencyKey } : {}),
    ...(w.parentWorkflowId ? { parentWorkflowId: w.parentWorkflowId } : {}),
  };
}

/** A task as Conductor summarises it for search (TaskSummary). */
export function taskSummaryOf(t: Task): TaskSummary {
  return {
    workflowId: t.workflowInstanceId,
    workflowType: t.workflowType,
    ...(t.correlationId !== undefined ? { correlationId: t.correlationId } : {}),
    scheduledTime: isoOf(t.scheduledTime),
    ...(t.startTime ? { startTime: isoOf(t.startTime) } : {}),
    ...(t.updateTime ? { updateTime: isoOf(t.updateTime) } : {}),
    ...(t.endTime ? { endTime: isoOf(t.endTime) } : {}),
    status: t.status,
    ...(t.reasonForIncompletion ? { reasonForIncompletion: t.reasonForIncompletion } : {}),
    executionTime: t.endTime && t.startTime ? t.endTime - t.startTime : 0,
    queueWaitTime: t.queueWaitTime ?? 0,
    taskDefName: t.taskDefName,
    taskType: t.taskType,
    input: jsonOf(t.inputData),
    output: jsonOf(t.outputData),
    taskId: t.taskId,
    workflowPriority: t.workflowPriority ?? 0,
    ...(t.domain ? { domain: t.domain } : {}),
  };
}

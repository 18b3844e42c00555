import type { Task, TaskStatus, Workflow, WorkflowDef, WorkflowStatus, WorkflowTask } from '@app/contracts';

/**
 * The execution shapes the UI reads, taken from the wire types by `import type` only: `@app/contracts`
 * carries class-validator decorators and uuid at run time, which must never reach the browser bundle.
 * Builders take the parts they read, so a test fixture need not fill a whole Workflow.
 */
export type { Task, TaskStatus, Workflow, WorkflowDef, WorkflowStatus, WorkflowTask };

export type ExecutionTask = Pick<Task, 'taskId' | 'taskType' | 'status' | 'referenceTaskName' | 'seq' | 'retryCount' | 'scheduledTime' | 'startTime' | 'endTime'> &
  Partial<Pick<Task, 'iteration' | 'loopOverTask' | 'subWorkflowId' | 'takenNext' | 'inputData' | 'outputData' | 'reasonForIncompletion' | 'workerId' | 'taskDefName' | 'workflowTask'>>;

export type ExecutionDef = Pick<WorkflowDef, 'tasks'> & Partial<Pick<WorkflowDef, 'name' | 'version' | 'flow'>>;

export interface Execution {
  readonly workflowId: string;
  readonly status: WorkflowStatus;
  readonly workflowDefinition: ExecutionDef;
  readonly tasks?: readonly ExecutionTask[];
}

/** Statuses after which a task does not change (Conductor's Task.Status traits; values copied, not imported). */
const TERMINAL_TASK: ReadonlySet<string> = new Set(['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'FAILED_WITH_TERMINAL_ERROR', 'TIMED_OUT', 'CANCELED', 'SKIPPED']);
export const isTerminalTask = (status: string): boolean => TERMINAL_TASK.has(status);

const TERMINAL_WORKFLOW: ReadonlySet<string> = new Set(['COMPLETED', 'FAILED', 'TIMED_OUT', 'TERMINATED']);
export const isTerminalWorkflow = (status: string): boolean => TERMINAL_WORKFLOW.has(status);

/** Conductor's loop delimiter: a DO_WHILE body task's instance in iteration n is `<ref>__<n>`. */
export const baseRefOf = (ref: string): string => ref.replace(/__\d+$/, '');

import type { TaskResult } from '@app/contracts';

/** The inputs of the decider: everything that can happen to a workflow. */
export type DeciderEvent = WorkflowStartRequested | TaskClaimed | TaskResultReported;

export interface WorkflowStartRequested {
  readonly type: 'workflow.start';
  readonly workflowId: string;
  readonly input: Record<string, unknown>;
  readonly correlationId?: string;
  readonly priority: number;
  readonly taskToDomain?: Record<string, string>;
  readonly createdBy?: string;
}

export interface TaskClaimed {
  readonly type: 'task.claim';
  readonly taskId: string;
  readonly workerId?: string;
}

export interface TaskResultReported {
  readonly type: 'task.result';
  readonly result: TaskResult;
}

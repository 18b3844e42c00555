import type { TaskStatus, WorkflowStatus } from '../status';
import type { ResolvedTaskDef, WorkflowDef, WorkflowTask } from './definitions';

/**
 * Conductor's execution models as served over HTTP (`Task`, `Workflow`). Fields that are unset are
 * omitted from JSON, as Conductor's NON_NULL serialization does.
 */
export interface Task {
  taskType: string;
  status: TaskStatus;
  inputData: Record<string, unknown>;
  referenceTaskName: string;
  retryCount: number;
  seq: number;
  correlationId?: string;
  pollCount: number;
  taskDefName: string;
  scheduledTime: number;
  startTime: number;
  endTime: number;
  updateTime: number;
  startDelayInSeconds: number;
  retriedTaskId?: string;
  retried: boolean;
  executed: boolean;
  callbackFromWorker: boolean;
  responseTimeoutSeconds: number;
  workflowInstanceId: string;
  workflowType: string;
  taskId: string;
  reasonForIncompletion?: string;
  callbackAfterSeconds: number;
  workerId?: string;
  outputData: Record<string, unknown>;
  workflowTask: WorkflowTask;
  domain?: string;
  workflowPriority: number;
  iteration: number;
  queueWaitTime: number;
  /** SUB_WORKFLOW: the child workflow's id. */
  subWorkflowId?: string;
  taskDefinition?: ResolvedTaskDef;
  loopOverTask: boolean;
}

export interface Workflow {
  workflowId: string;
  workflowName: string;
  workflowVersion: number;
  status: WorkflowStatus;
  input: Record<string, unknown>;
  output: Record<string, unknown>;
  correlationId?: string;
  reasonForIncompletion?: string;
  failedReferenceTaskNames: string[];
  failedTaskNames: string[];
  taskToDomain: Record<string, string>;
  priority: number;
  variables: Record<string, unknown>;
  createTime: number;
  updateTime?: number;
  startTime: number;
  endTime?: number;
  createdBy?: string;
  /** The key it was started under (StartWorkflowRequest.idempotencyKey). */
  idempotencyKey?: string;
  /** Set on a workflow started by a SUB_WORKFLOW task. */
  parentWorkflowId?: string;
  parentWorkflowTaskId?: string;
  workflowDefinition: WorkflowDef;
  tasks?: Task[];
}

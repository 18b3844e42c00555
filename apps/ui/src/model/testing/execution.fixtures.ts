import type { Execution, ExecutionDef, ExecutionTask, WorkflowTask } from '../execution-types';

/** Fixture builders for the model specs: an execution from a definition and the tasks it ran. */
let seq = 0;

export function wt(ref: string, extra: Partial<WorkflowTask> = {}): WorkflowTask {
  return { name: ref, taskReferenceName: ref, type: 'SIMPLE', ...extra } as WorkflowTask;
}

export function run(ref: string, status: ExecutionTask['status'], extra: Partial<ExecutionTask> = {}): ExecutionTask {
  seq += 1;
  const at = 1_000 + seq * 10;
  return {
    taskId: `${ref}#${seq}`,
    taskType: 'SIMPLE',
    status,
    referenceTaskName: ref,
    seq,
    retryCount: 0,
    scheduledTime: at,
    startTime: status === 'SCHEDULED' ? 0 : at + 2,
    endTime: status === 'SCHEDULED' || status === 'IN_PROGRESS' ? 0 : at + 5,
    ...extra,
  };
}

export function execution(tasks: WorkflowTask[], ran: ExecutionTask[], status: Execution['status'] = 'RUNNING', def: Partial<ExecutionDef> = {}): Execution {
  return { workflowId: 'wf-1', status, workflowDefinition: { name: 'test', version: 1, tasks, ...def }, tasks: ran };
}

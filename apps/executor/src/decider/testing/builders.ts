import { TaskResult, TaskResultStatus, WorkflowDef, WorkflowTask, withWorkflowDefDefaults } from '@app/contracts';
import type { DeciderEvent } from '../events';

/** Builders for decider tests: read as "given this definition and state, when this event". */
export const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
export const WF_ID = '00000000-0000-4000-8000-000000000001';

export function aSimpleTask(ref: string, inputParameters: Record<string, unknown> = {}, extra: Partial<WorkflowTask> = {}): WorkflowTask {
  return { name: `${ref}_task`, taskReferenceName: ref, type: 'SIMPLE', inputParameters, ...extra };
}

export function aDefinition(tasks: WorkflowTask[], extra: Partial<WorkflowDef> = {}): WorkflowDef {
  return withWorkflowDefDefaults({ name: 'linear', version: 1, tasks, ...extra });
}

export const started = (input: Record<string, unknown> = {}, extra: Partial<Extract<DeciderEvent, { type: 'workflow.start' }>> = {}): DeciderEvent => ({
  type: 'workflow.start',
  workflowId: WF_ID,
  input,
  priority: 0,
  ...extra,
});

export const claimed = (taskId: string, workerId = 'worker-1'): DeciderEvent => ({ type: 'task.claim', taskId, workerId });

export function reported(taskId: string, status: TaskResultStatus, extra: Partial<TaskResult> = {}): DeciderEvent {
  return { type: 'task.result', result: { workflowInstanceId: WF_ID, taskId, status, ...extra } };
}

/** Deep-freezes a value so a test fails if the decider mutates its inputs. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

import { RILL_DAG_STATUS, RILL_NOT_STARTED, RILL_TASK_STATUS, SystemTaskType, Task, Workflow } from '@app/contracts';

/** Rill Flow's view of one task of an execution. */
export interface RillTaskView {
  readonly name: string;
  readonly category: string;
  readonly next: readonly string[];
  readonly status: string;
  readonly contains_sub: boolean;
  readonly task_id?: string;
  readonly invoke_msg?: { readonly msg?: string; readonly retry_count: number };
  readonly task?: unknown;
  readonly input?: Record<string, unknown>;
  readonly output?: Record<string, unknown>;
  readonly sub_execution_id?: string;
  readonly start_time?: number;
  readonly end_time?: number;
}

/** Rill Flow's `get.json`: the DAG's status, how far it got (percent of its tasks ended), and each task (its Rill task, input, output). */
export function rillExecutionView(executionId: string, wf: Workflow, brief: boolean) {
  const latest = new Map<string, Task>();
  // The newest attempt of each task (a retry supersedes the attempt it retried).
  for (const t of wf.tasks ?? []) if ((latest.get(t.referenceTaskName)?.seq ?? -1) < t.seq) latest.set(t.referenceTaskName, t);
  const defTasks = wf.workflowDefinition?.tasks ?? [];
  const tasks: Record<string, RillTaskView> = {};
  let ended = 0;
  let weights = 0;
  for (const wt of defTasks) {
    const t: Task | undefined = latest.get(wt.taskReferenceName);
    const status = t ? RILL_TASK_STATUS[t.status] : RILL_NOT_STARTED;
    const weight = typeof wt.rill?.progress?.weight === 'number' && wt.rill.progress.weight > 0 ? wt.rill.progress.weight : 1;
    weights += weight;
    if (['SUCCEED', 'SKIPPED', 'FAILED'].includes(status)) ended += weight;
    tasks[wt.taskReferenceName] = {
      name: wt.taskReferenceName,
      category: wt.rill?.category ?? 'function',
      next: wt.next ?? [],
      status,
      // Rill Flow's flag for a task that runs others: a sub-flow, a choice, a foreach.
      task: wt.rill,
      contains_sub: wt.type === SystemTaskType.RillSubFlow || wt.type === SystemTaskType.RillChoice || wt.type === SystemTaskType.RillForeach,
      ...(t
        ? {
            task_id: t.taskId,
            invoke_msg: { ...(t.reasonForIncompletion ? { msg: t.reasonForIncompletion } : {}), retry_count: t.retryCount },
            ...(t.subWorkflowId || typeof t.outputData?.execution_id === 'string' ? { sub_execution_id: String(t.outputData.execution_id ?? t.subWorkflowId) } : {}),
            start_time: t.startTime || t.scheduledTime,
            ...(t.endTime ? { end_time: t.endTime } : {}),
            input: t.inputData,
            output: t.outputData,
          }
        : {}),
    };
  }
  const dagStatus = RILL_DAG_STATUS[wf.status];
  return {
    execution_id: executionId,
    dag_status: dagStatus,
    // Percent of the DAG's tasks (by progress weight) that ended; a DAG that succeeded is 100.
    process: dagStatus === 'succeed' ? 100 : weights ? Math.floor((ended * 100) / weights) : 0,
    descriptor_id: wf.workflowDefinition?.rill?.descriptorId,
    version: wf.workflowDefinition?.rill?.version,
    submit_time: wf.createTime,
    ...(wf.endTime ? { end_time: wf.endTime } : {}),
    ...(wf.reasonForIncompletion ? { dag_invoke_msg: { msg: wf.reasonForIncompletion } } : {}),
    // brief: the DAG itself, as Rill Flow answers it (no context, no tasks).
    ...(brief ? {} : { context: wf.variables ?? {}, tasks }),
  };
}

import type { ExpressionDocument } from './expressions';
import { baseRefOf, latestByRef, WorkflowRun } from './workflow-run';

/**
 * The document `${…}` expressions are evaluated against: `workflow` plus one entry per task reference
 * name (its newest attempt), with the fields Conductor exposes (ParametersUtils).
 */
export function expressionDocument(run: WorkflowRun): ExpressionDocument {
  const w = run.workflow;
  const doc: ExpressionDocument = {
    workflow: {
      input: w.input,
      output: w.output,
      status: w.status,
      workflowId: w.workflowId,
      workflowType: w.workflowName,
      parentWorkflowId: w.parentWorkflowId,
      parentWorkflowTaskId: w.parentWorkflowTaskId,
      version: w.workflowVersion,
      correlationId: w.correlationId,
      reasonForIncompletion: w.reasonForIncompletion,
      schemaVersion: w.workflowDefinition.schemaVersion ?? 2,
      variables: w.variables,
    },
  };
  const latest = latestByRef(run.tasks);
  // A loop task is also reachable by its definition's reference, as its newest iteration (Conductor's
  // ParametersUtils drops the iteration suffix): `${work.output}` inside a DO_WHILE is this iteration's.
  for (const t of run.tasks) {
    if (!t.loopOverTask) continue;
    const base = baseRefOf(t.referenceTaskName);
    const seen = latest.get(base);
    if (!seen || (seen.loopOverTask && seen.seq < t.seq)) latest.set(base, t);
  }
  for (const [ref, t] of latest) {
    doc[ref] = {
      input: t.inputData,
      output: t.outputData,
      taskType: t.taskType,
      status: t.status,
      referenceTaskName: t.referenceTaskName,
      retryCount: t.retryCount,
      correlationId: t.correlationId,
      pollCount: t.pollCount,
      taskDefName: t.taskDefName,
      scheduledTime: t.scheduledTime,
      startTime: t.startTime,
      endTime: t.endTime,
      workflowInstanceId: t.workflowInstanceId,
      taskId: t.taskId,
      reasonForIncompletion: t.reasonForIncompletion,
      callbackAfterSeconds: t.callbackAfterSeconds,
      workerId: t.workerId,
      iteration: t.iteration,
    };
  }
  return doc;
}

// The dialects' status tables and ids, from the one place the gateway answers with them too. A relative
// import on purpose (eslint.config.mjs allows it for this file only): these two files are pure, and the
// UI's bundle may carry them, where `@app/contracts` as a whole must stay type-only.
import { DAPR_INSTANCE_ID, DAPR_MAX_INSTANCE_ID, DAPR_RUNTIME_STATUS, RILL_DAG_STATUS, RILL_NOT_STARTED, RILL_TASK_STATUS } from '../../../../libs/contracts/src/dialects';
import { daprWorkflowIdFor, rillExecutionIdOf } from '../../../../libs/contracts/src/derived-ids';
import type { TaskStatus, WorkflowStatus } from './execution-types';

export type Dialect = 'Rill Flow' | 'Dapr';

/** A workflow as another dialect's API shows it: the id that API knows it by, and its status there. */
export interface DialectView {
  readonly dialect: Dialect;
  readonly id: string;
  readonly status: string;
}

export interface DialectSource {
  readonly workflowId: string;
  readonly status: WorkflowStatus;
  readonly correlationId?: string;
  readonly workflowDefinition?: { readonly rill?: { readonly descriptorId: string } };
}

/**
 * The other dialects a workflow was started through: a Rill Flow DAG (its definition carries the
 * descriptor), a Dapr instance (the workflow id is the one Dapr's instance id maps to, the instance id kept
 * as the correlation id). A workflow started through Conductor's API has none.
 */
export function dialectsOf(wf: DialectSource): DialectView[] {
  const views: DialectView[] = [];
  const rill = wf.workflowDefinition?.rill;
  if (rill) views.push({ dialect: 'Rill Flow', id: rillExecutionIdOf(rill.descriptorId, wf.workflowId), status: RILL_DAG_STATUS[wf.status] });
  if (wf.correlationId && wf.correlationId.length <= DAPR_MAX_INSTANCE_ID && DAPR_INSTANCE_ID.test(wf.correlationId) && daprWorkflowIdFor(wf.correlationId) === wf.workflowId) {
    views.push({ dialect: 'Dapr', id: wf.correlationId, status: DAPR_RUNTIME_STATUS[wf.status] });
  }
  return views;
}

/** A Rill Flow DAG's task status: the newest attempt's, or NOT_STARTED where there is none yet. */
export const rillTaskStatusOf = (status: TaskStatus | undefined): string => (status ? RILL_TASK_STATUS[status] : RILL_NOT_STARTED);

/** A search row (Conductor's WorkflowSummary) carries no definition: a Rill Flow DAG is known by its name among the registered DAGs'. */
export interface DialectSummary {
  readonly workflowId: string;
  readonly workflowType: string;
  readonly status: string;
  readonly correlationId?: string;
}

export function dialectsOfSummary(row: DialectSummary, rillDags: ReadonlySet<string>): DialectView[] {
  return dialectsOf({
    workflowId: row.workflowId,
    status: row.status as WorkflowStatus,
    ...(row.correlationId ? { correlationId: row.correlationId } : {}),
    ...(rillDags.has(row.workflowType) ? { workflowDefinition: { rill: { descriptorId: row.workflowType } } } : {}),
  });
}

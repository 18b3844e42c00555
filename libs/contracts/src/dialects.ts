import { TaskStatus, WorkflowStatus } from './status';

/**
 * How the other dialects name what Baton's engine records: one table per dialect, used by the gateway that
 * answers in that dialect and by the web UI that shows a workflow's statuses in each. Pure (no decorators,
 * no framework): the UI bundles this file as it is.
 */

/**
 * Rill Flow, a task of the DAG: not reached yet → NOT_STARTED (no task); queued → READY; at its executor,
 * or waiting (async, suspense, sub-flow) → RUNNING; completed → SUCCEED; skipped (a branch not taken, after a
 * return) or failed but tolerated (`tolerance`) → SKIPPED; failed, timed out or cancelled → FAILED.
 */
export const RILL_TASK_STATUS: Readonly<Record<TaskStatus, string>> = {
  SCHEDULED: 'READY',
  IN_PROGRESS: 'RUNNING',
  COMPLETED: 'SUCCEED',
  COMPLETED_WITH_ERRORS: 'SKIPPED',
  SKIPPED: 'SKIPPED',
  FAILED: 'FAILED',
  FAILED_WITH_TERMINAL_ERROR: 'FAILED',
  TIMED_OUT: 'FAILED',
  CANCELED: 'FAILED',
};

/** A task of a Rill Flow DAG the execution has not reached. */
export const RILL_NOT_STARTED = 'NOT_STARTED';

/** Rill Flow, the DAG: RUNNING (paused too) → running; COMPLETED → succeed; FAILED, TIMED_OUT, TERMINATED → failed — lower case, as Rill Flow's DAGStatus serialises (its `@JsonValue`). */
export const RILL_DAG_STATUS: Readonly<Record<WorkflowStatus, string>> = {
  RUNNING: 'running',
  PAUSED: 'running',
  COMPLETED: 'succeed',
  FAILED: 'failed',
  TIMED_OUT: 'failed',
  TERMINATED: 'failed',
};

/** Dapr Workflow's `runtimeStatus`. */
export const DAPR_RUNTIME_STATUS: Readonly<Record<WorkflowStatus, string>> = {
  RUNNING: 'RUNNING',
  PAUSED: 'SUSPENDED',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
  TIMED_OUT: 'FAILED',
  TERMINATED: 'TERMINATED',
};

/** A Dapr workflow instance id Baton accepts: letters, digits, `_` and `-` (any script), at most 64 characters. */
export const DAPR_INSTANCE_ID = /^[\p{L}\p{N}_-]+$/u;
export const DAPR_MAX_INSTANCE_ID = 64;

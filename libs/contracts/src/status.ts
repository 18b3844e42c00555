/**
 * Conductor's status vocabularies with their trait tables (Conductor `Workflow.WorkflowStatus` and
 * `Task.Status`). Predicates over traits, never ad-hoc comparisons, decide what a status means.
 */
export const WorkflowStatus = {
  Running: 'RUNNING',
  Completed: 'COMPLETED',
  Failed: 'FAILED',
  TimedOut: 'TIMED_OUT',
  Terminated: 'TERMINATED',
  Paused: 'PAUSED',
} as const;
export type WorkflowStatus = (typeof WorkflowStatus)[keyof typeof WorkflowStatus];

export const WORKFLOW_STATUS_TRAITS = {
  RUNNING: { terminal: false, successful: false },
  COMPLETED: { terminal: true, successful: true },
  FAILED: { terminal: true, successful: false },
  TIMED_OUT: { terminal: true, successful: false },
  TERMINATED: { terminal: true, successful: false },
  PAUSED: { terminal: false, successful: true },
} as const satisfies Record<WorkflowStatus, { terminal: boolean; successful: boolean }>;

export const TaskStatus = {
  Scheduled: 'SCHEDULED',
  InProgress: 'IN_PROGRESS',
  Completed: 'COMPLETED',
  CompletedWithErrors: 'COMPLETED_WITH_ERRORS',
  Failed: 'FAILED',
  FailedWithTerminalError: 'FAILED_WITH_TERMINAL_ERROR',
  TimedOut: 'TIMED_OUT',
  Canceled: 'CANCELED',
  Skipped: 'SKIPPED',
} as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

export const TASK_STATUS_TRAITS = {
  SCHEDULED: { terminal: false, successful: true, retriable: true },
  IN_PROGRESS: { terminal: false, successful: true, retriable: true },
  COMPLETED: { terminal: true, successful: true, retriable: true },
  COMPLETED_WITH_ERRORS: { terminal: true, successful: true, retriable: true },
  FAILED: { terminal: true, successful: false, retriable: true },
  FAILED_WITH_TERMINAL_ERROR: { terminal: true, successful: false, retriable: false },
  TIMED_OUT: { terminal: true, successful: false, retriable: true },
  CANCELED: { terminal: true, successful: false, retriable: false },
  SKIPPED: { terminal: true, successful: true, retriable: false },
} as const satisfies Record<TaskStatus, { terminal: boolean; successful: boolean; retriable: boolean }>;

export const isTerminalWorkflowStatus = (s: WorkflowStatus): boolean => WORKFLOW_STATUS_TRAITS[s].terminal;
export const isTerminalTaskStatus = (s: TaskStatus): boolean => TASK_STATUS_TRAITS[s].terminal;
export const isSuccessfulTaskStatus = (s: TaskStatus): boolean => TASK_STATUS_TRAITS[s].successful;
export const isRetriableTaskStatus = (s: TaskStatus): boolean => TASK_STATUS_TRAITS[s].retriable;

/** The statuses a worker may report in a TaskResult (Conductor `TaskResult.Status`). */
export const TaskResultStatus = {
  InProgress: 'IN_PROGRESS',
  Failed: 'FAILED',
  FailedWithTerminalError: 'FAILED_WITH_TERMINAL_ERROR',
  Completed: 'COMPLETED',
  Canceled: 'CANCELED',
} as const;
export type TaskResultStatus = (typeof TaskResultStatus)[keyof typeof TaskResultStatus];

import { TaskResultStatus, TaskStatus } from './status';

/**
 * The task lifecycle as event types: a phase × an outcome. Phases come from resource orchestrators
 * (SipRS): a task is produced (materialised and queued), started (executed by a worker), monitored
 * (heartbeats, timeouts), rolled back (saga compensation), deleted, canceled, or mocked (test runs).
 * Conductor's task statuses are a projection of these events, defined once below.
 */
export const TaskPhase = {
  Produce: 'produce',
  Start: 'start',
  Monitor: 'monitor',
  Rollback: 'rollback',
  Delete: 'delete',
  Cancel: 'cancel',
  Mock: 'mock',
} as const;
export type TaskPhase = (typeof TaskPhase)[keyof typeof TaskPhase];

export const PhaseOutcome = {
  Begin: 'begin',
  Success: 'success',
  Failed: 'failed',
  Canceled: 'canceled',
  /** mock only: the mocked task was passed over without producing output. */
  Passed: 'passed',
} as const;
export type PhaseOutcome = (typeof PhaseOutcome)[keyof typeof PhaseOutcome];

type CommonOutcome = Exclude<PhaseOutcome, 'passed'>;
export type TaskEventType =
  | `${Exclude<TaskPhase, 'mock'>}.${CommonOutcome}`
  | `mock.${PhaseOutcome}`;

export const taskEventType = <P extends TaskPhase>(
  phase: P,
  outcome: P extends 'mock' ? PhaseOutcome : CommonOutcome,
): TaskEventType => `${phase}.${outcome}` as TaskEventType;

/**
 * The one mapping from lifecycle events to Conductor task statuses. `null` means the event does not
 * change the Conductor-visible status (Conductor has no word for it: a heartbeat, a compensation step, a
 * deletion). `start.failed` refines to FAILED_WITH_TERMINAL_ERROR when the failure is not retriable.
 */
export const TASK_EVENT_STATUS = {
  'produce.begin': null,
  'produce.success': TaskStatus.Scheduled,
  'produce.failed': TaskStatus.FailedWithTerminalError,
  'produce.canceled': TaskStatus.Canceled,
  'start.begin': TaskStatus.InProgress,
  'start.success': TaskStatus.Completed,
  'start.failed': TaskStatus.Failed,
  'start.canceled': TaskStatus.Canceled,
  'monitor.begin': null,
  'monitor.success': null,
  'monitor.failed': TaskStatus.TimedOut,
  'monitor.canceled': null,
  'rollback.begin': null,
  'rollback.success': null,
  'rollback.failed': null,
  'rollback.canceled': null,
  'delete.begin': null,
  'delete.success': null,
  'delete.failed': null,
  'delete.canceled': null,
  'cancel.begin': null,
  'cancel.success': TaskStatus.Canceled,
  'cancel.failed': null,
  'cancel.canceled': null,
  'mock.begin': null,
  'mock.success': TaskStatus.Completed,
  'mock.failed': TaskStatus.Failed,
  'mock.canceled': TaskStatus.Canceled,
  'mock.passed': TaskStatus.Skipped,
} as const satisfies Record<TaskEventType, TaskStatus | null>;

export const TASK_EVENT_TYPES = Object.keys(TASK_EVENT_STATUS) as TaskEventType[];

export interface StatusQualifiers {
  /** the failure must not be retried (a worker's FAILED_WITH_TERMINAL_ERROR). */
  readonly nonRetriable?: boolean;
  /** an optional task failed for good: it completes with errors instead of failing the workflow. */
  readonly optional?: boolean;
  /**
   * a phase that ends the task (monitor.success after its start) — COMPLETED — or one that another phase
   * follows (start.success before a monitor) — IN_PROGRESS.
   */
  readonly ends?: boolean;
  readonly continues?: boolean;
  /** monitor.failed because the worker said so (FAILED), not because the monitoring timed out (TIMED_OUT). */
  readonly reported?: boolean;
}

/** Conductor status after `type`, or null when the event leaves the status as it was. */
export function conductorTaskStatus(type: TaskEventType, q: StatusQualifiers = {}): TaskStatus | null {
  if (q.continues) return TaskStatus.InProgress;
  if (q.ends && type === 'monitor.success') return TaskStatus.Completed;
  // A cancel the worker could not carry out still ends the task: CANCELED, the failure in its lifecycle.
  if (q.ends && type === 'cancel.failed') return TaskStatus.Canceled;
  if (q.reported && type === 'monitor.failed') return q.nonRetriable ? TaskStatus.FailedWithTerminalError : q.optional ? TaskStatus.CompletedWithErrors : TaskStatus.Failed;
  const status = TASK_EVENT_STATUS[type];
  if (status === TaskStatus.Failed && q.optional) return TaskStatus.CompletedWithErrors;
  if (status === TaskStatus.Failed && q.nonRetriable) return TaskStatus.FailedWithTerminalError;
  return status;
}

/** The lifecycle event a worker's reported result stands for (the inverse direction, for TaskResult). */
export function taskEventTypeForResult(status: TaskResultStatus): TaskEventType {
  switch (status) {
    case TaskResultStatus.InProgress:
      return 'monitor.success';
    case TaskResultStatus.Completed:
      return 'start.success';
    case TaskResultStatus.Failed:
    case TaskResultStatus.FailedWithTerminalError:
      return 'start.failed';
    case TaskResultStatus.Canceled:
      return 'cancel.success';
    default:
      return assertNever(status);
  }
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${String(value)}`);
}

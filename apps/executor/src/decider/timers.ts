/**
 * The durable timers a decision can set. Each is named after what it guards, so setting one twice is one
 * timer, and a decision can cancel it by name without having read it.
 */
export const TimerKind = {
  /** WorkflowDef.timeoutSeconds, from the start. */
  WorkflowTimeout: 'workflow.timeout',
  /** TaskDef.timeoutSeconds, from the task's start (its first lease). */
  TaskTimeout: 'task.timeout',
  /** TaskDef.pollTimeoutSeconds: a SCHEDULED task nobody polled in time. */
  PollTimeout: 'task.poll-timeout',
  /** A WAIT task's duration or until. */
  Wait: 'wait',
  /** A failed system task's retry backoff: the next attempt is created when it fires (owner: the failed attempt). */
  Retry: 'task.retry',
  /** TaskDef.monitorTimeoutSeconds: the monitor phase of a task with phases lasted too long (from its start). */
  MonitorTimeout: 'task.monitor-timeout',
} as const;
export type TimerKind = (typeof TimerKind)[keyof typeof TimerKind];

const TIMER_KINDS = new Set<string>(Object.values(TimerKind));
export const isTimerKind = (value: string): value is TimerKind => TIMER_KINDS.has(value);

/** A timer's id: its kind and what it belongs to (a task, or the workflow itself). */
export const timerIdOf = (kind: TimerKind, ownerId: string): string => `${kind}:${ownerId}`;

/**
 * The wire as a worker sees it. These types and names MIRROR the engine's contracts — `Task` and
 * `TaskResult` (Conductor's models, `libs/contracts/src/conductor/`) and the native Kafka worker protocol
 * (`libs/contracts/src/worker-protocol.ts`, `libs/contracts/src/topics.ts`). The SDK is published on its
 * own and must not import the monorepo's libs, so they are copied here; the engine's side is the source
 * of truth, and a name here never changes unless it changes there (a new shape gets a new version).
 */

/** Conductor `Task.Status`. */
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

/** The statuses a worker may report (Conductor `TaskResult.Status`). */
export const TaskResultStatus = {
  InProgress: 'IN_PROGRESS',
  Failed: 'FAILED',
  FailedWithTerminalError: 'FAILED_WITH_TERMINAL_ERROR',
  Completed: 'COMPLETED',
  Canceled: 'CANCELED',
} as const;
export type TaskResultStatus = (typeof TaskResultStatus)[keyof typeof TaskResultStatus];

/** The part of a task's workflow task a worker may look at. */
export interface WorkflowTaskSummary {
  name: string;
  taskReferenceName: string;
  type: string;
  [field: string]: unknown;
}

/**
 * A task as a poll (or a Kafka task message) hands it out. Unset fields are omitted from the JSON, as
 * Conductor's NON_NULL serialization does.
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
  workflowTask: WorkflowTaskSummary;
  domain?: string;
  workflowPriority: number;
  iteration: number;
  queueWaitTime: number;
  subWorkflowId?: string;
  taskDefinition?: Record<string, unknown>;
  loopOverTask: boolean;
  /**
   * Baton's own, on a task whose definition declares phases: the phase to run — `start`, `monitor` (is the
   * asynchronous work done yet?), `rollback` (undo it), `cancel`, `delete`, `mock` (a dry run).
   */
  phase?: 'start' | 'monitor' | 'rollback' | 'cancel' | 'delete' | 'mock';
}

/** A log line attached to a result (Conductor `TaskExecLog`). */
export interface TaskExecLog {
  log: string;
  taskId: string;
  createdTime: number;
}

/** What a worker reports for a task (Conductor `TaskResult`). */
export interface TaskResult {
  workflowInstanceId: string;
  taskId: string;
  status: TaskResultStatus;
  reasonForIncompletion?: string;
  callbackAfterSeconds?: number;
  workerId?: string;
  outputData?: Record<string, unknown>;
  logs?: TaskExecLog[];
  /** Only refreshes the lease (a heartbeat): the task stays with this worker. */
  extendLease?: boolean;
  /** The phase this result is for (the task's `phase`): a result for a phase the task has left is ignored. */
  phase?: Task['phase'];
}

// ---- native Kafka workers (libs/contracts/src/worker-protocol.ts) ---------------------------------

/** Task definition names that can be delivered over Kafka: they become part of a topic name. */
export const KAFKA_DELIVERABLE_NAME = /^[a-zA-Z0-9._-]{1,200}$/;

/** The topic a KAFKA-delivered task type's tasks are produced on; key = taskId. */
export const workerTopicOf = (taskDefName: string): string => `baton.worker.tasks.${taskDefName}.v1`;

/** The consumer group workers of a type share by default. */
export const workerGroupOf = (taskDefName: string): string => `baton.workers.${taskDefName}`;

/** Where workers report (`Topic.WorkerTaskEvents`: the task lifecycle events of native workers); key = workflowId. */
export const WORKER_TASK_EVENTS_TOPIC = 'baton.worker.task-events.v1';

/** Where a consumer parks a message it can never process (`Topic.DeadLetter`): `{topic, reason, payload}`. */
export const DEAD_LETTER_TOPIC = 'baton.dead-letter.v1';

/** engine → workers, on `workerTopicOf(task.taskDefName)`. */
export interface KafkaTaskMessage {
  readonly type: 'produce';
  readonly task: Task;
  /** When the engine queued it (epoch ms). */
  readonly producedAt: number;
}

export type WorkerReportType = 'start.begin' | 'monitor.success' | 'start.success' | 'start.failed';

/** workers → engine, on `WORKER_TASK_EVENTS_TOPIC`. */
export interface WorkerTaskReport {
  readonly source: 'worker';
  /** Unique per report (a uuid): a report delivered twice is applied once. */
  readonly eventId: string;
  readonly type: WorkerReportType;
  readonly workflowId: string;
  readonly taskId: string;
  readonly workerId: string;
  readonly occurredAt: number;
  /** On every type but `start.begin`. */
  readonly result?: TaskResult;
}

/** The report type a result goes out as: terminal outcomes end the task, IN_PROGRESS is progress. */
export function reportTypeOf(status: TaskResultStatus): WorkerReportType {
  switch (status) {
    case TaskResultStatus.Completed:
      return 'start.success';
    case TaskResultStatus.Failed:
    case TaskResultStatus.FailedWithTerminalError:
    case TaskResultStatus.Canceled:
      return 'start.failed';
    case TaskResultStatus.InProgress:
      return 'monitor.success';
  }
}

/** Parses a task message off the wire: the message, or why it can never be processed. */
export function parseKafkaTaskMessage(value: Buffer | null): { ok: true; message: KafkaTaskMessage } | { ok: false; reason: string } {
  if (!value) return { ok: false, reason: 'empty message' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
  if (typeof parsed !== 'object' || parsed === null) return { ok: false, reason: 'not an object' };
  const m = parsed as { type?: unknown; task?: unknown };
  if (m.type !== 'produce') return { ok: false, reason: `unknown message type ${JSON.stringify(m.type)}` };
  const task = m.task as Partial<Task> | null | undefined;
  if (typeof task !== 'object' || task === null) return { ok: false, reason: 'no task' };
  if (typeof task.taskId !== 'string' || !task.taskId) return { ok: false, reason: 'task without a taskId' };
  if (typeof task.workflowInstanceId !== 'string' || !task.workflowInstanceId) return { ok: false, reason: 'task without a workflowInstanceId' };
  return { ok: true, message: parsed as KafkaTaskMessage };
}

/** A worker's report about a task (the same for every native transport): one eventId, applied once. */
export function workerReport(
  type: WorkerReportType,
  task: Pick<Task, 'workflowInstanceId' | 'taskId'>,
  by: { readonly workerId: string; readonly now: () => number; readonly newId: () => string },
  result?: TaskResult,
): WorkerTaskReport {
  return { source: 'worker', eventId: by.newId(), type, workflowId: task.workflowInstanceId, taskId: task.taskId, workerId: by.workerId, occurredAt: by.now(), ...(result ? { result } : {}) };
}

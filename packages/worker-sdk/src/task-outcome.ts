import { Task, TaskExecLog, TaskResult, TaskResultStatus } from './protocol';

/**
 * What a handler decided, when it is more than "done, here is the output". Returned through the
 * `TaskOutcome` helpers; a plain object returned by a handler is the output of a COMPLETED task. The class
 * (rather than a `{status}` field) keeps an output that happens to have a `status` key an output.
 */
export class TaskOutcome {
  private constructor(
    readonly status: TaskResultStatus,
    readonly outputData: Record<string, unknown> | undefined,
    readonly reasonForIncompletion: string | undefined,
    readonly callbackAfterSeconds: number | undefined,
  ) {}

  static completed(outputData?: Record<string, unknown>): TaskOutcome {
    return new TaskOutcome(TaskResultStatus.Completed, outputData, undefined, undefined);
  }

  /** FAILED: the engine retries the task as its definition says (retryCount, retryDelaySeconds). */
  static failed(reason: string, outputData?: Record<string, unknown>): TaskOutcome {
    return new TaskOutcome(TaskResultStatus.Failed, outputData, reason, undefined);
  }

  /** FAILED_WITH_TERMINAL_ERROR: no retry, whatever the definition says. */
  static failedTerminal(reason: string, outputData?: Record<string, unknown>): TaskOutcome {
    return new TaskOutcome(TaskResultStatus.FailedWithTerminalError, outputData, reason, undefined);
  }

  /**
   * IN_PROGRESS: "not done, call me back". The task goes back to its queue and is handed out again (to any
   * worker of the type) after `callbackAfterSeconds`, with this output merged into its outputData.
   */
  static inProgress(callbackAfterSeconds: number, outputData?: Record<string, unknown>): TaskOutcome {
    if (!Number.isInteger(callbackAfterSeconds) || callbackAfterSeconds < 0) {
      throw new RangeError(`callbackAfterSeconds must be a non-negative integer, got ${callbackAfterSeconds}`);
    }
    return new TaskOutcome(TaskResultStatus.InProgress, outputData, undefined, callbackAfterSeconds);
  }
}

/** Thrown by a handler: the task fails with FAILED_WITH_TERMINAL_ERROR (no retry). Any other error fails it with FAILED. */
export class TerminalError extends Error {
  override readonly name: string = 'TerminalError';
}

/** What a handler may return: an output (COMPLETED), an outcome, or nothing (COMPLETED, empty output). */
export type HandlerReturn = Record<string, unknown> | TaskOutcome | void | undefined;

/** How a handler's run ended: with a value, or by throwing. */
export type Settled = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

const MAX_STACK_CHARS = 4000;

/** The TaskResult a worker reports for a handler's run. */
export function resultOf(task: Task, workerId: string, settled: Settled, logs: readonly TaskExecLog[] = [], now: number = Date.now()): TaskResult {
  // A task with phases: the result says which phase it is for, so a late one for a phase left behind is ignored.
  const base = { workflowInstanceId: task.workflowInstanceId, taskId: task.taskId, workerId, ...(task.phase ? { phase: task.phase } : {}) };
  const withLogs = (extra: TaskExecLog[] = []): { logs?: TaskExecLog[] } => (logs.length || extra.length ? { logs: [...logs, ...extra] } : {});
  if (!settled.ok) {
    const err = settled.error;
    const terminal = err instanceof TerminalError;
    const stack = err instanceof Error && err.stack ? [{ log: err.stack.slice(0, MAX_STACK_CHARS), taskId: task.taskId, createdTime: now }] : [];
    return {
      ...base,
      status: terminal ? TaskResultStatus.FailedWithTerminalError : TaskResultStatus.Failed,
      reasonForIncompletion: reasonOf(err),
      ...withLogs(stack),
    };
  }
  const v = settled.value;
  if (v instanceof TaskOutcome) {
    return {
      ...base,
      status: v.status,
      ...(v.outputData !== undefined ? { outputData: v.outputData } : {}),
      ...(v.reasonForIncompletion !== undefined ? { reasonForIncompletion: v.reasonForIncompletion } : {}),
      ...(v.callbackAfterSeconds !== undefined ? { callbackAfterSeconds: v.callbackAfterSeconds } : {}),
      ...withLogs(),
    };
  }
  return { ...base, status: TaskResultStatus.Completed, outputData: outputOf(v), ...withLogs() };
}

/** A heartbeat: the task is still being worked on here; keep it leased to this worker. */
export function heartbeatOf(task: Task, workerId: string): TaskResult {
  return { workflowInstanceId: task.workflowInstanceId, taskId: task.taskId, workerId, status: TaskResultStatus.InProgress, extendLease: true };
}

/** Gives a task back (the worker stops without finishing it): queued again at once, no retry used up. */
export function handBackOf(task: Task, workerId: string): TaskResult {
  return {
    workflowInstanceId: task.workflowInstanceId,
    taskId: task.taskId,
    workerId,
    status: TaskResultStatus.InProgress,
    callbackAfterSeconds: 0,
    reasonForIncompletion: 'worker shut down before the task finished',
  };
}

/** outputData is a JSON object: a non-object value is wrapped as `{result: value}`. */
function outputOf(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  return { result: value };
}

function reasonOf(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err) ?? String(err);
  } catch {
    return String(err);
  }
}

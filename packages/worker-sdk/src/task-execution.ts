import type { WorkerLogger } from './logger';
import type { Task, TaskExecLog, TaskResult } from './protocol';
import { HandlerReturn, resultOf, Settled } from './task-outcome';

/** What a handler gets besides the task. */
export interface TaskContext {
  readonly workerId: string;
  /**
   * Aborted when the worker gives up on the task: its shutdown deadline passed with the handler still
   * running. A handler that does I/O should pass it on (`fetch(url, { signal })`) and stop when it fires;
   * whatever it returns after that is dropped, and the task goes to another worker.
   */
  readonly signal: AbortSignal;
  /** Adds a line to the task's execution log; the lines go with the result. */
  log(line: string): void;
}

/**
 * A task handler. Return the output (a COMPLETED task), a `TaskOutcome` (failed, terminal, in progress
 * with a callback), or throw: a `TerminalError` fails the task for good, any other error fails it with
 * FAILED and the error's message as `reasonForIncompletion`.
 */
export type TaskHandler = (task: Task, ctx: TaskContext) => HandlerReturn | Promise<HandlerReturn>;

export interface ExecuteOptions {
  readonly handler: TaskHandler;
  readonly workerId: string;
  readonly signal: AbortSignal;
  /** How often to heartbeat while the handler runs; undefined: never. */
  readonly heartbeatEveryMs: number | undefined;
  /** Sends one heartbeat for the task (the transport's way). */
  readonly heartbeat: () => Promise<void>;
  readonly logger: WorkerLogger;
  readonly now: () => number;
}

/**
 * Runs a handler on a task and turns however it ended into the TaskResult to report; never throws. While
 * the handler runs longer than the heartbeat interval, heartbeats keep the task's lease (one at a time: a
 * slow heartbeat is not overtaken by the next). The result is returned only once a heartbeat in flight has
 * settled, so a late heartbeat never follows the result on the wire.
 */
export async function executeTask(task: Task, o: ExecuteOptions): Promise<TaskResult> {
  const logs: TaskExecLog[] = [];
  const ctx: TaskContext = {
    workerId: o.workerId,
    signal: o.signal,
    log: (line) => logs.push({ log: line, taskId: task.taskId, createdTime: o.now() }),
  };

  let beating: Promise<void> | undefined;
  const beat = (): void => {
    if (beating) return;
    beating = o
      .heartbeat()
      .catch((error: unknown) => o.logger.warn('heartbeat.failed', { taskType: task.taskType, taskId: task.taskId, error }))
      .finally(() => (beating = undefined));
  };
  const timer = o.heartbeatEveryMs !== undefined ? setInterval(beat, o.heartbeatEveryMs) : undefined;
  // A task given up on gets no more heartbeats, even if its handler never returns.
  const stopBeating = (): void => clearInterval(timer);
  o.signal.addEventListener('abort', stopBeating, { once: true });

  const startedAt = o.now();
  let settled: Settled;
  try {
    settled = { ok: true, value: await o.handler(task, ctx) };
  } catch (error) {
    settled = { ok: false, error };
  } finally {
    stopBeating();
    o.signal.removeEventListener('abort', stopBeating);
  }
  await beating;

  const result = resultOf(task, o.workerId, settled, logs, o.now());
  o.logger.debug('task.executed', { taskType: task.taskType, taskId: task.taskId, status: result.status, durationMs: o.now() - startedAt });
  return result;
}

/**
 * The heartbeat interval for a task: the configured one, else half the task's responseTimeoutSeconds (the
 * engine times a task out when it hears nothing for that long), never under 250 ms.
 */
export function heartbeatIntervalOf(task: Task, configuredMs: number | undefined, leaseExtension: boolean): number | undefined {
  if (!leaseExtension) return undefined;
  if (configuredMs !== undefined) return configuredMs;
  const responseTimeoutMs = (task.responseTimeoutSeconds ?? 0) * 1000;
  if (!(responseTimeoutMs > 0)) return undefined;
  return Math.max(250, Math.floor(responseTimeoutMs / 2));
}

import { randomUUID } from 'node:crypto';
import type { Task } from '../src/protocol';
import type { WorkerLogger } from '../src/logger';

/** A task as a poll hands it out; override what the test is about. */
export function aTask(overrides: Partial<Task> = {}): Task {
  const taskType = overrides.taskType ?? 'greet';
  const now = Date.now();
  return {
    taskType,
    status: 'IN_PROGRESS',
    inputData: {},
    referenceTaskName: `${taskType}_ref`,
    retryCount: 0,
    seq: 1,
    pollCount: 1,
    taskDefName: taskType,
    scheduledTime: now,
    startTime: now,
    endTime: 0,
    updateTime: now,
    startDelayInSeconds: 0,
    retried: false,
    executed: false,
    callbackFromWorker: true,
    responseTimeoutSeconds: 3600,
    workflowInstanceId: randomUUID(),
    workflowType: 'greetings',
    taskId: randomUUID(),
    callbackAfterSeconds: 0,
    outputData: {},
    workflowTask: { name: taskType, taskReferenceName: `${taskType}_ref`, type: 'SIMPLE' },
    workflowPriority: 0,
    iteration: 0,
    queueWaitTime: 0,
    loopOverTask: false,
    ...overrides,
  };
}

export interface LogRecord {
  readonly level: keyof WorkerLogger;
  readonly event: string;
  readonly fields: Record<string, unknown>;
}

export interface RecordingLogger {
  readonly logger: WorkerLogger;
  readonly records: LogRecord[];
  events(level?: keyof WorkerLogger): string[];
  /** Resolves with the first record of the event that satisfies `match`, once it is logged. */
  waitFor(event: string, match?: (fields: Record<string, unknown>) => boolean): Promise<LogRecord>;
}

/** A logger that keeps what it is told, for assertions and for awaiting what the worker did. */
export function recordingLogger(): RecordingLogger {
  const records: LogRecord[] = [];
  const waiters = new Set<() => void>();
  const at =
    (level: keyof WorkerLogger) =>
    (event: string, fields: Record<string, unknown> = {}): void => {
      records.push({ level, event, fields });
      for (const w of [...waiters]) w();
    };
  const find = (event: string, match: (fields: Record<string, unknown>) => boolean): LogRecord | undefined =>
    records.find((r) => r.event === event && match(r.fields));
  return {
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
    records,
    events: (level) => records.filter((r) => !level || r.level === level).map((r) => r.event),
    waitFor: (event, match = () => true) =>
      new Promise((resolve) => {
        const check = (): void => {
          const found = find(event, match);
          if (!found) return;
          waiters.delete(check);
          resolve(found);
        };
        waiters.add(check);
        check();
      }),
  };
}

/** A promise with its resolve at hand. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

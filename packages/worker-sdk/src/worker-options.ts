import type { Kafka } from 'kafkajs';
import type { KafkaConsumerTuning } from './kafka/kafka.transport';
import type { WorkerLogger } from './logger';
import { KAFKA_DELIVERABLE_NAME, TaskResult } from './protocol';
import type { RetryPolicy } from './retry';
import type { WorkerBus } from './bus/bus.transport';
import type { TaskHandler } from './task-execution';

/** Conductor's task API: batch long-poll, update-v2 (task chaining), update. */
export interface HttpTransportOptions {
  readonly kind: 'http';
  /** The Baton (or Conductor) server, e.g. `http://localhost:8080`. */
  readonly baseUrl: string;
  /** Sent with every request (e.g. `{ 'X-Authorization': token }`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Per request, on top of a poll's long-poll timeout. Default 10 000. */
  readonly requestTimeoutMs?: number;
  /** Defaults to the global fetch (tests, proxies, custom agents). */
  readonly fetch?: typeof fetch;
}

/** Native Kafka delivery: the type's task topic in, reports out on the task-event topic. */
export interface KafkaTransportOptions {
  readonly kind: 'kafka';
  /** `host:port` list; or give `kafka` (a configured kafkajs client: TLS, SASL, …). */
  readonly brokers?: readonly string[];
  readonly kafka?: Kafka;
  /** Default `baton-worker-<taskType>`. */
  readonly clientId?: string;
  /** Default `workerGroupOf(taskType)` (`baton.workers.<taskType>`), shared by every worker of the type. */
  readonly groupId?: string;
  /**
   * The engine's `KAFKA_TOPIC_PREFIX` (default none): prefixed to every topic the worker reads or writes
   * and to its default group, as the engine prefixes its own.
   */
  readonly topicPrefix?: string;
  /** Where a group with no committed offset starts: true (default) so no task queued before the first worker started is missed. */
  readonly fromBeginning?: boolean;
  readonly consumer?: KafkaConsumerTuning;
}

/**
 * Native delivery over a message bus in this process — what the engine's embedded mode offers in place of
 * a Kafka broker (its in-process bus), so a native worker runs with `npm start` alone.
 */
export interface BusTransportOptions {
  readonly kind: 'bus';
  readonly bus: WorkerBus;
}

export type TransportOptions = HttpTransportOptions | KafkaTransportOptions | BusTransportOptions;

export interface WorkerOptions {
  /** The task definition name this worker executes. */
  readonly taskType: string;
  readonly handler: TaskHandler;
  readonly transport: TransportOptions;
  /** Tasks run at once (and the most a poll asks for). Default 1. */
  readonly concurrency?: number;
  /** Default `<hostname>-<pid>`. */
  readonly workerId?: string;
  /** HTTP only: poll the type's queue in this domain. */
  readonly domain?: string;
  /** HTTP only: how long a poll waits for a task (the server caps it at 5000). Default 1000. */
  readonly pollTimeoutMs?: number;
  /** Heartbeat while a handler runs (HTTP: update with extendLease; Kafka: monitor.success). Default true. */
  readonly leaseExtension?: boolean;
  /** Default: half the task's responseTimeoutSeconds. */
  readonly heartbeatEveryMs?: number;
  /** How long `stop()` lets running tasks finish before giving them up. Default 30 000. */
  readonly shutdownTimeoutMs?: number;
  /** Retries of the worker's own reports. Default: 10 attempts, 200 ms doubling to 10 s. */
  readonly retry?: Partial<RetryPolicy>;
  /** Default: warnings and errors as JSON lines on stderr. */
  readonly logger?: WorkerLogger;
  /** Called (after an error log) with a result that could not be delivered, e.g. to keep it somewhere. */
  readonly onUnreportedResult?: (result: TaskResult, error: unknown) => void;
  /** Injectable for tests: the clock and the report id generator. */
  readonly now?: () => number;
  readonly newId?: () => string;
}

/** Every problem with a worker's options at once. */
export class WorkerConfigError extends Error {
  override readonly name = 'WorkerConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid worker options:\n  - ${problems.join('\n  - ')}`);
  }
}

/** The long poll Conductor accepts (more is a 400). */
export const MAX_POLL_TIMEOUT_MS = 5000;
/** The most tasks a batch poll may ask for. */
export const MAX_CONCURRENCY = 1000;

export function problemsOf(o: WorkerOptions): string[] {
  const problems: string[] = [];
  const int = (name: string, v: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): void => {
    if (v !== undefined && (!Number.isInteger(v) || v < min || v > max)) problems.push(`${name} must be an integer from ${min} to ${max}, got ${v}`);
  };
  if (typeof o.taskType !== 'string' || !o.taskType) problems.push('taskType is required');
  if (typeof o.handler !== 'function') problems.push('handler must be a function');
  if (o.workerId !== undefined && (typeof o.workerId !== 'string' || !o.workerId)) problems.push('workerId must be a non-empty string');
  int('concurrency', o.concurrency, 1, MAX_CONCURRENCY);
  int('pollTimeoutMs', o.pollTimeoutMs, 0, MAX_POLL_TIMEOUT_MS);
  int('heartbeatEveryMs', o.heartbeatEveryMs, 10);
  int('shutdownTimeoutMs', o.shutdownTimeoutMs, 0);
  int('retry.maxAttempts', o.retry?.maxAttempts, 1);
  int('retry.initialDelayMs', o.retry?.initialDelayMs, 0);
  int('retry.maxDelayMs', o.retry?.maxDelayMs, 0);

  const t = o.transport as TransportOptions | undefined;
  if (!t || (t.kind !== 'http' && t.kind !== 'kafka' && t.kind !== 'bus')) {
    problems.push("transport must be { kind: 'http', baseUrl }, { kind: 'kafka', brokers } or { kind: 'bus', bus }");
  } else if (t.kind === 'bus') {
    if (typeof t.bus?.subscribe !== 'function' || typeof t.bus?.publish !== 'function') problems.push('transport.bus must have subscribe and publish');
    if (o.domain !== undefined) problems.push('domain is an HTTP polling concept; the bus transport has none');
  } else if (t.kind === 'http') {
    if (!isHttpUrl(t.baseUrl)) problems.push(`transport.baseUrl must be an http(s) URL, got ${JSON.stringify(t.baseUrl)}`);
    int('transport.requestTimeoutMs', t.requestTimeoutMs, 1);
  } else {
    if (!t.kafka && !t.brokers?.length) problems.push('transport.brokers (or transport.kafka) is required for the Kafka transport');
    if (typeof o.taskType === 'string' && o.taskType && !KAFKA_DELIVERABLE_NAME.test(o.taskType)) {
      problems.push(`taskType ${JSON.stringify(o.taskType)} cannot be delivered over Kafka (it must match ${KAFKA_DELIVERABLE_NAME})`);
    }
    if (o.domain !== undefined) problems.push('domain is an HTTP polling concept; the Kafka transport has none');
  }
  return problems;
}

function isHttpUrl(s: unknown): boolean {
  if (typeof s !== 'string') return false;
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

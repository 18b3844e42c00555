import type { Task } from './conductor/execution';
import type { TaskResult } from './conductor/task-result';

/**
 * Native Kafka workers: the wire contract between the engine and workers that take their tasks from Kafka
 * instead of polling HTTP. A task definition opts in with `deliveryMode: "KAFKA"` (default `"POLL"`).
 *
 * - produce: when a task of the type is queued, the engine publishes a `KafkaTaskMessage` on the type's
 *   topic (`workerTopicOf(taskDefName)`), keyed by taskId. Workers of the type read it in one consumer
 *   group (`workerGroupOf(taskDefName)` unless configured otherwise); a worker commits a message's offset
 *   only after it reported the result, so a worker that dies leaves its messages to the rest of the group.
 * - start / monitor / result: a worker reports on `Topic.WorkerTaskEvents`, keyed by workflowId, with a
 *   `WorkerTaskReport`: `start.begin` when it begins a task (its lease: IN_PROGRESS, responseTimeoutSeconds
 *   from now), `monitor.success` for a heartbeat or an IN_PROGRESS result (`result.extendLease`,
 *   `result.callbackAfterSeconds`), `start.success` / `start.failed` with the result.
 * - A task that is already over (completed by another worker, timed out, cancelled) ignores late reports;
 *   a worker whose lease ran out (no report within responseTimeoutSeconds) has its attempt timed out and
 *   retried per the task definition, as for polled tasks.
 *
 * These names and shapes are wire contracts: never change one; a new shape gets a new version.
 */
export const TaskDeliveryMode = { Poll: 'POLL', Kafka: 'KAFKA' } as const;
export type TaskDeliveryMode = (typeof TaskDeliveryMode)[keyof typeof TaskDeliveryMode];

/** Task definition names that can be delivered over Kafka: they become part of a topic name. */
export const KAFKA_DELIVERABLE_NAME = /^[a-zA-Z0-9._-]{1,200}$/;

/** The topic a KAFKA-delivered task type's tasks are produced on. */
export const workerTopicOf = (taskDefName: string): string => `baton.worker.tasks.${taskDefName}.v1`;

/** The consumer group workers of a type share by default. */
export const workerGroupOf = (taskDefName: string): string => `baton.workers.${taskDefName}`;

/**
 * engine → workers, on `workerTopicOf(task.taskDefName)`; key = taskId. A task whose definition declares
 * phases carries the one to run in `task.phase`, and in a `phase` record header.
 */
export interface KafkaTaskMessage {
  readonly type: 'produce';
  /** The task as a poll would hand it out (SCHEDULED; its inputData, ids, pollCount, responseTimeoutSeconds). */
  readonly task: Task;
  /** When the engine queued it (epoch ms). */
  readonly producedAt: number;
}

/** workers → engine, on `Topic.WorkerTaskEvents`; key = workflowId. */
export interface WorkerTaskReport {
  readonly source: 'worker';
  /** Unique per report (a uuid): a report delivered twice is applied once. */
  readonly eventId: string;
  readonly type: 'start.begin' | 'monitor.success' | 'start.success' | 'start.failed';
  readonly workflowId: string;
  readonly taskId: string;
  readonly workerId: string;
  readonly occurredAt: number;
  /** The worker's TaskResult: on every type but `start.begin`. */
  readonly result?: TaskResult;
}

export const isWorkerTaskReport = (m: unknown): m is WorkerTaskReport =>
  typeof m === 'object' && m !== null && (m as { source?: unknown }).source === 'worker' && typeof (m as { taskId?: unknown }).taskId === 'string';

export { Worker } from './worker';
export type { Runnable, StopOptions, WorkerState } from './worker';
export { WorkerGroup, runUntilSignal } from './worker-group';
export type { RunUntilSignalOptions, SignalSource } from './worker-group';
export { WorkerConfigError, MAX_CONCURRENCY, MAX_POLL_TIMEOUT_MS } from './worker-options';
export type { BusTransportOptions, HttpTransportOptions, KafkaTransportOptions, TransportOptions, WorkerOptions } from './worker-options';
export type { WorkerBus } from './bus/bus.transport';
export type { KafkaConsumerTuning } from './kafka/kafka.transport';
export { TaskOutcome, TerminalError } from './task-outcome';
export type { HandlerReturn } from './task-outcome';
export type { TaskContext, TaskHandler } from './task-execution';
export { consoleLogger, silentLogger } from './logger';
export type { LogFn, LogLevel, WorkerLogger } from './logger';
export { DEFAULT_RETRY_POLICY } from './retry';
export type { RetryPolicy } from './retry';
export { HttpStatusError, NetworkError } from './http/conductor.client';
export {
  TaskStatus,
  TaskResultStatus,
  WORKER_TASK_EVENTS_TOPIC,
  DEAD_LETTER_TOPIC,
  workerTopicOf,
  workerGroupOf,
} from './protocol';
export type { Task, TaskResult, TaskExecLog, KafkaTaskMessage, WorkerTaskReport, WorkerReportType } from './protocol';

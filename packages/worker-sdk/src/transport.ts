import type { Task, TaskResult } from './protocol';
import type { Slots } from './slots';

/**
 * One task as a transport handed it out, and the transport's way of answering for it. The worker runs
 * the handler; the delivery knows where the answers go (an HTTP update, a Kafka report and an offset).
 */
export interface Delivery {
  readonly task: Task;
  /** One heartbeat (IN_PROGRESS, extendLease). Failures are logged by the caller; the next beat tries again. */
  heartbeat(result: TaskResult): Promise<void>;
  /**
   * Reports the result, retrying as the policy allows; `signal` (the shutdown deadline) cuts the retries
   * short. Resolves with the next task's delivery when the transport chains tasks (HTTP update-v2) and
   * `chain` allows it, else null. Rejects when the result could not be delivered.
   */
  complete(result: TaskResult, options: { readonly chain: boolean; readonly signal: AbortSignal }): Promise<Delivery | null>;
  /** The shutdown deadline passed while the handler ran: let the task go to another worker. */
  abandon(): Promise<void>;
}

/** What a transport drives: the worker's slots, its shutdown signals, and where to hand tasks. */
export interface Dispatcher {
  readonly slots: Slots;
  /** Aborted when the worker stops taking tasks (the start of a graceful shutdown). */
  readonly stopping: AbortSignal;
  /** Aborted when the shutdown deadline passes: what is still in flight is given up. */
  readonly abandoning: AbortSignal;
  /** Runs a task in a slot the caller saw free; the slot is held until its result is reported. */
  run(delivery: Delivery): void;
}

/** A way of getting tasks and reporting on them. */
export interface Transport {
  /** Starts taking tasks; resolves once the worker is taking them (connected, polling, joined its group). */
  start(dispatcher: Dispatcher): Promise<void>;
  /** Resolves once no further task will be handed to the dispatcher. Called after `stopping` aborted. */
  stopTaking(): Promise<void>;
  /** Releases connections; after every delivery was completed or abandoned. */
  close(): Promise<void>;
}

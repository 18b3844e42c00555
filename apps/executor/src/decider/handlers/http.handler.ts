import { taskDefOf } from '../task-defs';
import type { TaskHandler } from './task-handler';
import { enqueue } from './worker.handler';

/** Conductor's HttpTask defaults for the two timeouts, in ms. */
const DEFAULT_CONNECT_MS = 3000;
const DEFAULT_READ_MS = 3000;
/** What an engine worker may need beyond the call itself (lease notice, the result's round trip). */
const LEASE_MARGIN_MS = 30_000;

/**
 * HTTP: queued under `HTTP` for the engine's own worker (`apps/executor/src/system-tasks`), which leases
 * it, makes the call and reports the result through the task API like any worker — so a retry, a
 * response timeout, and an engine that dies mid-call (its lease runs out; the task is handed out again as
 * a new attempt) all work as they do for worker tasks. The lease is what the call can take (its connect
 * and read timeouts) plus a margin, within the task definition's responseTimeoutSeconds: a crashed call is
 * retried in seconds, not after the default hour.
 */
export const httpHandler: TaskHandler = {
  acceptsResults: true,
  schedule(k, node, opts) {
    enqueue(k, node, opts, httpLeaseMs(k.inputsOf(node.task), taskDefOf(node.task).responseTimeoutSeconds));
  },
  leaseMsOf: (task) => httpLeaseMs(task.inputData, taskDefOf(task.workflowTask).responseTimeoutSeconds),
};

/**
 * How long the engine's worker holds an HTTP task: what the call can take plus a margin, within the task
 * definition's responseTimeoutSeconds. The worker gives the call a total deadline inside it (a read timeout
 * only bounds silence), so a call never outlives its lease and runs twice.
 */
export function httpLeaseMs(input: Record<string, unknown>, responseTimeoutSeconds: number): number {
  const request = (typeof input.http_request === 'object' && input.http_request !== null ? input.http_request : input) as Record<string, unknown>;
  const ms = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback);
  const callMs = ms(request.connectionTimeOut, DEFAULT_CONNECT_MS) + ms(request.readTimeOut, DEFAULT_READ_MS);
  return Math.min(responseTimeoutSeconds * 1000, callMs + LEASE_MARGIN_MS);
}

import { taskDefOf } from '../task-defs';
import type { TaskHandler } from './task-handler';
import { enqueue } from './worker.handler';

/** How long a publish may take, connecting included, before its lease runs out and it is tried again. */
const PUBLISH_LEASE_MS = 60_000;

/**
 * KAFKA_PUBLISH: queued under `KAFKA_PUBLISH` for the engine's own worker, which publishes `kafka_request`
 * (`bootStrapServers`, `topic`, `key`, `value` — text as is, anything else as JSON — and `headers`) to the
 * cluster it names, with acks from all replicas, and reports COMPLETED, or FAILED with the reason (retried
 * per the task definition). As for HTTP, a process that dies mid-publish loses nothing: the lease runs out.
 */
export const kafkaPublishHandler: TaskHandler = {
  acceptsResults: true,
  schedule(k, node, opts) {
    enqueue(k, node, opts, kafkaPublishLeaseMs(taskDefOf(node.task).responseTimeoutSeconds));
  },
  leaseMsOf: (task) => kafkaPublishLeaseMs(taskDefOf(task.workflowTask).responseTimeoutSeconds),
};

export const kafkaPublishLeaseMs = (responseTimeoutSeconds: number): number => Math.min(responseTimeoutSeconds * 1000, PUBLISH_LEASE_MS);

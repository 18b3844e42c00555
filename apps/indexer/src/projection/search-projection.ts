import type { TaskEvent, WorkflowEvent } from '@app/contracts';

/**
 * The indexer's write side: a batch of execution events made searchable, idempotently (a late or repeated
 * event never overwrites a newer document: each document carries its version) — into the Postgres
 * projection or OpenSearch, chosen at boot. A failure throws, so the events are redelivered.
 */
export abstract class SearchProjection {
  abstract write(workflows: readonly WorkflowEvent[], tasks: readonly TaskEvent[]): Promise<void>;
}

import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { TaskEvent, Topic, WorkflowEvent } from '@app/contracts';
import { MessageBus } from '@app/bus';
import { OpenSearchIndices, taskDocument, workflowDocument } from '@app/persistence';
import { SearchProjection } from './search-projection';

/** The newest event per id: a bulk request may not carry one document twice. */
function newestBy<E extends { version: number }>(events: readonly E[], id: (e: E) => string): E[] {
  const newest = new Map<string, E>();
  for (const e of events) if ((newest.get(id(e))?.version ?? -1) < e.version) newest.set(id(e), e);
  return [...newest.values()];
}

type BulkItem = { index?: { _id: string; _index: string; status: number; error?: { type: string; reason: string } }; delete?: { _id: string; status: number; error?: { type: string; reason: string } } };

/** Per-document failures a retry cannot mend: the document itself is wrong for the index. */
const PERMANENT = new Set([400]);

/**
 * Projects execution events into OpenSearch with one `_bulk` request per batch: each document written
 * with its event's version as an external version, so OpenSearch itself drops an event older than what it
 * holds (a 409 per document, which is success here: idempotent upserts). A removed workflow (not archived)
 * is deleted with its tasks. A document OpenSearch refuses for good (a 400: it does not fit the mapping)
 * goes to the dead-letter topic with the reason; anything else — the node down, overloaded (429), a
 * timeout — fails the batch, and the bus redelivers it with backoff until OpenSearch is back.
 */
export class OpenSearchProjection extends SearchProjection implements OnApplicationBootstrap {
  private readonly logger = new Logger(OpenSearchProjection.name);

  constructor(
    private readonly indices: OpenSearchIndices,
    @Inject(MessageBus) private readonly bus: MessageBus,
  ) {
    super();
  }

  /** The indices with their mappings, before the first event is projected (retried until OpenSearch answers). */
  async onApplicationBootstrap(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.indices.ensure();
      } catch (err) {
        if (attempt >= 30) throw err;
        this.logger.warn(`OpenSearch is not ready (${(err as Error).message}); trying again`);
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * attempt)));
      }
    }
  }

  async write(workflows: readonly WorkflowEvent[], tasks: readonly TaskEvent[]): Promise<void> {
    const removed = workflows.filter((e) => e.type === 'workflow.removed' && !e.archived).map((e) => e.workflowId);
    const wf = newestBy(
      workflows.filter((e) => e.type !== 'workflow.removed' && !removed.includes(e.workflowId)),
      (e) => e.workflowId,
    );
    const ts = newestBy(
      tasks.filter((e) => !removed.includes(e.workflowId)),
      (e) => e.taskId,
    );
    const body: unknown[] = [];
    for (const e of wf) body.push({ index: { _index: this.indices.workflows, _id: e.workflowId, version: e.version, version_type: 'external' } }, workflowDocument(e.workflow));
    for (const e of ts) body.push({ index: { _index: this.indices.tasks, _id: e.taskId, version: e.version, version_type: 'external' } }, taskDocument(e.task));
    for (const id of removed) body.push({ delete: { _index: this.indices.workflows, _id: id } });
    // Tasks a restart, a rerun or a loop's keepLastN dropped from their run leave search with it.
    for (const id of workflows.flatMap((e) => e.droppedTaskIds ?? [])) body.push({ delete: { _index: this.indices.tasks, _id: id } });
    if (body.length) await this.bulk(body, [...wf.map((e) => ({ workflowId: e.workflowId, event: e as unknown })), ...ts.map((e) => ({ workflowId: e.workflowId, event: e as unknown }))]);
    if (removed.length) {
      await this.indices.client.deleteByQuery({ index: this.indices.tasks, body: { query: { terms: { workflowId: removed } } }, conflicts: 'proceed', refresh: false } as never);
    }
  }

  private async bulk(body: unknown[], sources: ReadonlyArray<{ workflowId: string; event: unknown }>): Promise<void> {
    const res = await this.indices.client.bulk({ body: body as never });
    const result = res.body as unknown as { errors: boolean; items: BulkItem[] };
    if (!result.errors) return;
    const retry: string[] = [];
    const dead: Array<{ workflowId: string; event: unknown; reason: string }> = [];
    result.items.forEach((item, i) => {
      const op = item.index ?? item.delete;
      if (!op?.error || op.status === 409 || (item.delete && op.status === 404)) return;
      const reason = `${op.error.type}: ${op.error.reason}`;
      if (PERMANENT.has(op.status) && sources[i]) dead.push({ ...sources[i], reason });
      else retry.push(`${op._id} (${op.status} ${reason})`);
    });
    if (dead.length) {
      this.logger.error(`dead-lettering ${dead.length} event(s) OpenSearch refused: ${dead[0].reason}`);
      await this.bus.publish(dead.map((d) => ({ topic: Topic.DeadLetter, key: d.workflowId, value: { topic: 'opensearch', reason: d.reason, payload: d.event } })));
    }
    if (retry.length) throw new Error(`OpenSearch did not take ${retry.length} document(s), e.g. ${retry[0]}`);
  }
}

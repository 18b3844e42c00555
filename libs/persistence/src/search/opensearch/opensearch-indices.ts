import { Logger } from '@nestjs/common';
import { Client } from '@opensearch-project/opensearch';
import type { Task, Workflow } from '@app/contracts';
import { openSearchMapping, TASK_OPENSEARCH_SPEC, WORKFLOW_OPENSEARCH_SPEC } from '@app/search';

/** What an OpenSearch deployment of Baton's search is: where, and what its indices are called. */
export interface OpenSearchSettings {
  readonly url: string;
  readonly indexPrefix: string;
}

/**
 * What a workflow or task document holds: the fields search filters and sorts on (typed, as libs/search's
 * mapping says; a time not reached yet left out), input and output as JSON text for free text (as
 * Conductor's summaries carry them), and the document as projected, stored but not indexed (`raw`).
 */
export type SearchDocument = Record<string, unknown> & { readonly raw: unknown };

/**
 * Baton's two OpenSearch indices and the client that reaches them. `ensure` creates an index that is
 * missing, with its mapping (`dynamic: false`: a user's input and output are text, never new fields) — the
 * indexer's job at startup; a reader only reads, and reads a missing index as empty.
 */
export class OpenSearchIndices {
  readonly client: Client;
  readonly workflows: string;
  readonly tasks: string;
  private readonly logger = new Logger('OpenSearch');

  constructor(settings: OpenSearchSettings) {
    this.client = new Client({ node: settings.url, requestTimeout: 30_000, maxRetries: 0 });
    this.workflows = `${settings.indexPrefix}workflow`;
    this.tasks = `${settings.indexPrefix}task`;
  }

  async ensure(): Promise<void> {
    const indices: Array<[string, ReturnType<typeof openSearchMapping>]> = [
      [this.workflows, openSearchMapping(WORKFLOW_OPENSEARCH_SPEC)],
      [this.tasks, openSearchMapping(TASK_OPENSEARCH_SPEC)],
    ];
    for (const [index, { properties }] of indices) {
      const exists = await this.client.indices.exists({ index });
      if (exists.body) continue;
      await this.client.indices
        .create({
          index,
          body: {
            settings: { number_of_shards: 1, 'index.query.default_field': ['*'] },
            mappings: { dynamic: false, properties: { ...properties, input: { type: 'text' }, output: { type: 'text' }, raw: { type: 'object', enabled: false } } },
          },
        })
        .catch((err: { meta?: { body?: { error?: { type?: string } } } }) => {
          // Another indexer created it first.
          if (err.meta?.body?.error?.type !== 'resource_already_exists_exception') throw err;
        });
      this.logger.log(`created index ${index}`);
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

const whenSet = (ms: number | undefined): number | undefined => (ms && ms > 0 ? ms : undefined);
const strip = (doc: Record<string, unknown>): SearchDocument => Object.fromEntries(Object.entries(doc).filter(([, v]) => v !== undefined)) as SearchDocument;

/** A workflow as its search document (the fields of WORKFLOW_SEARCH_FIELDS, at their names). */
export function workflowDocument(w: Omit<Workflow, 'workflowDefinition' | 'tasks'>): SearchDocument {
  const startTime = w.startTime ?? w.createTime;
  const endTime = whenSet(w.endTime);
  return strip({
    workflowId: w.workflowId,
    workflowType: w.workflowName,
    version: w.workflowVersion,
    correlationId: w.correlationId,
    status: w.status,
    startTime: whenSet(startTime),
    updateTime: whenSet(w.updateTime),
    endTime,
    reasonForIncompletion: w.reasonForIncompletion,
    executionTime: endTime && startTime ? endTime - startTime : undefined,
    failedReferenceTaskNames: w.failedReferenceTaskNames?.length ? w.failedReferenceTaskNames : undefined,
    priority: w.priority,
    parentWorkflowId: w.parentWorkflowId,
    input: JSON.stringify(w.input ?? {}),
    output: JSON.stringify(w.output ?? {}),
    raw: w,
  });
}

/** A task as its search document (the fields of TASK_SEARCH_FIELDS, at their names). */
export function taskDocument(t: Omit<Task, 'workflowTask' | 'taskDefinition'>): SearchDocument {
  const startTime = whenSet(t.startTime);
  const endTime = whenSet(t.endTime);
  return strip({
    taskId: t.taskId,
    taskType: t.taskType,
    taskDefName: t.taskDefName,
    status: t.status,
    workflowId: t.workflowInstanceId,
    workflowType: t.workflowType,
    correlationId: t.correlationId,
    scheduledTime: whenSet(t.scheduledTime),
    startTime,
    updateTime: whenSet(t.updateTime),
    endTime,
    reasonForIncompletion: t.reasonForIncompletion,
    executionTime: endTime && startTime ? endTime - startTime : undefined,
    queueWaitTime: t.queueWaitTime,
    workflowPriority: t.workflowPriority,
    input: JSON.stringify(t.inputData ?? {}),
    output: JSON.stringify(t.outputData ?? {}),
    raw: t,
  });
}

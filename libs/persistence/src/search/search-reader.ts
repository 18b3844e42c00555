import type { Task, Workflow } from '@app/contracts';
import type { FieldCatalog, SearchRequest, TASK_SEARCH_FIELDS, WORKFLOW_SEARCH_FIELDS } from '@app/search';

export type WorkflowSearch = SearchRequest<typeof WORKFLOW_SEARCH_FIELDS>;
export type TaskSearch = SearchRequest<typeof TASK_SEARCH_FIELDS>;

/** A page of hits: how many matched in all, and the page's documents in order. */
export interface SearchHits<T> {
  readonly totalHits: number;
  readonly results: T[];
}

/** `start` hits skipped, at most `size` returned. */
export interface SearchPage {
  readonly start: number;
  readonly size: number;
}

/**
 * The search index's read side, the query module its owner (the indexer) publishes: the same searches
 * over the Postgres projection (embedded, or a deployment without OpenSearch) or OpenSearch, chosen once at
 * boot. It answers the indexed documents — a workflow less its tasks and definition, a task less its
 * definition parts — as they were last projected.
 */
export abstract class SearchReader {
  abstract workflows(search: WorkflowSearch, page: SearchPage): Promise<SearchHits<Workflow>>;
  abstract tasks(search: TaskSearch, page: SearchPage): Promise<SearchHits<Task>>;
  /**
   * The workflows that have tasks matching the search, in the order of their first matching task, as a
   * page of distinct workflow ids with the number of distinct workflows in all.
   */
  abstract workflowIdsByTasks(search: TaskSearch, page: SearchPage): Promise<SearchHits<string>>;
}

export type AnySearch = SearchRequest<FieldCatalog>;

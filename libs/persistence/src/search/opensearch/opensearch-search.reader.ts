import type { Task, Workflow } from '@app/contracts';
import { compileOpenSearch, OpenSearchSearch, TASK_OPENSEARCH_SPEC, WORKFLOW_OPENSEARCH_SPEC } from '@app/search';
import { SearchHits, SearchPage, SearchReader, TaskSearch, WorkflowSearch } from '../search-reader';
import { OpenSearchIndices } from './opensearch-indices';

/** Search over OpenSearch: the request compiled to the query DSL (libs/search), exact totals, `raw` answered. */
export class OpenSearchReader extends SearchReader {
  constructor(private readonly indices: OpenSearchIndices) {
    super();
  }

  async workflows(search: WorkflowSearch, page: SearchPage): Promise<SearchHits<Workflow>> {
    return this.search<Workflow>(this.indices.workflows, compileOpenSearch(search, WORKFLOW_OPENSEARCH_SPEC), page);
  }

  async tasks(search: TaskSearch, page: SearchPage): Promise<SearchHits<Task>> {
    return this.search<Task>(this.indices.tasks, compileOpenSearch(search, TASK_OPENSEARCH_SPEC), page);
  }

  /**
   * Distinct workflows of the matching tasks, each at its first matching task in the requested order: a
   * `collapse` on workflowId, with the number of distinct workflows from a cardinality count (exact below
   * OpenSearch's precision threshold, 40,000).
   */
  async workflowIdsByTasks(search: TaskSearch, page: SearchPage): Promise<SearchHits<string>> {
    const { query, sort } = compileOpenSearch(search, TASK_OPENSEARCH_SPEC);
    const res = await this.indices.client
      .search({
        index: this.indices.tasks,
        body: ({
          query,
          sort,
          from: page.start,
          size: page.size,
          collapse: { field: 'workflowId' },
          _source: ['workflowId'],
          aggs: { workflows: { cardinality: { field: 'workflowId', precision_threshold: 40_000 } } },
        }) as never,
      })
      .catch(emptyWhenMissing);
    if (!res) return { totalHits: 0, results: [] };
    const body = res.body as unknown as { hits: { hits: Array<{ _source: { workflowId: string } }> }; aggregations?: { workflows?: { value: number } } };
    return { totalHits: body.aggregations?.workflows?.value ?? 0, results: body.hits.hits.map((h) => h._source.workflowId) };
  }

  private async search<T>(index: string, compiled: OpenSearchSearch, page: SearchPage): Promise<SearchHits<T>> {
    const res = await this.indices.client
      .search({ index, body: { query: compiled.query, sort: compiled.sort, from: page.start, size: page.size, track_total_hits: true, _source: ['raw'] } as never })
      .catch(emptyWhenMissing);
    if (!res) return { totalHits: 0, results: [] };
    const body = res.body as unknown as { hits: { total: { value: number }; hits: Array<{ _source: { raw: T } }> } };
    return { totalHits: body.hits.total.value, results: body.hits.hits.map((h) => h._source.raw) };
  }
}

/** An index nobody has written yet (the indexer creates it at its start) holds nothing. */
function emptyWhenMissing(err: { meta?: { body?: { error?: { type?: string } } } }): undefined {
  if (err.meta?.body?.error?.type === 'index_not_found_exception') return undefined;
  throw err;
}

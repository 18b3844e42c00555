import { Injectable } from '@nestjs/common';
import { BatonError, ErrorCode, Task, Workflow } from '@app/contracts';
import { ExecutionQueries, SearchHits, SearchPage, SearchReader } from '@app/persistence';
import { FieldCatalog, parseSearchRequest, SearchIndex, SearchRequest, SearchRequestInput, TASK_INDEX, WORKFLOW_INDEX } from '@app/search';
import { Params } from '../http/params';
import { taskSummaryOf, TaskSummary, workflowSummaryOf, WorkflowSummary } from './search-summaries';

/** The most hits one page may ask for, and how deep paging may go (OpenSearch's default result window). */
export const MAX_PAGE_SIZE = 1_000;
export const MAX_RESULT_WINDOW = 10_000;

/** The raw parameters every search endpoint takes. */
export interface SearchParams extends SearchRequestInput {
  readonly start?: string;
  readonly size?: string;
  /** Workflow searches: only workflows that are no other's sub-workflow. */
  readonly topLevelOnly?: string;
}

/**
 * Conductor's search endpoints over Baton's search index (Postgres or OpenSearch, one reader): the
 * parameters parsed and checked (a 400 names the parameter and the position of a syntax error), the page
 * bounded, the hits as Conductor's summaries — or, for the `-v2` forms, as the workflows and tasks
 * themselves, read from the execution store.
 */
@Injectable()
export class SearchService {
  constructor(
    private readonly reader: SearchReader,
    private readonly executions: ExecutionQueries,
  ) {}

  async workflows(params: SearchParams): Promise<SearchHits<WorkflowSummary>> {
    const { search, page } = this.parse(WORKFLOW_INDEX, params, true);
    const hits = await this.reader.workflows(search, page);
    return { totalHits: hits.totalHits, results: hits.results.map(workflowSummaryOf) };
  }

  async workflowsV2(params: SearchParams): Promise<SearchHits<Workflow>> {
    const { search, page } = this.parse(WORKFLOW_INDEX, params, true);
    const hits = await this.reader.workflows(search, page);
    return { totalHits: hits.totalHits, results: await this.workflowsOf(hits.results.map((w) => w.workflowId)) };
  }

  async workflowsByTasks(params: SearchParams): Promise<SearchHits<WorkflowSummary>> {
    const hits = await this.workflowIdsByTasks(params);
    return { totalHits: hits.totalHits, results: (await this.workflowsOf(hits.results)).map(workflowSummaryOf) };
  }

  async workflowsByTasksV2(params: SearchParams): Promise<SearchHits<Workflow>> {
    const hits = await this.workflowIdsByTasks(params);
    return { totalHits: hits.totalHits, results: await this.workflowsOf(hits.results) };
  }

  async tasks(params: SearchParams): Promise<SearchHits<TaskSummary>> {
    const { search, page } = this.parse(TASK_INDEX, params, false);
    const hits = await this.reader.tasks(search, page);
    return { totalHits: hits.totalHits, results: hits.results.map(taskSummaryOf) };
  }

  async tasksV2(params: SearchParams): Promise<SearchHits<Task>> {
    const { search, page } = this.parse(TASK_INDEX, params, false);
    const hits = await this.reader.tasks(search, page);
    const tasks = await Promise.all(hits.results.map((t) => this.executions.task(t.taskId)));
    return { totalHits: hits.totalHits, results: tasks.filter((t): t is Task => t !== null) };
  }

  private workflowIdsByTasks(params: SearchParams): Promise<SearchHits<string>> {
    const { search, page } = this.parse(TASK_INDEX, params, false);
    return this.reader.workflowIdsByTasks(search, page);
  }

  /** The workflows, in order, as the execution store holds them now (one removed since it was indexed is left out). */
  private async workflowsOf(ids: readonly string[]): Promise<Workflow[]> {
    const found = await Promise.all(ids.map((id) => this.executions.workflow(id, false)));
    return found.filter((w): w is Workflow => w !== null);
  }

  private parse<C extends FieldCatalog>(index: SearchIndex<C>, params: SearchParams, workflows: boolean): { search: SearchRequest<C>; page: SearchPage } {
    const p = new Params();
    const start = p.int('start', params.start, { min: 0, max: MAX_RESULT_WINDOW, fallback: 0 }) ?? 0;
    const size = p.int('size', params.size, { min: 0, max: MAX_PAGE_SIZE, fallback: 100 }) ?? 100;
    const topLevelOnly = workflows && p.bool('topLevelOnly', params.topLevelOnly, false);
    p.check();
    if (start + size > MAX_RESULT_WINDOW) {
      throw new BatonError(ErrorCode.ValidationFailed, `start + size must be at most ${MAX_RESULT_WINDOW}: page deeper with a narrower query or sort`, [
        { path: 'start', message: `start + size must be at most ${MAX_RESULT_WINDOW}`, invalidValue: start + size },
      ]);
    }
    const parsed = parseSearchRequest(index, { query: params.query, freeText: params.freeText, sort: params.sort });
    if (!parsed.ok) {
      const [first] = parsed.errors;
      throw new BatonError(
        ErrorCode.ValidationFailed,
        `Invalid ${first.param}: ${first.message}`,
        parsed.errors.map((e) => ({ path: e.param, message: e.message, invalidValue: params[e.param] ?? undefined })),
      );
    }
    const search = topLevelOnly ? withTopLevelOnly(parsed.value) : parsed.value;
    return { search: search as SearchRequest<C>, page: { start, size } };
  }
}

/** Adds "is no other workflow's child" to a workflow search. */
function withTopLevelOnly<C extends FieldCatalog>(search: SearchRequest<C>): SearchRequest<C> {
  const onlyTop = { kind: 'isNull', field: { name: 'parentWorkflowId', type: 'keyword' }, negated: false } as const;
  return { ...search, filter: search.filter ? { kind: 'and', clauses: [search.filter, onlyTop] } : onlyTop };
}


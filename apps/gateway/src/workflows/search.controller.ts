import { Controller, createParamDecorator, ExecutionContext, Get, Post } from '@nestjs/common';
import type { Request } from 'express';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { BatonError, ErrorCode } from '@app/contracts';
import { errorResponses, schemaRef } from '../openapi/openapi.schemas';
import { SearchParams, SearchService } from './search.service';

/** The parameters every search takes, documented once. */
function searchQueries(workflows: boolean): MethodDecorator {
  const decorators = [
    ApiQuery({ name: 'start', required: false, type: Number, description: 'hits skipped (0)' }),
    ApiQuery({ name: 'size', required: false, type: Number, description: 'hits answered (100; at most 1,000, and start + size at most 10,000)' }),
    ApiQuery({ name: 'sort', required: false, description: '`field:ASC|DESC`, several separated by `|`' }),
    ApiQuery({ name: 'freeText', required: false, description: 'words anywhere in the document (`*` or empty: any)' }),
    ApiQuery({ name: 'query', required: false, description: "Conductor's grammar: `status = RUNNING AND startTime > 1700000000000`, IN, BETWEEN, IS [NOT] NULL, STARTS_WITH, AND/OR, parentheses" }),
    ...(workflows
      ? [
          ApiQuery({ name: 'topLevelOnly', required: false, type: Boolean, description: 'only workflows that are no sub-workflow (false)' }),
        ]
      : []),
  ];
  return (target, key, descriptor) => {
    for (const d of decorators) d(target, key, descriptor);
  };
}

/** The search parameters from the query string, as sent (each documented by `searchQueries`; the service checks them). */
const SearchQuery = createParamDecorator((_: unknown, ctx: ExecutionContext): SearchParams => {
  const q = ctx.switchToHttp().getRequest<Request>().query as Record<string, string | undefined>;
  return { start: q.start, size: q.size, sort: q.sort, freeText: q.freeText, query: q.query, topLevelOnly: q.topLevelOnly };
});

/**
 * Conductor's search endpoints, on Baton's search index in every mode. Registered as literal routes
 * (before `/api/workflow/{id}` and `/api/tasks/{id}`, which would otherwise take `search` for an id).
 */
@Controller('api')
export class SearchController {
  constructor(private readonly search: SearchService) {}

  @Get('workflow/search')
  @ApiTags('workflow')
  @ApiOperation({ summary: 'Search workflows: {totalHits, results: WorkflowSummary[]}' })
  @searchQueries(true)
  @ApiOkResponse({ schema: { type: 'object', properties: { totalHits: { type: 'integer' }, results: { type: 'array', items: { type: 'object' } } } } })
  @errorResponses(400)
  workflows(@SearchQuery() params: SearchParams) {
    return this.search.workflows(params);
  }

  @Get('workflow/search-v2')
  @ApiTags('workflow')
  @ApiOperation({ summary: 'Search workflows: {totalHits, results: Workflow[]}' })
  @searchQueries(true)
  @ApiOkResponse({ schema: schemaRef('SearchResultWorkflow') })
  @errorResponses(400)
  workflowsV2(@SearchQuery() params: SearchParams) {
    return this.search.workflowsV2(params);
  }

  @Get('workflow/search-by-tasks')
  @ApiTags('workflow')
  @ApiOperation({ summary: 'Search workflows by their tasks (the query and sort are over tasks): {totalHits, results: WorkflowSummary[]}' })
  @searchQueries(false)
  @ApiOkResponse({ schema: { type: 'object', properties: { totalHits: { type: 'integer' }, results: { type: 'array', items: { type: 'object' } } } } })
  @errorResponses(400)
  workflowsByTasks(@SearchQuery() params: SearchParams) {
    return this.search.workflowsByTasks(params);
  }

  @Get('workflow/search-by-tasks-v2')
  @ApiTags('workflow')
  @ApiOperation({ summary: 'Search workflows by their tasks: {totalHits, results: Workflow[]}' })
  @searchQueries(false)
  @ApiOkResponse({ schema: schemaRef('SearchResultWorkflow') })
  @errorResponses(400)
  workflowsByTasksV2(@SearchQuery() params: SearchParams) {
    return this.search.workflowsByTasksV2(params);
  }

  @Get('tasks/search')
  @ApiTags('task')
  @ApiOperation({ summary: 'Search tasks: {totalHits, results: TaskSummary[]}' })
  @searchQueries(false)
  @ApiOkResponse({ schema: { type: 'object', properties: { totalHits: { type: 'integer' }, results: { type: 'array', items: { type: 'object' } } } } })
  @errorResponses(400)
  tasks(@SearchQuery() params: SearchParams) {
    return this.search.tasks(params);
  }

  @Get('tasks/search-v2')
  @ApiTags('task')
  @ApiOperation({ summary: 'Search tasks: {totalHits, results: Task[]}' })
  @searchQueries(false)
  @ApiOkResponse({ schema: schemaRef('SearchResultTask') })
  @errorResponses(400)
  tasksV2(@SearchQuery() params: SearchParams) {
    return this.search.tasksV2(params);
  }

  @Post('workflow/bulk/search')
  @ApiTags('workflow-bulk')
  @ApiOperation({ summary: "Orkes' search of workflows by id: not served (501); GET /api/workflow/search with `workflowId IN (…)` does it" })
  @errorResponses(501)
  bulk(): never {
    throw new BatonError(ErrorCode.NotImplemented, 'Bulk workflow search is not served: GET /api/workflow/search?query=workflowId IN (…) finds workflows by id');
  }
}

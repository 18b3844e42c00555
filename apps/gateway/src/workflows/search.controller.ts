import { Controller, Get, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { BatonError, ErrorCode } from '@app/contracts';
import { errorResponses } from '../openapi/openapi.schemas';

const notYet = (endpoint: string): never => {
  throw new BatonError(ErrorCode.NotImplemented, `${endpoint} is not served yet: search over workflows and tasks arrives with Baton's search index (issue 12)`);
};

/**
 * Conductor's search endpoints, registered as literal routes (before `/api/workflow/{id}` and
 * `/api/tasks/{id}`, which would otherwise take `search` for an id and answer a misleading 404). Until
 * the search index serves them they answer 501 with Conductor's error body.
 */
@Controller('api')
export class SearchController {
  @Get(['workflow/search', 'workflow/search-v2', 'workflow/search-by-tasks', 'workflow/search-by-tasks-v2'])
  @ApiTags('workflow')
  @ApiOperation({ summary: 'Search workflows (not served yet: 501 until the search index serves it)' })
  @errorResponses(501)
  workflows(): never {
    return notYet('Workflow search');
  }

  @Get(['tasks/search', 'tasks/search-v2'])
  @ApiTags('task')
  @ApiOperation({ summary: 'Search tasks (not served yet: 501 until the search index serves it)' })
  @errorResponses(501)
  tasks(): never {
    return notYet('Task search');
  }

  @Post('workflow/bulk/search')
  @ApiTags('workflow-bulk')
  @ApiOperation({ summary: 'Search workflows by id (not served yet: 501 until the search index serves it)' })
  @errorResponses(501)
  bulk(): never {
    return notYet('Bulk workflow search');
  }
}

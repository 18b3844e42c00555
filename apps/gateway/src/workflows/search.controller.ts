import { Controller, Get, Post } from '@nestjs/common';
import { BatonError, ErrorCode } from '@app/contracts';

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
  workflows(): never {
    return notYet('Workflow search');
  }

  @Get(['tasks/search', 'tasks/search-v2'])
  tasks(): never {
    return notYet('Task search');
  }

  @Post('workflow/bulk/search')
  bulk(): never {
    return notYet('Bulk workflow search');
  }
}

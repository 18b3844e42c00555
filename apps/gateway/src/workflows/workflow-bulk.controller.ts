import { Body, Controller, Delete, HttpCode, Post, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { BatonError, BulkResponse, bulkResponse, ErrorCode } from '@app/contracts';
import { Params } from '../http/params';
import { boolQuery, errorResponses, schemaRef } from '../openapi/openapi.schemas';
import { WorkflowService } from './workflow.service';

/** Conductor caps a bulk request at this many workflows (WorkflowBulkServiceImpl.MAX_REQUEST_ITEMS). */
const MAX_BULK_ITEMS = 1000;

/**
 * Conductor's `/api/workflow/bulk/*`: the body is a JSON list of workflow ids; each is handled as its
 * single-workflow endpoint would, and the answer is a BulkResponse — the ids that succeeded, and per id
 * why the others did not. Literal routes: registered apart from `/api/workflow/{id}`.
 */
@ApiTags('workflow-bulk')
@Controller('api/workflow/bulk')
export class WorkflowBulkController {
  constructor(private readonly workflows: WorkflowService) {}

  @Put('pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause many workflows' })
  @ApiBody({ schema: { type: 'array', items: { type: 'string' }, maxItems: 1000 }, description: 'Workflow ids (at most 1,000)' })
  @ApiOkResponse({ schema: schemaRef('BulkResponse'), description: 'The ids that succeeded, and per id why the others did not' })
  @errorResponses(400)
  pause(@Body() body: unknown): Promise<BulkResponse> {
    return each(body, (id) => this.workflows.nudge(id, 'workflow.pause'));
  }

  @Put('resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume many paused workflows' })
  @ApiBody({ schema: { type: 'array', items: { type: 'string' }, maxItems: 1000 }, description: 'Workflow ids (at most 1,000)' })
  @ApiOkResponse({ schema: schemaRef('BulkResponse'), description: 'The ids that succeeded, and per id why the others did not' })
  @errorResponses(400)
  resume(@Body() body: unknown): Promise<BulkResponse> {
    return each(body, (id) => this.workflows.nudge(id, 'workflow.resume'));
  }

  @Delete('remove')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete many workflows and their tasks from the execution store' })
  @boolQuery('archiveWorkflow', true, 'true: each stays findable by search (only an ended workflow can be archived); false: gone from search too')
  @ApiBody({ schema: { type: 'array', items: { type: 'string' }, maxItems: 1000 }, description: 'Workflow ids (at most 1,000)' })
  @ApiOkResponse({ schema: schemaRef('BulkResponse'), description: 'The ids that succeeded, and per id why the others did not' })
  @errorResponses(400)
  remove(@Body() body: unknown, @Query('archiveWorkflow') archiveWorkflow?: string): Promise<BulkResponse> {
    const p = new Params();
    const archive = p.bool('archiveWorkflow', archiveWorkflow, true);
    p.check();
    return each(body, (id) => this.workflows.remove(id, archive));
  }

  @Delete('terminate-remove')
  @HttpCode(200)
  @ApiOperation({ summary: 'Terminate many workflows where they have not ended, then delete them' })
  @ApiQuery({ name: 'reason', required: false, schema: { type: 'string', maxLength: 4096 } })
  @boolQuery('archiveWorkflow', true, 'true: each stays findable by search; false: gone from search too')
  @ApiBody({ schema: { type: 'array', items: { type: 'string' }, maxItems: 1000 }, description: 'Workflow ids (at most 1,000)' })
  @ApiOkResponse({ schema: schemaRef('BulkResponse'), description: 'The ids that succeeded, and per id why the others did not' })
  @errorResponses(400)
  terminateRemove(@Body() body: unknown, @Query('reason') reason?: string, @Query('archiveWorkflow') archiveWorkflow?: string): Promise<BulkResponse> {
    const p = new Params();
    const why = p.text('reason', reason, 4096);
    const archive = p.bool('archiveWorkflow', archiveWorkflow, true);
    p.check();
    return each(body, (id) => this.workflows.remove(id, archive, why !== undefined ? { reason: why } : {}));
  }

  @Post('restart')
  @HttpCode(200)
  @ApiOperation({ summary: 'Restart many ended workflows from their first task' })
  @boolQuery('useLatestDefinitions', false)
  @ApiBody({ schema: { type: 'array', items: { type: 'string' }, maxItems: 1000 }, description: 'Workflow ids (at most 1,000)' })
  @ApiOkResponse({ schema: schemaRef('BulkResponse'), description: 'The ids that succeeded, and per id why the others did not' })
  @errorResponses(400)
  restart(@Body() body: unknown, @Query('useLatestDefinitions') useLatestDefinitions?: string): Promise<BulkResponse> {
    const p = new Params();
    const latest = p.bool('useLatestDefinitions', useLatestDefinitions, false);
    p.check();
    return each(body, (id) => this.workflows.restart(id, latest));
  }

  @Post('retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Retry many ended workflows from their failed tasks' })
  @ApiBody({ schema: { type: 'array', items: { type: 'string' }, maxItems: 1000 }, description: 'Workflow ids (at most 1,000)' })
  @ApiOkResponse({ schema: schemaRef('BulkResponse'), description: 'The ids that succeeded, and per id why the others did not' })
  @errorResponses(400)
  retry(@Body() body: unknown): Promise<BulkResponse> {
    return each(body, (id) => this.workflows.retry(id));
  }

  @Post('terminate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Terminate many running workflows' })
  @ApiQuery({ name: 'reason', required: false, schema: { type: 'string', maxLength: 4096 } })
  @ApiBody({ schema: { type: 'array', items: { type: 'string' }, maxItems: 1000 }, description: 'Workflow ids (at most 1,000)' })
  @ApiOkResponse({ schema: schemaRef('BulkResponse'), description: 'The ids that succeeded, and per id why the others did not' })
  @errorResponses(400)
  terminate(@Body() body: unknown, @Query('reason') reason?: string): Promise<BulkResponse> {
    const p = new Params();
    const why = p.text('reason', reason, 4096);
    p.check();
    return each(body, (id) => this.workflows.terminate(id, why, false));
  }
}

/** Runs `action` on every id of the body, a few at a time, gathering what succeeded and why the rest failed. */
async function each(body: unknown, action: (workflowId: string) => Promise<void>): Promise<BulkResponse> {
  if (!Array.isArray(body) || body.some((id) => typeof id !== 'string')) {
    throw new BatonError(ErrorCode.ValidationFailed, 'Validation failed, check below errors for detail.', [{ path: 'body', message: 'must be a list of workflow ids', invalidValue: body }]);
  }
  if (body.length > MAX_BULK_ITEMS) {
    throw new BatonError(ErrorCode.ValidationFailed, `Cannot process more than ${MAX_BULK_ITEMS} workflows. Please use multiple requests.`, [
      { path: 'body', message: `at most ${MAX_BULK_ITEMS} workflow ids`, invalidValue: body.length },
    ]);
  }
  const ids = [...new Set(body as string[])];
  const ok: string[] = [];
  const failed: Record<string, string> = {};
  for (let i = 0; i < ids.length; i += 16) {
    await Promise.all(
      ids.slice(i, i + 16).map((id) =>
        action(id).then(
          () => void ok.push(id),
          (err: Error) => void (failed[id] = err.message),
        ),
      ),
    );
  }
  return bulkResponse(ids.filter((id) => ok.includes(id)), failed);
}

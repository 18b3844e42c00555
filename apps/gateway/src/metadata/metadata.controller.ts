import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { BatonError, BulkResponse, ErrorCode, ResolvedTaskDef, TaskDef, WorkflowDef, WorkflowDefSummary } from '@app/contracts';
import { Params } from '../http/params';
import { errorResponses, schemaRef } from '../openapi/openapi.schemas';
import { MetadataService } from './metadata.service';

/** Conductor's `/api/metadata`: task and workflow definitions. */
@ApiTags('metadata')
@Controller('api/metadata')
export class MetadataController {
  constructor(private readonly metadata: MetadataService) {}

  // ---- task definitions --------------------------------------------------------------------------------

  @Post('taskdefs')
  @HttpCode(200)
  @ApiOperation({ summary: 'Create or replace task definitions (all or nothing)' })
  @ApiBody({ schema: { type: 'array', items: schemaRef('TaskDef') } })
  @errorResponses(400, 503)
  @ApiOkResponse({ description: 'Stored' })
  async registerTaskDefs(@Body() body: unknown): Promise<void> {
    if (!Array.isArray(body)) throw notA('taskDefs', 'a JSON array of task definitions', body);
    await this.metadata.registerTaskDefs(body as TaskDef[]);
  }

  @Put('taskdefs')
  @HttpCode(200)
  @ApiOperation({ summary: 'Update an existing task definition' })
  @ApiBody({ schema: schemaRef('TaskDef') })
  @errorResponses(400, 404, 503)
  @ApiOkResponse({ description: 'Updated' })
  async updateTaskDef(@Body() body: unknown): Promise<void> {
    if (!isObject(body)) throw notA('taskDef', 'a JSON object', body);
    await this.metadata.updateTaskDef(body as TaskDef);
  }

  @Get('taskdefs')
  @ApiOperation({ summary: 'All task definitions' })
  @ApiOkResponse({ schema: { type: 'array', items: schemaRef('TaskDef') } })
  taskDefs(): Promise<ResolvedTaskDef[]> {
    return this.metadata.taskDefs();
  }

  @Get('taskdefs/:tasktype')
  @ApiOperation({ summary: 'One task definition' })
  @ApiOkResponse({ schema: schemaRef('TaskDef') })
  @errorResponses(404)
  taskDef(@Param('tasktype') taskType: string): Promise<ResolvedTaskDef> {
    return this.metadata.taskDef(taskType);
  }

  @Delete('taskdefs/:tasktype')
  @ApiOperation({ summary: 'Delete a task definition' })
  @errorResponses(404, 503)
  @ApiOkResponse({ description: 'Deleted' })
  async deleteTaskDef(@Param('tasktype') taskType: string): Promise<void> {
    await this.metadata.deleteTaskDef(taskType);
  }

  // ---- workflow definitions ------------------------------------------------------------------------------

  @Post('workflow')
  @HttpCode(200)
  @ApiOperation({ summary: 'Create a workflow definition (409 if name+version exists, unless overwrite=true)' })
  @ApiQuery({ name: 'overwrite', required: false, type: Boolean })
  @ApiBody({ schema: schemaRef('WorkflowDef') })
  @errorResponses(400, 409, 503)
  @ApiOkResponse({ description: 'Stored' })
  async registerWorkflowDef(@Body() body: unknown, @Query('overwrite') overwrite?: string): Promise<void> {
    const p = new Params();
    const replace = p.bool('overwrite', overwrite, false);
    p.check();
    await this.metadata.registerWorkflowDef(body as WorkflowDef, replace);
  }

  @Put('workflow')
  @ApiOperation({ summary: 'Create or replace many workflow definitions; each one stands alone' })
  @ApiBody({ schema: { type: 'array', items: schemaRef('WorkflowDef') } })
  @ApiOkResponse({ schema: schemaRef('BulkResponse') })
  @errorResponses(400, 503)
  upsertWorkflowDefs(@Body() body: unknown): Promise<BulkResponse<string>> {
    if (!Array.isArray(body)) throw notA('workflowDefs', 'a JSON array of workflow definitions', body);
    return this.metadata.upsertWorkflowDefs(body as WorkflowDef[]);
  }

  @Post('workflow/validate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Validate a workflow definition without storing it' })
  @ApiBody({ schema: schemaRef('WorkflowDef') })
  @errorResponses(400, 503)
  @ApiOkResponse({ description: 'Valid' })
  async validateWorkflowDef(@Body() body: unknown): Promise<void> {
    await this.metadata.validateWorkflowDef(body as WorkflowDef);
  }

  @Get('workflow')
  @ApiOperation({ summary: 'Every version of every workflow definition' })
  @ApiOkResponse({ schema: { type: 'array', items: schemaRef('WorkflowDef') } })
  workflowDefs(): Promise<WorkflowDef[]> {
    return this.metadata.workflowDefs();
  }

  @Get('workflow/names-and-versions')
  @ApiOperation({ summary: 'Versions of every workflow, by name' })
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: { type: 'array', items: schemaRef('WorkflowDefSummary') } } })
  namesAndVersions(): Promise<Record<string, WorkflowDefSummary[]>> {
    return this.metadata.namesAndVersions();
  }

  @Get('workflow/names')
  @ApiOperation({ summary: 'Names of all workflow definitions' })
  @ApiOkResponse({ schema: { type: 'array', items: { type: 'string' } } })
  workflowNames(): Promise<string[]> {
    return this.metadata.workflowNames();
  }

  @Get('workflow/latest-versions')
  @ApiOperation({ summary: 'The latest version of each workflow definition' })
  @ApiOkResponse({ schema: { type: 'array', items: schemaRef('WorkflowDef') } })
  latestVersions(): Promise<WorkflowDef[]> {
    return this.metadata.latestWorkflowDefs();
  }

  @Get('workflow/:name/versions')
  @ApiOperation({ summary: 'Versions of one workflow definition' })
  @ApiOkResponse({ schema: { type: 'array', items: schemaRef('WorkflowDefSummary') }, description: 'Empty for an unknown name' })
  versions(@Param('name') name: string): Promise<WorkflowDefSummary[]> {
    return this.metadata.versions(name);
  }

  @Get('workflow/:name')
  @ApiOperation({ summary: 'A workflow definition: the given version, or the latest' })
  @ApiQuery({ name: 'version', required: false, type: Number })
  @ApiOkResponse({ schema: schemaRef('WorkflowDef') })
  @errorResponses(400, 404)
  workflowDef(@Param('name') name: string, @Query('version') version?: string): Promise<WorkflowDef> {
    const p = new Params();
    const v = p.int('version', version, { min: 1 });
    p.check();
    return this.metadata.workflowDef(name, v);
  }

  @Delete('workflow/:name/:version')
  @ApiOperation({ summary: 'Delete one version of a workflow definition (running executions are untouched)' })
  @errorResponses(400, 404, 503)
  @ApiOkResponse({ description: 'Deleted' })
  async deleteWorkflowDef(@Param('name') name: string, @Param('version') version: string): Promise<void> {
    const p = new Params();
    const v = p.int('version', version, { min: 1 });
    p.check();
    await this.metadata.deleteWorkflowDef(name, v!);
  }
}

const isObject = (v: unknown): boolean => v !== null && typeof v === 'object' && !Array.isArray(v);

const notA = (path: string, what: string, value: unknown) =>
  new BatonError(ErrorCode.ValidationFailed, 'Validation failed, check below errors for detail.', [
    { path, message: `the body must be ${what}`, invalidValue: value },
  ]);

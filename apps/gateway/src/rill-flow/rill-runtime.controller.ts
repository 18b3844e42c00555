import { Body, Controller, Get, HttpCode, Post, Query, Req, UseFilters } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { BatonError, ErrorCode, rillExecutionIdOf, SystemTaskType, TaskResultStatus, Workflow } from '@app/contracts';
import { IdGenerator } from '@app/runtime';
import type { Request } from 'express';
import { rillErrorResponses } from '../openapi/openapi.schemas';
import { TaskService } from '../tasks/task.service';
import { WorkflowService } from '../workflows/workflow.service';
import { parseDescriptorId, RillDescriptors } from './rill-descriptors';
import { RillGray } from './rill-gray';
import { RillExecutionLookup } from './rill-execution.lookup';
import { RillFlowErrorFilter } from './rill-flow.filter';
import { rillExecutionView } from './rill-status';
import { rillWorkflowDef } from './rill-workflow';

/** What Rill Flow answers a result it took. */
const OK = { type: 'object', properties: { result: { type: 'string', enum: ['ok'] } } };

/** A body as a JSON object: an object as it is, a JSON text parsed, anything else an error naming `field`. */
function objectOf(raw: unknown, field: string): Record<string, unknown> {
  let value = raw;
  if (typeof raw === 'string') {
    if (!raw.trim()) return {};
    try {
      value = JSON.parse(raw);
    } catch {
      throw new BatonError(ErrorCode.ValidationFailed, `${field} must be a JSON object`, [{ path: field, message: 'not JSON', invalidValue: raw.slice(0, 200) }]);
    }
  }
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new BatonError(ErrorCode.ValidationFailed, `${field} must be a JSON object`, [{ path: field, message: 'not a JSON object', invalidValue: value }]);
  return value as Record<string, unknown>;
}

/** Where the caller reached Baton: what callbacks and `$.tasks.<name>.trigger_url` point executors at. */
function serverUrlOf(req: Request): string {
  const configured = process.env.BATON_PUBLIC_URL?.replace(/\/+$/, '');
  return configured || `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

/**
 * Rill Flow's runtime API (`/flow/*.json`) on Baton's engine. An execution is a workflow: its id is
 * `<business>:<feature>_c_<workflow id>` (Rill Flow's form), kept as the workflow's correlationId, so the
 * Conductor API reads and manages the same run. The DAG runs as a graph flow of `RILL_*` tasks; its context
 * is the workflow's variables.
 */
@ApiTags('rill-flow')
@Controller('flow')
@UseFilters(RillFlowErrorFilter)
export class RillRuntimeController {
  constructor(
    private readonly descriptors: RillDescriptors,
    private readonly workflows: WorkflowService,
    private readonly tasks: TaskService,
    private readonly ids: IdGenerator,
    private readonly lookup: RillExecutionLookup,
    private readonly gray: RillGray,
  ) {}

  @Post('submit.json')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rill Flow: run a registered DAG with the body as its context; returns {"execution_id"}' })
  @ApiQuery({ name: 'descriptor_id', description: '<business>:<feature>[:<alias>|:v<version>]' })
  @ApiQuery({ name: 'callback', required: false, description: 'URL POSTed the execution when it ends' })
  @ApiQuery({ name: 'resource_check', required: false, description: "Rill Flow's load-shedding modes: accepted, not applied (Baton has no resource circuit breakers)" })
  @ApiBody({ required: false, schema: { type: 'object' }, description: 'The context' })
  @ApiOkResponse({ schema: { type: 'object', properties: { execution_id: { type: 'string' } } } })
  @rillErrorResponses(400, 404, 503)
  async submit(@Req() req: Request, @Body() body: unknown, @Query('descriptor_id') descriptorId?: string, @Query('callback') callback?: string): Promise<{ execution_id: string }> {
    const context = objectOf(body, 'context');
    if (callback !== undefined && !/^https?:\/\/[^\s]+$/i.test(callback)) {
      throw new BatonError(ErrorCode.ValidationFailed, 'callback must be an http(s) URL', [{ path: 'callback', message: 'not an http(s) URL', invalidValue: callback }]);
    }
    // An id that names no alias (nor version) runs the alias whose gray rule holds for this context, else release.
    const { businessId, featureName, named } = parseDescriptorId(descriptorId);
    const alias = named ? undefined : await this.gray.aliasFor(businessId, featureName, context);
    const descriptor = await this.descriptors.resolve(alias ? `${businessId}:${featureName}:${alias}` : descriptorId);
    const subFlows = await this.descriptors.subFlowsOf(descriptor.dag);
    const { def, errors } = rillWorkflowDef(descriptor, { serverUrl: serverUrlOf(req), callbackUrl: callback, subFlows });
    if (errors.length) throw new BatonError(ErrorCode.ValidationFailed, `${descriptor.descriptorId} cannot run: ${errors[0].message}`, [...errors]);
    const workflowId = this.ids.next();
    const executionId = rillExecutionIdOf(descriptor.descriptorId, workflowId);
    await this.workflows.start({ name: def.name, version: def.version, input: context, correlationId: executionId, priority: 0, workflowDef: def }, workflowId);
    return { execution_id: executionId };
  }

  @Get('get.json')
  @ApiOperation({ summary: "Rill Flow: an execution's DAG status, progress (percent) and tasks" })
  @ApiQuery({ name: 'execution_id' })
  @ApiQuery({ name: 'brief', required: false, type: Boolean, description: 'only the DAG itself: no context, no tasks' })
  @ApiOkResponse({ schema: { type: 'object', properties: { ret: { type: 'object', description: 'execution_id, dag_status, process (percent), context, tasks by name' } } } })
  @rillErrorResponses(400, 404)
  async get(@Query('execution_id') executionId?: string, @Query('brief') brief?: string) {
    const wf = await this.lookup.find(executionId);
    return { ret: rillExecutionView(executionId as string, wf, brief === 'true' || brief === '1') };
  }

  @Get('get_context.json')
  @ApiOperation({ summary: "Rill Flow: an execution's context" })
  @ApiQuery({ name: 'execution_id' })
  @ApiOkResponse({ schema: { type: 'object', properties: { ret: { type: 'object' } } } })
  @rillErrorResponses(400, 404)
  async getContext(@Query('execution_id') executionId?: string) {
    return { ret: (await this.lookup.find(executionId)).variables ?? {} };
  }

  @Post('finish.json')
  @HttpCode(200)
  @ApiOperation({ summary: "Rill Flow: an async function task's result (result_type SUCCESS unless it says otherwise)" })
  @ApiQuery({ name: 'execution_id' })
  @ApiQuery({ name: 'task_name' })
  @ApiQuery({ name: 'executionId', required: false, description: 'execution_id under the name Rill Flow’s docs give it' })
  @ApiQuery({ name: 'taskName', required: false, description: 'task_name under the name Rill Flow’s docs give it' })
  @ApiBody({ required: false, schema: { type: 'object' } })
  @ApiOkResponse({ schema: OK })
  @rillErrorResponses(400, 404)
  async finish(
    @Body() body: unknown,
    @Query('execution_id') executionId?: string,
    @Query('task_name') taskName?: string,
    @Query('executionId') executionIdAsDocumented?: string,
    @Query('taskName') taskNameAsDocumented?: string,
  ): Promise<{ result: 'ok' }> {
    // Rill Flow's finish body: {result_type, passthrough: {execution_id, task_name}, response: {…}}; the
    // response is the output its outputMappings read (a body without one is the output itself).
    const { result_type: type, passthrough: _passthrough, response, ...rest } = objectOf(body, 'body');
    const resultType = typeof type === 'string' ? type : 'SUCCESS';
    const output = response !== undefined ? objectOf(response, 'response') : rest;
    const reason = typeof rest.error_msg === 'string' ? rest.error_msg : typeof output.error_msg === 'string' ? output.error_msg : undefined;
    await this.complete(executionId ?? executionIdAsDocumented, taskName ?? taskNameAsDocumented, resultType, output, reason);
    return { result: 'ok' };
  }

  @Post('trigger.json')
  @HttpCode(200)
  @ApiOperation({ summary: "Rill Flow: a callback (X-Callback-Url): wakes a suspense task, or finishes a function task with the body as its response" })
  @ApiQuery({ name: 'execution_id' })
  @ApiQuery({ name: 'task_name' })
  @ApiQuery({ name: 'status', required: false, description: 'result_type of the finish (SUCCESS unless given)' })
  @ApiQuery({ name: 'context', required: false, description: 'JSON merged into the context' })
  @ApiBody({ required: false, schema: { type: 'object' } })
  @ApiOkResponse({ schema: OK })
  @rillErrorResponses(400, 404)
  triggerPost(
    @Body() body: unknown,
    @Query('execution_id') executionId?: string,
    @Query('task_name') taskName?: string,
    @Query('status') status?: string,
    @Query('context') context?: string,
  ): Promise<{ result: 'ok' }> {
    return this.trigger(body, { executionId, taskName, status, context });
  }

  @Get('trigger.json')
  @ApiOperation({ summary: 'Rill Flow: a callback by GET (no body): wakes a suspense task, or finishes a function task' })
  @ApiQuery({ name: 'execution_id' })
  @ApiQuery({ name: 'task_name' })
  @ApiQuery({ name: 'status', required: false, description: 'result_type of the finish (SUCCESS unless given)' })
  @ApiQuery({ name: 'context', required: false, description: 'JSON merged into the context' })
  @ApiOkResponse({ schema: OK })
  @rillErrorResponses(400, 404)
  triggerGet(@Query('execution_id') executionId?: string, @Query('task_name') taskName?: string, @Query('status') status?: string, @Query('context') context?: string): Promise<{ result: 'ok' }> {
    return this.trigger(undefined, { executionId, taskName, status, context });
  }

  private async trigger(body: unknown, query: { executionId?: string; taskName?: string; status?: string; context?: string }): Promise<{ result: 'ok' }> {
    const { executionId, taskName } = query;
    const data = objectOf(body, 'body');
    const wf = await this.lookup.find(executionId);
    const wt = wf.workflowDefinition?.tasks.find((t) => t.taskReferenceName === taskName);
    if (wt?.type === SystemTaskType.RillSuspense) {
      await this.workflows.wakeUp(wf.workflowId, taskName as string, { ...objectOf(query.context, 'context'), ...data });
    } else {
      // As Rill Flow's trigger: a finish whose response is the body.
      await this.complete(executionId, taskName, query.status || 'SUCCESS', data, typeof data.error_msg === 'string' ? data.error_msg : undefined, wf);
    }
    return { result: 'ok' };
  }

  @Post('wakeup.json')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rill Flow: wake a suspense task, the body merged into the context' })
  @ApiQuery({ name: 'execution_id' })
  @ApiQuery({ name: 'task_name' })
  @ApiBody({ required: false, schema: { type: 'object' } })
  @ApiOkResponse({ schema: OK })
  @rillErrorResponses(400, 404)
  async wakeup(@Body() body: unknown, @Query('execution_id') executionId?: string, @Query('task_name') taskName?: string): Promise<{ result: 'ok' }> {
    const wf = await this.lookup.find(executionId);
    if (!taskName) throw new BatonError(ErrorCode.ValidationFailed, 'task_name is required', [{ path: 'task_name', message: 'task_name is required' }]);
    await this.workflows.wakeUp(wf.workflowId, taskName, objectOf(body, 'body'));
    return { result: 'ok' };
  }

  /** Reports a function task's result: SUCCESS completes it with `output`, anything else fails it. */
  private async complete(executionId: string | undefined, taskName: string | undefined, resultType: string, output: Record<string, unknown>, reason?: string, known?: Workflow): Promise<void> {
    if (!taskName) throw new BatonError(ErrorCode.ValidationFailed, 'task_name is required', [{ path: 'task_name', message: 'task_name is required' }]);
    const wf = known ?? (await this.lookup.find(executionId));
    const success = resultType.toUpperCase() === 'SUCCESS';
    await this.tasks.update(
      {
        workflowInstanceId: wf.workflowId,
        taskId: '',
        status: success ? TaskResultStatus.Completed : TaskResultStatus.Failed,
        outputData: { ...output, result_type: resultType },
        ...(success ? {} : { reasonForIncompletion: reason ?? `the executor answered result_type ${resultType}` }),
      },
      taskName,
    );
  }

}

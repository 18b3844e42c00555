import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { BatonError, ErrorCode, RerunWorkflowRequest, StartWorkflowRequest, validateModel, type Task, type Workflow } from '@app/contracts';
import { Params, requireObject } from '../http/params';
import { boolQuery, errorResponses, intQuery, schemaRef, TASK_STATUSES, textResponse } from '../openapi/openapi.schemas';
import { randomUUID } from 'node:crypto';
import { RETURN_STRATEGIES, ReturnStrategy, SignalResponse } from './sync-execution';
import { testMocksOf } from './test-request';
import { WorkflowService, WorkflowStatusView } from './workflow.service';

/** How long a test run may take before it is answered as it stands. */
const TEST_RUN_TIMEOUT_MS = 10_000;

/** Conductor's `/api/workflow`: starts (both forms, execute, test), reads, and every operation on a workflow (pause, resume, terminate, restart, retry, rerun, skip, remove, decide, resetcallbacks). Bulk and search have controllers of their own. */
@ApiTags('workflow')
@Controller('api/workflow')
export class WorkflowController {
  constructor(private readonly workflows: WorkflowService) {}

  /** The StartWorkflowRequest form every SDK uses: name, version, input, correlationId, priority, taskToDomain, an ephemeral workflowDef, idempotency. */
  @Post()
  @HttpCode(200)
  @Header('Content-Type', 'text/plain')
  @ApiOperation({ summary: 'Start a workflow from a StartWorkflowRequest; answers its id as text' })
  @ApiBody({ schema: schemaRef('StartWorkflowRequest') })
  @textResponse('The workflow id (under an idempotencyKey with RETURN_EXISTING: the existing one)')
  @errorResponses(400, 404, 409, 503)
  startRequest(@Body() body: unknown): Promise<string> {
    const errors = validateModel(StartWorkflowRequest, body);
    if (errors.length) throw new BatonError(ErrorCode.ValidationFailed, 'Validation failed, check below errors for detail.', errors);
    return this.workflows.startRequest(body as StartWorkflowRequest);
  }

  /**
   * Starts a workflow and answers when it ends, reaches a task that waits for a signal (WAIT, HUMAN — in it
   * or a sub-workflow), or finishes a `waitUntilTaskRef` task; after `waitForSeconds` it answers as it
   * stands with `signalTimeout: true`. Woken by the run's change notifications, not by polling. Version 0:
   * the latest. `consistency` is accepted: every start is durable in Baton.
   */
  @Post('execute/:name/:version')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start a workflow and wait until it ends, waits for a signal, or finishes a waitUntilTaskRef task; answers a SignalResponse' })
  @ApiParam({ name: 'version', schema: { type: 'integer', minimum: 0 }, description: '0: the latest version' })
  @ApiQuery({ name: 'requestId', required: false, schema: { type: 'string', maxLength: 255 }, description: 'Echoed in the response; a random id when absent' })
  @ApiQuery({ name: 'waitUntilTaskRef', required: false, schema: { type: 'string' }, description: 'Task reference names, comma-separated: answer once one of them has ended' })
  @intQuery('waitForSeconds', { default: 10, minimum: 0, maximum: 300 }, 'How long to wait before answering as it stands, with `signalTimeout: true`')
  @ApiQuery({ name: 'consistency', required: false, schema: { type: 'string', enum: ['SYNCHRONOUS', 'DURABLE', 'REGION_DURABLE'], default: 'DURABLE' }, description: 'Accepted; every start is durable in Baton' })
  @ApiQuery({ name: 'returnStrategy', required: false, schema: { type: 'string', enum: [...RETURN_STRATEGIES], default: ReturnStrategy.TargetWorkflow } })
  @ApiBody({ schema: schemaRef('StartWorkflowRequest'), required: false, description: 'The workflow to start; `name` and `version` come from the path (a `name` in the body must equal it)' })
  @ApiOkResponse({ schema: schemaRef('SignalResponse') })
  @errorResponses(400, 404, 409, 503)
  execute(
    @Param('name') name: string,
    @Param('version') version: string,
    @Body() body: unknown,
    @Query('requestId') requestId?: string,
    @Query('waitUntilTaskRef') waitUntilTaskRef?: string,
    @Query('waitForSeconds') waitForSeconds?: string,
    @Query('consistency') consistency?: string,
    @Query('returnStrategy') returnStrategy?: string,
  ): Promise<SignalResponse> {
    const p = new Params();
    const v = p.int('version', version, { min: 0 });
    const wait = p.int('waitForSeconds', waitForSeconds, { min: 0, max: 300, fallback: 10 }) ?? 10;
    p.oneOf('consistency', consistency, ['SYNCHRONOUS', 'DURABLE', 'REGION_DURABLE'], 'DURABLE');
    const strategy = p.oneOf('returnStrategy', returnStrategy, RETURN_STRATEGIES as ReturnStrategy[], ReturnStrategy.TargetWorkflow);
    const request = p.text('requestId', requestId, 255);
    p.check();
    const raw = requireObject(body, 'StartWorkflowRequest');
    if (raw.name !== undefined && raw.name !== name) {
      throw new BatonError(ErrorCode.InvalidArgument, `name ${String(raw.name)} in the body is not the workflow to execute, ${name}`, [{ path: 'name', message: 'must equal the name in the path', invalidValue: raw.name }]);
    }
    const startRequest = { ...raw, name, ...(v ? { version: v } : {}) };
    const errors = validateModel(StartWorkflowRequest, startRequest);
    if (errors.length) throw new BatonError(ErrorCode.ValidationFailed, 'Validation failed, check below errors for detail.', errors);
    const untilTaskRefs = (waitUntilTaskRef ?? '').split(',').map((r) => r.trim()).filter(Boolean);
    return this.workflows.execute(startRequest as StartWorkflowRequest, { untilTaskRefs, timeoutMs: wait * 1000, strategy, requestId: request ?? randomUUID() });
  }

  /**
   * A test run (Conductor's WorkflowTestRequest: a StartWorkflowRequest with `taskRefToMockOutput` and
   * `subWorkflowTestRequest`): worker tasks take their mocked results instead of being queued; answers the
   * Workflow once it ends, waits for a signal or waits on a task it has no mock for (10 s at most).
   */
  @Post('test')
  @HttpCode(200)
  @ApiOperation({ summary: 'Test run: worker tasks take mocked results; answers the Workflow once it ends, waits for a signal or waits on an unmocked task (10 s at most)' })
  @ApiBody({ schema: schemaRef('WorkflowTestRequest') })
  @ApiOkResponse({ schema: schemaRef('Workflow') })
  @errorResponses(400, 404, 409, 503)
  test(@Body() body: unknown): Promise<Workflow> {
    const raw = requireObject(body, 'WorkflowTestRequest');
    const { taskRefToMockOutput: _mocks, subWorkflowTestRequest: _subs, ...startRequest } = raw;
    const { mocks, errors: mockErrors } = testMocksOf(raw);
    const errors = [...validateModel(StartWorkflowRequest, startRequest), ...mockErrors];
    if (errors.length) throw new BatonError(ErrorCode.ValidationFailed, 'Validation failed, check below errors for detail.', errors);
    return this.workflows.test(startRequest as unknown as StartWorkflowRequest, mocks, TEST_RUN_TIMEOUT_MS);
  }

  /** Ids of the RUNNING workflows of a name and version (1 unless given, as Conductor), created in [startTime, endTime]. */
  @Get('running/:name')
  @ApiOperation({ summary: 'Ids of the RUNNING workflows of a name and version, created within [startTime, endTime] when given' })
  @intQuery('version', { default: 1, minimum: 1 })
  @intQuery('startTime', { minimum: 0, format: 'int64' }, 'Created at or after (epoch ms)')
  @intQuery('endTime', { minimum: 0, format: 'int64' }, 'Created at or before (epoch ms)')
  @ApiOkResponse({ schema: { type: 'array', items: { type: 'string' } } })
  @errorResponses(400)
  running(@Param('name') name: string, @Query('version') version?: string, @Query('startTime') startTime?: string, @Query('endTime') endTime?: string): Promise<string[]> {
    const p = new Params();
    const v = p.int('version', version, { min: 1, fallback: 1 }) ?? 1;
    const from = p.int('startTime', startTime, { min: 0, max: Number.MAX_SAFE_INTEGER });
    const to = p.int('endTime', endTime, { min: 0, max: Number.MAX_SAFE_INTEGER });
    p.check();
    return this.workflows.running(name, v, from, to);
  }

  /** The workflows of a name with a correlation id: running (and paused) ones, ended ones too with `includeClosed`. */
  @Get(':name/correlated/:correlationId')
  @ApiOperation({ summary: 'The workflows of a name with a correlation id, oldest first' })
  @boolQuery('includeClosed', false, 'Include workflows that have ended')
  @boolQuery('includeTasks', false)
  @ApiOkResponse({ schema: { type: 'array', items: schemaRef('Workflow') } })
  @errorResponses(400)
  async correlated(
    @Param('name') name: string,
    @Param('correlationId') correlationId: string,
    @Query('includeClosed') includeClosed?: string,
    @Query('includeTasks') includeTasks?: string,
  ): Promise<Workflow[]> {
    const p = new Params();
    const closed = p.bool('includeClosed', includeClosed, false);
    const tasks = p.bool('includeTasks', includeTasks, false);
    p.check();
    return (await this.workflows.correlated(name, [correlationId], closed, tasks))[correlationId] ?? [];
  }

  /** The same for many correlation ids (a JSON list): `{correlationId: Workflow[]}`. */
  @Post(':name/correlated')
  @HttpCode(200)
  @ApiOperation({ summary: 'The workflows of a name for each of many correlation ids' })
  @boolQuery('includeClosed', false, 'Include workflows that have ended')
  @boolQuery('includeTasks', false)
  @ApiBody({ schema: { type: 'array', items: { type: 'string' } }, description: 'Correlation ids' })
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: { type: 'array', items: schemaRef('Workflow') } }, description: 'Per correlation id, its workflows' })
  @errorResponses(400)
  correlatedBatch(@Param('name') name: string, @Body() body: unknown, @Query('includeClosed') includeClosed?: string, @Query('includeTasks') includeTasks?: string): Promise<Record<string, Workflow[]>> {
    const p = new Params();
    const closed = p.bool('includeClosed', includeClosed, false);
    const tasks = p.bool('includeTasks', includeTasks, false);
    p.check();
    if (!Array.isArray(body) || body.some((c) => typeof c !== 'string')) {
      throw new BatonError(ErrorCode.ValidationFailed, 'Validation failed, check below errors for detail.', [{ path: 'body', message: 'must be a list of correlation ids', invalidValue: body }]);
    }
    return this.workflows.correlated(name, body as string[], closed, tasks);
  }

  @Post(':name')
  @HttpCode(200)
  @Header('Content-Type', 'text/plain')
  @ApiOperation({ summary: 'Start a workflow with the body as its input; answers its id as text' })
  @intQuery('version', { minimum: 1 }, 'The latest when absent')
  @ApiQuery({ name: 'correlationId', required: false, schema: { type: 'string', maxLength: 255 } })
  @intQuery('priority', { default: 0, minimum: 0, maximum: 99 })
  @ApiBody({ schema: { type: 'object', additionalProperties: true }, description: 'The workflow input', required: false })
  @textResponse('The workflow id')
  @errorResponses(400, 404, 503)
  start(
    @Param('name') name: string,
    @Body() body: unknown,
    @Query('version') version?: string,
    @Query('correlationId') correlationId?: string,
    @Query('priority') priority?: string,
  ): Promise<string> {
    const p = new Params();
    const v = p.int('version', version, { min: 1 });
    const prio = p.int('priority', priority, { min: 0, max: 99, fallback: 0 }) ?? 0;
    const correlation = p.text('correlationId', correlationId, 255);
    const input = requireObject(body, 'input');
    p.check();
    return this.workflows.start({ name, version: v, input, correlationId: correlation, priority: prio });
  }

  /** Runs an ended workflow again from its first task: 204; 409 while it runs; 404 for a COMPLETED one whose definition is not restartable. */
  @Post(':workflowId/restart')
  @HttpCode(204)
  @ApiOperation({ summary: 'Run an ended workflow again from its first task' })
  @boolQuery('useLatestDefinitions', false, 'Run the latest version of its definition (and of its task definitions)')
  @ApiResponse({ status: 204, description: 'Restarted' })
  @ApiResponse({ status: 404, description: 'No such workflow, or a COMPLETED one whose definition is not restartable', schema: schemaRef('ErrorResponse') })
  @ApiResponse({ status: 409, description: 'It is still running', schema: schemaRef('ErrorResponse') })
  @errorResponses(400, 503)
  async restart(@Param('workflowId') workflowId: string, @Query('useLatestDefinitions') useLatestDefinitions?: string): Promise<void> {
    const p = new Params();
    const latest = p.bool('useLatestDefinitions', useLatestDefinitions, false);
    p.check();
    await this.workflows.restart(workflowId, latest);
  }

  /**
   * Runs an ended workflow again from one of its tasks (or from its start) with a RerunWorkflowRequest:
   * the workflow's id as text; 409 while it runs; 400 for a task it does not have.
   */
  @Post(':workflowId/rerun')
  @HttpCode(200)
  @Header('Content-Type', 'text/plain')
  @ApiOperation({ summary: 'Run an ended workflow again from one of its tasks (or from its start); answers its id as text' })
  @ApiBody({ schema: schemaRef('RerunWorkflowRequest') })
  @textResponse('The workflow id')
  @ApiResponse({ status: 409, description: 'It is still running', schema: schemaRef('ErrorResponse') })
  @errorResponses(400, 404, 503)
  rerun(@Param('workflowId') workflowId: string, @Body() body: unknown): Promise<string> {
    const request = requireObject(body, 'RerunWorkflowRequest');
    const errors = validateModel(RerunWorkflowRequest, request);
    if (errors.length) throw new BatonError(ErrorCode.ValidationFailed, 'Validation failed, check below errors for detail.', errors);
    return this.workflows.rerun(workflowId, request as RerunWorkflowRequest);
  }

  /**
   * Retries an ended workflow from its failed tasks: 204; 404 while it runs (as Conductor); 409 with
   * nothing to retry. `resumeSubworkflowTasks`: a failed SUB_WORKFLOW task is taken up again and its child
   * retried in place (the same child id), instead of a new child.
   */
  @Post(':workflowId/retry')
  @HttpCode(204)
  @ApiOperation({ summary: 'Retry an ended workflow from its failed tasks' })
  @boolQuery('resumeSubworkflowTasks', false, 'A failed SUB_WORKFLOW task is taken up again and its child retried in place (the same child id), instead of a new child')
  @ApiResponse({ status: 204, description: 'Retried' })
  @ApiResponse({ status: 404, description: 'No such workflow, or it is still running (as Conductor)', schema: schemaRef('ErrorResponse') })
  @ApiResponse({ status: 409, description: 'Nothing to retry', schema: schemaRef('ErrorResponse') })
  @errorResponses(400, 503)
  async retry(@Param('workflowId') workflowId: string, @Query('resumeSubworkflowTasks') resumeSubworkflowTasks?: string): Promise<void> {
    const p = new Params();
    const resume = p.bool('resumeSubworkflowTasks', resumeSubworkflowTasks, false);
    p.check();
    await this.workflows.retry(workflowId, resume);
  }

  /**
   * Passes over a task the flow has not reached yet: SKIPPED, with a SkipTaskRequest's `taskInput` and
   * `taskOutput` — from a JSON body (what the SDKs send) or, as Conductor's binding also reads them, the
   * query (each a JSON object). 200; 409 if it ran or the workflow ended; 400 for a reference the
   * definition lacks or a task inside a DO_WHILE.
   */
  @Put(':workflowId/skiptask/:taskReferenceName')
  @HttpCode(200)
  @ApiOperation({ summary: 'Skip a task the flow has not reached yet: recorded SKIPPED with the given input and output' })
  @ApiBody({ schema: schemaRef('SkipTaskRequest'), required: false })
  @ApiQuery({ name: 'taskInput', required: false, schema: { type: 'string' }, description: 'A JSON object; read when the body has no `taskInput` (Conductor binds SkipTaskRequest from the query)' })
  @ApiQuery({ name: 'taskOutput', required: false, schema: { type: 'string' }, description: 'A JSON object; read when the body has no `taskOutput`' })
  @ApiOkResponse({ description: 'Skipped' })
  @ApiResponse({ status: 400, description: 'A reference the definition lacks, a task inside a DO_WHILE, or invalid input', schema: schemaRef('ErrorResponse') })
  @ApiResponse({ status: 409, description: 'The task ran already, or the workflow has ended', schema: schemaRef('ErrorResponse') })
  @errorResponses(404, 503)
  async skipTask(
    @Param('workflowId') workflowId: string,
    @Param('taskReferenceName') taskReferenceName: string,
    @Body() body: unknown,
    @Query('taskInput') taskInputQuery?: string,
    @Query('taskOutput') taskOutputQuery?: string,
  ): Promise<void> {
    const request = requireObject(body, 'SkipTaskRequest');
    const taskInput = request.taskInput !== undefined ? requireObject(request.taskInput, 'taskInput') : jsonObjectParam('taskInput', taskInputQuery);
    const taskOutput = request.taskOutput !== undefined ? requireObject(request.taskOutput, 'taskOutput') : jsonObjectParam('taskOutput', taskOutputQuery);
    await this.workflows.skipTask(workflowId, taskReferenceName, taskInput, taskOutput);
  }

  /**
   * Holds a workflow: nothing new is scheduled and its timers wait; tasks in flight run on and their
   * results are kept. 200 (also when it is paused already); 409 once it has ended.
   */
  @Put(':workflowId/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause a workflow: nothing new is scheduled; tasks in flight run on' })
  @ApiOkResponse({ description: 'Paused (or already paused)' })
  @ApiResponse({ status: 409, description: 'It has ended', schema: schemaRef('ErrorResponse') })
  @errorResponses(404, 503)
  async pause(@Param('workflowId') workflowId: string): Promise<void> {
    await this.workflows.nudge(workflowId, 'workflow.pause');
  }

  /** Lets a paused workflow go on from where it was held: 200; 409 when it is not PAUSED (Conductor answers 500). */
  @Put(':workflowId/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a paused workflow' })
  @ApiOkResponse({ description: 'Resumed' })
  @ApiResponse({ status: 409, description: 'It is not PAUSED (Conductor answers 500)', schema: schemaRef('ErrorResponse') })
  @errorResponses(404, 503)
  async resume(@Param('workflowId') workflowId: string): Promise<void> {
    await this.workflows.nudge(workflowId, 'workflow.resume');
  }

  /** Tasks waiting out a `callbackAfterSeconds` are handed out now: 204. */
  @Post(':workflowId/resetcallbacks')
  @HttpCode(204)
  @ApiOperation({ summary: 'Hand out now the tasks waiting out a callbackAfterSeconds' })
  @ApiResponse({ status: 204, description: 'Done' })
  @errorResponses(404, 503)
  async resetCallbacks(@Param('workflowId') workflowId: string): Promise<void> {
    await this.workflows.nudge(workflowId, 'workflow.reset-callbacks');
  }

  /** Look at the workflow again now (Baton decides on every event; this settles what can move): 200. */
  @Put('decide/:workflowId')
  @HttpCode(200)
  @ApiOperation({ summary: 'Decide the workflow again now (Baton decides on every event; this settles what can move)' })
  @ApiOkResponse({ description: 'Decided' })
  @errorResponses(404, 503)
  async decide(@Param('workflowId') workflowId: string): Promise<void> {
    await this.workflows.nudge(workflowId, 'workflow.decide');
  }

  /**
   * Deletes a workflow and its tasks from the execution store: 200. `archiveWorkflow` (default true): it
   * stays findable by search as it ended — only an ended workflow can be archived (400 otherwise, as
   * Conductor); false: gone from search too, whatever its status (a running one stops where it is).
   */
  @Delete(':workflowId/remove')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete a workflow and its tasks from the execution store' })
  @boolQuery('archiveWorkflow', true, 'true: it stays findable by search as it ended (only an ended workflow can be archived); false: gone from search too')
  @ApiOkResponse({ description: 'Removed' })
  @errorResponses(400, 404, 503)
  async remove(@Param('workflowId') workflowId: string, @Query('archiveWorkflow') archiveWorkflow?: string): Promise<void> {
    const p = new Params();
    const archive = p.bool('archiveWorkflow', archiveWorkflow, true);
    p.check();
    await this.workflows.remove(workflowId, archive);
  }

  /** Terminates the workflow if it has not ended (with `reason`), then removes it as `…/remove` does: 200. */
  @Delete(':workflowId/terminate-remove')
  @HttpCode(200)
  @ApiOperation({ summary: 'Terminate the workflow if it has not ended, then delete it as `remove` does' })
  @ApiQuery({ name: 'reason', required: false, schema: { type: 'string', maxLength: 4096 } })
  @boolQuery('archiveWorkflow', true, 'true: it stays findable by search; false: gone from search too')
  @ApiOkResponse({ description: 'Terminated and removed' })
  @errorResponses(400, 404, 503)
  async terminateRemove(@Param('workflowId') workflowId: string, @Query('reason') reason?: string, @Query('archiveWorkflow') archiveWorkflow?: string): Promise<void> {
    const p = new Params();
    const why = p.text('reason', reason, 4096);
    const archive = p.bool('archiveWorkflow', archiveWorkflow, true);
    p.check();
    await this.workflows.remove(workflowId, archive, why !== undefined ? { reason: why } : {});
  }

  /** Terminates a running workflow (everything in flight cancelled): 200; 409 once it has ended. */
  @Delete(':workflowId')
  @HttpCode(200)
  @ApiOperation({ summary: 'Terminate a running workflow: everything in flight is cancelled, it ends TERMINATED' })
  @ApiQuery({ name: 'reason', required: false, schema: { type: 'string', maxLength: 4096 } })
  @boolQuery('triggerFailureWorkflow', false, "Start the definition's failureWorkflow")
  @ApiOkResponse({ description: 'Terminated' })
  @ApiResponse({ status: 409, description: 'It has ended', schema: schemaRef('ErrorResponse') })
  @errorResponses(400, 404, 503)
  async terminate(@Param('workflowId') workflowId: string, @Query('reason') reason?: string, @Query('triggerFailureWorkflow') triggerFailureWorkflow?: string): Promise<void> {
    const p = new Params();
    const why = p.text('reason', reason, 4096);
    const trigger = p.bool('triggerFailureWorkflow', triggerFailureWorkflow, false);
    p.check();
    await this.workflows.terminate(workflowId, why, trigger);
  }

  /** The workflow's tasks, a page at a time (`start`, `count`), only those of the given statuses when any are given. */
  @Get(':workflowId/tasks')
  @ApiOperation({ summary: "The workflow's tasks in order, a page at a time, only those of the given statuses when any are given" })
  @intQuery('start', { default: 0, minimum: 0 })
  @intQuery('count', { default: 15, minimum: 1, maximum: 10000 })
  @ApiQuery({ name: 'status', required: false, schema: { type: 'array', items: { type: 'string', enum: TASK_STATUSES } }, style: 'form', explode: true, description: 'Repeated, or comma-separated' })
  @ApiOkResponse({ schema: schemaRef('SearchResultTask') })
  @errorResponses(400, 404)
  tasks(@Param('workflowId') workflowId: string, @Query('start') start?: string, @Query('count') count?: string, @Query('status') status?: string | string[]): Promise<{ totalHits: number; results: Task[] }> {
    const p = new Params();
    const from = p.int('start', start, { min: 0, fallback: 0 }) ?? 0;
    const size = p.int('count', count, { min: 1, max: 10_000, fallback: 15 }) ?? 15;
    p.check();
    const statuses = (Array.isArray(status) ? status : status ? [status] : []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
    return this.workflows.tasksPage(workflowId, from, size, statuses);
  }

  /** `{workflowId, correlationId, status}`, with `output` and `variables` on request. */
  @Get(':workflowId/status')
  @ApiOperation({ summary: "A workflow's id, correlation id and status (output and variables on request)" })
  @boolQuery('includeOutput', false)
  @boolQuery('includeVariables', false)
  @ApiOkResponse({ schema: schemaRef('WorkflowStatus') })
  @errorResponses(400, 404)
  status(@Param('workflowId') workflowId: string, @Query('includeOutput') includeOutput?: string, @Query('includeVariables') includeVariables?: string): Promise<WorkflowStatusView> {
    const p = new Params();
    const output = p.bool('includeOutput', includeOutput, false);
    const variables = p.bool('includeVariables', includeVariables, false);
    p.check();
    return this.workflows.status(workflowId, output, variables);
  }

  @Get(':workflowId')
  @ApiOperation({ summary: 'A workflow run' })
  @boolQuery('includeTasks', true)
  @ApiOkResponse({ schema: schemaRef('Workflow') })
  @errorResponses(400, 404)
  get(@Param('workflowId') workflowId: string, @Query('includeTasks') includeTasks?: string): Promise<Workflow> {
    const p = new Params();
    const withTasks = p.bool('includeTasks', includeTasks, true);
    p.check();
    return this.workflows.get(workflowId, withTasks);
  }
}

/** A query parameter holding a JSON object (a SkipTaskRequest field sent in the query), or absent. */
function jsonObjectParam(field: string, raw: string | undefined): Record<string, unknown> | undefined {
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = raw;
  }
  return requireObject(parsed, field);
}

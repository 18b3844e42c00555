import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { BatonError, ErrorCode, queueNameFor, Task, TaskResult, validateModel, Workflow } from '@app/contracts';
import type { Response } from 'express';
import { Params, requireObject } from '../http/params';
import { errorResponses, intQuery, schemaRef, TASK_RESULT_STATUSES, textResponse } from '../openapi/openapi.schemas';
import { PollData, PollDataRecorder } from './poll-data';
import { resultStatusOf, TaskService } from './task.service';
import { RETURN_STRATEGIES, ReturnStrategy, SignalResponse } from '../workflows/sync-execution';
import { SignalService } from './signal.service';
import { WorkflowService } from '../workflows/workflow.service';

/** Conductor caps a long poll at 5 s (TaskResource). */
const MAX_POLL_TIMEOUT_MS = 5000;

/** Conductor's `/api/tasks`: worker polls and updates. */
@ApiTags('task')
@Controller('api/tasks')
export class TaskController {
  constructor(
    private readonly tasks: TaskService,
    private readonly pollData: PollDataRecorder,
    private readonly signals: SignalService,
    private readonly workflows: WorkflowService,
  ) {}

  @Get('poll/batch/:taskType')
  @ApiOperation({ summary: 'Long poll for tasks of a type: answers as soon as one is ready, or an empty list after `timeout`' })
  @ApiQuery({ name: 'workerid', required: false, schema: { type: 'string' } })
  @ApiQuery({ name: 'domain', required: false, schema: { type: 'string' }, description: "Poll the type's queue in this domain" })
  @intQuery('count', { default: 1, minimum: 1, maximum: 1000 })
  @intQuery('timeout', { default: 100, minimum: 0, maximum: 5000 }, 'How long to wait (ms); more than 5000 answers 400, as Conductor')
  @ApiOkResponse({ schema: { type: 'array', items: schemaRef('Task') }, description: 'The tasks handed out, each leased for its responseTimeoutSeconds' })
  @errorResponses(400)
  batchPoll(
    @Param('taskType') taskType: string,
    @Query('workerid') workerId?: string,
    @Query('domain') domain?: string,
    @Query('count') count?: string,
    @Query('timeout') timeout?: string,
  ): Promise<Task[]> {
    const p = new Params();
    const n = p.int('count', count, { min: 1, max: 1000, fallback: 1 }) ?? 1;
    const timeoutMs = p.int('timeout', timeout, { min: 0, fallback: 100 }) ?? 100;
    p.check();
    if (timeoutMs > MAX_POLL_TIMEOUT_MS) {
      throw new BatonError(ErrorCode.InvalidArgument, 'Long Poll Timeout value cannot be more than 5 seconds');
    }
    this.pollData.record(taskType, workerId || undefined, domain || undefined);
    return this.tasks.poll({ taskType, workerId: workerId || undefined, ...(domain ? { domain } : {}), count: n, timeoutMs });
  }

  @Get('poll/:taskType')
  @ApiOperation({ summary: 'Poll for one task of a type' })
  @ApiQuery({ name: 'workerid', required: false, schema: { type: 'string' } })
  @ApiQuery({ name: 'domain', required: false, schema: { type: 'string' }, description: "Poll the type's queue in this domain" })
  @ApiOkResponse({ schema: schemaRef('Task'), description: 'The task, leased for its responseTimeoutSeconds' })
  @ApiResponse({ status: 204, description: 'No task is ready' })
  async poll(@Param('taskType') taskType: string, @Res() res: Response, @Query('workerid') workerId?: string, @Query('domain') domain?: string): Promise<void> {
    this.pollData.record(taskType, workerId || undefined, domain || undefined);
    const [task] = await this.tasks.poll({ taskType, workerId: workerId || undefined, ...(domain ? { domain } : {}), count: 1, timeoutMs: 100 });
    if (task) res.status(200).json(task);
    else res.status(204).end();
  }

  @Post()
  @HttpCode(200)
  @Header('Content-Type', 'text/plain')
  @ApiOperation({ summary: "A worker's result for a task; answers the task id as text" })
  @ApiBody({ schema: schemaRef('TaskResult') })
  @textResponse('The task id')
  @errorResponses(400, 404, 503)
  update(@Body() body: unknown): Promise<string> {
    const errors = validateModel(TaskResult, body);
    if (errors.length) throw new BatonError(ErrorCode.ValidationFailed, 'Validation failed, check below errors for detail.', errors);
    return this.tasks.update(body as TaskResult);
  }

  /** `{taskType: waiting}` for each type asked for (0 for an empty or unknown one). Deprecated in Conductor, still used by its clients. */
  @Get('queue/sizes')
  @ApiOperation({ summary: 'Tasks waiting in the queue of each type asked for (0 for an empty or unknown one); deprecated in Conductor' })
  @ApiQuery({ name: 'taskType', required: false, schema: { type: 'array', items: { type: 'string' } }, style: 'form', explode: true, description: 'Repeated, or comma-separated' })
  @ApiOkResponse({ schema: schemaRef('QueueSizes') })
  async queueSizes(@Query('taskType') taskType?: string | string[]): Promise<Record<string, number>> {
    const types = (Array.isArray(taskType) ? taskType : taskType ? [taskType] : []).flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);
    const sizes = await this.tasks.queueSizes(types);
    return Object.fromEntries(types.map((t) => [t, sizes.get(t)?.waiting ?? 0]));
  }

  /**
   * Conductor's requeue of a type's pending tasks: any that lost its queue row gets it back (the
   * reconciler does this by itself within seconds; this does it now). Answers how many, as text.
   */
  @Post('queue/requeue/:taskType')
  @HttpCode(200)
  @Header('Content-Type', 'text/plain')
  @ApiOperation({ summary: "Give every pending task of the type that lost its queue row its row back; answers how many, as text" })
  @textResponse('How many tasks were requeued')
  @errorResponses(503)
  async requeue(@Param('taskType') taskType: string): Promise<string> {
    return String(await this.workflows.requeue(taskType));
  }

  /** How many tasks of the type wait to be polled, in `domain` when given (isolation groups and namespaces: Baton has none). */
  @Get('queue/size')
  @Header('Content-Type', 'application/json')
  @ApiOperation({ summary: 'How many tasks of a type wait to be polled' })
  @ApiQuery({ name: 'taskType', required: true, schema: { type: 'string' } })
  @ApiQuery({ name: 'domain', required: false, schema: { type: 'string' } })
  @ApiOkResponse({ schema: { type: 'integer', format: 'int64' }, description: 'A bare JSON number' })
  @errorResponses(400)
  async queueSize(@Query('taskType') taskType?: string, @Query('domain') domain?: string): Promise<string> {
    if (!taskType) throw new BatonError(ErrorCode.ValidationFailed, 'Validation failed, check below errors for detail.', [{ path: 'taskType', message: 'taskType is required', invalidValue: taskType }]);
    const queueName = queueNameFor(taskType, domain || undefined);
    // A bare JSON number, as Conductor answers (Nest would send a number as text).
    return JSON.stringify((await this.tasks.queueSizes([queueName])).get(queueName)?.waiting ?? 0);
  }

  /** When each worker last polled the type's queue: `[{queueName, domain, workerId, lastPollTime}]`. */
  @Get('queue/polldata')
  @ApiOperation({ summary: "When each worker last polled a type's queue" })
  @ApiQuery({ name: 'taskType', required: true, schema: { type: 'string' } })
  @ApiOkResponse({ schema: { type: 'array', items: schemaRef('PollData') } })
  @errorResponses(400)
  pollDataOf(@Query('taskType') taskType?: string): Promise<PollData[]> {
    if (!taskType) throw new BatonError(ErrorCode.ValidationFailed, 'Validation failed, check below errors for detail.', [{ path: 'taskType', message: 'taskType is required', invalidValue: taskType }]);
    return this.pollData.of(taskType);
  }

  /** The same for every queue. */
  @Get('queue/polldata/all')
  @ApiOperation({ summary: 'When each worker last polled each queue' })
  @ApiOkResponse({ schema: { type: 'array', items: schemaRef('PollData') } })
  allPollData(): Promise<PollData[]> {
    return this.pollData.of();
  }

  /** `{queue: waiting}` for every queue with tasks in it. */
  @Get('queue/all')
  @ApiOperation({ summary: 'Tasks waiting in every queue that has any' })
  @ApiOkResponse({ schema: schemaRef('QueueSizes') })
  async allQueues(): Promise<Record<string, number>> {
    return Object.fromEntries([...(await this.tasks.queueSizes())].map(([q, s]) => [q, s.waiting]));
  }

  /** `{queue: {shard: {size, uacked}}}` as Conductor's verbose view: Baton's queue is one shard, `a`; `uacked` counts the leased. */
  @Get('queue/all/verbose')
  @ApiOperation({ summary: 'Waiting and leased tasks of every queue, per shard' })
  @ApiOkResponse({ schema: schemaRef('QueueSizesVerbose') })
  async allQueuesVerbose(): Promise<Record<string, Record<string, { size: number; uacked: number }>>> {
    return Object.fromEntries([...(await this.tasks.queueSizes())].map(([q, s]) => [q, { a: { size: s.waiting, uacked: s.leased } }]));
  }

  /** Task chaining: the update, then the next task of the same type for this worker (or 204), without a second request. */
  @Post('update-v2')
  @ApiOperation({ summary: "A worker's result, then (once the task ended) the next task of the same type for the same worker" })
  @ApiBody({ schema: schemaRef('TaskResult') })
  @ApiOkResponse({ schema: schemaRef('Task'), description: 'The next task, leased' })
  @ApiResponse({ status: 204, description: 'The task goes on, or no task of the type is ready' })
  @errorResponses(400, 404, 503)
  async updateV2(@Body() body: unknown, @Res() res: Response): Promise<void> {
    const errors = validateModel(TaskResult, body);
    if (errors.length) throw new BatonError(ErrorCode.ValidationFailed, 'Validation failed, check below errors for detail.', errors);
    const next = await this.tasks.updateAndPoll(body as TaskResult);
    if (next) res.status(200).json(next);
    else res.status(204).end();
  }

  /**
   * Signals the workflow: the first task that waits for one (a HUMAN task, or a WAIT without a timer — in
   * it or a sub-workflow it runs) gets the status, the body as its output. 200; nothing changes when no
   * task waits (as Conductor).
   */
  @Post(':workflowId/:status/signal')
  @HttpCode(200)
  @ApiOperation({ summary: 'Signal a workflow: the first task that waits for one (HUMAN, or WAIT without a timer; in it or a sub-workflow) gets the status and the body as its output' })
  @ApiParam({ name: 'status', enum: TASK_RESULT_STATUSES, description: 'A TaskResult status' })
  @ApiBody({ schema: { type: 'object', additionalProperties: true }, description: "The task's output", required: false })
  @ApiOkResponse({ description: 'Signalled (nothing changes when no task waits)' })
  @errorResponses(400, 404, 503)
  async signal(@Param('workflowId') workflowId: string, @Param('status') status: string, @Body() body: unknown): Promise<void> {
    await this.signals.signal(workflowId, resultStatusOf(status), requireObject(body, 'output'));
  }

  /**
   * As above, then answers (a SignalResponse, as `returnStrategy` says) once the workflow ends or waits
   * again — at most `timeoutMillis` (5000) later, with `signalTimeout: true`.
   */
  @Post(':workflowId/:status/signal/sync')
  @HttpCode(200)
  @ApiOperation({ summary: 'Signal a workflow, then answer once it ends or waits again' })
  @ApiParam({ name: 'status', enum: TASK_RESULT_STATUSES, description: 'A TaskResult status' })
  @ApiQuery({ name: 'returnStrategy', required: false, schema: { type: 'string', enum: [...RETURN_STRATEGIES], default: ReturnStrategy.TargetWorkflow } })
  @intQuery('timeoutMillis', { default: 5000, minimum: 0, maximum: 300000 }, 'How long to wait before answering as it stands, with `signalTimeout: true`')
  @ApiBody({ schema: { type: 'object', additionalProperties: true }, description: "The task's output", required: false })
  @ApiOkResponse({ schema: schemaRef('SignalResponse') })
  @errorResponses(400, 404, 503)
  signalSync(
    @Param('workflowId') workflowId: string,
    @Param('status') status: string,
    @Body() body: unknown,
    @Query('returnStrategy') returnStrategy?: string,
    @Query('timeoutMillis') timeoutMillis?: string,
  ): Promise<SignalResponse> {
    const p = new Params();
    const strategy = p.oneOf('returnStrategy', returnStrategy, RETURN_STRATEGIES as ReturnStrategy[], ReturnStrategy.TargetWorkflow);
    const timeoutMs = p.int('timeoutMillis', timeoutMillis, { min: 0, max: 300_000, fallback: 5000 }) ?? 5000;
    p.check();
    return this.signals.signalSync(workflowId, resultStatusOf(status), requireObject(body, 'output'), strategy, timeoutMs);
  }

  /** The pending task of the reference name: its output is the body; answers its id as text. */
  @Post(':workflowId/:taskRefName/:status')
  @HttpCode(200)
  @Header('Content-Type', 'text/plain')
  @ApiOperation({ summary: 'Update the pending task of a reference name (in a loop: its current iteration) with the body as its output; answers its id as text' })
  @ApiParam({ name: 'status', enum: TASK_RESULT_STATUSES, description: 'A TaskResult status' })
  @ApiQuery({ name: 'workerid', required: false, schema: { type: 'string' } })
  @ApiBody({ schema: { type: 'object', additionalProperties: true }, description: "The task's output", required: false })
  @textResponse('The task id')
  @ApiResponse({ status: 404, description: 'No such workflow, or no pending task of the reference name', schema: schemaRef('ErrorResponse') })
  @errorResponses(400, 503)
  updateByRef(
    @Param('workflowId') workflowId: string,
    @Param('taskRefName') taskRefName: string,
    @Param('status') status: string,
    @Body() body: unknown,
    @Query('workerid') workerId?: string,
  ): Promise<string> {
    return this.tasks.update(byRef(workflowId, status, body, workerId), taskRefName);
  }

  /** As above, answering the workflow as it stands after the update. */
  @Post(':workflowId/:taskRefName/:status/sync')
  @HttpCode(200)
  @ApiOperation({ summary: 'Update the pending task of a reference name; answers the workflow as it stands after the update' })
  @ApiParam({ name: 'status', enum: TASK_RESULT_STATUSES, description: 'A TaskResult status' })
  @ApiQuery({ name: 'workerid', required: false, schema: { type: 'string' } })
  @ApiBody({ schema: { type: 'object', additionalProperties: true }, description: "The task's output", required: false })
  @ApiOkResponse({ schema: schemaRef('Workflow') })
  @ApiResponse({ status: 404, description: 'No such workflow, or no pending task of the reference name', schema: schemaRef('ErrorResponse') })
  @errorResponses(400, 503)
  async updateByRefSync(
    @Param('workflowId') workflowId: string,
    @Param('taskRefName') taskRefName: string,
    @Param('status') status: string,
    @Body() body: unknown,
    @Query('workerid') workerId?: string,
  ): Promise<Workflow> {
    await this.tasks.update(byRef(workflowId, status, body, workerId), taskRefName);
    return this.tasks.workflow(workflowId);
  }

  /** Appends a log line (the body, as text or a JSON string) to the task: 200; 404 for an unknown task. */
  @Post(':taskId/log')
  @HttpCode(200)
  @ApiOperation({ summary: 'Append a log line to a task' })
  @ApiConsumes('text/plain', 'application/json')
  @ApiBody({ schema: { type: 'string' }, description: 'The log line: text, or a JSON string' })
  @ApiOkResponse({ description: 'Appended' })
  @errorResponses(400, 404)
  async addLog(@Param('taskId') taskId: string, @Body() raw: unknown): Promise<void> {
    // The body arrives as text (TEXT_BODY_ROUTES): a JSON string is unquoted, anything else is the line as sent.
    const body = typeof raw === 'string' ? unquoted(raw) : raw;
    if (typeof body !== 'string' || !body.length) {
      throw new BatonError(ErrorCode.ValidationFailed, 'Validation failed, check below errors for detail.', [{ path: 'log', message: 'the body must be the log line, as text or a JSON string', invalidValue: body }]);
    }
    await this.tasks.addLog(taskId, body);
  }

  /** The task's logs, `[{log, taskId, createdTime}]` in order; 204 when it has none. */
  @Get(':taskId/log')
  @ApiOperation({ summary: "A task's log lines, in order" })
  @ApiOkResponse({ schema: { type: 'array', items: schemaRef('TaskExecLog') } })
  @ApiResponse({ status: 204, description: 'The task has no logs' })
  async logs(@Param('taskId') taskId: string, @Res() res: Response): Promise<void> {
    const logs = await this.tasks.taskLogs(taskId);
    if (logs.length) res.status(200).json(logs);
    else res.status(204).end();
  }

  @Get(':taskId')
  @ApiOperation({ summary: 'A task' })
  @ApiOkResponse({ schema: schemaRef('Task') })
  @errorResponses(404)
  get(@Param('taskId') taskId: string): Promise<Task> {
    return this.tasks.get(taskId);
  }
}

/** A by-reference update as the TaskResult it is: the status from the path, the body as the output. */
function byRef(workflowId: string, status: string, body: unknown, workerId: string | undefined): TaskResult {
  return { workflowInstanceId: workflowId, taskId: '', status: resultStatusOf(status), outputData: requireObject(body, 'output'), ...(workerId ? { workerId } : {}) };
}

/** A log line sent as a JSON string (`"text"`), unquoted; any other text as it is. */
function unquoted(text: string): string {
  if (!text.startsWith('"')) return text;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'string' ? parsed : text;
  } catch {
    return text;
  }
}

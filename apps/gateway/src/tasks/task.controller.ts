import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { BatonError, ErrorCode, queueNameFor, Task, TaskResult, validateModel, Workflow } from '@app/contracts';
import type { Response } from 'express';
import { Params, requireObject } from '../http/params';
import { PollData, PollDataRecorder } from './poll-data';
import { resultStatusOf, TaskService } from './task.service';
import { RETURN_STRATEGIES, ReturnStrategy, SignalResponse } from '../workflows/sync-execution';
import { SignalService } from './signal.service';
import { WorkflowService } from '../workflows/workflow.service';

/** Conductor caps a long poll at 5 s (TaskResource). */
const MAX_POLL_TIMEOUT_MS = 5000;

/** Conductor's `/api/tasks`: worker polls and updates. */
@Controller('api/tasks')
export class TaskController {
  constructor(
    private readonly tasks: TaskService,
    private readonly pollData: PollDataRecorder,
    private readonly signals: SignalService,
    private readonly workflows: WorkflowService,
  ) {}

  @Get('poll/batch/:taskType')
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
  async poll(@Param('taskType') taskType: string, @Res() res: Response, @Query('workerid') workerId?: string, @Query('domain') domain?: string): Promise<void> {
    this.pollData.record(taskType, workerId || undefined, domain || undefined);
    const [task] = await this.tasks.poll({ taskType, workerId: workerId || undefined, ...(domain ? { domain } : {}), count: 1, timeoutMs: 100 });
    if (task) res.status(200).json(task);
    else res.status(204).end();
  }

  @Post()
  @HttpCode(200)
  @Header('Content-Type', 'text/plain')
  update(@Body() body: unknown): Promise<string> {
    const errors = validateModel(TaskResult, body);
    if (errors.length) throw new BatonError(ErrorCode.ValidationFailed, 'Validation failed, check below errors for detail.', errors);
    return this.tasks.update(body as TaskResult);
  }

  /** `{taskType: waiting}` for each type asked for (0 for an empty or unknown one). Deprecated in Conductor, still used by its clients. */
  @Get('queue/sizes')
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
  async requeue(@Param('taskType') taskType: string): Promise<string> {
    return String(await this.workflows.requeue(taskType));
  }

  /** How many tasks of the type wait to be polled, in `domain` when given (isolation groups and namespaces: Baton has none). */
  @Get('queue/size')
  @Header('Content-Type', 'application/json')
  async queueSize(@Query('taskType') taskType?: string, @Query('domain') domain?: string): Promise<string> {
    if (!taskType) throw new BatonError(ErrorCode.ValidationFailed, 'Validation failed, check below errors for detail.', [{ path: 'taskType', message: 'taskType is required', invalidValue: taskType }]);
    const queueName = queueNameFor(taskType, domain || undefined);
    // A bare JSON number, as Conductor answers (Nest would send a number as text).
    return JSON.stringify((await this.tasks.queueSizes([queueName])).get(queueName)?.waiting ?? 0);
  }

  /** When each worker last polled the type's queue: `[{queueName, domain, workerId, lastPollTime}]`. */
  @Get('queue/polldata')
  pollDataOf(@Query('taskType') taskType?: string): Promise<PollData[]> {
    if (!taskType) throw new BatonError(ErrorCode.ValidationFailed, 'Validation failed, check below errors for detail.', [{ path: 'taskType', message: 'taskType is required', invalidValue: taskType }]);
    return this.pollData.of(taskType);
  }

  /** The same for every queue. */
  @Get('queue/polldata/all')
  allPollData(): Promise<PollData[]> {
    return this.pollData.of();
  }

  /** `{queue: waiting}` for every queue with tasks in it. */
  @Get('queue/all')
  async allQueues(): Promise<Record<string, number>> {
    return Object.fromEntries([...(await this.tasks.queueSizes())].map(([q, s]) => [q, s.waiting]));
  }

  /** `{queue: {shard: {size, uacked}}}` as Conductor's verbose view: Baton's queue is one shard, `a`; `uacked` counts the leased. */
  @Get('queue/all/verbose')
  async allQueuesVerbose(): Promise<Record<string, Record<string, { size: number; uacked: number }>>> {
    return Object.fromEntries([...(await this.tasks.queueSizes())].map(([q, s]) => [q, { a: { size: s.waiting, uacked: s.leased } }]));
  }

  /** Task chaining: the update, then the next task of the same type for this worker (or 204), without a second request. */
  @Post('update-v2')
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
  async signal(@Param('workflowId') workflowId: string, @Param('status') status: string, @Body() body: unknown): Promise<void> {
    await this.signals.signal(workflowId, resultStatusOf(status), requireObject(body, 'output'));
  }

  /**
   * As above, then answers (a SignalResponse, as `returnStrategy` says) once the workflow ends or waits
   * again — at most `timeoutMillis` (5000) later, with `signalTimeout: true`.
   */
  @Post(':workflowId/:status/signal/sync')
  @HttpCode(200)
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
  async logs(@Param('taskId') taskId: string, @Res() res: Response): Promise<void> {
    const logs = await this.tasks.taskLogs(taskId);
    if (logs.length) res.status(200).json(logs);
    else res.status(204).end();
  }

  @Get(':taskId')
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

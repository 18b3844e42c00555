import { Body, Controller, Get, HttpCode, Inject, Param, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { BatonError, CommandReply, ErrorCode, isUuid, RerunTaskPhaseCommand, Task, TaskStatus, Topic, unwrapReply } from '@app/contracts';
import { MessageBus, ownerDeadlineMs } from '@app/bus';
import { ExecutionQueries } from '@app/persistence';
import { Clock, IdGenerator } from '@app/runtime';
import { errorResponses } from '../openapi/openapi.schemas';
import { WorkflowService } from '../workflows/workflow.service';

/** A task as SipRS's task API shows it. */
export interface SipRsTask {
  readonly id: string;
  readonly processInstanceId: string;
  readonly taskId: string;
  readonly name: string;
  readonly namespace: string;
  readonly stone: string;
  readonly createTime: number;
  readonly endTime?: number;
  /** `phase.outcome` (`produce.success`, `start.begin`, `monitor.failed`, `rollback.success`, …) or `canceled`. */
  readonly status: string;
  readonly reason?: string;
  readonly params: Record<string, unknown>;
  readonly outputs: Record<string, unknown>;
  /** 0–100: the worker's `progress` output when it reports one, else 0 until the task ends and 100 after. */
  readonly progress: number;
}

const PHASES = ['start', 'monitor', 'cancel', 'rollback', 'delete'] as const;

/** The lifecycle status of a task without phases, from its Conductor status. */
const STATUS_OF: Record<string, string> = {
  [TaskStatus.Scheduled]: 'produce.success',
  [TaskStatus.InProgress]: 'start.begin',
  [TaskStatus.Completed]: 'start.success',
  [TaskStatus.CompletedWithErrors]: 'start.success',
  [TaskStatus.Failed]: 'start.failed',
  [TaskStatus.FailedWithTerminalError]: 'start.failed',
  [TaskStatus.TimedOut]: 'monitor.failed',
  [TaskStatus.Canceled]: 'canceled',
  [TaskStatus.Skipped]: 'mock.passed',
};

/** A Baton task in SipRS's shape: `stone` is the worker (task type), `namespace` its reference name. */
export function sipRsTask(t: Task): SipRsTask {
  const status = t.phaseStatus === 'cancel.success' ? 'canceled' : (t.phaseStatus ?? STATUS_OF[t.status] ?? t.status);
  const reported = typeof t.outputData?.progress === 'number' ? Math.max(0, Math.min(100, t.outputData.progress)) : undefined;
  const ended = t.status !== TaskStatus.Scheduled && t.status !== TaskStatus.InProgress;
  return {
    id: t.taskId,
    processInstanceId: t.workflowInstanceId,
    taskId: t.taskId,
    name: t.workflowTask?.name ?? t.taskDefName,
    namespace: t.referenceTaskName,
    stone: t.taskType,
    createTime: t.scheduledTime,
    ...(t.endTime ? { endTime: t.endTime } : {}),
    status,
    ...(t.reasonForIncompletion ? { reason: t.reasonForIncompletion } : {}),
    params: t.inputData,
    outputs: t.outputData,
    progress: reported ?? (ended ? 100 : 0),
  };
}

/**
 * SipRS's task API (`/task`), over the same tasks the Conductor API serves: a workflow is a process
 * instance, a task's worker its stone, its lifecycle status `phase.outcome`. Re-run a phase of a task, and
 * resume the workflow a debug run paused.
 */
@ApiTags('siprs')
@Controller('task')
export class SipRsTaskController {
  constructor(
    private readonly query: ExecutionQueries,
    private readonly workflows: WorkflowService,
    @Inject(MessageBus) private readonly bus: MessageBus,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  @Get()
  @ApiOperation({ summary: "A process instance's (workflow's) tasks, in order, in SipRS's shape" })
  @ApiQuery({ name: 'processInstanceId', required: true, type: String, description: 'The workflow id' })
  @ApiOkResponse({ schema: { type: 'array', items: { type: 'object' } } })
  @errorResponses(400, 404)
  async list(@Query('processInstanceId') processInstanceId?: string): Promise<SipRsTask[]> {
    if (!processInstanceId) {
      throw new BatonError(ErrorCode.ValidationFailed, 'Validation failed, check below errors for detail.', [{ path: 'processInstanceId', message: 'processInstanceId is required', invalidValue: processInstanceId }]);
    }
    const wf = await this.query.workflow(processInstanceId, true);
    if (!wf) throw new BatonError(ErrorCode.WorkflowNotFound, `No such workflow found by id: ${processInstanceId}`);
    return (wf.tasks ?? []).map(sipRsTask);
  }

  @Get(':taskId')
  @ApiOperation({ summary: "One task in SipRS's shape" })
  @ApiOkResponse({ schema: { type: 'object' } })
  @errorResponses(404)
  async get(@Param('taskId') taskId: string): Promise<SipRsTask> {
    return sipRsTask(await this.task(taskId));
  }

  /**
   * Runs one phase of the task again (form fields, or JSON): `queueType` start (a failed task, with new
   * `parameters` as its input) or monitor (with `outputs` for the monitor to read). Answers the task.
   */
  @Put(':taskId/reRun')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run one phase of a task again (queueType start with parameters, or monitor with outputs)' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['queueType'],
      properties: { queueType: { type: 'string', enum: [...PHASES] }, parameters: { type: 'string', description: 'a JSON object' }, outputs: { type: 'string', description: 'a JSON object' } },
    },
  })
  @ApiOkResponse({ schema: { type: 'object' } })
  @errorResponses(400, 404, 409, 503)
  async reRun(@Param('taskId') taskId: string, @Body() body: unknown): Promise<SipRsTask> {
    const form = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const problems: Array<{ path: string; message: string; invalidValue: unknown }> = [];
    const queueType = form.queueType;
    if (typeof queueType !== 'string' || !(PHASES as readonly string[]).includes(queueType)) problems.push({ path: 'queueType', message: `queueType must be one of ${PHASES.join(', ')}`, invalidValue: queueType });
    const parameters = jsonObject('parameters', form.parameters, problems);
    const outputs = jsonObject('outputs', form.outputs, problems);
    if (problems.length) throw new BatonError(ErrorCode.ValidationFailed, 'Validation failed, check below errors for detail.', problems);
    const task = await this.task(taskId);
    const now = this.clock.now();
    const command: RerunTaskPhaseCommand = {
      type: 'task.rerun-phase',
      commandId: this.ids.next(),
      issuedAt: now,
      deadline: now + ownerDeadlineMs(this.bus),
      workflowId: task.workflowInstanceId,
      taskId,
      phase: queueType as string,
      ...(parameters ? { parameters } : {}),
      ...(outputs ? { outputs } : {}),
    };
    unwrapReply(await this.bus.request<CommandReply<unknown>>({ topic: Topic.ExecutorCommands, key: command.workflowId, value: command }));
    return sipRsTask(await this.task(taskId));
  }

  /** Resumes the workflow (a debug run paused at a failed task): what it put off is carried out — the failure too, unless a re-run mended it. */
  @Put(':taskId/resume')
  @HttpCode(200)
  @ApiOperation({ summary: "Resume the task's workflow (a debug run paused at a failed task)" })
  @ApiOkResponse({ schema: { type: 'object' } })
  @errorResponses(404, 409, 503)
  async resume(@Param('taskId') taskId: string): Promise<SipRsTask> {
    const task = await this.task(taskId);
    await this.workflows.nudge(task.workflowInstanceId, 'workflow.resume');
    return sipRsTask(await this.task(taskId));
  }

  private async task(taskId: string): Promise<Task> {
    const task = isUuid(taskId) ? await this.query.task(taskId) : null;
    if (!task) throw new BatonError(ErrorCode.TaskNotFound, `No such task found by id: ${taskId}`);
    return task;
  }
}

/** A form field holding a JSON object (or a JSON body's object), or absent. */
function jsonObject(field: string, raw: unknown, problems: Array<{ path: string; message: string; invalidValue: unknown }>): Record<string, unknown> | undefined {
  if (raw === undefined || raw === '') return undefined;
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push({ path: field, message: `${field} must be a JSON object`, invalidValue: raw });
    return undefined;
  }
  return value as Record<string, unknown>;
}

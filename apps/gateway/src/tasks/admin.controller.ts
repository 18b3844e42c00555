import { Controller, Get, Header, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { BATON_VERSION, type Task } from '@app/contracts';
import { BUS_OPTIONS, type BusModuleOptions } from '@app/bus';
import { Params } from '../http/params';
import { boolQuery, errorResponses, intQuery, schemaRef, textResponse } from '../openapi/openapi.schemas';
import { WorkflowService } from '../workflows/workflow.service';
import { TaskService } from './task.service';

/** Conductor's `/api/admin`: what waits in a task queue, the server's settings, and repairs of one workflow. */
@ApiTags('admin')
@Controller('api/admin')
export class AdminController {
  constructor(
    private readonly tasks: TaskService,
    private readonly workflows: WorkflowService,
    @Inject(BUS_OPTIONS) private readonly bus: BusModuleOptions,
  ) {}

  /** The tasks of a type waiting to be polled, in the order a poll takes them (`start` 0, `count` 100). */
  @Get('task/:taskType')
  @ApiOperation({ summary: 'The tasks of a type waiting to be polled, in the order a poll takes them' })
  @intQuery('start', { default: 0, minimum: 0 })
  @intQuery('count', { default: 100, minimum: 1, maximum: 1000 })
  @ApiOkResponse({ schema: { type: 'array', items: schemaRef('Task') } })
  @errorResponses(400)
  pending(@Param('taskType') taskType: string, @Query('start') start?: string, @Query('count') count?: string): Promise<Task[]> {
    const p = new Params();
    const from = p.int('start', start, { min: 0, fallback: 0 }) ?? 0;
    const size = p.int('count', count, { min: 1, max: 1000, fallback: 100 }) ?? 100;
    p.check();
    return this.tasks.waiting(taskType, from, size);
  }

  /** The settings this server runs with (nothing secret: no credentials, no connection strings). */
  @Get('config')
  @ApiOperation({ summary: 'The settings this server runs with (nothing secret)' })
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: true } })
  config(): Record<string, unknown> {
    const s = this.bus.settings;
    return {
      'baton.version': BATON_VERSION,
      'baton.bus': s.kind,
      ...(s.kind === 'kafka' ? { 'baton.kafka.brokers': s.brokers.join(','), 'baton.kafka.topicPrefix': s.topicPrefix, 'baton.kafka.partitions': s.partitions } : { 'baton.bus.lanes': s.lanes }),
    };
  }

  /**
   * Conductor's event queues (`verbose`: with their sizes). Baton has no separate event-queue store: EVENT
   * tasks publish on Kafka topics (or the in-process bus), so there is nothing to list — `{}`, as Conductor
   * answers when none are configured.
   */
  @Get('queues')
  @ApiOperation({ summary: "Conductor's event queues: always empty (Baton's EVENT tasks publish on the bus)" })
  @boolQuery('verbose', false, 'With their sizes')
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: true } })
  @errorResponses(400)
  queues(@Query('verbose') verbose?: string): Record<string, unknown> {
    const p = new Params();
    p.bool('verbose', verbose, false);
    p.check();
    return {};
  }

  /** Conductor's sweep: the workflow is decided again now (whatever can move, moves). Answers `true.<id>`, as Conductor. */
  @Post('sweep/requeue/:workflowId')
  @HttpCode(200)
  @Header('Content-Type', 'text/plain')
  @ApiOperation({ summary: 'Decide the workflow again now; answers `true.<workflowId>` as text' })
  @textResponse('`true.<workflowId>`')
  @errorResponses(404, 503)
  async sweep(@Param('workflowId') workflowId: string): Promise<string> {
    await this.workflows.nudge(workflowId, 'workflow.decide');
    return `true.${workflowId}`;
  }

  /**
   * Checks that every queued task of the workflow has its queue row, repairing what does not (as the
   * reconciler does by itself every few seconds): `true` when something was repaired, else `false`.
   */
  @Post('consistency/verifyAndRepair/:workflowId')
  @HttpCode(200)
  @Header('Content-Type', 'text/plain')
  @ApiOperation({ summary: "Give the workflow's queued tasks that lost their queue row their row back; answers whether any did, as text" })
  @ApiResponse({ status: 200, description: '`true` when something was repaired, else `false`', content: { 'text/plain': { schema: { type: 'string', enum: ['true', 'false'] } } } })
  @errorResponses(404, 503)
  async verifyAndRepair(@Param('workflowId') workflowId: string): Promise<string> {
    return String((await this.workflows.verify(workflowId)) > 0);
  }
}

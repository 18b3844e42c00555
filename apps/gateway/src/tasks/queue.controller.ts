import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { requireObject } from '../http/params';
import { errorResponses, TASK_RESULT_STATUSES } from '../openapi/openapi.schemas';
import { resultStatusOf as statusOf, TaskService } from './task.service';

/**
 * Conductor's `/api/queue`: the `update` routes, which complete a WAIT or HUMAN task from outside (Conductor
 * routes them through its "conductor" event queue; Baton updates the task directly, through its owner, as
 * `POST /api/tasks/{workflowId}/{ref}/{status}` does: 200), and the event-queue admin reads.
 */
@ApiTags('queue')
@Controller('api/queue')
export class QueueController {
  constructor(private readonly tasks: TaskService) {}

  /**
   * Conductor's event-queue sizes and its COMPLETED/FAILED queue names. Baton keeps no Conductor event
   * queues (EVENT tasks publish on the bus): `{}`, as a Conductor with none configured answers.
   */
  @Get('size')
  @ApiOperation({ summary: "Conductor's event-queue sizes: always empty (Baton's EVENT tasks publish on the bus)" })
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: { type: 'integer', format: 'int64' } } })
  size(): Record<string, number> {
    return {};
  }

  @Get()
  @ApiOperation({ summary: "Conductor's COMPLETED / FAILED event-queue names: always empty (Baton's EVENT tasks publish on the bus)" })
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: { type: 'string' } } })
  names(): Record<string, string> {
    return {};
  }

  @Post('update/:workflowId/task/:taskId/:status')
  @HttpCode(200)
  @ApiOperation({ summary: 'Complete (or fail) a WAIT or HUMAN task by id, the body as its output' })
  @ApiParam({ name: 'status', enum: TASK_RESULT_STATUSES, description: 'A TaskResult status' })
  @ApiBody({ schema: { type: 'object', additionalProperties: true }, description: "The task's output", required: false })
  @ApiOkResponse({ description: 'Updated' })
  @errorResponses(400, 404, 503)
  async updateById(@Param('workflowId') workflowId: string, @Param('taskId') taskId: string, @Param('status') status: string, @Body() body: unknown): Promise<void> {
    await this.tasks.update({ workflowInstanceId: workflowId, taskId, status: statusOf(status), outputData: requireObject(body, 'output') });
  }

  @Post('update/:workflowId/:taskRefName/:status')
  @HttpCode(200)
  @ApiOperation({ summary: 'Complete (or fail) the pending WAIT or HUMAN task of a reference name, the body as its output' })
  @ApiParam({ name: 'status', enum: TASK_RESULT_STATUSES, description: 'A TaskResult status' })
  @ApiBody({ schema: { type: 'object', additionalProperties: true }, description: "The task's output", required: false })
  @ApiOkResponse({ description: 'Updated' })
  @errorResponses(400, 404, 503)
  async updateByRef(@Param('workflowId') workflowId: string, @Param('taskRefName') taskRefName: string, @Param('status') status: string, @Body() body: unknown): Promise<void> {
    await this.tasks.update({ workflowInstanceId: workflowId, taskId: '', status: statusOf(status), outputData: requireObject(body, 'output') }, taskRefName);
  }
}

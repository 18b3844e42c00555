import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { requireObject } from '../http/params';
import { resultStatusOf as statusOf, TaskService } from './task.service';

/**
 * Conductor's `/api/queue/update` routes, which complete a WAIT or HUMAN task from outside (Conductor
 * routes them through its "conductor" event queue). Baton updates the task directly, through its owner,
 * as `POST /api/tasks/{workflowId}/{ref}/{status}` does: 200.
 */
@Controller('api/queue')
export class QueueController {
  constructor(private readonly tasks: TaskService) {}

  @Post('update/:workflowId/task/:taskId/:status')
  @HttpCode(200)
  async updateById(@Param('workflowId') workflowId: string, @Param('taskId') taskId: string, @Param('status') status: string, @Body() body: unknown): Promise<void> {
    await this.tasks.update({ workflowInstanceId: workflowId, taskId, status: statusOf(status), outputData: requireObject(body, 'output') });
  }

  @Post('update/:workflowId/:taskRefName/:status')
  @HttpCode(200)
  async updateByRef(@Param('workflowId') workflowId: string, @Param('taskRefName') taskRefName: string, @Param('status') status: string, @Body() body: unknown): Promise<void> {
    await this.tasks.update({ workflowInstanceId: workflowId, taskId: '', status: statusOf(status), outputData: requireObject(body, 'output') }, taskRefName);
  }
}

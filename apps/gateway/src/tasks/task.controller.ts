import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { BatonError, ErrorCode, Task, TaskResult, validateModel } from '@app/contracts';
import type { Response } from 'express';
import { Params } from '../http/params';
import { TaskService } from './task.service';

/** Conductor caps a long poll at 5 s (TaskResource). */
const MAX_POLL_TIMEOUT_MS = 5000;

/** Conductor's `/api/tasks`: worker polls and updates. */
@Controller('api/tasks')
export class TaskController {
  constructor(private readonly tasks: TaskService) {}

  @Get('poll/batch/:taskType')
  batchPoll(
    @Param('taskType') taskType: string,
    @Query('workerid') workerId?: string,
    @Query('domain') _domain?: string,
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
    return this.tasks.poll({ taskType, workerId: workerId || undefined, count: n, timeoutMs });
  }

  @Get('poll/:taskType')
  async poll(@Param('taskType') taskType: string, @Res() res: Response, @Query('workerid') workerId?: string): Promise<void> {
    const [task] = await this.tasks.poll({ taskType, workerId: workerId || undefined, count: 1, timeoutMs: 100 });
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

  @Get(':taskId')
  get(@Param('taskId') taskId: string): Promise<Task> {
    return this.tasks.get(taskId);
  }
}

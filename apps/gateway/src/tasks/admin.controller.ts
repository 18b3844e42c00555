import { Controller, Get, Param, Query } from '@nestjs/common';
import type { Task } from '@app/contracts';
import { Params } from '../http/params';
import { TaskService } from './task.service';

/** Conductor's `/api/admin` reads Baton serves: what waits in a task queue. */
@Controller('api/admin')
export class AdminController {
  constructor(private readonly tasks: TaskService) {}

  /** The tasks of a type waiting to be polled, in the order a poll takes them (`start` 0, `count` 100). */
  @Get('task/:taskType')
  pending(@Param('taskType') taskType: string, @Query('start') start?: string, @Query('count') count?: string): Promise<Task[]> {
    const p = new Params();
    const from = p.int('start', start, { min: 0, fallback: 0 }) ?? 0;
    const size = p.int('count', count, { min: 1, max: 1000, fallback: 100 }) ?? 100;
    p.check();
    return this.tasks.waiting(taskType, from, size);
  }
}

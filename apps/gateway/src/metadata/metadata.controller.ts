import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { BatonError, ErrorCode, ResolvedTaskDef, TaskDef, WorkflowDef } from '@app/contracts';
import { Params } from '../http/params';
import { MetadataService } from './metadata.service';

/** Conductor's `/api/metadata` (the part the walking skeleton needs; the rest arrives with the metadata issue). */
@Controller('api/metadata')
export class MetadataController {
  constructor(private readonly metadata: MetadataService) {}

  @Post('taskdefs')
  @HttpCode(200)
  async registerTaskDefs(@Body() body: unknown): Promise<void> {
    if (!Array.isArray(body)) {
      throw new BatonError(ErrorCode.ValidationFailed, 'Validation failed, check below errors for detail.', [
        { path: 'taskDefs', message: 'the body must be a JSON array of task definitions', invalidValue: body },
      ]);
    }
    await this.metadata.registerTaskDefs(body as TaskDef[]);
  }

  @Get('taskdefs')
  taskDefs(): Promise<ResolvedTaskDef[]> {
    return this.metadata.taskDefs();
  }

  @Get('taskdefs/:taskType')
  taskDef(@Param('taskType') taskType: string): Promise<ResolvedTaskDef> {
    return this.metadata.taskDef(taskType);
  }

  @Post('workflow')
  @HttpCode(200)
  async registerWorkflowDef(@Body() body: unknown, @Query('overwrite') overwrite?: string): Promise<void> {
    const p = new Params();
    const replace = p.bool('overwrite', overwrite, false);
    p.check();
    await this.metadata.registerWorkflowDef(body as WorkflowDef, replace);
  }

  @Get('workflow/:name')
  workflowDef(@Param('name') name: string, @Query('version') version?: string): Promise<WorkflowDef> {
    const p = new Params();
    const v = p.int('version', version, { min: 1 });
    p.check();
    return this.metadata.workflowDef(name, v);
  }
}

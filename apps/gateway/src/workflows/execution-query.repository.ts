import { Injectable } from '@nestjs/common';
import { isUuid, Task, Workflow } from '@app/contracts';
import { TaskEntity, WorkflowEntity } from '@app/persistence';
import { DataSource } from 'typeorm';

/**
 * Read side of executions, straight from the executor's tables. Commands are answered after the
 * executor's commit, so a read that follows a command sees its effect.
 */
@Injectable()
export class ExecutionQueryRepository {
  constructor(private readonly dataSource: DataSource) {}

  async workflow(workflowId: string, includeTasks: boolean): Promise<Workflow | null> {
    if (!isUuid(workflowId)) return null;
    const row = await this.dataSource.getRepository(WorkflowEntity).findOne({ where: { workflowId } });
    if (!row) return null;
    const workflow = row.data as unknown as Workflow;
    if (!includeTasks) return workflow;
    const tasks = await this.dataSource.getRepository(TaskEntity).find({ where: { workflowId }, order: { seq: 'ASC' } });
    return { ...workflow, tasks: tasks.map((t) => t.data as unknown as Task) };
  }

  async task(taskId: string): Promise<Task | null> {
    if (!isUuid(taskId)) return null;
    const row = await this.dataSource.getRepository(TaskEntity).findOne({ where: { taskId } });
    return (row?.data as unknown as Task) ?? null;
  }
}


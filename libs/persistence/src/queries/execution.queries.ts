import { Injectable } from '@nestjs/common';
import { isUuid, Task, TaskStatus, withDefinitionParts, Workflow, WorkflowDef, WorkflowStatus } from '@app/contracts';
import { DataSource } from 'typeorm';
import { TaskEntity, WorkflowEntity } from '../entities/execution.entity';
import { TaskQueue, withLease } from '../task-queue';

/**
 * The read side of executions, published by their owner, the executor, for the other apps (the gateway's
 * GETs). Read-only: the executor is the one writer of `workflow` and `task`. Commands are answered after
 * the executor's commit, so a read that follows a command sees its effect; a lease shows at once (a task
 * fetched right after a poll is IN_PROGRESS with its worker), before the executor has folded it in.
 */
@Injectable()
export class ExecutionQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: TaskQueue,
  ) {}

  async workflow(workflowId: string, includeTasks: boolean): Promise<Workflow | null> {
    if (!isUuid(workflowId)) return null;
    const row = await this.dataSource.getRepository(WorkflowEntity).findOne({ where: { workflowId } });
    if (!row) return null;
    // The pinned definition has a column of its own (older rows carry it inside `data`).
    const workflow = (row.definition ? { ...row.data, workflowDefinition: row.definition } : row.data) as unknown as Workflow;
    if (!includeTasks) return workflow;
    const rows = await this.dataSource.getRepository(TaskEntity).find({ where: { workflowId }, order: { seq: 'ASC' } });
    const tasks = rows.map((t) => withDefinitionParts(t.data as unknown as Task, workflow.workflowDefinition));
    return { ...workflow, tasks: await this.withLeases(tasks) };
  }

  async task(taskId: string): Promise<Task | null> {
    if (!isUuid(taskId)) return null;
    // Task rows leave out what the run's pinned definition holds (workflowTask, taskDefinition): read it along.
    const [row]: Array<{ data: Task; definition: WorkflowDef | null }> = await this.dataSource.query(
      `SELECT t.data, coalesce(w.definition, w.data -> 'workflowDefinition') AS definition
       FROM task t JOIN workflow w ON w.workflow_id = t.workflow_id WHERE t.task_id = $1`,
      [taskId],
    );
    if (!row) return null;
    const [task] = await this.withLeases([withDefinitionParts(row.data, row.definition)]);
    return task;
  }

  /** The workflows started under an idempotency key for a workflow name, oldest first (a partial index finds them). */
  async startedUnderKey(workflowName: string, idempotencyKey: string): Promise<Array<{ workflowId: string; status: WorkflowStatus }>> {
    const rows: Array<{ workflow_id: string; status: WorkflowStatus }> = await this.dataSource.query(
      `SELECT workflow_id, status FROM workflow WHERE workflow_name = $1 AND idempotency_key = $2 ORDER BY create_time, workflow_id`,
      [workflowName, idempotencyKey],
    );
    return rows.map((r) => ({ workflowId: r.workflow_id, status: r.status }));
  }

  private async withLeases(tasks: Task[]): Promise<Task[]> {
    const scheduled = tasks.filter((t) => t.status === TaskStatus.Scheduled).map((t) => t.taskId);
    if (!scheduled.length) return tasks;
    const leases = await this.queue.leasesOf(scheduled);
    return tasks.map((t) => withLease(t, leases.get(t.taskId)));
  }
}

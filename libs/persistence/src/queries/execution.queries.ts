import { Injectable } from '@nestjs/common';
import { isUuid, servedWorkflow, Task, TaskStatus, withDefinitionParts, Workflow, WorkflowDef, WorkflowStatus } from '@app/contracts';
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
    const data = servedWorkflow(row.data as unknown as Workflow);
    const workflow = (row.definition ? { ...data, workflowDefinition: row.definition } : data) as Workflow;
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

  /** The tasks waiting in a queue (not leased), in the order a poll takes them, a page at a time, as `task` shows them. */
  async waitingTasks(queueName: string, start: number, count: number): Promise<Task[]> {
    const rows: Array<{ data: Task; definition: WorkflowDef | null }> = await this.dataSource.query(
      `SELECT t.data, coalesce(w.definition, w.data -> 'workflowDefinition') AS definition
       FROM task_queue q JOIN task t ON t.task_id = q.task_id JOIN workflow w ON w.workflow_id = q.workflow_id
       WHERE q.queue_name = $1 AND q.leased_until IS NULL
       ORDER BY q.priority DESC, q.visible_at, q.created_at OFFSET $2 LIMIT $3`,
      [queueName, start, count],
    );
    return rows.map((r) => withDefinitionParts(r.data, r.definition));
  }

  /** The workflows with a task of this type that has not ended (SCHEDULED or IN_PROGRESS). */
  async workflowsWithPendingTasks(taskType: string): Promise<string[]> {
    const rows: Array<{ workflow_id: string }> = await this.dataSource.query(
      `SELECT DISTINCT workflow_id FROM task WHERE task_type = $1 AND status IN ('SCHEDULED', 'IN_PROGRESS')`,
      [taskType],
    );
    return rows.map((r) => r.workflow_id);
  }

  /** Ids of the RUNNING workflows of a name and version, created within [startTime, endTime] when given (epoch ms). */
  async running(workflowName: string, version: number, startTime?: number, endTime?: number): Promise<string[]> {
    const rows: Array<{ workflow_id: string }> = await this.dataSource.query(
      `SELECT workflow_id FROM workflow
       WHERE workflow_name = $1 AND workflow_version = $2 AND status = 'RUNNING'
         AND ($3::float8 IS NULL OR create_time >= to_timestamp($3::float8 / 1000.0))
         AND ($4::float8 IS NULL OR create_time <= to_timestamp($4::float8 / 1000.0))
       ORDER BY create_time, workflow_id`,
      [workflowName, version, startTime ?? null, endTime ?? null],
    );
    return rows.map((r) => r.workflow_id);
  }

  /** The workflows of a name with one of these correlation ids (ended ones too with `includeClosed`), oldest first. */
  async correlated(workflowName: string, correlationIds: readonly string[], includeClosed: boolean, includeTasks: boolean): Promise<Map<string, Workflow[]>> {
    const found = new Map<string, Workflow[]>(correlationIds.map((c) => [c, []]));
    if (!correlationIds.length) return found;
    const rows: Array<{ workflow_id: string; correlation_id: string }> = await this.dataSource.query(
      `SELECT workflow_id, correlation_id FROM workflow
       WHERE workflow_name = $1 AND correlation_id = ANY($2::varchar[]) AND ($3 OR status IN ('RUNNING', 'PAUSED'))
       ORDER BY create_time, workflow_id`,
      [workflowName, correlationIds, includeClosed],
    );
    for (const r of rows) {
      const workflow = await this.workflow(r.workflow_id, includeTasks);
      if (workflow) found.get(r.correlation_id)?.push(workflow);
    }
    return found;
  }

  /** The workflows started under an idempotency key for a workflow name, oldest first (a partial index finds them). */
  async startedUnderKey(workflowName: string, idempotencyKey: string): Promise<Array<{ workflowId: string; status: WorkflowStatus }>> {
    const rows: Array<{ workflow_id: string; status: WorkflowStatus }> = await this.dataSource.query(
      `SELECT workflow_id, status FROM workflow WHERE workflow_name = $1 AND idempotency_key = $2 ORDER BY create_time, workflow_id`,
      [workflowName, idempotencyKey],
    );
    return rows.map((r) => ({ workflowId: r.workflow_id, status: r.status }));
  }

  /**
   * A page of workflows, by id after `afterWorkflowId`, with their tasks, each with the version of its row:
   * what rebuilding a search index reads (the documents as events carry them — a workflow less its
   * definition and tasks, a task less its definition parts — and the versions events are written with).
   */
  async indexable(afterWorkflowId: string | null, limit: number): Promise<IndexablePage> {
    const workflows: Array<{ workflow_id: string; version: number; data: Workflow }> = await this.dataSource.query(
      `SELECT workflow_id, version, data FROM workflow WHERE ($1::uuid IS NULL OR workflow_id > $1::uuid) ORDER BY workflow_id LIMIT $2`,
      [afterWorkflowId, limit],
    );
    if (!workflows.length) return { workflows: [], tasks: [] };
    const tasks: Array<{ workflow_id: string; task_id: string; version: number; data: Task }> = await this.dataSource.query(
      `SELECT workflow_id, task_id, version, data FROM task WHERE workflow_id = ANY($1::uuid[])`,
      [workflows.map((w) => w.workflow_id)],
    );
    return {
      workflows: workflows.map((w) => {
        const { workflowDefinition: _definition, ...workflow } = servedWorkflow(w.data);
        return { workflowId: w.workflow_id, version: w.version, workflow: workflow as Omit<Workflow, 'workflowDefinition' | 'tasks'> };
      }),
      tasks: tasks.map((t) => ({ workflowId: t.workflow_id, taskId: t.task_id, version: t.version, task: t.data })),
    };
  }

  /**
   * Rill Flow executions (workflows whose correlation id is `<workflow name>_c_<workflow id>`, the form a
   * submit gives them), newest first: of one descriptor (`name`) or of every descriptor of a business
   * (`namePrefix` `<business>:`), with one of `statuses`, created within [from, to] (epoch ms). Fetches
   * `limit + 1` so a caller can tell whether a next page exists.
   */
  async rillExecutions(filter: RillExecutionFilter, offset: number, limit: number): Promise<RillExecutionRow[]> {
    const rows: Array<{ workflow_id: string; correlation_id: string; workflow_name: string; status: WorkflowStatus; create_time: Date }> = await this.dataSource.query(
      `SELECT workflow_id, correlation_id, workflow_name, status, create_time FROM workflow
       WHERE ${RILL_EXECUTIONS_WHERE}
       ORDER BY create_time DESC, workflow_id DESC OFFSET $6 LIMIT $7`,
      [...rillExecutionParams(filter), offset, limit + 1],
    );
    return rows.map((r) => ({ workflowId: r.workflow_id, executionId: r.correlation_id, descriptorId: r.workflow_name, status: r.status, createTime: r.create_time.getTime() }));
  }

  /** How many Rill Flow executions match, by status. */
  async rillExecutionCounts(filter: RillExecutionFilter): Promise<Map<WorkflowStatus, number>> {
    const rows: Array<{ status: WorkflowStatus; n: string }> = await this.dataSource.query(
      `SELECT status, count(*) AS n FROM workflow WHERE ${RILL_EXECUTIONS_WHERE} GROUP BY status`,
      rillExecutionParams(filter),
    );
    return new Map(rows.map((r) => [r.status, Number(r.n)]));
  }

  private async withLeases(tasks: Task[]): Promise<Task[]> {
    const scheduled = tasks.filter((t) => t.status === TaskStatus.Scheduled).map((t) => t.taskId);
    if (!scheduled.length) return tasks;
    const leases = await this.queue.leasesOf(scheduled);
    return tasks.map((t) => withLease(t, leases.get(t.taskId)));
  }
}

export interface RillExecutionFilter {
  /** One descriptor's executions (`<business>:<feature>`). */
  readonly name?: string;
  /** Every descriptor's whose name starts so (`<business>:`). */
  readonly namePrefix?: string;
  readonly statuses?: readonly WorkflowStatus[];
  /** Created at or after (epoch ms). */
  readonly from?: number;
  /** Created at or before (epoch ms). */
  readonly to?: number;
}

export interface RillExecutionRow {
  readonly workflowId: string;
  readonly executionId: string;
  readonly descriptorId: string;
  readonly status: WorkflowStatus;
  readonly createTime: number;
}

/** A Rill Flow execution's correlation id is its workflow name, `_c_`, and its id: nothing else matches. */
const RILL_EXECUTIONS_WHERE = `correlation_id = workflow_name || '_c_' || workflow_id::text
         AND ($1::varchar IS NULL OR workflow_name = $1)
         AND ($2::varchar IS NULL OR starts_with(workflow_name, $2))
         AND ($3::varchar[] IS NULL OR status = ANY($3::varchar[]))
         AND ($4::float8 IS NULL OR create_time >= to_timestamp($4::float8 / 1000.0))
         AND ($5::float8 IS NULL OR create_time <= to_timestamp($5::float8 / 1000.0))`;

const rillExecutionParams = (f: RillExecutionFilter): unknown[] => [f.name ?? null, f.namePrefix ?? null, f.statuses ? [...f.statuses] : null, f.from ?? null, f.to ?? null];

/** A page of executions as a search index is rebuilt from them. */
export interface IndexablePage {
  readonly workflows: ReadonlyArray<{ readonly workflowId: string; readonly version: number; readonly workflow: Omit<Workflow, 'workflowDefinition' | 'tasks'> }>;
  readonly tasks: ReadonlyArray<{ readonly workflowId: string; readonly taskId: string; readonly version: number; readonly task: Task }>;
}

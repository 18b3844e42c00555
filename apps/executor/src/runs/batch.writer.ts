import { Injectable } from '@nestjs/common';
import { carriesOwnWorkflowTask, NotificationChannel, Task, withoutDefinitionParts, Workflow } from '@app/contracts';
import { QueuedTask, TaskQueue } from '@app/persistence';
import { DataSource, EntityManager } from 'typeorm';
import type { TimerToSet } from '../timers/timer.repository';
import type { RunWrite } from './workflow-run.repository';
import { StaleRunError } from './workflow-run.repository';

/** Everything one batch of decisions writes. */
export interface BatchWrite {
  readonly runs: readonly RunWrite[];
  readonly queue: { readonly remove: readonly string[]; readonly push: readonly QueuedTask[]; readonly extend: ReadonlyArray<{ taskId: string; leaseMs: number }> };
  readonly timers: { readonly cancel: readonly string[]; readonly cancelAllOf: readonly string[]; readonly set: readonly TimerToSet[] };
  readonly outbox: { readonly producer: string; readonly messages: ReadonlyArray<{ topic: string; key: string; value: unknown }> };
  readonly now: number;
  /** Workflows to delete with their tasks, queue rows and timers, after everything else (workflow.remove). */
  readonly removed?: readonly string[];
}

/** The one statement a batch is written with: its text never changes, so each connection prepares it once. */
const STATEMENT_NAME = 'baton.executor.write-batch.v4';
const statement = (queue: TaskQueue) => `
  WITH
  wf_insert AS (
    INSERT INTO workflow (workflow_id, workflow_name, workflow_version, status, correlation_id, priority, version, data, definition, create_time, update_time, end_time,
                          idempotency_key, start_command_id)
    SELECT v.id, v.name, v."workflowVersion", v.status, v."correlationId", v.priority, v.version, v.data, v.definition,
           to_timestamp(v."createTime" / 1000.0), to_timestamp(v."updateTime" / 1000.0), to_timestamp(v."endTime" / 1000.0),
           v."idempotencyKey", v."startCommandId"
    FROM jsonb_to_recordset($1::jsonb) AS v(id uuid, name varchar, "workflowVersion" int, status varchar, "correlationId" varchar, priority int,
         version int, data jsonb, definition jsonb, "createTime" float8, "updateTime" float8, "endTime" float8, "idempotencyKey" varchar, "startCommandId" uuid)
    ON CONFLICT (workflow_id) DO NOTHING
    RETURNING 1),
  wf_update AS (
    UPDATE workflow w SET version = v."newVersion", status = coalesce(v.status, w.status), data = coalesce(v.data, w.data),
      update_time = coalesce(to_timestamp(v."updateTime" / 1000.0), w.update_time),
      end_time = CASE WHEN v.data IS NULL THEN w.end_time ELSE to_timestamp(v."endTime" / 1000.0) END,
      definition = coalesce(v.definition, w.definition), workflow_version = coalesce(v."workflowVersion", w.workflow_version)
    FROM jsonb_to_recordset($2::jsonb) AS v(id uuid, "oldVersion" int, "newVersion" int, status varchar, data jsonb, "updateTime" float8, "endTime" float8,
         definition jsonb, "workflowVersion" int)
    -- = ANY of the ids as well as the join: the planner then reads the rows by primary key (a generic plan
    -- cannot see how few rows the JSON holds, and would rather scan the table).
    WHERE w.workflow_id = ANY($14::uuid[]) AND w.workflow_id = v.id AND w.version = v."oldVersion"
    RETURNING 1),
  stale_check AS (
    SELECT 1 / (CASE WHEN (SELECT count(*) FROM wf_insert) + (SELECT count(*) FROM wf_update) = $3::int THEN 1 ELSE 0 END) AS ok),
  task_upsert AS (
    INSERT INTO task (task_id, workflow_id, seq, reference_task_name, task_type, status, version, data, update_time)
    SELECT v.id, v."workflowId", v.seq, v.ref, v.type, v.status, v.version, v.data, to_timestamp(v."updateTime" / 1000.0)
    FROM jsonb_to_recordset($4::jsonb) AS v(id uuid, "workflowId" uuid, seq int, ref varchar, type varchar, status varchar, version int, data jsonb, "updateTime" float8)
    ON CONFLICT (task_id) DO UPDATE SET status = EXCLUDED.status, version = EXCLUDED.version, data = EXCLUDED.data, update_time = EXCLUDED.update_time),
  timer_cancel AS (
    DELETE FROM timer WHERE timer_id = ANY($5::varchar[]) OR workflow_id = ANY($6::uuid[])),
  timer_set AS (
    INSERT INTO timer (timer_id, workflow_id, shard, kind, task_id, due_at)
    SELECT t."timerId", t."workflowId", t.shard, t.kind, t."taskId", to_timestamp(t."dueAt" / 1000.0)
    FROM jsonb_to_recordset($7::jsonb) AS t("timerId" varchar, "workflowId" uuid, shard int, kind varchar, "taskId" uuid, "dueAt" float8)
    ON CONFLICT (timer_id) DO UPDATE SET due_at = EXCLUDED.due_at, shard = EXCLUDED.shard),
  outbox_append AS (
    INSERT INTO outbox (producer, topic, message_key, payload, created_at)
    SELECT $8, m.topic, m.key, m.value, to_timestamp($9::float8 / 1000.0)
    FROM jsonb_to_recordset($10::jsonb) AS m(n int, topic varchar, key varchar, value jsonb)
    ORDER BY m.n
    RETURNING id),
  ${queue.batchCtes({ remove: '$11', push: '$12', extend: '$13', extendIds: '$15', now: '$9' })},
  w_notify AS (SELECT pg_notify('${NotificationChannel.WorkflowChanges}', id) FROM unnest($16::varchar[]) AS id)
  SELECT (SELECT ok FROM stale_check) AS ok,
         (SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM outbox_append) AS outbox_ids,
         (SELECT count(*) FROM q_notify) + (SELECT count(*) FROM w_notify) AS notified`;

const STALE = '22012'; // division_by_zero: the stale check's way of aborting the statement

/**
 * Writes a whole batch of decisions — new and changed runs, their tasks, queue rows, timers and outbox
 * messages — in one statement: one round trip, atomic on its own (no BEGIN/COMMIT needed), prepared once
 * per connection, its rows passed as a handful of JSON parameters. The version check is part of it: when a
 * run was changed by another writer (or a new one already exists), the statement aborts and writes
 * nothing, and StaleRunError names the batch's workflows.
 */
@Injectable()
export class BatchWriter {
  private readonly statement: string;

  constructor(
    private readonly dataSource: DataSource,
    queue: TaskQueue,
  ) {
    this.statement = statement(queue);
  }

  /**
   * Writes in its own implicit transaction (on any pooled connection), or in the caller's. A batch that
   * drops tasks (a DO_WHILE's keepLastN; rare) deletes their rows by a second statement in the same
   * transaction, so the statement every batch runs carries no DELETE for what almost no batch does.
   */
  async write(batch: BatchWrite, m?: EntityManager): Promise<string[]> {
    const values = parameters(batch);
    const dropped = droppedTasks(batch);
    const removed = batch.removed ?? [];
    if ((dropped.length || removed.length) && !m) return this.dataSource.transaction((tx) => this.write(batch, tx));
    try {
      const rows: Array<{ outbox_ids: string[] }> = m
        ? await m.query(this.statement, values)
        : (await this.pool().query({ name: STATEMENT_NAME, text: this.statement, values })).rows;
      if (dropped.length && m) await m.query('DELETE FROM task WHERE task_id = ANY($1::uuid[])', [dropped]);
      if (removed.length && m) {
        await m.query(
          // Queue rows went with the decision's queue.remove commands (the queue has no index by workflow).
          `WITH t AS (DELETE FROM timer WHERE workflow_id = ANY($1::uuid[])), k AS (DELETE FROM task WHERE workflow_id = ANY($1::uuid[]))
           DELETE FROM workflow WHERE workflow_id = ANY($1::uuid[])`,
          [removed],
        );
      }
      return rows[0]?.outbox_ids ?? [];
    } catch (err) {
      if ((err as { code?: string }).code === STALE || (err as { driverError?: { code?: string } }).driverError?.code === STALE) {
        throw new StaleRunError(batch.runs.map((r) => r.after.workflow.workflowId));
      }
      throw err;
    }
  }

  private pool(): { query(q: { name: string; text: string; values: unknown[] }): Promise<{ rows: Array<{ outbox_ids: string[] }> }> } {
    return (this.dataSource.driver as unknown as { master: ReturnType<BatchWriter['pool']> }).master;
  }
}

function parameters(b: BatchWrite): unknown[] {
  const inserts = b.runs.filter((r) => !r.before);
  const updates = b.runs.filter((r) => r.before);
  const tasks: Array<Record<string, unknown>> = [];
  for (const r of b.runs) {
    const before = new Map(r.before?.run.tasks.map((t) => [t.taskId, t]) ?? []);
    const def = r.after.workflow.workflowDefinition;
    for (const t of r.after.tasks) if (before.get(t.taskId) !== t) tasks.push(taskRow(t, r.saved.taskVersions.get(t.taskId) ?? 1, def));
  }
  return [
    json(
      inserts.map((r) => {
        const w = r.after.workflow;
        return {
          id: w.workflowId,
          name: w.workflowName,
          workflowVersion: w.workflowVersion,
          status: w.status,
          correlationId: w.correlationId ?? null,
          priority: w.priority,
          version: r.saved.version,
          data: withoutDefinition(w),
          definition: w.workflowDefinition,
          createTime: w.createTime,
          updateTime: w.updateTime ?? w.createTime,
          endTime: w.endTime ?? null,
          ...(w.idempotencyKey !== undefined ? { idempotencyKey: w.idempotencyKey, startCommandId: r.startCommandId ?? null } : {}),
        };
      }),
    ),
    json(
      updates.map((r) => {
        const w = r.after.workflow;
        // Only the tasks changed (most decisions): the row's version moves, its data is not rewritten.
        if (w === r.before?.run.workflow) return { id: w.workflowId, oldVersion: r.before.version, newVersion: r.saved.version };
        return {
          id: w.workflowId,
          oldVersion: r.before?.version,
          newVersion: r.saved.version,
          status: w.status,
          data: withoutDefinition(w),
          updateTime: w.updateTime ?? w.createTime,
          endTime: w.endTime ?? null,
          // A restart on the latest definition re-pins it (the column is written once otherwise).
          ...(w.workflowDefinition !== r.before?.run.workflow.workflowDefinition ? { definition: w.workflowDefinition, workflowVersion: w.workflowVersion } : {}),
        };
      }),
    ),
    b.runs.length,
    json(tasks),
    b.timers.cancel,
    b.timers.cancelAllOf,
    json(b.timers.set),
    b.outbox.producer,
    b.now,
    json(b.outbox.messages.map((msg, n) => ({ n, topic: msg.topic, key: msg.key, value: msg.value }))),
    b.queue.remove,
    json(b.queue.push),
    json(b.queue.extend),
    updates.map((r) => r.after.workflow.workflowId),
    b.queue.extend.map((e) => e.taskId),
    // Watched workflows that changed (or went): a synchronous caller waits on them, or a stream follows them. Delivered at commit.
    [...new Set([...b.runs.filter((r) => (r.after.workflow.notifyUntil ?? 0) >= b.now).map((r) => r.after.workflow.workflowId), ...(b.removed ?? [])])],
  ];
}

/** Tasks a decision dropped from its run (a DO_WHILE's keepLastN): in the run before, not after. */
function droppedTasks(b: BatchWrite): string[] {
  const dropped: string[] = [];
  for (const r of b.runs) {
    // Tasks are only ever appended, so a run with fewer tasks than it had plus its new ones dropped some.
    if (!r.before || r.after.tasks.length >= r.before.run.tasks.length + newTasksOf(r)) continue;
    const kept = new Set(r.after.tasks.map((t) => t.taskId));
    for (const t of r.before.run.tasks) if (!kept.has(t.taskId)) dropped.push(t.taskId);
  }
  return dropped;
}

/** How many of a run's tasks the decision added (they come last: tasks are appended in seq order). */
function newTasksOf(r: RunWrite): number {
  const lastBefore = r.before?.run.tasks.reduce((max, t) => Math.max(max, t.seq), 0) ?? 0;
  let added = 0;
  for (let i = r.after.tasks.length - 1; i >= 0 && r.after.tasks[i].seq > lastBefore; i--) added++;
  return added;
}

const taskRow = (t: Task, version: number, def: Workflow['workflowDefinition']) => ({
  id: t.taskId,
  workflowId: t.workflowInstanceId,
  seq: t.seq,
  ref: t.referenceTaskName,
  type: t.taskType,
  status: t.status,
  version,
  // The run's pinned definition holds the task's workflowTask and taskDefinition once: rows do not repeat
  // them — but for a task given at run time (a dynamic fork's branch), which keeps its own.
  data: carriesOwnWorkflowTask(t, def) ? t : withoutDefinitionParts(t),
  updateTime: t.updateTime,
});

/** One JSON text per parameter: serialised once by V8, parsed once by PostgreSQL. */
const json = (value: unknown): string => JSON.stringify(value);

const withoutDefinition = (w: Omit<Workflow, 'tasks'>): Omit<Workflow, 'tasks' | 'workflowDefinition'> => {
  const { workflowDefinition: _definition, ...rest } = w;
  return rest;
};

import { Task } from '@app/contracts';
import { QueuedTask, TaskQueue } from '@app/persistence';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';

/** A queue row as the executor pushes it (visible now, a 60 s lease, shard 0 unless told). */
export function queuedTask(row: Pick<QueuedTask, 'taskId' | 'queueName' | 'taskDefName' | 'workflowId'> & Partial<QueuedTask>): QueuedTask {
  return { shard: 0, priority: 0, visibleAt: Date.now(), leaseMs: 60_000, pollCount: 0, ...row };
}

/**
 * Queues a task the way the executor does: a running workflow, its SCHEDULED task row (which a lease
 * returns) and the queue row, in one transaction. `taskDefName` defaults to the queue's name (a worker
 * task type's queue). Returns the task id.
 */
export async function enqueueTask(
  ds: DataSource,
  queue: TaskQueue,
  queueName: string,
  opts: { taskDefName?: string; delayMs?: number; priority?: number; leaseMs?: number; shard?: number } = {},
): Promise<string> {
  const taskId = randomUUID();
  const workflowId = randomUUID();
  const taskDefName = opts.taskDefName ?? queueName;
  const task = { taskId, taskType: queueName, taskDefName, status: 'SCHEDULED', workflowInstanceId: workflowId, scheduledTime: Date.now(), pollCount: 0, updateTime: Date.now() } as Partial<Task>;
  await ds.transaction(async (m) => {
    await m.query(
      `INSERT INTO workflow (workflow_id, workflow_name, workflow_version, status, priority, version, data, create_time, update_time)
       VALUES ($1, 'wf', 1, 'RUNNING', 0, 1, '{}', now(), now())`,
      [workflowId],
    );
    await m.query(
      `INSERT INTO task (task_id, workflow_id, seq, reference_task_name, task_type, status, version, data, update_time) VALUES ($1, $2, 1, 'r', $3, 'SCHEDULED', 1, $4, now())`,
      [taskId, workflowId, queueName, task],
    );
    const { priority, leaseMs, shard } = opts;
    const extra = { ...(priority !== undefined ? { priority } : {}), ...(leaseMs !== undefined ? { leaseMs } : {}), ...(shard !== undefined ? { shard } : {}) };
    await queue.push(m, [queuedTask({ taskId, queueName, taskDefName, workflowId, visibleAt: Date.now() + (opts.delayMs ?? 0), ...extra })], Date.now());
  });
  return taskId;
}

/**
 * The executor's part of its batch statement (`TaskQueue.batchCtes`), run as the executor runs it: rows
 * removed (a task ended, timed out, was retried) and pushed. Answers how many queues it notified.
 */
export async function executorQueueWrite(ds: DataSource, queue: TaskQueue, w: { remove?: string[]; push?: QueuedTask[] }): Promise<number> {
  const [row] = await ds.query(`WITH ${queue.batchCtes({ remove: '$1', push: '$2', extend: '$3', extendIds: '$4', now: '$5' })} SELECT (SELECT count(*) FROM q_notify)::int AS notified`, [
    w.remove ?? [],
    JSON.stringify(w.push ?? []),
    '[]',
    [],
    Date.now(),
  ]);
  return row.notified;
}

/** Registers (or replaces) a task definition as the metadata app stores it. */
export async function defineTask(ds: DataSource, name: string, def: Record<string, unknown>): Promise<void> {
  await ds.query(
    `INSERT INTO task_def (name, definition, create_time, update_time) VALUES ($1, $2, now(), now())
     ON CONFLICT (name) DO UPDATE SET definition = EXCLUDED.definition, update_time = now()`,
    [name, { name, ...def }],
  );
}

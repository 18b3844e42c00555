import { WorkflowDef, withWorkflowDefDefaults } from '@app/contracts';
import { TaskQueue } from '@app/persistence';
import { TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createMigratedDataSource, TestDatabase } from '../../../../test/support/database';
import { hostOnDatabase } from '../../../../test/support/executor-harness';
import { ExecutorModule } from '../executor.module';
import { WorkflowExecutionService } from '../runs/workflow-execution.service';
import { Reconciler } from './reconciler';

const oneJob: WorkflowDef = withWorkflowDefDefaults({
  name: 'reconciled',
  version: 1,
  tasks: [{ name: 'rec_job', taskReferenceName: 'job', taskDefinition: { name: 'rec_job', retryCount: 1, retryDelaySeconds: 0, responseTimeoutSeconds: 600 } }],
});

describe('the reconciler on real Postgres', () => {
  jest.setTimeout(30_000);
  let db: TestDatabase;
  let ds: DataSource;
  let moduleRef: TestingModule;
  let executions: WorkflowExecutionService;
  let queue: TaskQueue;
  let reconciler: Reconciler;

  const start = async () => {
    const workflowId = randomUUID();
    await executions.start({ type: 'workflow.start', commandId: randomUUID(), issuedAt: Date.now(), workflowId, name: 'reconciled', input: {}, priority: 0 });
    return workflowId;
  };
  const tasksOf = (workflowId: string): Promise<Array<{ status: string; task_id: string }>> =>
    ds.query('SELECT status, task_id FROM task WHERE workflow_id = $1 ORDER BY seq', [workflowId]);
  /** Makes the workflow's rows look as if nothing had happened to them for a minute. */
  const age = (workflowId: string) =>
    Promise.all([
      ds.query(`UPDATE task SET update_time = now() - interval '1 minute' WHERE workflow_id = $1`, [workflowId]),
      ds.query(`UPDATE task_queue SET created_at = now() - interval '1 minute' WHERE workflow_id = $1`, [workflowId]),
    ]);
  /** Passes until the scan went round the whole table once. */
  const fullSweep = async () => {
    const totals = { requeued: 0, orphansRemoved: 0 };
    for (let i = 0; i < 20; i++) {
      const r = await reconciler.pass();
      totals.requeued += r.requeued;
      totals.orphansRemoved += r.orphansRemoved;
    }
    return totals;
  };

  beforeAll(async () => {
    ({ db, dataSource: ds } = await createMigratedDataSource('baton_reconciler'));
    await ds.query(`INSERT INTO workflow_def (name, version, definition, create_time, update_time) VALUES ($1, 1, $2, now(), now())`, [oneJob.name, oneJob]);
    ({ moduleRef } = await hostOnDatabase(ExecutorModule, ds));
    executions = moduleRef.get(WorkflowExecutionService);
    queue = moduleRef.get(TaskQueue);
    reconciler = moduleRef.get(Reconciler);
  });

  afterAll(async () => {
    await moduleRef?.close();
    await ds?.destroy();
    await db?.drop();
  });

  it('queues again a SCHEDULED task whose queue row was lost, and a worker gets it', async () => {
    const workflowId = await start();
    const [job] = await tasksOf(workflowId);
    await ds.query('DELETE FROM task_queue WHERE task_id = $1', [job.task_id]);
    await age(workflowId);

    expect((await fullSweep()).requeued).toBe(1);
    const [leased] = (await queue.lease('rec_job', 1, 'w')).tasks;
    expect(leased?.taskId).toBe(job.task_id);
  });

  it('times out an IN_PROGRESS task whose lease went with its row, and retries it: never two holders', async () => {
    const workflowId = await start();
    const [held] = (await queue.lease('rec_job', 1, 'w')).tasks;
    expect(held.workflowId).toBe(workflowId);
    await executions.notice({ type: 'task.leased', eventId: randomUUID(), workflowId, taskId: held.taskId, workerId: 'w', leasedAt: held.leasedAt, pollCount: held.pollCount });
    expect((await tasksOf(workflowId)).map((t) => t.status)).toEqual(['IN_PROGRESS']);
    await ds.query('DELETE FROM task_queue WHERE task_id = $1', [held.taskId]);
    await age(workflowId);

    await fullSweep();
    const tasks = await tasksOf(workflowId);
    expect(tasks.map((t) => t.status)).toEqual(['TIMED_OUT', 'SCHEDULED']);
    const [retry] = (await queue.lease('rec_job', 1, 'w2')).tasks;
    expect(retry.taskId).toBe(tasks[1].task_id);
  });

  it('leaves healthy workflows alone, and removes queue rows whose task ended or is gone', async () => {
    const healthy = await start();
    await age(healthy);
    const orphan = randomUUID();
    await ds.query(
      `INSERT INTO task_queue (task_id, queue_name, task_def_name, workflow_id, shard, priority, visible_at, lease_ms, poll_count, created_at)
       VALUES ($1, 'rec_job', 'rec_job', $2, 0, 0, now(), 1000, 0, now() - interval '1 minute')`,
      [orphan, randomUUID()],
    );

    const totals = await fullSweep();
    expect(totals).toEqual({ requeued: 0, orphansRemoved: 1 });
    expect(await ds.query('SELECT 1 FROM task_queue WHERE task_id = $1', [orphan])).toEqual([]);
    expect((await tasksOf(healthy)).map((t) => t.status)).toEqual(['SCHEDULED']);
  });
});

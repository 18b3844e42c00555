import { TaskEvent, Topic, WorkflowDef, withWorkflowDefDefaults } from '@app/contracts';
import { TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createMigratedDataSource, TestDatabase } from '../../../../test/support/database';
import { hostOnDatabase } from '../../../../test/support/executor-harness';
import { RecordingBus } from '../../../../test/support/recording-bus';
import { ExecutorModule } from '../executor.module';
import { OutboxRelay } from '../outbox/outbox.relay';
import { DecisionBatcher } from './decision-batcher';
import { RunCache } from './run-cache';
import { WorkflowExecutionService } from './workflow-execution.service';

const definition: WorkflowDef = withWorkflowDefDefaults({
  name: 'batched',
  version: 1,
  tasks: [
    { name: 'b_one', taskReferenceName: 'one', inputParameters: { n: '${workflow.input.n}' } },
    { name: 'b_two', taskReferenceName: 'two', inputParameters: { n: '${one.output.n}' } },
  ],
  outputParameters: { n: '${two.output.n}' },
});

describe('decisions in batches (group commit) on real Postgres', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let moduleRef: TestingModule;
  let bus: RecordingBus;
  let executions: WorkflowExecutionService;

  const start = (workflowId = randomUUID(), n = 1) =>
    executions.start({ type: 'workflow.start', commandId: randomUUID(), issuedAt: Date.now(), workflowId, name: 'batched', input: { n }, priority: 0 }).then(() => workflowId);
  const taskOf = async (workflowId: string, ref: string): Promise<string> =>
    (await ds.query('SELECT task_id FROM task WHERE workflow_id = $1 AND reference_task_name = $2 ORDER BY seq DESC LIMIT 1', [workflowId, ref]))[0].task_id;
  const complete = (workflowId: string, taskId: string, n: number) =>
    executions.update({ type: 'task.update', commandId: randomUUID(), issuedAt: Date.now(), workflowId, result: { workflowInstanceId: workflowId, taskId, status: 'COMPLETED', outputData: { n } } });
  const outputOf = async (workflowId: string) => (await ds.query('SELECT status, data FROM workflow WHERE workflow_id = $1', [workflowId]))[0];

  beforeAll(async () => {
    ({ db, dataSource: ds } = await createMigratedDataSource('baton_batch'));
    await ds.query(`INSERT INTO workflow_def (name, version, definition, create_time, update_time) VALUES ($1, 1, $2, now(), now())`, [definition.name, definition]);
    ({ moduleRef, bus } = await hostOnDatabase(ExecutorModule, ds));
    executions = moduleRef.get(WorkflowExecutionService);
  });

  afterAll(async () => {
    await moduleRef?.close();
    await ds?.destroy();
    await db?.drop();
  });

  it('decides many concurrent jobs in few transactions, each exactly as it would alone', async () => {
    const commits = async () => Number((await ds.query(`SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`))[0].xact_commit);
    const before = await commits();

    const ids = await Promise.all(Array.from({ length: 60 }, (_, i) => start(randomUUID(), i)));
    await Promise.all(ids.map(async (id, i) => complete(id, await taskOf(id, 'one'), i * 10)));
    await Promise.all(ids.map(async (id, i) => complete(id, await taskOf(id, 'two'), i * 100)));

    for (const [i, id] of ids.entries()) expect(await outputOf(id)).toMatchObject({ status: 'COMPLETED', data: { output: { n: i * 100 } } });
    // 180 decisions (and the reads of this test) in far fewer commits than one per decision.
    expect((await commits()) - before).toBeLessThan(180);
    expect(await ds.query('SELECT 1 FROM task_queue WHERE workflow_id = ANY($1::uuid[])', [ids])).toEqual([]);
  });

  it("applies a workflow's jobs in the order they came, even when they share a batch", async () => {
    const id = await start();
    const one = await taskOf(id, 'one');
    const batcher = moduleRef.get(DecisionBatcher);

    // A lease notice and the result right behind it: the result must see the lease folded in.
    const [leased, completed] = await Promise.all([
      batcher.submit({ workflowId: id, eventFor: async () => ({ type: 'task.leased', taskId: one, workerId: 'w-1', leasedAt: Date.now(), pollCount: 1 }) }),
      batcher.submit({ workflowId: id, eventFor: async () => ({ type: 'task.result', result: { workflowInstanceId: id, taskId: one, status: 'COMPLETED', outputData: { n: 7 } } }) }),
    ]);

    expect(leased?.state.tasks[0]).toMatchObject({ status: 'IN_PROGRESS', workerId: 'w-1' });
    expect(completed?.state.tasks[0]).toMatchObject({ status: 'COMPLETED', workerId: 'w-1', pollCount: 1 });
    await moduleRef.get(OutboxRelay).settle();
    const events = bus.ofTopic<TaskEvent>(Topic.TaskEvents).filter((e) => e.taskId === one);
    expect(events.map((e) => [e.type, e.version])).toEqual([
      ['produce.success', 1],
      ['start.begin', 2],
      ['start.success', 3],
    ]);
  });

  it('decides again on fresh state when its copy in memory went stale (another writer moved the run)', async () => {
    const id = await start();
    const cache = moduleRef.get(RunCache);
    expect(cache.get(id)).toBeDefined();
    // Another writer (an executor that owned the partition for a while) moved the run on.
    await ds.query(`UPDATE workflow SET version = version + 1, data = jsonb_set(data, '{variables}', '{"moved": true}') WHERE workflow_id = $1`, [id]);

    await complete(id, await taskOf(id, 'one'), 5);

    const row = await outputOf(id);
    expect(row.data.variables).toEqual({ moved: true }); // decided on the other writer's state, not the stale copy
    expect(await ds.query('SELECT reference_task_name AS ref, status FROM task WHERE workflow_id = $1 ORDER BY seq', [id])).toEqual([
      { ref: 'one', status: 'COMPLETED' },
      { ref: 'two', status: 'SCHEDULED' },
    ]);
  });

  it('fails a bad job alone: the jobs batched with it are decided and committed', async () => {
    const good = await Promise.all(Array.from({ length: 5 }, () => start()));
    const batcher = moduleRef.get(DecisionBatcher);
    const poison = batcher.submit({
      workflowId: good[0],
      eventFor: async () => {
        throw new Error('poison');
      },
    });
    const rest = good.slice(1).map(async (id) => complete(id, await taskOf(id, 'one'), 1));

    await expect(poison).rejects.toThrow('poison');
    await Promise.all(rest);
    for (const id of good.slice(1)) {
      expect((await ds.query(`SELECT status FROM task WHERE workflow_id = $1 AND reference_task_name = 'one'`, [id]))[0].status).toBe('COMPLETED');
    }
  });
});

import { TaskEvent, TaskLeasedNotice, Topic, WorkflowDef, withWorkflowDefDefaults } from '@app/contracts';
import { ShardOwnership } from '@app/bus';
import { TaskQueue } from '@app/persistence';
import { TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createMigratedDataSource, TestDatabase } from '../../../../test/support/database';
import { hostOnDatabase } from '../../../../test/support/executor-harness';
import { RecordingBus } from '../../../../test/support/recording-bus';
import { ExecutorModule } from '../executor.module';
import { WorkflowExecutionService } from '../runs/workflow-execution.service';

/** Ownership a test moves by hand, as a rebalance would. */
class MovableOwnership extends ShardOwnership {
  readonly count = 4;
  constructor(public shards: number[]) {
    super();
  }
  shardOf(key: string): number {
    return key.charCodeAt(0) % this.count;
  }
  owned(): readonly number[] {
    return this.shards;
  }
}
const ALL = [0, 1, 2, 3];

const waitThenWork: WorkflowDef = withWorkflowDefDefaults({
  name: 'wait_then_work',
  version: 1,
  tasks: [
    { name: 'pause', taskReferenceName: 'pause', type: 'WAIT', inputParameters: { duration: '${workflow.input.wait}' } },
    { name: 'after_wait', taskReferenceName: 'after' },
  ],
});

const flaky: WorkflowDef = withWorkflowDefDefaults({
  name: 'flaky_worker',
  version: 1,
  tasks: [
    {
      name: 'slow_job',
      taskReferenceName: 'job',
      taskDefinition: { name: 'slow_job', responseTimeoutSeconds: 1, timeoutSeconds: 0, retryCount: 1, retryDelaySeconds: 0 },
    },
  ],
});

describe('durable timers and leases on real Postgres', () => {
  jest.setTimeout(30_000);
  let db: TestDatabase;
  let ds: DataSource;
  const hosts: TestingModule[] = [];

  const host = async (ownership: ShardOwnership = new MovableOwnership(ALL), bus = new RecordingBus()) => {
    const { moduleRef } = await hostOnDatabase(ExecutorModule, ds, { ownership, bus });
    hosts.push(moduleRef);
    return { moduleRef, bus, executions: moduleRef.get(WorkflowExecutionService), queue: moduleRef.get(TaskQueue) };
  };
  const start = (executions: WorkflowExecutionService, name: string, input: Record<string, unknown> = {}) => {
    const workflowId = randomUUID();
    return executions.start({ type: 'workflow.start', commandId: randomUUID(), issuedAt: Date.now(), workflowId, name, input, priority: 0 }).then(() => workflowId);
  };
  const tasksOf = async (workflowId: string): Promise<Array<{ ref: string; status: string; task_id: string }>> =>
    ds.query('SELECT reference_task_name AS ref, status, task_id FROM task WHERE workflow_id = $1 ORDER BY seq', [workflowId]);
  /** Waits for a condition the engine brings about by itself (a timer), checking the database. */
  const eventually = async <T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (ok(value) || Date.now() > deadline) return value;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const leaseNotice = (l: { workflowId: string; taskId: string; workerId?: string; leasedAt: number; pollCount: number }): TaskLeasedNotice => ({
    type: 'task.leased',
    eventId: randomUUID(),
    ...l,
  });

  beforeAll(async () => {
    ({ db, dataSource: ds } = await createMigratedDataSource('baton_timers'));
    for (const def of [waitThenWork, flaky]) {
      await ds.query(`INSERT INTO workflow_def (name, version, definition, create_time, update_time) VALUES ($1, 1, $2, now(), now())`, [def.name, def]);
    }
  });

  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((m) => m.close()));
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('fires a timer set before a restart, once the executor is back', async () => {
    const first = await host();
    const workflowId = await start(first.executions, 'wait_then_work', { wait: '1s' });
    await first.moduleRef.close();
    hosts.splice(0);
    expect(await ds.query('SELECT kind FROM timer WHERE workflow_id = $1', [workflowId])).toEqual([{ kind: 'wait' }]);

    await new Promise((r) => setTimeout(r, 1200)); // the timer comes due while no executor runs
    await host();

    const tasks = await eventually(() => tasksOf(workflowId), (t) => t.length === 2);
    expect(tasks.map((t) => [t.ref, t.status])).toEqual([
      ['pause', 'COMPLETED'],
      ['after', 'SCHEDULED'],
    ]);
    expect(await ds.query('SELECT 1 FROM timer WHERE workflow_id = $1', [workflowId])).toEqual([]);
  });

  it('times out a lease whose worker went silent and hands the task out again as a new attempt', async () => {
    const { executions, queue } = await host();
    const workflowId = await start(executions, 'flaky_worker');
    const {
      tasks: [lease],
    } = await queue.lease('slow_job', 1, 'dies');
    await executions.notice(leaseNotice(lease));

    const tasks = await eventually(() => tasksOf(workflowId), (t) => t.length === 2);
    expect(tasks.map((t) => [t.ref, t.status])).toEqual([
      ['job', 'TIMED_OUT'],
      ['job', 'SCHEDULED'],
    ]);
    const [retry] = await eventually(async () => (await queue.lease('slow_job', 1, 'lives')).tasks, (l) => l.length === 1);
    expect(retry.taskId).toBe(tasks[1].task_id);

    // The dead worker's late result is acknowledged and ignored; the live worker's completes the workflow.
    const result = (taskId: string) =>
      executions.update({ type: 'task.update', commandId: randomUUID(), issuedAt: Date.now(), workflowId, result: { workflowInstanceId: workflowId, taskId, status: 'COMPLETED', outputData: { by: taskId } } });
    await result(lease.taskId);
    await result(retry.taskId);
    const [wf] = await ds.query('SELECT status, data FROM workflow WHERE workflow_id = $1', [workflowId]);
    expect(wf.status).toBe('COMPLETED');
    expect(wf.data.output).toEqual({ by: retry.taskId });
    expect(await ds.query('SELECT 1 FROM task_queue WHERE workflow_id = $1', [workflowId])).toEqual([]);
  });

  it('fires the timer of a workflow whose shard moved once, on the new owner', async () => {
    const oldOwnership = new MovableOwnership(ALL);
    const newOwnership = new MovableOwnership([]);
    const oldOwner = await host(oldOwnership);
    const newOwner = await host(newOwnership);
    const workflowId = await start(oldOwner.executions, 'wait_then_work', { wait: '1s' });

    // A rebalance moves every shard before the timer is due.
    oldOwnership.shards = [];
    newOwnership.shards = ALL;

    const tasks = await eventually(() => tasksOf(workflowId), (t) => t.length === 2);
    expect(tasks.map((t) => [t.ref, t.status])).toEqual([
      ['pause', 'COMPLETED'],
      ['after', 'SCHEDULED'],
    ]);
    const waitCompletions = (bus: RecordingBus) =>
      bus.ofTopic<TaskEvent>(Topic.TaskEvents).filter((e) => e.workflowId === workflowId && e.task.referenceTaskName === 'pause' && e.type === 'start.success');
    await eventually(async () => waitCompletions(newOwner.bus).length, (n) => n === 1, 3000);
    expect(waitCompletions(newOwner.bus)).toHaveLength(1);
    expect(waitCompletions(oldOwner.bus)).toHaveLength(0);
  });

  it('fires a timer once when two executors both believe they own it (the firing claims the row)', async () => {
    const a = await host(new MovableOwnership(ALL));
    const b = await host(new MovableOwnership(ALL));
    const ids: string[] = await Promise.all(Array.from({ length: 10 }, () => start(a.executions, 'wait_then_work', { wait: '1s' })));

    for (const workflowId of ids) {
      const tasks = await eventually(() => tasksOf(workflowId), (t) => t.length >= 2);
      expect(tasks.map((t) => [t.ref, t.status])).toEqual([
        ['pause', 'COMPLETED'],
        ['after', 'SCHEDULED'],
      ]);
    }
    // Both relays publish what their process decided, asynchronously: wait for the events, then count.
    const completions = () =>
      [a.bus, b.bus].flatMap((bus) =>
        bus.ofTopic<TaskEvent>(Topic.TaskEvents).filter((e) => ids.includes(e.workflowId) && e.task.referenceTaskName === 'pause' && e.type === 'start.success'),
      );
    await eventually(async () => completions().length, (n) => n >= 10, 3000);
    expect(completions()).toHaveLength(10);
    expect(new Set(completions().map((e) => e.workflowId)).size).toBe(10);
  });
});

import { BatonError, ErrorCode, TaskEvent, Topic, WorkflowDef, WorkflowEvent, withWorkflowDefDefaults } from '@app/contracts';
import { TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createMigratedDataSource, TestDatabase } from '../../../../test/support/database';
import { hostOnDatabase } from '../../../../test/support/executor-harness';
import { RecordingBus } from '../../../../test/support/recording-bus';
import { ExecutorModule } from '../executor.module';
import { ExecutorCommandsConsumer } from './executor-commands.consumer';
import { OutboxRelay } from '../outbox/outbox.relay';
import { WorkflowExecutionService } from './workflow-execution.service';
import { BatchWriter } from './batch.writer';
import { nextVersions, StaleRunError, WorkflowRunRepository } from './workflow-run.repository';

const definition: WorkflowDef = withWorkflowDefDefaults({
  name: 'two_steps',
  version: 1,
  tasks: [
    { name: 'step_one', taskReferenceName: 'one', inputParameters: { x: '${workflow.input.x}' } },
    { name: 'step_two', taskReferenceName: 'two', inputParameters: { y: '${one.output.y}' } },
  ],
  outputParameters: { z: '${two.output.z}' },
});

describe('WorkflowExecutionService on real Postgres', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let moduleRef: TestingModule;
  let bus: RecordingBus;
  let executions: WorkflowExecutionService;
  let relay: OutboxRelay;

  const count = async (table: string, where = 'true', params: unknown[] = []) =>
    Number((await ds.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params))[0].n);
  const start = (workflowId = randomUUID(), input: Record<string, unknown> = { x: 1 }) =>
    executions.start({ type: 'workflow.start', commandId: randomUUID(), issuedAt: Date.now(), workflowId, name: 'two_steps', input, priority: 0 });
  /** What a poller does to one task: the lease in the queue row, then the notice to the owner. */
  const claim = async (workflowId: string, taskId: string) => {
    // TypeORM answers an UPDATE … RETURNING with [rows, count].
    const [[row]] = await ds.query(
      `UPDATE task_queue SET leased_until = now() + lease_ms * interval '1 millisecond', leased_at = now(), worker_id = 'w', poll_count = poll_count + 1
       WHERE task_id = $1 AND leased_until IS NULL RETURNING leased_at, poll_count`,
      [taskId],
    );
    if (!row) return null;
    await executions.notice({ type: 'task.leased', eventId: randomUUID(), workflowId, taskId, workerId: 'w', leasedAt: row.leased_at.getTime(), pollCount: row.poll_count });
    return (await ds.query('SELECT data FROM task WHERE task_id = $1', [taskId]))[0].data;
  };
  const complete = (workflowId: string, taskId: string, outputData: Record<string, unknown>) =>
    executions.update({ type: 'task.update', commandId: randomUUID(), issuedAt: Date.now(), workflowId, result: { workflowInstanceId: workflowId, taskId, status: 'COMPLETED', outputData } });
  const queuedTaskOf = async (workflowId: string): Promise<string> =>
    (await ds.query('SELECT task_id FROM task_queue WHERE workflow_id = $1', [workflowId]))[0]?.task_id;

  beforeAll(async () => {
    ({ db, dataSource: ds } = await createMigratedDataSource('baton_exec'));
    await ds.query(`INSERT INTO workflow_def (name, version, definition, create_time, update_time) VALUES ($1, 1, $2, now(), now())`, [definition.name, definition]);
    ({ moduleRef, bus } = await hostOnDatabase(ExecutorModule, ds));
    executions = moduleRef.get(WorkflowExecutionService);
    relay = moduleRef.get(OutboxRelay);
  });

  afterAll(async () => {
    await moduleRef?.close();
    await ds?.destroy();
    await db?.drop();
  });

  it('writes the workflow, its first task, the queue row and the outbox in one go when a workflow starts', async () => {
    const workflowId = randomUUID();

    await start(workflowId, { x: 42 });

    expect(await count('workflow', 'workflow_id = $1', [workflowId])).toBe(1);
    const [task] = await ds.query('SELECT status, data FROM task WHERE workflow_id = $1', [workflowId]);
    expect(task.status).toBe('SCHEDULED');
    expect(task.data.inputData).toEqual({ x: 42 });
    expect(await count('task_queue', 'workflow_id = $1 AND queue_name = $2', [workflowId, 'step_one'])).toBe(1);
    await relay.settle();
    expect(await count('outbox')).toBe(0);
    const events = bus.ofTopic<WorkflowEvent>(Topic.WorkflowEvents).filter((e) => e.workflowId === workflowId);
    expect(events.map((e) => e.type)).toEqual(['workflow.started']);
    expect(bus.published.every((m) => m.key === (m.value as { workflowId: string }).workflowId)).toBe(true);
  });

  it('starts a workflow once even when the start command is delivered twice', async () => {
    const workflowId = randomUUID();

    await start(workflowId);
    await start(workflowId);

    expect(await count('workflow', 'workflow_id = $1', [workflowId])).toBe(1);
    expect(await count('task', 'workflow_id = $1', [workflowId])).toBe(1);
  });

  it('refuses an unknown workflow definition and writes nothing', async () => {
    const before = await Promise.all(['workflow', 'task', 'task_queue', 'outbox'].map((t) => count(t)));

    await expect(
      executions.start({ type: 'workflow.start', commandId: randomUUID(), issuedAt: 0, workflowId: randomUUID(), name: 'nope', input: {}, priority: 0 }),
    ).rejects.toMatchObject({ code: ErrorCode.WorkflowDefNotFound, message: 'No such workflow found by name: nope, version: null' });

    expect(await Promise.all(['workflow', 'task', 'task_queue', 'outbox'].map((t) => count(t)))).toEqual(before);
  });

  it('refuses to start a definition the engine cannot run as written (an EVENT to SQS), naming where', async () => {
    const switchDef = withWorkflowDefDefaults({
      name: 'has_event',
      version: 1,
      tasks: [{ name: 'announce', taskReferenceName: 'announce', type: 'EVENT', sink: 'sqs:announcements' }],
    });
    await ds.query(`INSERT INTO workflow_def (name, version, definition, create_time, update_time) VALUES ($1, 1, $2, now(), now())`, [switchDef.name, switchDef]);
    const workflowId = randomUUID();

    const err = (await executions
      .start({ type: 'workflow.start', commandId: randomUUID(), issuedAt: 0, workflowId, name: 'has_event', input: {}, priority: 0 })
      .catch((e) => e)) as BatonError;

    expect(err.code).toBe(ErrorCode.InvalidArgument);
    expect(err.validationErrors).toEqual([expect.objectContaining({ path: 'tasks[0].type', invalidValue: 'EVENT', message: expect.stringContaining('sqs:announcements') })]);
    expect(await count('workflow', 'workflow_id = $1', [workflowId])).toBe(0);
  });

  it('runs the workflow to COMPLETED through leases and results, passing outputs along', async () => {
    const workflowId = randomUUID();
    await start(workflowId, { x: 'in' });

    const first = await queuedTaskOf(workflowId);
    const claimed = await claim(workflowId, first);
    expect(claimed).toMatchObject({ taskId: first, status: 'IN_PROGRESS', pollCount: 1, workerId: 'w' });
    // The queue row stays while the lease runs (its expiry is the response timeout), and is not handed out again.
    expect(await queuedTaskOf(workflowId)).toBe(first);
    expect(await claim(workflowId, first)).toBeNull();

    await complete(workflowId, first, { y: 'mid' });
    const second = await queuedTaskOf(workflowId);
    const [secondRow] = await ds.query('SELECT data FROM task WHERE task_id = $1', [second]);
    expect(secondRow.data.inputData).toEqual({ y: 'mid' });

    await claim(workflowId, second);
    await complete(workflowId, second, { z: 'out' });

    const [wf] = await ds.query('SELECT status, version, data, end_time FROM workflow WHERE workflow_id = $1', [workflowId]);
    expect(wf.status).toBe('COMPLETED');
    expect(wf.data.output).toEqual({ z: 'out' });
    expect(wf.end_time).not.toBeNull();
    expect(await count('task_queue', 'workflow_id = $1', [workflowId])).toBe(0);

    await relay.settle();
    const taskEvents = bus.ofTopic<TaskEvent>(Topic.TaskEvents).filter((e) => e.workflowId === workflowId);
    expect(taskEvents.map((e) => `${e.task.referenceTaskName}:${e.type}:${e.status}`)).toEqual([
      'one:produce.success:SCHEDULED',
      'one:start.begin:IN_PROGRESS',
      'one:start.success:COMPLETED',
      'two:produce.success:SCHEDULED',
      'two:start.begin:IN_PROGRESS',
      'two:start.success:COMPLETED',
    ]);
    expect(taskEvents.every((e) => e.attempt === 1 && e.eventId && e.version >= 1)).toBe(true);
  });

  it('refuses a command that reaches it after the requester stopped waiting, and writes nothing', async () => {
    const consumer = moduleRef.get(ExecutorCommandsConsumer);
    const workflowId = randomUUID();

    const reply = await consumer.handle({ type: 'workflow.start', commandId: randomUUID(), issuedAt: 0, deadline: Date.now() - 1, workflowId, name: 'two_steps', input: {}, priority: 0 });

    expect(reply).toEqual({ ok: false, error: expect.objectContaining({ code: ErrorCode.Unavailable }) });
    expect(await count('workflow', 'workflow_id = $1', [workflowId])).toBe(0);
  });

  it('answers a result for an unknown task with TASK_NOT_FOUND and changes nothing', async () => {
    const workflowId = randomUUID();
    await start(workflowId);
    const [before] = await ds.query('SELECT version FROM workflow WHERE workflow_id = $1', [workflowId]);

    const err = await complete(workflowId, randomUUID(), {}).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(BatonError);
    expect((err as BatonError).code).toBe(ErrorCode.TaskNotFound);
    const [after] = await ds.query('SELECT version FROM workflow WHERE workflow_id = $1', [workflowId]);
    expect(after.version).toBe(before.version);
  });

  it('stops a writer that lost ownership from overwriting the new owner (optimistic version)', async () => {
    const workflowId = randomUUID();
    await start(workflowId);
    const runs = moduleRef.get(WorkflowRunRepository);
    const zombie = await ds.transaction((m) => runs.load(m, workflowId));
    await claim(workflowId, await queuedTaskOf(workflowId)); // the new owner writes

    const after = { ...zombie!.run, workflow: { ...zombie!.run.workflow, status: 'FAILED' as const } };
    const write = { runs: [{ before: zombie, after, saved: nextVersions(zombie, after) }], queue: { remove: [], push: [], extend: [] }, timers: { cancel: [], cancelAllOf: [], set: [] }, outbox: { producer: 'executor', messages: [] }, now: Date.now() };
    await expect(moduleRef.get(BatchWriter).write(write)).rejects.toBeInstanceOf(StaleRunError);

    const [wf] = await ds.query('SELECT status FROM workflow WHERE workflow_id = $1', [workflowId]);
    expect(wf.status).toBe('RUNNING');
  });

  it('keeps outbox messages when publishing fails and relays them on the next pass', async () => {
    await relay.settle();
    const workflowId = randomUUID();
    bus.brokerDown = true;
    await start(workflowId);
    await relay.settle();
    expect(await count('outbox')).toBeGreaterThan(0);

    bus.brokerDown = false;
    await relay.settle();

    expect(await count('outbox')).toBe(0);
    expect(bus.ofTopic<WorkflowEvent>(Topic.WorkflowEvents).some((e) => e.workflowId === workflowId)).toBe(true);
  });

  it('picks up a replaced definition as soon as the metadata app commits it (cache invalidated at commit)', async () => {
    const name = 'cached_def';
    const v1 = withWorkflowDefDefaults({ name, version: 1, tasks: [{ name: 'old_task', taskReferenceName: 'x' }] });
    await ds.query(`INSERT INTO workflow_def (name, version, definition, create_time, update_time) VALUES ($1, 1, $2, now(), now())`, [name, v1]);
    const firstTaskOf = async () => {
      const workflowId = randomUUID();
      await executions.start({ type: 'workflow.start', commandId: randomUUID(), issuedAt: 0, workflowId, name, input: {}, priority: 0 });
      return (await ds.query('SELECT task_type FROM task WHERE workflow_id = $1', [workflowId]))[0].task_type as string;
    };
    expect(await firstTaskOf()).toBe('old_task');

    // what the metadata app does when a definition is overwritten: write and NOTIFY in one transaction
    const v1b = { ...v1, tasks: [{ ...v1.tasks[0], name: 'new_task' }] };
    await ds.transaction(async (m) => {
      await m.query('UPDATE workflow_def SET definition = $2 WHERE name = $1 AND version = 1', [name, v1b]);
      await m.query(`SELECT pg_notify('baton_definitions', $1)`, [`workflowdef:${name}`]);
    });

    const deadline = Date.now() + 5000;
    let seen = await firstTaskOf();
    while (seen !== 'new_task' && Date.now() < deadline) seen = await firstTaskOf();
    expect(seen).toBe('new_task');
  });

  it('completes each task exactly once when the same result races in concurrently', async () => {
    const workflowId = randomUUID();
    await start(workflowId);
    const first = await queuedTaskOf(workflowId);
    await claim(workflowId, first);

    await Promise.all(Array.from({ length: 5 }, () => complete(workflowId, first, { y: 1 })));

    const rows = await ds.query(`SELECT reference_task_name, status FROM task WHERE workflow_id = $1 ORDER BY seq`, [workflowId]);
    expect(rows).toEqual([
      { reference_task_name: 'one', status: 'COMPLETED' },
      { reference_task_name: 'two', status: 'SCHEDULED' },
    ]);
  });
});

import { INestApplication, Logger } from '@nestjs/common';
import { TestingModule } from '@nestjs/testing';
import { InProcessMessageBus, MessageBus } from '@app/bus';
import { KafkaTaskMessage, queueNameFor, Task, Topic, WorkerTaskReport, workerTopicOf, WorkflowDef, withWorkflowDefDefaults } from '@app/contracts';
import { ExecutionQueries, TaskQueue } from '@app/persistence';
import { BusConfig, host } from '@app/runtime';
import { Kafka, logLevel } from 'kafkajs';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createMigratedDataSource, TestDatabase } from '../../../../test/support/database';
import { hostOnDatabase } from '../../../../test/support/executor-harness';
import { testInfra } from '../../../../test/support/infra';
import { RecordingBus } from '../../../../test/support/recording-bus';
import { ExecutorModule } from '../executor.module';
import { WorkflowExecutionService } from '../runs/workflow-execution.service';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

/**
 * Native Kafka workers end to end through a real executor (its own Nest app, as `npm run start:executor`
 * hosts it) on real PostgreSQL: over real Kafka, with the worker played by a plain kafkajs consumer and
 * producer, and over the in-process bus (embedded mode), with the worker subscribed in the same process.
 * Per-run names, so runs never share topics, groups or rows.
 */
const RUN = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const TIMEOUT = 90_000;

/** The task types, one per scenario: each its own task definition (KAFKA-delivered) and one-task workflow. */
const TYPES = {
  ok: { name: `kd_ok_${RUN}`, def: { responseTimeoutSeconds: 30, retryCount: 0 } },
  silent: { name: `kd_silent_${RUN}`, def: { responseTimeoutSeconds: 2, retryCount: 1, retryDelaySeconds: 0 } },
  beat: { name: `kd_beat_${RUN}`, def: { responseTimeoutSeconds: 2, retryCount: 0 } },
  failing: { name: `kd_fail_${RUN}`, def: { responseTimeoutSeconds: 30, retryCount: 1, retryDelaySeconds: 0 } },
  limited: { name: `kd_lim_${RUN}`, def: { responseTimeoutSeconds: 30, retryCount: 0, concurrentExecLimit: 1 } },
  phased: { name: `kd_phased_${RUN}`, def: { responseTimeoutSeconds: 30, retryCount: 0, phases: ['monitor'], monitorIntervalSeconds: 1 } },
} as const;
type TypeKey = keyof typeof TYPES;

/** Bounded wait for a condition the system makes true (never a bare sleep). */
async function until<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Delivered {
  readonly key: string;
  readonly topic: string;
  readonly message: KafkaTaskMessage;
  /** The `phase` record header (Kafka only: the in-process bus carries none). */
  readonly phase?: string;
}

/** A native worker as the protocol has it: takes tasks from its types' topics, reports on the task-event topic. */
interface TestWorker {
  readonly delivered: Delivered[];
  report(type: WorkerTaskReport['type'], task: Pick<Task, 'taskId' | 'workflowInstanceId'>, result?: WorkerTaskReport['result']): Promise<void>;
  close(): Promise<void>;
}

const aReport = (type: WorkerTaskReport['type'], task: Pick<Task, 'taskId' | 'workflowInstanceId'>, result?: WorkerTaskReport['result']): WorkerTaskReport => ({
  source: 'worker',
  eventId: randomUUID(),
  type,
  workflowId: task.workflowInstanceId,
  taskId: task.taskId,
  workerId: 'native-worker-1',
  occurredAt: Date.now(),
  ...(result ? { result } : {}),
});

/** Over real Kafka: a plain kafkajs consumer (one group for every test type) and producer, on the deployment's prefixed topics. */
async function kafkaWorker(bus: Extract<BusConfig, { kind: 'kafka' }>): Promise<TestWorker> {
  const kafka = new Kafka({ clientId: `it-worker-${RUN}`, brokers: [...bus.brokers], logLevel: logLevel.NOTHING });
  const wire = (topic: string) => `${bus.topicPrefix}${topic}`;
  const topics = Object.values(TYPES).map((t) => wire(workerTopicOf(t.name)));
  // The executor makes sure of each KAFKA-delivered type's topic once its definition is registered.
  const admin = kafka.admin();
  await admin.connect();
  await until(async () => {
    const existing = new Set(await admin.listTopics());
    return topics.every((t) => existing.has(t));
  }, 'the topics of the KAFKA-delivered task types');
  // Provisioned by the engine as the bus's own topics are (the broker's auto-creation would give its default).
  const { topics: created } = await admin.fetchTopicMetadata({ topics });
  if (created.some((t) => t.partitions.length !== bus.partitions)) throw new Error(`worker topics not provisioned with ${bus.partitions} partitions`);
  await admin.disconnect();

  const delivered: Delivered[] = [];
  const consumer = kafka.consumer({ groupId: `${bus.topicPrefix}baton.workers.it`, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      delivered.push({
        topic: topic.slice(bus.topicPrefix.length),
        key: String(message.key),
        message: JSON.parse(String(message.value)) as KafkaTaskMessage,
        ...(message.headers?.phase ? { phase: String(message.headers.phase) } : {}),
      });
    },
  });
  const producer = kafka.producer();
  await producer.connect();
  return {
    delivered,
    async report(type, task, result) {
      const report = aReport(type, task, result);
      await producer.send({ topic: wire(Topic.WorkerTaskEvents), messages: [{ key: report.workflowId, value: JSON.stringify(report) }] });
    },
    async close() {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}

/** Over the in-process bus: the worker subscribes to its types' topics in the engine's process. */
function inProcessWorker(bus: InProcessMessageBus): TestWorker {
  const delivered: Delivered[] = [];
  const unsubscribe = Object.values(TYPES).map((t) =>
    bus.broker.subscribe(workerTopicOf(t.name), ({ topic, key, value }) => void delivered.push({ topic, key, message: value as KafkaTaskMessage })),
  );
  return {
    delivered,
    // Resolves once the report was applied: the in-process bus hands it to its consumer before it answers.
    report: (type, task, result) => bus.publish([{ topic: Topic.WorkerTaskEvents, key: task.workflowInstanceId, value: aReport(type, task, result) }]),
    async close() {
      unsubscribe.forEach((off) => off());
    },
  };
}

describe.each<['Kafka' | 'the in-process bus']>([['Kafka'], ['the in-process bus']])('native Kafka workers, over %s (real PostgreSQL)', (busKind) => {
  jest.setTimeout(TIMEOUT);
  let db: TestDatabase;
  let ds: DataSource;
  let app: INestApplication;
  let worker: TestWorker;
  let reads: ExecutionQueries;
  let queue: TaskQueue;

  const start = async (type: TypeKey): Promise<string> => {
    const workflowId = randomUUID();
    await app.get(WorkflowExecutionService).start({ type: 'workflow.start', commandId: randomUUID(), issuedAt: Date.now(), workflowId, name: TYPES[type].name, input: { n: 1 }, priority: 0 });
    return workflowId;
  };
  /** The task rows of a workflow as its owner wrote them (no lease overlaid). */
  const rows = (workflowId: string): Promise<Array<{ task_id: string; status: string; worker_id: string | null; retry_count: number; reason: string | null }>> =>
    ds.query(
      `SELECT task_id, status, data ->> 'workerId' AS worker_id, (data ->> 'retryCount')::int AS retry_count, data ->> 'reasonForIncompletion' AS reason
       FROM task WHERE workflow_id = $1 ORDER BY seq`,
      [workflowId],
    );
  const workflowStatus = async (workflowId: string): Promise<string> => (await ds.query('SELECT status FROM workflow WHERE workflow_id = $1', [workflowId]))[0]?.status;
  /** The n-th message produced for the workflow (1-based), once it arrived. */
  const nthDelivery = (workflowId: string, n: number): Promise<Delivered> =>
    until(() => worker.delivered.filter((d) => d.message.task.workflowInstanceId === workflowId)[n - 1], `delivery ${n} of a task of ${workflowId}`);

  beforeAll(async () => {
    ({ db, dataSource: ds } = await createMigratedDataSource('baton_kafka_delivery'));
    for (const { name, def } of Object.values(TYPES)) {
      await ds.query(`INSERT INTO task_def (name, definition, create_time, update_time) VALUES ($1, $2, now(), now())`, [name, { name, deliveryMode: 'KAFKA', ...def }]);
      const workflow: WorkflowDef = withWorkflowDefDefaults({ name, version: 1, tasks: [{ name, taskReferenceName: 'job', type: 'SIMPLE', inputParameters: { n: '${workflow.input.n}' } }] });
      await ds.query(`INSERT INTO workflow_def (name, version, definition, create_time, update_time) VALUES ($1, 1, $2, now(), now())`, [name, workflow]);
    }
    const bus: BusConfig =
      busKind === 'Kafka'
        ? {
            kind: 'kafka',
            brokers: testInfra().kafkaBrokers.split(','),
            clientId: `it-kd-${RUN}`,
            topicPrefix: `it.${RUN}.`,
            partitions: 2,
            replicationFactor: 1,
            requestTimeoutMs: 15_000,
          }
        : { kind: 'in-process', lanes: 16 };
    app = await host({
      name: 'executor',
      modules: [ExecutorModule],
      groupId: 'baton-executor',
      requestTopics: [Topic.ExecutorCommands],
      consumes: true,
      infra: { instanceId: `it-${RUN}`, database: { kind: 'external', url: db.url }, bus, search: { kind: 'postgres' }, logLevel: 'warn' },
      databaseUrl: db.url,
      migrations: 'verify',
    });
    worker = bus.kind === 'kafka' ? await kafkaWorker(bus) : inProcessWorker(app.get(MessageBus) as InProcessMessageBus);
    queue = new TaskQueue(ds);
    reads = new ExecutionQueries(ds, queue);
  }, TIMEOUT);

  afterAll(async () => {
    await worker?.close();
    await app?.close();
    await ds?.destroy();
    await db?.drop();
  }, TIMEOUT);

  it('produces the task on its type topic, keyed by its id; start.begin makes it IN_PROGRESS; start.success completes it and the workflow', async () => {
    const workflowId = await start('ok');

    const { key, topic, message } = await nthDelivery(workflowId, 1);
    const taskId = message.task.taskId;
    expect({ key, topic }).toEqual({ key: taskId, topic: workerTopicOf(TYPES.ok.name) });
    expect(message).toMatchObject({
      type: 'produce',
      producedAt: expect.any(Number),
      task: { taskType: TYPES.ok.name, status: 'SCHEDULED', workflowInstanceId: workflowId, inputData: { n: 1 }, pollCount: 1, responseTimeoutSeconds: 30 },
    });
    // Handed off, not started: served as SCHEDULED, and no HTTP poll of the type (nor of its queue) gets it.
    expect(await reads.task(taskId)).toMatchObject({ status: 'SCHEDULED' });
    expect((await queue.lease(TYPES.ok.name, 10, 'http-worker', TYPES.ok.name)).tasks).toEqual([]);

    await worker.report('start.begin', message.task);
    await until(async () => (await rows(workflowId))[0]?.status === 'IN_PROGRESS', 'the start folded into the run');
    expect(await rows(workflowId)).toEqual([expect.objectContaining({ task_id: taskId, status: 'IN_PROGRESS', worker_id: 'native-worker-1' })]);
    expect(await reads.task(taskId)).toMatchObject({ status: 'IN_PROGRESS', workerId: 'native-worker-1', pollCount: 1 });

    await worker.report('start.success', message.task, { workflowInstanceId: workflowId, taskId, status: 'COMPLETED', outputData: { done: true } });
    await until(async () => (await workflowStatus(workflowId)) === 'COMPLETED', 'the workflow to complete');
    expect(await reads.task(taskId)).toMatchObject({ status: 'COMPLETED', outputData: { done: true }, workerId: 'native-worker-1' });
    expect(await ds.query('SELECT 1 FROM task_queue WHERE task_id = $1', [taskId])).toEqual([]);
  });

  it('hands a task with phases its phase, in the task and (over Kafka) as a header: start, then monitor', async () => {
    const workflowId = await start('phased');
    const first = await nthDelivery(workflowId, 1);
    expect(first.message.task.phase).toBe('start');
    if (busKind === 'Kafka') expect(first.phase).toBe('start');
    await worker.report('start.begin', first.message.task);
    await worker.report('start.success', first.message.task, { workflowInstanceId: workflowId, taskId: first.message.task.taskId, status: 'COMPLETED', outputData: { id: 'r-1' } });
    const second = await nthDelivery(workflowId, 2);
    expect(second.message.task).toMatchObject({ taskId: first.message.task.taskId, phase: 'monitor', status: 'IN_PROGRESS' });
    if (busKind === 'Kafka') expect(second.phase).toBe('monitor');
    await worker.report('start.success', second.message.task, { workflowInstanceId: workflowId, taskId: second.message.task.taskId, status: 'COMPLETED', outputData: { ready: true } });
    await until(async () => (await workflowStatus(workflowId)) === 'COMPLETED', 'the monitored task to complete');
    expect(await reads.task(first.message.task.taskId)).toMatchObject({ phaseStatus: 'monitor.success', outputData: { id: 'r-1', ready: true } });
  });

  it('times out a task no worker begins after responseTimeoutSeconds and produces its retry; a late report for the old attempt changes nothing', async () => {
    const workflowId = await start('silent');
    const first = (await nthDelivery(workflowId, 1)).message.task;

    const retry = (await nthDelivery(workflowId, 2)).message.task;
    expect(retry).toMatchObject({ retryCount: 1, retriedTaskId: first.taskId, status: 'SCHEDULED' });
    expect(retry.taskId).not.toBe(first.taskId);
    expect((await rows(workflowId)).map((r) => [r.status, r.retry_count])).toEqual([
      ['TIMED_OUT', 0],
      ['SCHEDULED', 1],
    ]);
    expect((await rows(workflowId))[0].reason).toMatch(/timed out: no update within responseTimeoutSeconds \(2\)/);

    // The worker of the first attempt wakes up late: acknowledged, ignored.
    await worker.report('start.success', first, { workflowInstanceId: workflowId, taskId: first.taskId, status: 'COMPLETED' });
    await worker.report('start.begin', retry);
    await worker.report('start.success', retry, { workflowInstanceId: workflowId, taskId: retry.taskId, status: 'COMPLETED' });
    await until(async () => (await workflowStatus(workflowId)) === 'COMPLETED', 'the workflow to complete');
    expect((await rows(workflowId)).map((r) => r.status)).toEqual(['TIMED_OUT', 'COMPLETED']);
  });

  it("keeps a task whose worker heartbeats (monitor.success with extendLease) past responseTimeoutSeconds, from the worker's start", async () => {
    const workflowId = await start('beat');
    const task = (await nthDelivery(workflowId, 1)).message.task;

    await worker.report('start.begin', task);
    for (let i = 0; i < 3; i++) {
      await pause(1000);
      await worker.report('monitor.success', task, { workflowInstanceId: workflowId, taskId: task.taskId, status: 'IN_PROGRESS', extendLease: true, outputData: { beat: i } });
    }
    // 3 s after the start, past the 2 s responseTimeoutSeconds: still the one attempt, held by the worker.
    expect(await rows(workflowId)).toEqual([expect.objectContaining({ status: 'IN_PROGRESS', retry_count: 0 })]);

    await worker.report('start.success', task, { workflowInstanceId: workflowId, taskId: task.taskId, status: 'COMPLETED' });
    await until(async () => (await workflowStatus(workflowId)) === 'COMPLETED', 'the workflow to complete');
    expect(await reads.task(task.taskId)).toMatchObject({ status: 'COMPLETED', outputData: { beat: 2 } });
  });

  it('retries a task a worker failed (start.failed) as a new attempt, produced again', async () => {
    const workflowId = await start('failing');
    const first = (await nthDelivery(workflowId, 1)).message.task;

    await worker.report('start.begin', first);
    await worker.report('start.failed', first, { workflowInstanceId: workflowId, taskId: first.taskId, status: 'FAILED', reasonForIncompletion: 'disk full' });
    const retry = (await nthDelivery(workflowId, 2)).message.task;
    expect(retry).toMatchObject({ retryCount: 1, retriedTaskId: first.taskId });

    await worker.report('start.success', retry, { workflowInstanceId: workflowId, taskId: retry.taskId, status: 'COMPLETED' });
    await until(async () => (await workflowStatus(workflowId)) === 'COMPLETED', 'the workflow to complete');
    expect((await rows(workflowId)).map((r) => [r.status, r.reason])).toEqual([
      ['FAILED', 'disk full'],
      ['COMPLETED', null],
    ]);
  });

  it("hands off within concurrentExecLimit, produces the next task when a slot frees, and never gives the queue's rows to an HTTP poll", async () => {
    const a = await start('limited');
    const b = await start('limited');
    const first = await until(() => worker.delivered.find((d) => [a, b].includes(d.message.task.workflowInstanceId)), 'the first hand-off');
    const other = first.message.task.workflowInstanceId === a ? b : a;
    const kafkaQueue = `kafka/${TYPES.limited.name}`;
    // The second task waits, ready, held back by the limit: no poll the gateway can make is handed it — of
    // the type, of a queue named like its own, of the type in a domain called "kafka".
    await until(async () => (await queue.sizes([kafkaQueue])).get(kafkaQueue)?.waiting === 1, 'the second task to wait');
    expect((await queue.lease(TYPES.limited.name, 10, 'http-worker', TYPES.limited.name)).tasks).toEqual([]);
    expect((await queue.lease(kafkaQueue, 10, 'http-worker', kafkaQueue)).tasks).toEqual([]);
    expect((await queue.lease(queueNameFor(TYPES.limited.name, 'kafka'), 10, 'http-worker', TYPES.limited.name)).tasks).toEqual([]);
    expect(worker.delivered.filter((d) => d.message.task.workflowInstanceId === other)).toEqual([]);

    await worker.report('start.begin', first.message.task);
    await worker.report('start.success', first.message.task, { workflowInstanceId: first.message.task.workflowInstanceId, taskId: first.message.task.taskId, status: 'COMPLETED' });

    const second = (await nthDelivery(other, 1)).message.task;
    await worker.report('start.success', second, { workflowInstanceId: other, taskId: second.taskId, status: 'COMPLETED' });
    await until(async () => (await workflowStatus(a)) === 'COMPLETED' && (await workflowStatus(b)) === 'COMPLETED', 'both workflows to complete');
  });
});

describe('the Kafka dispatcher when the broker is away (real PostgreSQL)', () => {
  jest.setTimeout(TIMEOUT);
  const name = `kd_down_${RUN}`;
  let db: TestDatabase;
  let ds: DataSource;
  let moduleRef: TestingModule;
  let bus: RecordingBus;

  beforeAll(async () => {
    ({ db, dataSource: ds } = await createMigratedDataSource('baton_kafka_down'));
    await ds.query(`INSERT INTO task_def (name, definition, create_time, update_time) VALUES ($1, $2, now(), now())`, [name, { name, deliveryMode: 'KAFKA', responseTimeoutSeconds: 600 }]);
    const workflow = withWorkflowDefDefaults({ name, version: 1, tasks: [{ name, taskReferenceName: 'job', type: 'SIMPLE' }] });
    await ds.query(`INSERT INTO workflow_def (name, version, definition, create_time, update_time) VALUES ($1, 1, $2, now(), now())`, [name, workflow]);
    bus = new RecordingBus();
    bus.brokerDown = true;
    ({ moduleRef } = await hostOnDatabase(ExecutorModule, ds, { bus }));
  });

  afterAll(async () => {
    await moduleRef?.close();
    await ds?.destroy();
    await db?.drop();
  });

  it('gives back what it could not produce, and produces it once the broker is back: one hand-off, no timeout spent', async () => {
    const workflowId = randomUUID();
    const failures = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    await moduleRef.get(WorkflowExecutionService).start({ type: 'workflow.start', commandId: randomUUID(), issuedAt: Date.now(), workflowId, name, input: {}, priority: 0 });

    // The produce failed: the row waits again, as if never handed off.
    await until(() => failures.mock.calls.some(([m]) => String(m).includes(`could not hand off the tasks of ${name}`)), 'a failed produce');
    const [row] = await ds.query('SELECT leased_until, awaiting_start, poll_count FROM task_queue WHERE workflow_id = $1', [workflowId]);
    expect(row).toEqual({ leased_until: null, awaiting_start: false, poll_count: 0 });

    bus.brokerDown = false;
    const produced = await until(() => bus.ofTopic<KafkaTaskMessage>(workerTopicOf(name)).find((m) => m.task.workflowInstanceId === workflowId), 'the produce once the broker is back');
    expect(produced.task).toMatchObject({ status: 'SCHEDULED', pollCount: 1 });
    expect(await ds.query('SELECT awaiting_start, poll_count FROM task_queue WHERE workflow_id = $1 AND leased_until IS NOT NULL', [workflowId])).toEqual([{ awaiting_start: true, poll_count: 1 }]);
    failures.mockRestore();
  });
});

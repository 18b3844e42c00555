import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestDatabase, TestDatabase } from '../support/database';
import { testInfra } from '../support/infra';
import { ConductorClient } from './harness/conductor-client';
import { greet, greetingTaskDefs, greetingWorkflow, shout } from './harness/fixtures';
import { executionCoreSuite } from './harness/execution-core.suite';
import { workflowApiSuite } from './harness/workflow-api.suite';
import { jsSdkSuite } from './harness/js-sdk.suite';
import { pythonSdkSuite } from './harness/python-sdk.suite';
import { phasesSuite } from './harness/phases.suite';
import { daprSuite } from './harness/dapr.suite';
import { kafkaWorkersSuite } from './harness/kafka-workers.suite';
import { limitsSuite } from './harness/limits.suite';
import { metadataApiSuite } from './harness/metadata-api.suite';
import { rillFlowApiSuite } from './harness/rill-flow-api.suite';
import { rillFlowRunSuite } from './harness/rill-flow-run.suite';
import { searchSuite } from './harness/search.suite';
import { uiSuite } from './harness/ui.suite';
import { freePort, ServiceProcess } from './harness/service-process';
import { PollingWorker } from './harness/worker';

jest.setTimeout(300_000);

/**
 * Distributed mode: gateway, metadata, two executors and the indexer as separate processes over real
 * Kafka, Postgres and OpenSearch (search), driven through the Conductor HTTP API. Each run gets its own database and its own
 * Kafka namespace (KAFKA_TOPIC_PREFIX), so runs never see each other's messages.
 */
describe('distributed mode (separate processes over Kafka and Postgres)', () => {
  const infra = testInfra();
  const namespace = `e2e-${randomBytes(3).toString('hex')}.`;
  let db: TestDatabase;
  let api: ConductorClient;
  const services: ServiceProcess[] = [];

  const env = (extra: Record<string, string> = {}) => ({
    DATABASE_URL: db.url,
    KAFKA_BROKERS: infra.kafkaBrokers,
    KAFKA_TOPIC_PREFIX: namespace,
    KAFKA_PARTITIONS: '6',
    // Search on OpenSearch, in indices of this run's own.
    OPENSEARCH_URL: infra.opensearchUrl,
    SEARCH_INDEX_PREFIX: `${namespace.replace(/[^a-z0-9-]/g, '')}_`,
    LOG_LEVEL: 'log',
    // Change streams never fall back on their periodic read during a run: what reaches a client was pushed.
    BATON_STREAM_HEARTBEAT_MS: '600000',
    ...extra,
  });

  const runToExit = async (p: ServiceProcess): Promise<void> => {
    p.start();
    const code = await new Promise<number | null>((resolve) => {
      const check = setInterval(() => {
        const exit = (p as unknown as { child: { exitCode: number | null } }).child.exitCode;
        if (exit !== null) {
          clearInterval(check);
          resolve(exit);
        }
      }, 50);
    });
    if (code !== 0) throw new Error(`${p.name} exited ${code}: ${p.tail()}`);
  };

  beforeAll(async () => {
    db = await createTestDatabase('baton_e2e');
    await runToExit(new ServiceProcess('migrate', 'dist/libs/persistence/src/migrate.main.js', env()));
    const port = await freePort();
    api = new ConductorClient(`http://127.0.0.1:${port}`);
    services.push(
      new ServiceProcess('metadata', 'dist/apps/metadata/src/main.js', env()),
      new ServiceProcess('executor-1', 'dist/apps/executor/src/main.js', env({ BATON_INSTANCE_ID: 'executor-1' })),
      new ServiceProcess('executor-2', 'dist/apps/executor/src/main.js', env({ BATON_INSTANCE_ID: 'executor-2' })),
      new ServiceProcess('indexer', 'dist/apps/indexer/src/main.js', env()),
      new ServiceProcess('gateway', 'dist/apps/gateway/src/main.js', env({ PORT: String(port) })),
    );
    services.forEach((s) => s.start());
    await Promise.all(services.map((s) => s.waitForOutput(/is up \(bus: kafka/)));
    await api.waitHealthy();
    await api.registerTaskDefs(greetingTaskDefs);
    await api.registerWorkflow(greetingWorkflow());
  });

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await db?.drop();
  });

  describe('the metadata and event-handler API (through Kafka to the metadata app)', () => metadataApiSuite(() => api));

  describe('Rill Flow descriptors', () => rillFlowApiSuite(() => api));
  describe('running Rill Flow DAGs', () => rillFlowRunSuite(() => api));
  describe('search: Conductor\'s search API', () => searchSuite(() => api));

  describe('the workflow API: StartWorkflowRequest, idempotency keys', () => workflowApiSuite(() => api));

  describe('the published Conductor JavaScript SDK', () => jsSdkSuite(() => api.baseUrl));

  describe('the published Conductor Python SDK (conductor-python 2.0.0)', () => pythonSdkSuite(() => api.baseUrl));

  describe('the Dapr Workflow HTTP API', () => daprSuite(() => api));

  describe('task phases: monitor and saga compensation', () => phasesSuite(() => api, () => ({ brokers: infra.kafkaBrokers, prefix: namespace })));

  describe('native Kafka workers (the worker SDK over Kafka)', () => kafkaWorkersSuite(() => api, () => ({ KAFKA_BROKERS: infra.kafkaBrokers, KAFKA_TOPIC_PREFIX: namespace })));

  describe('the execution core: timers, leases, control flow', () => executionCoreSuite(() => api));

  describe('task definition limits: concurrentExecLimit and rate limits', () => limitsSuite(() => api));

  describe('the web UI in headless Chromium (served by the gateway process)', () => uiSuite(() => api));

  it('refuses to start a service against an unmigrated database, naming the fix', async () => {
    const empty = await createTestDatabase('baton_e2e_empty');
    try {
      const p = new ServiceProcess('executor-unmigrated', 'dist/apps/executor/src/main.js', { ...env(), DATABASE_URL: empty.url }).start();
      await p.waitForOutput('npm run migrate');
      await p.stop();
    } finally {
      await empty.drop();
    }
  });

  it('refuses to start a service without DATABASE_URL and KAFKA_BROKERS, naming both', async () => {
    const p = new ServiceProcess('gateway-unconfigured', 'dist/apps/gateway/src/main.js', { DATABASE_URL: '', KAFKA_BROKERS: '' }).start();
    await p.waitForOutput(/DATABASE_URL is required[\s\S]*KAFKA_BROKERS is required/);
    await p.stop();
  });

  it("runs the linear workflow to COMPLETED, task 1's output reaching task 2's input", async () => {
    const greeter = new PollingWorker(api, 'e2e_greet', 'greeter', (t) => greet(t.inputData)).start();
    const shouter = new PollingWorker(api, 'e2e_shout', 'shouter', (t) => shout(t.inputData)).start();
    try {
      const id = await api.startWorkflow('greeting', { name: 'ada', times: 1 });
      const done = await api.waitForStatus(id, 'COMPLETED');
      expect(done.output).toEqual({ loud: 'HELLO ADA', from: 'hello ada' });
      expect(done.tasks.map((t) => t.inputData)).toEqual([{ who: 'ada' }, { text: 'hello ada', times: 1 }]);
    } finally {
      await Promise.all([greeter.stop(), shouter.stop()]);
    }
  });

  it('lets every accepted workflow finish when an executor restarts mid-run, each task handed out once', async () => {
    const workers = [
      new PollingWorker(api, 'e2e_greet', 'greet-r', (t) => greet(t.inputData)),
      new PollingWorker(api, 'e2e_shout', 'shout-r', (t) => shout(t.inputData)),
    ].map((w) => w.start());
    try {
      const ids = await Promise.all(Array.from({ length: 30 }, (_, i) => api.startWorkflow('greeting', { name: `restart${i}`, times: 1 })));

      // a rolling restart: the executor leaves its group cleanly, its partitions move, then it comes back
      const executor = services.find((s) => s.name === 'executor-1')!;
      expect(await executor.stop()).toBe(0);
      executor.start();
      await executor.waitForOutput(/is up \(bus: kafka/);

      const finished = await Promise.all(ids.map((id) => api.waitForStatus(id, 'COMPLETED', 120_000)));
      const tasks = finished.flatMap((wf) => wf.tasks);
      expect(tasks).toHaveLength(60);
      expect(tasks.every((t) => t.status === 'COMPLETED' && t.pollCount === 1)).toBe(true);
      const handedOut = workers.flatMap((w) => w.handled.map((t) => t.taskId)).filter((id) => tasks.some((t) => t.taskId === id));
      expect(new Set(handedOut).size).toBe(handedOut.length);
      expect(handedOut).toHaveLength(60);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  });

  it('lets every workflow finish when an executor is killed (SIGKILL) while workflows wait on timers and leases, each task completed once', async () => {
    const type = `crash_job_${namespace.slice(4, 10)}`;
    await api.registerTaskDefs([{ name: type, responseTimeoutSeconds: 3, retryCount: 3, retryDelaySeconds: 0 }]);
    await api.registerWorkflow({
      name: 'crash_wf',
      version: 1,
      tasks: [
        { name: type, taskReferenceName: 'first' },
        { name: 'pause', taskReferenceName: 'pause', type: 'WAIT', inputParameters: { duration: '2s' } },
        { name: type, taskReferenceName: 'second' },
      ],
    });
    const ids = await Promise.all(Array.from({ length: 20 }, () => api.startWorkflow('crash_wf', {})));
    // A worker takes half of the first tasks and dies with them: their leases must run out and be retried.
    const abandoned = await api.poll(type, 'dies', 10, 1000);
    expect(abandoned.length).toBeGreaterThan(0);
    const executor = services.find((s) => s.name === 'executor-1')!;
    await executor.kill();
    const worker = new PollingWorker(api, type, 'survivor', (t) => ({ by: t.taskId })).start();
    try {
      executor.start();
      await executor.waitForOutput(/is up \(bus: kafka/);
      const finished = await Promise.all(ids.map((id) => api.waitForStatus(id, 'COMPLETED', 180_000)));
      for (const wf of finished) {
        const completed = wf.tasks.filter((t) => t.status === 'COMPLETED');
        // first, pause and second each completed exactly once; every other attempt timed out.
        expect(completed.map((t) => t.referenceTaskName).sort()).toEqual(['first', 'pause', 'second']);
        expect(wf.tasks.filter((t) => t.status !== 'COMPLETED').every((t) => t.status === 'TIMED_OUT')).toBe(true);
      }
      const tasks = finished.flatMap((wf) => wf.tasks);
      const statusOf = new Map(tasks.map((t) => [t.taskId, t.status]));
      // Every abandoned lease ran out and was retried. (A survivor's lease can run out too while its
      // update waits for the killed executor's partitions to move: that attempt is retried as well.)
      expect(abandoned.map((t) => statusOf.get(t.taskId))).toEqual(abandoned.map(() => 'TIMED_OUT'));
      // Nothing was handed out twice, and every completed worker task is one the survivor was handed.
      const handedOut = worker.handled.map((t) => t.taskId);
      expect(new Set(handedOut).size).toBe(handedOut.length);
      const completedWork = tasks.filter((t) => t.status === 'COMPLETED' && t.referenceTaskName !== 'pause').map((t) => t.taskId);
      expect(completedWork).toHaveLength(40);
      expect(completedWork.every((id) => handedOut.includes(id))).toBe(true);
    } finally {
      await worker.stop();
    }
  });

  it('lets loops, dynamic forks and HTTP tasks finish when an executor is killed (SIGKILL) mid-run, each task completed once', async () => {
    // Runs are then loaded from the database, not the dead executor's memory: loop iterations and dynamic
    // branches must be found again from what their rows hold.
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const type = `crash_shape_${namespace.slice(4, 10)}`;
    await api.registerTaskDefs([{ name: type, responseTimeoutSeconds: 3, retryCount: 3, retryDelaySeconds: 0 }]);
    await api.registerWorkflow({
      name: 'crash_shapes',
      version: 1,
      tasks: [
        { name: 'loop', taskReferenceName: 'loop', type: 'DO_WHILE', loopCondition: '$.loop.iteration < 3', inputParameters: { keepLastN: 2 }, loopOver: [{ name: type, taskReferenceName: 'step' }] },
        { name: 'fan', taskReferenceName: 'fan', type: 'FORK_JOIN_DYNAMIC', inputParameters: { forkTaskName: type, forkTaskInputs: [1, 2] } },
        { name: 'gather', taskReferenceName: 'gather', type: 'JOIN' },
        { name: 'call', taskReferenceName: 'call', type: 'HTTP', inputParameters: { http_request: { uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, method: 'GET' } } },
      ],
    });
    const worker = new PollingWorker(api, type, 'shapes', (t) => ({ by: t.taskId })).start();
    try {
      const ids = await Promise.all(Array.from({ length: 10 }, () => api.startWorkflow('crash_shapes', {})));
      while (worker.handled.length < 12) await new Promise((resolve) => setTimeout(resolve, 50));
      const executor = services.find((s) => s.name === 'executor-1')!;
      await executor.kill();
      executor.start();
      await executor.waitForOutput(/is up \(bus: kafka/);

      const finished = await Promise.all(ids.map((id) => api.waitForStatus(id, 'COMPLETED', 180_000)));
      for (const wf of finished) {
        const completed = wf.tasks.filter((t) => t.status === 'COMPLETED').map((t) => t.referenceTaskName);
        // keepLastN 2: the first iteration's task is gone from the run; everything else completed once.
        expect(completed.sort()).toEqual([`_${type}_0`, `_${type}_1`, 'call', 'fan', 'gather', 'loop', 'step__2', 'step__3'].sort());
        expect(wf.tasks.filter((t) => t.status !== 'COMPLETED').every((t) => t.status === 'TIMED_OUT')).toBe(true);
      }
      const handedOut = worker.handled.map((t) => t.taskId);
      expect(new Set(handedOut).size).toBe(handedOut.length);
    } finally {
      await worker.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('completes 50 workflows across two executors, each task handed out and completed exactly once', async () => {
    const workers = [
      new PollingWorker(api, 'e2e_greet', 'greet-a', (t) => greet(t.inputData)),
      new PollingWorker(api, 'e2e_greet', 'greet-b', (t) => greet(t.inputData)),
      new PollingWorker(api, 'e2e_shout', 'shout-a', (t) => shout(t.inputData)),
      new PollingWorker(api, 'e2e_shout', 'shout-b', (t) => shout(t.inputData)),
    ].map((w) => w.start());
    let ids: string[] = [];
    try {
      ids = await Promise.all(Array.from({ length: 50 }, (_, i) => api.startWorkflow('greeting', { name: `user${i}`, times: 1 })));
      expect(new Set(ids).size).toBe(50);

      const finished = await Promise.all(ids.map((id) => api.waitForStatus(id, 'COMPLETED', 120_000)));

      finished.forEach((wf, i) => expect(wf.output).toEqual({ loud: `HELLO USER${i}`, from: `hello user${i}` }));
      const tasks = finished.flatMap((wf) => wf.tasks);
      expect(tasks).toHaveLength(100);
      expect(tasks.every((t) => t.status === 'COMPLETED' && t.pollCount === 1)).toBe(true);
      const handedOut = workers.flatMap((w) => w.handled.map((t) => t.taskId)).filter((id) => tasks.some((t) => t.taskId === id));
      expect(handedOut).toHaveLength(100);
      expect(new Set(handedOut).size).toBe(100);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }

    // Both executors took part: after the last rebalance each owns some of the command partitions.
    for (const executor of services.filter((s) => s.name.startsWith('executor'))) {
      const assignments = executor.tail(100_000).split('\n').filter((l) => l.includes('group') && l.includes('assigned:'));
      expect(assignments.pop()).toMatch(new RegExp(`${namespace.replace('.', '\\.')}baton\\.executor\\.commands\\.v1\\[\\d`));
    }

    // The indexer projected every execution of this test into OpenSearch (eventually: it consumes asynchronously).
    const ofThese = `workflowId IN (${ids.join(', ')}) AND status = COMPLETED`;
    const count = async (index: 'workflow' | 'tasks') => (await api.expectOk<{ totalHits: number }>('GET', `/api/${index}/search?size=0&query=${encodeURIComponent(ofThese)}`)).body.totalHits;
    const deadline = Date.now() + 60_000;
    let found = { workflows: 0, tasks: 0 };
    while (Date.now() < deadline) {
      // Task and workflow events travel on topics of their own: each count catches up on its own.
      found = { workflows: await count('workflow'), tasks: await count('tasks') };
      if (found.workflows >= 50 && found.tasks >= 100) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(found).toEqual({ workflows: 50, tasks: 100 });
  });
});

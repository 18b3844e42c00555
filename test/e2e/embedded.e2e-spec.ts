import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { ConductorClient, WorkflowView } from './harness/conductor-client';
import { greet, greetingTaskDefs, greetingWorkflow, shout } from './harness/fixtures';
import { executionCoreSuite } from './harness/execution-core.suite';
import { workflowApiSuite } from './harness/workflow-api.suite';
import { jsSdkSuite } from './harness/js-sdk.suite';
import { pythonSdkSuite } from './harness/python-sdk.suite';
import { phasesSuite } from './harness/phases.suite';
import { daprSuite } from './harness/dapr.suite';
import { limitsSuite } from './harness/limits.suite';
import { metadataApiSuite } from './harness/metadata-api.suite';
import { rillFlowApiSuite } from './harness/rill-flow-api.suite';
import { rillFlowRunSuite } from './harness/rill-flow-run.suite';
import { searchSuite } from './harness/search.suite';
import { uiSuite } from './harness/ui.suite';
import { freePort, ServiceProcess } from './harness/service-process';

jest.setTimeout(180_000);

/**
 * Embedded mode as a user runs it (`npm start`): one process, its own PostgreSQL on a data directory,
 * the in-process bus, driven only through the Conductor HTTP API.
 */
describe('embedded mode (one process)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-e2e-'));
  let port: number;
  let pgPort: number;
  let baton: ServiceProcess;
  let api: ConductorClient;

  const startBaton = async () => {
    baton = new ServiceProcess('embedded', 'dist/apps/embedded/src/main.js', {
      PORT: String(port),
      BATON_DATA_DIR: dataDir,
      BATON_PG_PORT: String(pgPort),
      DATABASE_URL: '',
      KAFKA_BROKERS: '',
      // The worker SDK's example runs in the process as a native worker on the in-process bus.
      BATON_EXAMPLE_WORKER: 'true',
      // Change streams never fall back on their periodic read during a run: what reaches a client was pushed.
      BATON_STREAM_HEARTBEAT_MS: '600000',
    }).start();
    await baton.waitForOutput('Baton is running');
    await api.waitHealthy();
  };

  /** Row counts straight from the embedded database, to prove a rejected request wrote nothing. */
  const counts = async () => {
    const pg = new Client({ connectionString: `postgres://baton:baton@127.0.0.1:${pgPort}/baton` });
    await pg.connect();
    try {
      const { rows } = await pg.query(
        `SELECT (SELECT count(*) FROM workflow)::int AS workflows, (SELECT count(*) FROM task)::int AS tasks,
                (SELECT count(*) FROM task_queue)::int AS queued, (SELECT count(*) FROM workflow_def)::int AS defs`,
      );
      return rows[0];
    } finally {
      await pg.end();
    }
  };

  const runTask = async (taskType: string, workflowId: string, handler: (input: Record<string, unknown>) => Record<string, unknown>) => {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const tasks = await api.poll(taskType, 'e2e-worker', 10, 1000);
      const mine = tasks.find((t) => t.workflowInstanceId === workflowId);
      for (const t of tasks) await api.complete(t, handler(t.inputData));
      if (mine) return mine;
    }
    throw new Error(`no ${taskType} task for ${workflowId}`);
  };

  beforeAll(async () => {
    port = await freePort();
    pgPort = await freePort();
    api = new ConductorClient(`http://127.0.0.1:${port}`);
    await startBaton();
  });

  afterAll(async () => {
    await baton?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers GET /health with {"healthy":true}', async () => {
    const r = await api.call<{ healthy: boolean }>('GET', '/health');
    expect(r.status).toBe(200);
    expect(r.body.healthy).toBe(true);
  });

  it("runs a linear workflow to COMPLETED, task 1's output reaching task 2's input", async () => {
    await api.registerTaskDefs(greetingTaskDefs);
    await api.registerWorkflow(greetingWorkflow());

    const started = await api.call('POST', '/api/workflow/greeting', { name: 'ada', times: 2 });
    expect(started.status).toBe(200);
    expect(started.contentType).toMatch(/^text\/plain/);
    const id = started.text;
    expect((await api.workflow(id)).status).toBe('RUNNING');

    const first = await runTask('e2e_greet', id, greet);
    expect(first).toMatchObject({ status: 'IN_PROGRESS', pollCount: 1, inputData: { who: 'ada' } });
    const second = await runTask('e2e_shout', id, shout);
    expect(second.inputData).toEqual({ text: 'hello ada', times: 2 });

    const done = await api.waitForStatus(id, 'COMPLETED');
    expect(done.output).toEqual({ loud: 'HELLO ADAHELLO ADA', from: 'hello ada' });
    expect(done.tasks.map((t) => [t.referenceTaskName, t.status])).toEqual([
      ['greet', 'COMPLETED'],
      ['shout', 'COMPLETED'],
    ]);
  });

  it('runs a KAFKA-delivered task on the in-process bus: the example native worker, with npm start alone', async () => {
    await api.expectOk('POST', '/api/metadata/taskdefs', [{ name: 'greet', deliveryMode: 'KAFKA', retryCount: 1, responseTimeoutSeconds: 10 }]);
    await api.registerWorkflow({ name: 'greeting_native', version: 1, tasks: [{ name: 'greet', taskReferenceName: 'greet', inputParameters: { name: '${workflow.input.name}' } }] });
    const ids = await Promise.all(['ada', 'grace', 'linus'].map((name) => api.startWorkflow('greeting_native', { name })));
    const done = await Promise.all(ids.map((id) => api.waitForStatus(id, 'COMPLETED')));
    expect(done.map((wf) => wf.output)).toEqual([{ greeting: 'Hello, ada!' }, { greeting: 'Hello, grace!' }, { greeting: 'Hello, linus!' }]);
    expect(done[0].tasks[0]).toMatchObject({ status: 'COMPLETED', workerId: 'embedded-example' });
    // Its tasks never reach HTTP pollers.
    expect(await api.poll('greet', 'http', 1, 100)).toEqual([]);
  });

  describe('bad input gets a Conductor error body and changes nothing', () => {
    const expectConductorError = (r: { status: number; contentType: string; body: unknown }, status: number) => {
      expect(r.status).toBe(status);
      expect(r.contentType).toMatch(/^application\/json/);
      expect(r.body).toEqual(expect.objectContaining({ status, message: expect.any(String), instance: expect.any(String), retryable: false }));
    };

    it('404s a start of an unknown workflow', async () => {
      const before = await counts();
      const r = await api.call('POST', '/api/workflow/no_such_workflow', { a: 1 });
      expectConductorError(r, 404);
      expect((r.body as { message: string }).message).toBe('No such workflow found by name: no_such_workflow, version: null');
      expect(await counts()).toEqual(before);
    });

    it('400s malformed JSON', async () => {
      const before = await counts();
      const r = await api.call('POST', '/api/workflow/greeting', undefined, '{"name": "ada",');
      expectConductorError(r, 400);
      const r2 = await api.call('POST', '/api/metadata/workflow', undefined, '{not json');
      expectConductorError(r2, 400);
      expect(await counts()).toEqual(before);
    });

    it('404s a task update for an unknown task', async () => {
      const id = await api.startWorkflow('greeting', { name: 'bob' });
      const before = await counts();
      const r = await api.call('POST', '/api/tasks', { workflowInstanceId: id, taskId: '00000000-0000-4000-8000-000000000000', status: 'COMPLETED' });
      expectConductorError(r, 404);
      expect((r.body as { message: string }).message).toBe('No such task found by id: 00000000-0000-4000-8000-000000000000');
      expect(await counts()).toEqual(before);
      expect((await api.workflow(id)).tasks.map((t) => t.status)).toEqual(['SCHEDULED']);
    });

    it('400s a task update that misses required fields, naming each field', async () => {
      const r = await api.call('POST', '/api/tasks', { status: 'DONE' });
      expectConductorError(r, 400);
      const paths = (r.body as { validationErrors: Array<{ path: string }> }).validationErrors.map((e) => e.path).sort();
      expect(paths).toEqual(['status', 'taskId', 'workflowInstanceId']);
    });

    it('400s an invalid workflow definition with one entry per problem', async () => {
      const before = await counts();
      const r = await api.call('POST', '/api/metadata/workflow', { name: 'bad', tasks: [{ name: 'a', taskReferenceName: 'x' }, { name: 'b', taskReferenceName: 'x' }] });
      expectConductorError(r, 400);
      expect((r.body as { validationErrors: Array<{ path: string }> }).validationErrors.map((e) => e.path)).toEqual(['tasks[1].taskReferenceName']);
      expect(await counts()).toEqual(before);
    });

    it('400s out-of-range query parameters', async () => {
      expectConductorError(await api.call('POST', '/api/workflow/greeting?priority=500', {}), 400);
      expectConductorError(await api.call('GET', '/api/tasks/poll/batch/e2e_greet?timeout=6000'), 400);
    });

    it('400s input the database could not store, instead of failing with a 500', async () => {
      const before = await counts();
      expectConductorError(await api.call('POST', '/api/workflow/greeting', undefined, '{"name":"nul \\u0000 char"}'), 400);
      expectConductorError(await api.call('POST', `/api/workflow/greeting?correlationId=${'c'.repeat(300)}`, {}), 400);
      expectConductorError(await api.call('POST', '/api/workflow/greeting?version=3000000000', {}), 400);
      expectConductorError(await api.call('GET', '/api/metadata/workflow/greeting?version=3000000000'), 400);
      expectConductorError(await api.call('POST', '/api/metadata/workflow', { name: 'huge', version: 3000000000, tasks: [{ name: 'a', taskReferenceName: 'a' }] }), 400);
      const id = await api.startWorkflow('greeting', { name: 'x' });
      const [task] = (await api.workflow(id)).tasks;
      expectConductorError(await api.call('POST', '/api/tasks', { workflowInstanceId: id, taskId: task.taskId, status: 'IN_PROGRESS', callbackAfterSeconds: 1e13 }), 400);
      expect((await counts()).defs).toBe(before.defs);
    });

    it('404s an unknown workflow id and an unknown route', async () => {
      expectConductorError(await api.call('GET', '/api/workflow/not-a-workflow-id'), 404);
      expectConductorError(await api.call('GET', '/api/nothing/here'), 404);
    });
  });

  describe('the metadata and event-handler API', () => metadataApiSuite(() => api));

  describe('Rill Flow descriptors', () => rillFlowApiSuite(() => api));
  describe('running Rill Flow DAGs', () => rillFlowRunSuite(() => api));
  describe('search: Conductor\'s search API', () => searchSuite(() => api));
  describe('the web UI in headless Chromium', () => uiSuite(() => api));

  describe('the workflow API: StartWorkflowRequest, idempotency keys', () => workflowApiSuite(() => api));

  describe('the published Conductor JavaScript SDK', () => jsSdkSuite(() => api.baseUrl));

  describe('the published Conductor Python SDK (conductor-python 2.0.0)', () => pythonSdkSuite(() => api.baseUrl));

  describe('the Dapr Workflow HTTP API', () => daprSuite(() => api));

  describe('task phases: monitor and saga compensation', () => phasesSuite(() => api));

  describe('the execution core: timers, leases, control flow', () => executionCoreSuite(() => api));

  describe('task definition limits: concurrentExecLimit and rate limits', () => limitsSuite(() => api));

  it('keeps workflows across a restart: start, stop, start again, finish it', async () => {
    const id = await api.startWorkflow('greeting', { name: 'grace', times: 1 });
    await runTask('e2e_greet', id, greet);

    expect(await baton.stop()).toBe(0);
    await startBaton();

    const afterRestart: WorkflowView = await api.workflow(id);
    expect(afterRestart.status).toBe('RUNNING');
    expect(afterRestart.tasks.map((t) => [t.referenceTaskName, t.status])).toEqual([
      ['greet', 'COMPLETED'],
      ['shout', 'SCHEDULED'],
    ]);
    await runTask('e2e_shout', id, shout);
    expect((await api.waitForStatus(id, 'COMPLETED')).output).toEqual({ loud: 'HELLO GRACE', from: 'hello grace' });
  });
});

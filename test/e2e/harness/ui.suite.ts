import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { repoRoot } from '../../support/infra';
import { ConductorClient, WorkflowView } from './conductor-client';

/** Debian's chromium, installed by the provisioning (scripts/infra/chromium.sh, in up.sh); no browser download. */
function chromiumPath(): string {
  const env = join(repoRoot, '.infra', 'env');
  const fromFile = existsSync(env) ? /^CHROMIUM=(.+)$/m.exec(readFileSync(env, 'utf8'))?.[1] : undefined;
  const path = process.env.BATON_CHROMIUM ?? fromFile;
  if (!path || !existsSync(path)) throw new Error(`The web UI's e2e tests need chromium: run scripts/infra/up.sh (it installs Debian's chromium), or set BATON_CHROMIUM (found ${path ?? 'none'})`);
  return path;
}
/** Screenshots of each step, kept as test artefacts. */
const SHOTS = join(repoRoot, 'test-results', 'ui');

/**
 * The web UI in real headless Chromium: the executions grid finds a workflow started through the API, its
 * page draws the DAG with each task's status and follows it to COMPLETED on screen over the change stream
 * (no polling), a failed run is retried and a finished one rerun from a task by clicking, a terminate with a
 * reason and bulk actions are done from the pages, a dynamic fork of 50, a loop of 20 and a 1,000-task run
 * render, and the queues page shows a queue's depth and its worker.
 */
export function uiSuite(getApi: () => ConductorClient): void {
  const api = () => getApi();
  const run = randomBytes(3).toString('hex');
  const type = `ui_flow_${run}`;
  const work = `ui_work_${run}`;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  /** Searches until `selector` shows: in distributed mode the grid reads OpenSearch, which shows a new workflow after its refresh. */
  const searchUntil = async (selector: string) => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      await page.click('button:has-text("Search")');
      try {
        await page.waitForSelector(selector, { timeout: 1500 });
        return;
      } catch (e) {
        if (Date.now() > deadline) throw e;
      }
    }
  };
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${run}-${name}.png`) });

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await api().registerTaskDefs([{ name: work, retryCount: 0 }]);
    await api().registerWorkflow({
      name: type,
      version: 1,
      tasks: [
        { name: work, taskReferenceName: 'first', type: 'SIMPLE' },
        {
          name: 'fork',
          taskReferenceName: 'fork',
          type: 'FORK_JOIN',
          forkTasks: [[{ name: work, taskReferenceName: 'left', type: 'SIMPLE' }], [{ name: 'approve', taskReferenceName: 'approve', type: 'HUMAN' }]],
        },
        { name: 'join', taskReferenceName: 'join', type: 'JOIN', joinOn: ['left', 'approve'] },
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  afterEach(async () => {
    // The page as each test left it (what a failure looked like), then each test answers for its own page
    // errors (emptied here, so one failure does not fail the rest).
    // (Jest's test name is the describes' and the test's, joined: its end tells the tests apart.)
    const name = (expect.getState().currentTestName ?? 'test').replace(/[^a-z0-9]+/gi, '-').slice(-60);
    await page.screenshot({ path: join(SHOTS, `${run}-end-${name}.png`) }).catch(() => undefined);
    expect(errors.splice(0)).toEqual([]);
  });

  it('lists an execution, draws its DAG, and follows it to COMPLETED on screen', async () => {
    const id = await api().startWorkflow(type, { order: 7 });
    await page.goto(`${api().baseUrl}/ui/`);
    await page.waitForSelector('table.grid tbody tr');
    await shot('executions-all');
    await page.fill('input[placeholder="name, name2"]', type);
    await searchUntil(`a:has-text("${id}")`);
    await shot('executions');
    // Every read of this workflow the page makes, by URL: once the stream is up, changes must come over it.
    const reads: string[] = [];
    const onRequest = (r: { url(): string }) => r.url().includes(id) && reads.push(new URL(r.url()).pathname);
    page.on('request', onRequest);
    await page.click(`a:has-text("${id}")`);
    for (const ref of ['first', 'fork', 'left', 'approve', 'join']) await page.waitForSelector(`.react-flow__node:has-text("${ref}")`);
    await page.waitForSelector('.live:has-text("live")');
    await shot('running');
    const readsBefore = reads.length;

    // Complete the work from outside; the page follows on its own.
    const complete = async () => {
      const [task] = await api().poll(work, 'ui-e2e', 1, 2000);
      await api().complete(task, { done: true });
    };
    await complete();
    await complete();
    const approve = (await api().workflow(id)).tasks.find((t) => t.referenceTaskName === 'approve');
    await api().expectOk('POST', '/api/tasks', { workflowInstanceId: id, taskId: approve?.taskId, status: 'COMPLETED', outputData: { by: 'ada' } });
    await page.waitForSelector('.exec-header .badge:has-text("COMPLETED")', { timeout: 15_000 });
    await page.waitForSelector('.react-flow__node.status-COMPLETED:has-text("join")');
    await shot('completed');
    page.off('request', onRequest);
    // Three task completions and the workflow's end reached the page with no request of its own (the stream is one long request).
    expect(reads.slice(readsBefore)).toEqual([]);
    expect(reads.filter((r) => r.endsWith('/stream'))).toEqual([`/api/workflow/${id}/stream`]);
  });

  it('retries a failed execution from its page, and it runs on to COMPLETED on screen', async () => {
    const failing = `ui_failing_${run}`;
    await api().registerTaskDefs([{ name: failing, retryCount: 0 }]);
    await api().registerWorkflow({ name: failing, version: 1, tasks: [{ name: failing, taskReferenceName: 'flaky', type: 'SIMPLE' }] });
    const id = await api().startWorkflow(failing, {});
    const [first] = await api().poll(failing, 'ui-e2e', 1, 5000);
    await api().expectOk('POST', '/api/tasks', { workflowInstanceId: id, taskId: first.taskId, status: 'FAILED', reasonForIncompletion: 'downstream is down' });
    await api().waitForStatus(id, 'FAILED');

    await page.goto(`${api().baseUrl}/ui/execution/${id}`);
    await page.waitForSelector('.exec-header .error:has-text("downstream is down")');
    await page.waitForSelector('.react-flow__node.status-FAILED:has-text("flaky")');
    await shot('failed');
    await page.click('.exec-header button:has-text("Retry")');
    await page.waitForSelector('.exec-header .badge:has-text("RUNNING")', { timeout: 15_000 });
    const [second] = await api().poll(failing, 'ui-e2e', 1, 5000);
    expect(second.retryCount).toBe(1);
    await api().complete(second, { ok: true });
    await page.waitForSelector('.exec-header .badge:has-text("COMPLETED")', { timeout: 15_000 });
    // The retried node shows both attempts; the panel lets one open either.
    await page.click('.react-flow__node:has-text("flaky")');
    await page.waitForSelector('.panel .attempts button:has-text("0")');
    await shot('retried');
  });

  it('reruns a finished execution from a task chosen on the DAG', async () => {
    const steps = `ui_steps_${run}`;
    await api().registerWorkflow({
      name: steps,
      version: 1,
      tasks: [
        { name: 'one', taskReferenceName: 'one', type: 'INLINE', inputParameters: { evaluatorType: 'javascript', expression: '1' } },
        { name: 'gate', taskReferenceName: 'gate', type: 'HUMAN' },
      ],
    });
    const id = await api().startWorkflow(steps, {});
    const gate = (await api().waitFor(id, (wf) => wf.tasks.some((t) => t.referenceTaskName === 'gate'))).tasks.find((t) => t.referenceTaskName === 'gate')!;
    await api().expectOk('POST', '/api/tasks', { workflowInstanceId: id, taskId: gate.taskId, status: 'COMPLETED', outputData: {} });
    await api().waitForStatus(id, 'COMPLETED');

    await page.goto(`${api().baseUrl}/ui/execution/${id}`);
    await page.click('.react-flow__node:has-text("gate")');
    page.once('dialog', (d) => void d.accept());
    await page.click('.panel button:has-text("Rerun from here")');
    await page.waitForSelector('.exec-header .badge:has-text("RUNNING")', { timeout: 15_000 });
    await page.waitForSelector('.react-flow__node.status-IN_PROGRESS:has-text("gate")');
    await shot('rerun');
    const wf = await api().workflow(id);
    expect(wf.tasks.map((t) => [t.referenceTaskName, t.status])).toEqual([
      ['one', 'COMPLETED'],
      ['gate', 'IN_PROGRESS'],
    ]);

    // Complete the HUMAN task from its panel.
    await page.fill('.panel .complete textarea', '{"approved": true}');
    await page.click('.panel .complete button:has-text("Complete")');
    await page.waitForSelector('.exec-header .badge:has-text("COMPLETED")', { timeout: 15_000 });
    expect((await api().workflow(id)).tasks.find((t) => t.referenceTaskName === 'gate')!.outputData).toEqual({ approved: true });
  });

  it('terminates a running execution with a reason from its page', async () => {
    const id = await api().startWorkflow(type, {});
    await page.goto(`${api().baseUrl}/ui/execution/${id}`);
    await page.waitForSelector('.react-flow__node:has-text("first")');
    page.once('dialog', (d) => void d.accept('stopped from the UI'));
    await page.click('button:has-text("Terminate")');
    await page.waitForSelector('.badge:has-text("TERMINATED")', { timeout: 15_000 });
    await shot('terminated');
    expect((await api().workflow(id)).reasonForIncompletion).toBe('stopped from the UI');
  });

  it('terminates two selected executions at once from the grid, with a reason', async () => {
    const ids = [await api().startWorkflow(type, { bulk: 1 }), await api().startWorkflow(type, { bulk: 2 })];
    await page.goto(`${api().baseUrl}/ui/`);
    await page.fill('input[placeholder="name, name2"]', type);
    await page.selectOption('.filters select', 'RUNNING');
    for (const id of ids) await searchUntil(`input[aria-label="Select ${id}"]`);
    for (const id of ids) await page.check(`input[aria-label="Select ${id}"]`);
    page.once('dialog', (d) => void d.accept('bulk stop'));
    await page.click('.bulk button:has-text("Terminate")');
    await page.waitForSelector('.notice:has-text("Terminate: 2 done")');
    await shot('bulk-terminated');
    for (const id of ids) expect(await api().waitForStatus(id, 'TERMINATED')).toMatchObject({ reasonForIncompletion: 'bulk stop' });
  });

  it('renders a dynamic fork of 50 branches and a loop of 20 iterations, each node with its status', async () => {
    const shapes = `ui_shapes_${run}`;
    await api().registerWorkflow({
      name: shapes,
      version: 1,
      tasks: [
        { name: 'fan', taskReferenceName: 'fan', type: 'FORK_JOIN_DYNAMIC', dynamicForkTasksParam: 'tasks', dynamicForkTasksInputParamName: 'inputs', inputParameters: { tasks: '${workflow.input.tasks}', inputs: '${workflow.input.inputs}' } },
        { name: 'gather', taskReferenceName: 'gather', type: 'JOIN' },
        { name: 'loop', taskReferenceName: 'loop', type: 'DO_WHILE', loopCondition: '$.loop.iteration < 20', loopOver: [{ name: 'step', taskReferenceName: 'step', type: 'INLINE', inputParameters: { evaluatorType: 'javascript', expression: '$.i * 2', i: '${loop.output.iteration}' } }] },
      ],
    });
    const tasks = Array.from({ length: 50 }, (_, i) => ({ name: 'branch', taskReferenceName: `branch_${i}`, type: 'INLINE', inputParameters: { evaluatorType: 'javascript', expression: '$.n + 1' } }));
    const id = await api().startWorkflow(shapes, { tasks, inputs: Object.fromEntries(tasks.map((t, i) => [t.taskReferenceName, { n: i }])) });
    await api().waitForStatus(id, 'COMPLETED');

    await page.goto(`${api().baseUrl}/ui/execution/${id}`);
    await page.waitForSelector('.react-flow__node:has-text("branch_49")', { timeout: 20_000 });
    expect(await page.locator('.react-flow__node.dynamic.status-COMPLETED').count()).toBe(50);
    await page.waitForSelector('.react-flow__node:has-text("20 iterations")');
    await shot('fork-50-loop-20');
    // A body task's panel walks its iterations.
    await page.click('.react-flow__node:has-text("step")');
    await page.waitForSelector('.panel .iterations button:has-text("20")');
    await page.click('.panel .iterations button:text-is("3")');
    await page.waitForSelector('.panel h2:has-text("step__3")');
    await page.click('button:has-text("Tasks (")');
    expect(await page.locator('.exec-main table.grid tbody tr').count()).toBe(1 + 50 + 1 + 1 + 20);
    await shot('fork-50-loop-20-tasks');
  });

  it('opens a 1,000-task execution without freezing the page: the fork drawn grouped, the task list and timeline whole', async () => {
    const big = `ui_big_${run}`;
    await api().registerWorkflow({
      name: big,
      version: 1,
      tasks: [
        { name: 'fan', taskReferenceName: 'fan', type: 'FORK_JOIN_DYNAMIC', dynamicForkTasksParam: 'tasks', dynamicForkTasksInputParamName: 'inputs', inputParameters: { tasks: '${workflow.input.tasks}', inputs: '${workflow.input.inputs}' } },
        { name: 'gather', taskReferenceName: 'gather', type: 'JOIN' },
      ],
    });
    const tasks = Array.from({ length: 1000 }, (_, i) => ({ name: 'cell', taskReferenceName: `cell_${i}`, type: 'INLINE', inputParameters: { evaluatorType: 'javascript', expression: '$.n' } }));
    const id = await api().startWorkflow(big, { tasks, inputs: Object.fromEntries(tasks.map((t, i) => [t.taskReferenceName, { n: i }])) });
    await api().waitForStatus(id, 'COMPLETED', 120_000);

    await page.goto(`${api().baseUrl}/ui/execution/${id}`);
    // Measure the page's longest stall (between animation frames) while it loads, lays out and draws.
    // (Browser code as text: this file compiles without the DOM's types.)
    await page.evaluate(`(() => {
      window.maxGap = 0;
      let last = performance.now();
      const tick = (t) => { window.maxGap = Math.max(window.maxGap, t - last); last = t; requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
    })()`);
    // A thousand branches alike are one node that says so; the task list and timeline have each of them.
    await page.waitForSelector('.react-flow__node.kind-branch-group:has-text("1000 × cell")', { timeout: 60_000 });
    const drawn = await page.locator('.react-flow__node').count();
    await shot('thousand');
    await page.click('button:has-text("Tasks (")');
    expect(await page.locator('.exec-main table.grid tbody tr').count()).toBe(1002);
    await page.click('button:has-text("Timeline")');
    expect(await page.locator('.timeline-row').count()).toBe(1002);
    const maxGap = (await page.evaluate('window.maxGap')) as number;
    // Reported, not asserted: the machines are noisy.
    console.log(`a 1,000-task execution: ${drawn} DAG nodes; the page's longest stall between frames while it loaded and drew the graph, the task list and the timeline: ${maxGap.toFixed(0)} ms`);
  });

  it('lists a definition, draws it, shows a validation error on its line in the JSON editor, and saves a new version', async () => {
    await page.goto(`${api().baseUrl}/ui/definitions`);
    await page.fill('input[aria-label="Filter"]', type);
    await page.click(`a:has-text("${type}")`);
    for (const ref of ['first', 'fork', 'left', 'approve', 'join']) await page.waitForSelector(`.react-flow__node:has-text("${ref}")`);
    await shot('definition-diagram');

    await page.click('nav.tabs button:has-text("JSON")');
    const editor = page.locator('textarea[aria-label="Workflow definition JSON"]');
    const text = await editor.inputValue();
    // Empty the JOIN's reference: the registry refuses it, naming tasks[2].taskReferenceName.
    const broken = text.replace('"taskReferenceName": "join"', '"taskReferenceName": ""');
    expect(broken).not.toBe(text);
    await editor.fill(broken);
    await page.click('.je-toolbar button:has-text("Validate")');
    const problem = page.locator('.je-problems li', { hasText: 'tasks[2].taskReferenceName' });
    await problem.waitFor();
    const line = broken.split('\n').findIndex((l) => l.includes('"taskReferenceName": ""')) + 1;
    await expect(problem.locator('.je-where').textContent()).resolves.toBe(`line ${line}`);
    expect(await page.locator('.je-ln.bad').allTextContents()).toEqual([expect.stringContaining(String(line))]);
    await shot('definition-error');
    // The 400 the validation answered is the browser's console error of this step: expected, and only it.
    expect(errors.splice(0)).toEqual([expect.stringContaining('status of 400')]);

    // Fixed and saved as version 2: the registry has it.
    await editor.fill(broken.replace('"taskReferenceName": ""', '"taskReferenceName": "join"'));
    await page.click('.je-toolbar button:has-text("Save as v2")');
    await page.waitForURL(new RegExp(`/ui/definitions/${type}/2$`));
    expect((await api().expectOk<{ version: number }>('GET', `/api/metadata/workflow/${type}?version=2`)).body.version).toBe(2);

    // Start it from its page: the execution opens.
    await page.click('button:has-text("Start…")');
    await page.click('.start-panel button:text-is("Start")');
    await page.waitForURL(/\/ui\/execution\//);
    await page.waitForSelector('.react-flow__node:has-text("first")');
  });

  it('shows a Rill Flow DAG registered through its API: the diagram and the YAML as written', async () => {
    const business = `uirill${run}`;
    const yaml = [`version: 20230829`, `workspace: ${business}`, `dagName: checkout`, `type: flow`, `tasks:`, `  - category: pass`, `    name: begin`, `    next: finish`, `  - category: pass`, `    name: finish`, ''].join('\n');
    const added = await api().call('POST', `/flow/bg/manage/descriptor/add_descriptor.json?business_id=${business}&feature_name=checkout&alias=release`, undefined, yaml, 'text/plain');
    expect(added.status).toBe(200);
    await page.goto(`${api().baseUrl}/ui/definitions`);
    await page.click(`a:has-text("${business}:checkout")`);
    for (const ref of ['begin', 'finish']) await page.waitForSelector(`.react-flow__node:has-text("${ref}")`);
    await page.click('nav.tabs button:has-text("Rill Flow YAML")');
    await expect(page.locator('pre', { hasText: 'dagName: checkout' }).first().textContent()).resolves.toContain(`workspace: ${business}`);
    await shot('rill-yaml');
  });

  it("shows a workflow started through Rill Flow or Dapr with that dialect's id and status beside Conductor's", async () => {
    const business = `uirillrun${run}`;
    const yaml = [`version: 20230829`, `workspace: ${business}`, `dagName: wait`, `type: flow`, `tasks:`, `  - category: suspense`, `    name: hold`, `    conditions:`, `      - $.context.go`, ''].join('\n');
    expect((await api().call('POST', `/flow/bg/manage/descriptor/add_descriptor.json?business_id=${business}&feature_name=wait&alias=release`, undefined, yaml, 'text/plain')).status).toBe(200);
    const submitted = await api().expectOk<{ execution_id: string }>('POST', `/flow/submit.json?descriptor_id=${business}:wait`, {});
    const executionId = submitted.body.execution_id;
    const rillWorkflow = executionId.slice(executionId.lastIndexOf('_c_') + 3);
    await page.goto(`${api().baseUrl}/ui/execution/${rillWorkflow}`);
    await page.waitForSelector(`.dialect:has-text("Rill Flow: ${executionId}")`);
    await page.waitForSelector('.dialect .badge:text-is("running")');
    await page.click('button:has-text("Tasks (")');
    await page.waitForSelector('.exec-main table.grid td:text-is("RUNNING")');
    await shot('rill-execution');
    // The grid shows it too, with Rill Flow's status under Conductor's.
    await page.goto(`${api().baseUrl}/ui/`);
    await page.fill('input[placeholder="name, name2"]', `${business}:wait`);
    await searchUntil(`tr:has(a:has-text("${rillWorkflow}")) .dialect-inline:has-text("Rill Flow running")`);

    const instance = `ui_dapr_${run}`;
    const started = await api().call('POST', `/v1.0/workflows/dapr/${type}/start?instanceID=${instance}`, {});
    expect(started.status).toBe(202);
    const found = await api().call<WorkflowView[]>('GET', `/api/workflow/${type}/correlated/${instance}?includeClosed=true`);
    const daprWorkflow = found.body[0].workflowId;
    await page.goto(`${api().baseUrl}/ui/execution/${daprWorkflow}`);
    await page.waitForSelector(`.dialect:has-text("Dapr: ${instance}")`);
    await page.click('.exec-header button:has-text("Pause")');
    await page.waitForSelector('.dialect .badge:text-is("SUSPENDED")');
    await page.goto(`${api().baseUrl}/ui/`);
    await page.fill('input[placeholder="name, name2"]', type);
    await searchUntil(`tr:has(a:has-text("${daprWorkflow}")) .dialect-inline:has-text("Dapr SUSPENDED")`);
    expect((await api().call<{ runtimeStatus: string }>('GET', `/v1.0/workflows/dapr/${instance}`)).body.runtimeStatus).toBe('SUSPENDED');
    await shot('dapr-execution');
  });

  it("shows a queue's waiting tasks and the worker that polled it", async () => {
    const queued = `ui_queued_${run}`;
    await api().registerTaskDefs([{ name: queued, concurrentExecLimit: 3 }]);
    await api().registerWorkflow({ name: queued, version: 1, tasks: [{ name: queued, taskReferenceName: 'q', type: 'SIMPLE' }] });
    await api().poll(queued, 'ui-queue-worker', 1, 10);
    await api().startWorkflow(queued, {});
    await api().startWorkflow(queued, {});
    await page.goto(`${api().baseUrl}/ui/queues`);
    await page.fill('input[placeholder="filter"]', queued);
    const row = page.locator('table.queues tbody tr', { hasText: queued }).first();
    await row.waitFor();
    await expect(row.locator('td').nth(2).textContent()).resolves.toBe('2');
    await expect(row.locator('td').nth(6).textContent()).resolves.toBe('3 at once');
    await row.locator('button.expand').click();
    await page.waitForSelector('table.workers td:has-text("ui-queue-worker")');

    // A domain's queue is its own row, with the worker that polled that domain.
    await api().call('GET', `/api/tasks/poll/batch/${queued}?workerid=ui-blue-worker&domain=blue&count=1&timeout=10`);
    await api().expectOk('POST', '/api/workflow', { name: queued, taskToDomain: { [queued]: 'blue' } });
    await page.click('button:has-text("Refresh")');
    const blue = page.locator('table.queues tbody tr', { hasText: 'blue' }).first();
    await blue.waitFor();
    await expect(blue.locator('td').nth(2).textContent()).resolves.toBe('1');
    await blue.locator('button.expand').click();
    await page.waitForSelector('table.workers td:has-text("ui-blue-worker")');
    await shot('queues');
  });
}

import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConductorClient } from './conductor-client';

type RillTaskView = { name: string; status: string; next: string[]; input?: Record<string, unknown>; output?: Record<string, unknown>; invoke_msg?: { msg?: string; retry_count: number } };
type RillExecution = { execution_id: string; dag_status: string; process: number; context: Record<string, unknown>; tasks: Record<string, RillTaskView> };

/** One call Baton made to the test's executor. */
interface Call {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly body: Record<string, unknown>;
}

/**
 * Running Rill Flow DAGs through Rill Flow's own API, against executors served by a local HTTP server:
 * the docs' demo (startNode adds left and right, endNode checks the sum) sync and async, progress along
 * the way, the completion callback, a resource that fails until its retries run out, and a DAG with every
 * category (switch, return, suspense woken by trigger, pass, sub-flows, foreach, choice).
 */
export function rillFlowRunSuite(getApi: () => ConductorClient): void {
  const api = () => getApi();
  const business = `rill_${randomBytes(3).toString('hex')}`;
  let server: Server;
  let base = '';
  const calls: Call[] = [];
  const callbacks: Array<Record<string, unknown>> = [];
  let failures = 0;

  const reply = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

  beforeAll(async () => {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        if (url.pathname === '/callback') {
          callbacks.push(body);
          return reply(res, 200, { ok: true });
        }
        calls.push({ path: url.pathname, query: url.searchParams, headers: req.headers, body });
        if (url.pathname === '/add') return reply(res, 200, { sum: Number(body.left) + Number(body.right) });
        // The resources of Rill Flow's documented demo: start_node adds, end_node checks.
        if (url.pathname === '/flow/sample/start_node.json') return reply(res, 200, { result_number: Number(body.left) + Number(body.right) });
        if (url.pathname === '/flow/sample/end_node.json') return reply(res, 200, { result_type: 'SUCCESS', checked: Number(body.result_number) === 1024 });
        if (url.pathname === '/async') return reply(res, 200, { result_type: 'SUCCESS' });
        if (url.pathname === '/broken') {
          failures++;
          return reply(res, 500, { error: 'down' });
        }
        return reply(res, 404, { error: 'no such resource' });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const register = async (feature: string, yaml: string) => {
    const r = await api().call<{ ret: boolean; descriptor_id: string }>('POST', `/flow/bg/manage/descriptor/add_descriptor.json?business_id=${business}&feature_name=${feature}&alias=release`, undefined, yaml, 'text/plain');
    if (r.status !== 200) throw new Error(`register ${feature}: ${r.status} ${r.text}`);
    return r.body.descriptor_id;
  };
  const submit = async (descriptorId: string, context: Record<string, unknown>, callback?: string) => {
    const r = await api().call<{ execution_id: string }>('POST', `/flow/submit.json?descriptor_id=${encodeURIComponent(descriptorId)}${callback ? `&callback=${encodeURIComponent(callback)}` : ''}`, context);
    if (r.status !== 200) throw new Error(`submit ${descriptorId}: ${r.status} ${r.text}`);
    return r.body.execution_id;
  };
  const get = async (executionId: string) => (await api().expectOk<{ ret: RillExecution }>('GET', `/flow/get.json?execution_id=${encodeURIComponent(executionId)}`)).body.ret;
  const until = async (executionId: string, done: (e: RillExecution) => boolean, timeoutMs = 20_000): Promise<RillExecution> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const e = await get(executionId);
      if (done(e)) return e;
      if (Date.now() > deadline) throw new Error(`execution ${executionId} did not get there: ${JSON.stringify(e)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const ended = (e: RillExecution) => e.dag_status === 'succeed' || e.dag_status === 'failed';

  /** The demo with an async endNode: the executor acknowledges, and reports later. */
  const asyncDemo = () => `
type: flow
tasks:
  - category: function
    name: startNode
    resourceName: ${base}/add
    pattern: task_sync
    next: endNode
    inputMappings:
      - { source: $.context.left, target: $.input.left }
      - { source: $.context.right, target: $.input.right }
    outputMappings:
      - { source: $.output.sum, target: $.context.sum }
  - category: function
    name: endNode
    resourceName: ${base}/async
    pattern: task_async
    inputMappings:
      - { source: $.context.left, target: $.input.left }
      - { source: $.context.right, target: $.input.right }
      - { source: $.context.sum, target: $.input.sum }
    outputMappings:
      - { source: $.output.ok, target: $.context.checked }
`;

  it("runs Rill Flow's documented demoFlowTest:demoTest (startNode adds, endNode checks): every task SUCCEED, 100 percent, the callback told", async () => {
    const yaml = `
version: 20230829
workspace: demoFlowTest
dagName: demoTest
type: flow
tasks:
  - category: function
    name: startNode
    next: endNode
    resourceName: ${base}/flow/sample/start_node.json
    pattern: task_sync
    inputMappings:
      - target: $.input.right
        source: $.context.right
      - target: $.input.left
        source: $.context.left
    outputMappings:
      - target: $.context.result_number
        source: $.output.result_number
  - category: function
    name: endNode
    resourceName: ${base}/flow/sample/end_node.json
    pattern: task_sync
    inputMappings:
      - target: $.input.result_number
        source: $.context.result_number
    outputMappings:
      - target: $.context.checked
        source: $.output.checked
`;
    const r = await api().call<{ descriptor_id: string }>('POST', '/flow/bg/manage/descriptor/add_descriptor.json?business_id=demoFlowTest&feature_name=demoTest&alias=release', undefined, yaml, 'text/plain');
    expect(r.status).toBe(200);
    const executionId = await submit(r.body.descriptor_id, { left: 512, right: 512 }, `${base}/callback`);
    expect(executionId).toMatch(/^demoFlowTest:demoTest_c_[0-9a-f-]{36}$/);
    const done = await until(executionId, ended);
    expect(done).toMatchObject({ dag_status: 'succeed', process: 100, context: { left: 512, right: 512, result_number: 1024, checked: true } });
    expect(done.tasks.startNode).toMatchObject({ status: 'SUCCEED', next: ['endNode'], contains_sub: false, input: { left: 512, right: 512 }, output: { result_number: 1024 } });
    expect(done.tasks.endNode.status).toBe('SUCCEED');
    // brief: the DAG alone.
    const brief = (await api().expectOk<{ ret: Record<string, unknown> }>('GET', `/flow/get.json?execution_id=${encodeURIComponent(executionId)}&brief=true`)).body.ret;
    expect(brief).toMatchObject({ execution_id: executionId, dag_status: 'succeed', process: 100 });
    expect(brief).not.toHaveProperty('tasks');
    // Called as Rill Flow's dispatcher calls: execution_id and name in the query and body, the callback URL in a header.
    const call = calls.find((c) => c.path === '/flow/sample/start_node.json' && c.query.get('execution_id') === executionId) as Call;
    expect(call.query.get('name')).toBe('startNode');
    expect(call.body).toEqual({ execution_id: executionId, left: 512, right: 512 });
    expect(call.headers['x-callback-url']).toContain(`/flow/trigger.json?execution_id=${encodeURIComponent(executionId)}&task_name=startNode`);
    expect(call.headers['x-mode']).toBeUndefined();
    // The completion callback, at least once.
    const deadline = Date.now() + 10_000;
    while (!callbacks.some((c) => c.execution_id === executionId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(callbacks.find((c) => c.execution_id === executionId)).toMatchObject({ dag_status: 'succeed', descriptor_id: 'demoFlowTest:demoTest', context: { result_number: 1024, checked: true } });
    // The same run through Conductor's API.
    const workflowId = executionId.slice(executionId.lastIndexOf('_c_') + 3);
    expect((await api().expectOk<{ status: string; correlationId: string }>('GET', `/api/workflow/${workflowId}`)).body).toMatchObject({ status: 'COMPLETED', correlationId: executionId });
  });

  it('runs it with an async endNode: RUNNING at 50 percent until the executor calls the X-Callback-Url back', async () => {
    const id = await register('demoAsync', asyncDemo());
    const executionId = await submit(id, { left: 20, right: 22 });
    const waiting = await until(executionId, (e) => e.tasks.endNode.status === 'RUNNING' && calls.some((c) => c.path === '/async' && c.query.get('execution_id') === executionId));
    expect(waiting).toMatchObject({ dag_status: 'running', process: 50 });
    expect(waiting.tasks.startNode.status).toBe('SUCCEED');
    const call = calls.find((c) => c.path === '/async' && c.query.get('execution_id') === executionId) as Call;
    expect(call.headers['x-mode']).toBe('async');
    // The executor reports through the URL it was given (trigger.json), its result as the body.
    const callbackUrl = String(call.headers['x-callback-url']);
    const res = await fetch(callbackUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ok: true }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ result: 'ok' });
    const done = await until(executionId, ended);
    expect(done).toMatchObject({ dag_status: 'succeed', process: 100, context: { sum: 42, checked: true } });
    // A second report for the finished task is refused.
    expect((await api().call('POST', `/flow/finish.json?execution_id=${encodeURIComponent(executionId)}&task_name=endNode`, { result_type: 'SUCCESS' })).status).toBe(404);
  });

  it('finish.json (under the documented parameter names, in its documented body) fails an async task that reports FAILED', async () => {
    const id = await register('demoAsyncFail', asyncDemo());
    const executionId = await submit(id, { left: 1, right: 1 });
    await until(executionId, (e) => e.tasks.endNode.status === 'RUNNING' && calls.some((c) => c.path === '/async' && c.query.get('execution_id') === executionId));
    const r = await api().call('POST', `/flow/finish.json?executionId=${encodeURIComponent(executionId)}&taskName=endNode`, {
      result_type: 'FAILED',
      passthrough: { execution_id: executionId, task_name: 'endNode' },
      response: { error_msg: 'transcoder crashed' },
    });
    expect(r.status).toBe(200);
    const done = await until(executionId, ended);
    expect(done.dag_status).toBe('failed');
    expect(done.tasks.endNode).toMatchObject({ status: 'FAILED', invoke_msg: { msg: 'transcoder crashed' } });
  });

  it('retries a failing resource per its retry, then fails the DAG', async () => {
    const id = await register(
      'broken',
      `
tasks:
  - category: function
    name: call
    resourceName: ${base}/broken
    pattern: task_sync
    retry: { maxRetryTimes: 2, intervalInSeconds: 0 }
    next: never
  - category: pass
    name: never
`,
    );
    const before = failures;
    const executionId = await submit(id, {});
    const done = await until(executionId, ended);
    expect(done.dag_status).toBe('failed');
    expect(done.tasks.call).toMatchObject({ status: 'FAILED', invoke_msg: { retry_count: 2 } });
    expect(done.tasks.never.status).toBe('NOT_STARTED');
    expect(failures - before).toBe(3);
  });

  it('runs switch, return, pass, a suspense woken by trigger.json, and sync and async sub-flows', async () => {
    const child = await register(
      'child',
      `
tasks:
  - category: pass
    name: double
    inputMappings:
      - { source: $.context.n, target: $.input.n }
    outputMappings:
      - { source: $.output.n, target: $.context.seen }
`,
    );
    const id = await register(
      'every',
      `
tasks:
  - category: switch
    name: route
    inputMappings:
      - { source: $.context.n, target: $.input.n }
    switches:
      - { condition: "$.input.[?(@.n > 10)]", next: big, break: true }
      - { condition: "$.input.[?(@.n >= 0)]", next: small }
  - category: pass
    name: big
    next: gate
  - category: pass
    name: small
    next: gate
  - category: suspense
    name: gate
    next: sub, fire, stop
    inputMappings:
      - { source: $.context.approved, target: $.input.approved }
    conditions:
      - "$.input.[?(@.approved == true)]"
  - category: function
    name: sub
    resourceName: rillflow://${child}
    pattern: flow_sync
    inputMappings:
      - { source: $.context.n, target: $.input.n }
    outputMappings:
      - { source: $.output.seen, target: $.context.fromChild }
  - category: function
    name: fire
    resourceName: rillflow://${child}
    pattern: flow_async
  - category: return
    name: stop
    next: skipped
    conditions:
      - "$.context.[?(@.n > 0)]"
  - category: pass
    name: skipped
`,
    );
    const executionId = await submit(id, { n: 50 });
    const waiting = await until(executionId, (e) => e.tasks.gate.status === 'RUNNING');
    expect(waiting.tasks).toMatchObject({ route: { status: 'SUCCEED' }, big: { status: 'SUCCEED' }, small: { status: 'SKIPPED' }, sub: { status: 'NOT_STARTED' } });
    // A trigger that does not satisfy the conditions merges its context and leaves the suspense waiting.
    expect((await api().call('POST', `/flow/trigger.json?execution_id=${encodeURIComponent(executionId)}&task_name=gate&context=${encodeURIComponent(JSON.stringify({ note: 'x' }))}`, { approved: false })).status).toBe(200);
    expect((await get(executionId)).tasks.gate.status).toBe('RUNNING');
    expect((await api().call('POST', `/flow/wakeup.json?execution_id=${encodeURIComponent(executionId)}&task_name=gate`, { approved: true })).status).toBe(200);
    const done = await until(executionId, ended);
    expect(done.dag_status).toBe('succeed');
    expect(done.context).toMatchObject({ n: 50, note: 'x', approved: true, fromChild: 50 });
    expect(done.tasks).toMatchObject({ gate: { status: 'SUCCEED' }, sub: { status: 'SUCCEED' }, fire: { status: 'SUCCEED' }, stop: { status: 'SUCCEED' }, skipped: { status: 'SKIPPED' } });
    // The fire-and-forget child runs as an execution of its own.
    const fired = String(done.tasks.fire.output?.execution_id);
    expect(fired).toMatch(new RegExp(`^${child}_c_`));
    expect((await until(fired, ended)).dag_status).toBe('succeed');
  });

  it('runs foreach (at most two iterations at once, each its own context) and choice, their results mapped back', async () => {
    const id = await register(
      'fanout',
      `
tasks:
  - category: foreach
    name: each
    next: pick
    inputMappings:
      - { source: $.context.pairs, target: $.input.pairs }
    iterationMapping: { collection: $.input.pairs, item: pair, index: at }
    synchronization: { maxConcurrency: 2 }
    outputMappings:
      - { source: "$.output.sub_context.[*].sum", target: $.context.sums }
    tasks:
      - category: function
        name: addPair
        resourceName: ${base}/add
        pattern: task_sync
        inputMappings:
          - { source: $.context.pair.left, target: $.input.left }
          - { source: $.context.pair.right, target: $.input.right }
        outputMappings:
          - { source: $.output.sum, target: $.context.sum }
  - category: choice
    name: pick
    inputMappings:
      - { source: $.context.kind, target: $.input.kind }
    choices:
      - condition: $.input[?(@.kind == "video")]
        tasks:
          - category: pass
            name: video
            inputMappings:
              - { source: "yes", target: $.input.video }
            outputMappings:
              - { source: $.output.video, target: $.context.video }
      - condition: $.input[?(@.kind == "audio")]
        tasks:
          - { category: pass, name: audio }
    outputMappings:
      - { source: "$.output.sub_context.[*].video", target: $.context.videos }
`,
    );
    const executionId = await submit(id, { kind: 'video', pairs: [{ left: 1, right: 2 }, { left: 3, right: 4 }, { left: 5, right: 6 }] });
    const done = await until(executionId, ended);
    expect(done.dag_status).toBe('succeed');
    expect(done.context).toMatchObject({ sums: [3, 7, 11], videos: ['yes'] });
    expect(done.tasks.each).toMatchObject({ status: 'SUCCEED', contains_sub: true });
    // Each iteration is an execution of its own, readable through get.json.
    const iterations = done.tasks.each.output?.sub_execution_ids as string[];
    expect(iterations).toHaveLength(3);
    const second = await get(iterations[1]);
    expect(second).toMatchObject({ dag_status: 'succeed', context: { pair: { left: 3, right: 4 }, at: 1, sum: 7 } });
  });

  it('lists and counts a service\'s executions by status, and the back office finds them by business', async () => {
    const id = await register('listed', `tasks:\n  - { category: pass, name: only }\n`);
    const first = await submit(id, { n: 1 });
    await until(first, ended);
    const second = await submit(id, { n: 2 });
    await until(second, ended);
    type Ids = { execution_ids: Array<{ execution_id: string; submit_time: number }>; type: string; current_page: number; next_page_available: boolean };
    const page1 = (await api().expectOk<Ids>('GET', `/flow/get_execution_ids.json?service_id=${id}&type=succeed&count=1`)).body;
    expect(page1).toMatchObject({ type: 'succeed', current_page: 1, next_page_available: true, execution_ids: [{ execution_id: second }] });
    const page2 = (await api().expectOk<Ids>('GET', `/flow/get_execution_ids.json?service_id=${id}&count=1&page=2`)).body;
    expect(page2).toMatchObject({ next_page_available: false, execution_ids: [{ execution_id: first }] });
    expect((await api().expectOk<Ids>('GET', `/flow/get_execution_ids.json?service_id=${id}&type=running`)).body.execution_ids).toEqual([]);
    expect((await api().expectOk<{ dag: Record<string, number> }>('GET', `/flow/get_execution_count.json?service_id=${id}`)).body.dag).toEqual({ running: 0, succeed: 2, failed: 0 });
    const bg = (await api().expectOk<{ total: number; items: Array<{ execution_id: string; status: string; feature_id: string }> }>('GET', `/flow/bg/get_execution_ids.json?business=${business}&feature=listed`)).body;
    expect(bg.total).toBe(2);
    expect(bg.items[0]).toMatchObject({ execution_id: second, status: 'succeed', feature_id: 'listed' });
    expect((await api().expectOk<{ execution_id: string; dag_status: string }>('GET', `/flow/bg/get_execution.json?id=${encodeURIComponent(first)}`)).body).toMatchObject({ execution_id: first, dag_status: 'succeed' });
    expect((await api().call('GET', `/flow/get_execution_ids.json?service_id=${id}&type=sideways`)).status).toBe(400);
    expect((await api().call('GET', `/flow/get_execution_ids.json?service_id=${id}&count=500`)).status).toBe(400);
    expect((await api().call('GET', `/flow/get_execution_ids.json`)).status).toBe(400);
  });

  it('refuses what it cannot run, and answers unknown executions and tasks with 4xx in Rill Flow’s body', async () => {
    const choice = await register(
      'chat',
      `
tasks:
  - category: function
    name: ask
    resourceName: chatgpt://gpt
    pattern: task_sync
`,
    );
    const refused = await api().call<{ ret: boolean; message: string; errors: Array<{ path: string; message: string }> }>('POST', `/flow/submit.json?descriptor_id=${choice}`, {});
    expect(refused.status).toBe(400);
    expect(refused.body.ret).toBe(false);
    expect(refused.body.errors[0]).toMatchObject({ path: 'tasks[0].resourceName', message: expect.stringContaining('http(s) and rillflow://') });
    expect((await api().call('POST', `/flow/submit.json?descriptor_id=${business}:nothing`, {})).status).toBe(404);
    expect((await api().call('POST', `/flow/submit.json?descriptor_id=nocolon`, {})).status).toBe(400);
    const notJson = await api().call('POST', `/flow/submit.json?descriptor_id=${choice}`, undefined, '[1,2]');
    expect(notJson.status).toBe(400);
    expect((await api().call('GET', `/flow/get.json?execution_id=${business}:x_c_00000000-0000-4000-8000-00000000dead`)).status).toBe(404);
    expect((await api().call('GET', `/flow/get.json`)).status).toBe(400);
    const sync = await register('lonely', `tasks:\n  - { category: pass, name: only }\n`);
    const executionId = await submit(sync, {});
    await until(executionId, ended);
    expect((await api().call('POST', `/flow/trigger.json?execution_id=${encodeURIComponent(executionId)}&task_name=ghost`, {})).status).toBe(404);
    expect((await api().call('POST', `/flow/wakeup.json?execution_id=${encodeURIComponent(executionId)}&task_name=only`, {})).status).toBe(404);
  });
}

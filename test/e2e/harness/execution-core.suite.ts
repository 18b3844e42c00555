import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { testInfra } from '../../support/infra';
import { eventStartIdFor } from '@app/contracts';
import { ConductorClient, TaskView, WorkflowView } from './conductor-client';

/**
 * The execution core through the HTTP API, as a Conductor user drives it: timers (response timeout,
 * retry backoff, WAIT, workflow timeout), leases, and control flow (a fork inside a switch, a
 * sub-workflow). The same suite runs against embedded and distributed Baton.
 */
export function executionCoreSuite(getApi: () => ConductorClient): void {
  const api = () => getApi();
  // Names of their own per run, so the suite never meets another test's tasks in a queue.
  const run = randomBytes(3).toString('hex');
  const name = (base: string) => `core_${base}_${run}`;

  /** Long-polls until a task of the type is handed out (or the time is up). */
  const pollOne = async (taskType: string, workerId: string, withinMs = 20_000): Promise<TaskView> => {
    const deadline = Date.now() + withinMs;
    while (Date.now() < deadline) {
      const [task] = await api().poll(taskType, workerId, 1, 1000);
      if (task) return task;
    }
    throw new Error(`no ${taskType} task handed out within ${withinMs} ms`);
  };
  const report = (task: TaskView, status: string, outputData: Record<string, unknown> = {}, workerId = 'e2e') =>
    api().expectOk('POST', '/api/tasks', { workflowInstanceId: task.workflowInstanceId, taskId: task.taskId, status, outputData, workerId });
  const tasksNamed = (wf: WorkflowView, ref: string) => wf.tasks.filter((t) => t.referenceTaskName === ref) as Array<TaskView & Record<string, number>>;

  it('re-delivers the task of a worker that polled and died once its response timeout passes, and completes it once', async () => {
    const type = name('flaky');
    await api().registerTaskDefs([{ name: type, responseTimeoutSeconds: 2, retryCount: 2, retryDelaySeconds: 0 }]);
    await api().registerWorkflow({ name: name('dies'), version: 1, tasks: [{ name: type, taskReferenceName: 'job' }] });
    const workflowId = await api().startWorkflow(name('dies'), {});

    const lost = await pollOne(type, 'dies');
    // The lease shows at once: IN_PROGRESS, held by the worker that polled.
    const seen = (await api().expectOk<TaskView & { workerId: string }>('GET', `/api/tasks/${lost.taskId}`)).body;
    expect(seen).toMatchObject({ status: 'IN_PROGRESS', workerId: 'dies', pollCount: 1 });

    const again = await pollOne(type, 'lives');
    expect(again.taskId).not.toBe(lost.taskId);
    expect(again).toMatchObject({ workflowInstanceId: workflowId, retryCount: 1 });
    await report(again, 'COMPLETED', { done: true });
    // The dead worker wakes up: its late result is acknowledged and ignored.
    await report(lost, 'COMPLETED', { done: 'late' });

    const wf = await api().waitForStatus(workflowId, 'COMPLETED');
    expect(wf.output).toEqual({ done: true });
    expect(tasksNamed(wf, 'job').map((t) => t.status)).toEqual(['TIMED_OUT', 'COMPLETED']);
  });

  it('retries with EXPONENTIAL_BACKOFF: each attempt waits twice as long as the one before', async () => {
    const type = name('backoff');
    await api().registerTaskDefs([{ name: type, retryCount: 2, retryDelaySeconds: 1, retryLogic: 'EXPONENTIAL_BACKOFF' }]);
    await api().registerWorkflow({ name: name('backoff_wf'), version: 1, tasks: [{ name: type, taskReferenceName: 'job' }] });
    const workflowId = await api().startWorkflow(name('backoff_wf'), {});

    await report(await pollOne(type, 'w'), 'FAILED');
    await report(await pollOne(type, 'w'), 'FAILED');
    await report(await pollOne(type, 'w'), 'COMPLETED', { ok: 1 });

    const wf = await api().waitForStatus(workflowId, 'COMPLETED');
    const attempts = tasksNamed(wf, 'job');
    expect(attempts.map((t) => [t.status, t.retryCount])).toEqual([
      ['FAILED', 0],
      ['FAILED', 1],
      ['COMPLETED', 2],
    ]);
    // Handed out no sooner than the backoff allows: 1 s after the first failure, 2 s after the second.
    expect(attempts[1].startTime - attempts[0].endTime).toBeGreaterThanOrEqual(1000);
    expect(attempts[2].startTime - attempts[1].endTime).toBeGreaterThanOrEqual(2000);
  });

  it('runs a fork inside a switch case, joins it, then carries on after the switch', async () => {
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((t) => name(`fs_${t}`));
    await api().registerWorkflow({
      name: name('fork_in_switch'),
      version: 1,
      tasks: [
        {
          name: 'route',
          taskReferenceName: 'route',
          type: 'SWITCH',
          evaluatorType: 'value-param',
          expression: 'route',
          inputParameters: { route: '${workflow.input.route}' },
          decisionCases: {
            fan: [
              { name: 'fork', taskReferenceName: 'fork', type: 'FORK_JOIN', forkTasks: [[{ name: a, taskReferenceName: 'a' }], [{ name: b, taskReferenceName: 'b' }]] },
              { name: 'join', taskReferenceName: 'join', type: 'JOIN', joinOn: ['a', 'b'] },
            ],
          },
          defaultCase: [{ name: c, taskReferenceName: 'c' }],
        },
        { name: d, taskReferenceName: 'd', inputParameters: { fromA: '${a.output.v}', fromB: '${b.output.v}' } },
      ],
    });

    const fanned = await api().startWorkflow(name('fork_in_switch'), { route: 'fan' });
    const [ta, tb] = [await pollOne(a, 'w'), await pollOne(b, 'w')];
    expect([ta.workflowInstanceId, tb.workflowInstanceId]).toEqual([fanned, fanned]);
    await report(ta, 'COMPLETED', { v: 'A' });
    await report(tb, 'COMPLETED', { v: 'B' });
    const td = await pollOne(d, 'w');
    expect(td.inputData).toEqual({ fromA: 'A', fromB: 'B' });
    await report(td, 'COMPLETED', { end: true });
    const wf = await api().waitForStatus(fanned, 'COMPLETED');
    expect(wf.tasks.map((t) => [t.referenceTaskName, t.taskType, t.status])).toEqual([
      ['route', 'SWITCH', 'COMPLETED'],
      ['fork', 'FORK', 'COMPLETED'],
      ['a', a, 'COMPLETED'],
      ['b', b, 'COMPLETED'],
      ['join', 'JOIN', 'COMPLETED'],
      ['d', d, 'COMPLETED'],
    ]);
    expect(tasksNamed(wf, 'route')[0].outputData).toEqual({ evaluationResult: ['fan'], selectedCase: 'fan' });
    expect(tasksNamed(wf, 'join')[0].outputData).toEqual({ a: { v: 'A' }, b: { v: 'B' } });

    const other = await api().startWorkflow(name('fork_in_switch'), { route: 'elsewhere' });
    await report(await pollOne(c, 'w'), 'COMPLETED');
    await report(await pollOne(d, 'w'), 'COMPLETED');
    const wf2 = await api().waitForStatus(other, 'COMPLETED');
    expect(wf2.tasks.map((t) => t.referenceTaskName)).toEqual(['route', 'c', 'd']);
  });

  it('holds a WAIT of 2 s, then runs what follows', async () => {
    const after = name('after_wait');
    await api().registerWorkflow({
      name: name('wait_2s'),
      version: 1,
      tasks: [
        { name: 'pause', taskReferenceName: 'pause', type: 'WAIT', inputParameters: { duration: '2 seconds' } },
        { name: after, taskReferenceName: 'after' },
      ],
    });
    const workflowId = await api().startWorkflow(name('wait_2s'), {});
    expect(tasksNamed(await api().workflow(workflowId), 'pause').map((t) => t.status)).toEqual(['IN_PROGRESS']);

    const next = await pollOne(after, 'w');
    await report(next, 'COMPLETED');
    const wf = await api().waitForStatus(workflowId, 'COMPLETED');
    const [pause] = tasksNamed(wf, 'pause');
    expect(pause.status).toBe('COMPLETED');
    expect(pause.endTime - pause.startTime).toBeGreaterThanOrEqual(2000);
  });

  it('runs a sub-workflow: the child starts, ends, and its output feeds the parent', async () => {
    const inner = name('inner_task');
    const last = name('outer_last');
    await api().registerWorkflow({ name: name('child'), version: 1, tasks: [{ name: inner, taskReferenceName: 'inner', inputParameters: { n: '${workflow.input.n}' } }], outputParameters: { doubled: '${inner.output.doubled}' } });
    await api().registerWorkflow({
      name: name('parent'),
      version: 1,
      tasks: [
        { name: 'sub', taskReferenceName: 'sub', type: 'SUB_WORKFLOW', subWorkflowParam: { name: name('child'), version: 1 }, inputParameters: { n: '${workflow.input.n}' } },
        { name: last, taskReferenceName: 'last', inputParameters: { got: '${sub.output.doubled}' } },
      ],
    });
    const parentId = await api().startWorkflow(name('parent'), { n: 21 });

    const innerTask = await pollOne(inner, 'w');
    expect(innerTask.inputData).toEqual({ n: 21 });
    await report(innerTask, 'COMPLETED', { doubled: 42 });
    const lastTask = await pollOne(last, 'w');
    expect(lastTask.inputData).toEqual({ got: 42 });
    await report(lastTask, 'COMPLETED');

    const wf = await api().waitForStatus(parentId, 'COMPLETED');
    const [sub] = tasksNamed(wf, 'sub') as unknown as Array<TaskView & { subWorkflowId: string }>;
    expect(sub).toMatchObject({ status: 'COMPLETED', outputData: { doubled: 42, subWorkflowId: sub.subWorkflowId } });
    expect(innerTask.workflowInstanceId).toBe(sub.subWorkflowId);
    const child = await api().waitForStatus(sub.subWorkflowId, 'COMPLETED');
    expect(child).toMatchObject({ parentWorkflowId: parentId, output: { doubled: 42 } });
  });

  it('times a workflow out after its timeoutSeconds (TIME_OUT_WF), canceling what was pending', async () => {
    const never = name('never_polled');
    await api().registerWorkflow({ name: name('timeout_wf'), version: 1, timeoutSeconds: 2, timeoutPolicy: 'TIME_OUT_WF', tasks: [{ name: never, taskReferenceName: 'never' }] });
    const workflowId = await api().startWorkflow(name('timeout_wf'), {});

    const wf = await api().waitForStatus(workflowId, 'TIMED_OUT', 20_000);
    expect(tasksNamed(wf, 'never').map((t) => t.status)).toEqual(['CANCELED']);
    // Nothing is left to hand out.
    expect(await api().poll(never, 'w', 1, 0)).toEqual([]);
  });

  it('runs the system tasks decided in place: SET_VARIABLE, HUMAN completed from outside, NOOP, and a TERMINATE that ends the run', async () => {
    await api().registerWorkflow({
      name: name('system_tasks'),
      version: 1,
      tasks: [
        { name: 'remember', taskReferenceName: 'remember', type: 'SET_VARIABLE', inputParameters: { customer: '${workflow.input.customer}' } },
        { name: 'approve', taskReferenceName: 'approve', type: 'HUMAN', inputParameters: { who: '${workflow.variables.customer}' } },
        { name: 'nothing', taskReferenceName: 'nothing', type: 'NOOP' },
        {
          name: 'stop',
          taskReferenceName: 'stop',
          type: 'TERMINATE',
          inputParameters: { terminationStatus: 'COMPLETED', workflowOutput: { approved: '${approve.output.approved}', customer: '${workflow.variables.customer}' } },
        },
        { name: name('never_reached'), taskReferenceName: 'never' },
      ],
    });
    const workflowId = await api().startWorkflow(name('system_tasks'), { customer: 'ada' });

    // The HUMAN task waits, IN_PROGRESS, for someone to complete it.
    let wf = await api().waitFor(workflowId, (w) => tasksNamed(w, 'approve')[0]?.status === 'IN_PROGRESS');
    expect(wf.variables).toEqual({ customer: 'ada' });
    const [approve] = tasksNamed(wf, 'approve');
    expect(approve.inputData).toEqual({ who: 'ada' });
    await report(approve, 'COMPLETED', { approved: true });

    wf = await api().waitForStatus(workflowId, 'COMPLETED');
    expect(wf.output).toEqual({ approved: true, customer: 'ada' });
    expect(wf.tasks.map((t) => [t.referenceTaskName, t.status])).toEqual([
      ['remember', 'COMPLETED'],
      ['approve', 'COMPLETED'],
      ['nothing', 'COMPLETED'],
      ['stop', 'COMPLETED'],
    ]);
  });

  it('loops a DO_WHILE over its condition and over a list, naming each iteration, keeping the last keepLastN', async () => {
    const type = name('loop_work');
    await api().registerWorkflow({
      name: name('loops'),
      version: 1,
      tasks: [
        {
          name: 'count',
          taskReferenceName: 'count',
          type: 'DO_WHILE',
          loopCondition: '$.count.iteration < 3',
          inputParameters: { keepLastN: 2 },
          loopOver: [{ name: type, taskReferenceName: 'work', inputParameters: { n: '${count.output.iteration}' } }],
        },
        {
          name: 'each',
          taskReferenceName: 'each',
          type: 'DO_WHILE',
          items: '${workflow.input.orders}',
          loopOver: [{ name: type, taskReferenceName: 'ship', inputParameters: { order: '${each.output.loopItem}', index: '${each.output.loopIndex}' } }],
        },
      ],
    });
    const workflowId = await api().startWorkflow(name('loops'), { orders: ['a', 'b'] });

    const seen: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 5; i++) {
      const task = await pollOne(type, 'w');
      seen.push(task.inputData);
      await report(task, 'COMPLETED', { done: i });
    }
    expect(seen).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { order: 'a', index: 0 }, { order: 'b', index: 1 }]);

    const wf = await api().waitForStatus(workflowId, 'COMPLETED');
    // keepLastN: 2 — the first iteration's task is gone, from the run and from its output.
    expect(wf.tasks.map((t) => t.referenceTaskName)).toEqual(['count', 'work__2', 'work__3', 'each', 'ship__1', 'ship__2']);
    expect(tasksNamed(wf, 'count')[0].outputData).toEqual({ iteration: 3, '2': { work: { done: 1 } }, '3': { work: { done: 2 } } });
    expect(tasksNamed(wf, 'each')[0].outputData).toMatchObject({ iteration: 2, loopItem: 'b', loopIndex: 1 });
  });

  it('runs scripts in the sandbox and jq: INLINE, JSON_JQ_TRANSFORM, a javascript SWITCH closed by an EXCLUSIVE_JOIN', async () => {
    await api().registerWorkflow({
      name: name('scripts'),
      version: 1,
      tasks: [
        { name: 'calc', taskReferenceName: 'calc', type: 'INLINE', inputParameters: { evaluatorType: 'graaljs', expression: '$.items.map((x) => x * 2)', items: '${workflow.input.items}' } },
        { name: 'shape', taskReferenceName: 'shape', type: 'JSON_JQ_TRANSFORM', inputParameters: { queryExpression: '{ total: (.doubled | add) }', doubled: '${calc.output.result}' } },
        {
          name: 'route',
          taskReferenceName: 'route',
          type: 'SWITCH',
          evaluatorType: 'javascript',
          expression: "$.total > 10 ? 'big' : 'small'",
          inputParameters: { total: '${shape.output.result.total}' },
          decisionCases: {
            big: [{ name: 'big', taskReferenceName: 'big', type: 'SET_VARIABLE', inputParameters: { size: 'big' } }],
            small: [{ name: 'small', taskReferenceName: 'small', type: 'SET_VARIABLE', inputParameters: { size: 'small' } }],
          },
        },
        { name: 'join', taskReferenceName: 'join', type: 'EXCLUSIVE_JOIN', joinOn: ['big', 'small'] },
      ],
      outputParameters: { total: '${shape.output.result.total}', size: '${workflow.variables.size}' },
    });

    const big = await api().startWorkflow(name('scripts'), { items: [1, 2, 3] });
    const small = await api().startWorkflow(name('scripts'), { items: [1, 2] });
    expect((await api().waitForStatus(big, 'COMPLETED')).output).toEqual({ total: 12, size: 'big' });
    expect((await api().waitForStatus(small, 'COMPLETED')).output).toEqual({ total: 6, size: 'small' });
  });

  it('fails a script that never ends or allocates without bound, with the reason, and keeps running everything else', async () => {
    await api().registerWorkflow({
      name: name('runaway'),
      version: 1,
      tasks: [{ name: 'spin', taskReferenceName: 'spin', type: 'INLINE', inputParameters: { evaluatorType: 'javascript', expression: '${workflow.input.script}' } }],
    });
    const spin = await api().startWorkflow(name('runaway'), { script: 'while (true) {}' });
    const hog = await api().startWorkflow(name('runaway'), { script: "let a = []; while (true) a.push('x'.repeat(1024));" });
    const fine = await api().startWorkflow(name('runaway'), { script: '1 + 1' });

    const [spun, hogged] = [await api().waitForStatus(spin, 'FAILED'), await api().waitForStatus(hog, 'FAILED')];
    expect(spun.tasks[0]).toMatchObject({ status: 'FAILED_WITH_TERMINAL_ERROR' });
    expect((spun.tasks[0] as TaskView & { reasonForIncompletion: string }).reasonForIncompletion).toMatch(/interrupt|time/i);
    expect((hogged.tasks[0] as TaskView & { reasonForIncompletion: string }).reasonForIncompletion).toMatch(/memory/i);
    expect((await api().waitForStatus(fine, 'COMPLETED')).output).toEqual({ result: 2 });
  });

  describe('HTTP tasks, called by the engine', () => {
    let server: Server;
    let base: string;
    const received: Array<{ method?: string; url?: string; body: string; header?: string }> = [];
    let failuresLeft = 0;
    const bodyOf = (req: IncomingMessage) => new Promise<string>((resolve) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => resolve(body));
    });

    beforeAll(async () => {
      server = createServer(async (req, res) => {
        const body = await bodyOf(req);
        received.push({ method: req.method, url: req.url, body, header: req.headers['x-trace'] as string | undefined });
        if (req.url?.startsWith('/flaky') && failuresLeft-- > 0) {
          res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'busy' }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, echo: body ? JSON.parse(body) : null }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('POSTs a JSON body with headers and hands the response on to the next task', async () => {
      await api().registerWorkflow({
        name: name('http_post'),
        version: 1,
        tasks: [
          {
            name: 'post_order',
            taskReferenceName: 'post',
            type: 'HTTP',
            inputParameters: { http_request: { uri: `${base}/orders`, method: 'POST', headers: { 'X-Trace': '${workflow.input.trace}' }, body: { id: '${workflow.input.id}' } } },
          },
          { name: 'keep', taskReferenceName: 'keep', type: 'SET_VARIABLE', inputParameters: { status: '${post.output.response.statusCode}', echoed: '${post.output.response.body.echo.id}' } },
        ],
        outputParameters: { status: '${workflow.variables.status}', echoed: '${workflow.variables.echoed}' },
      });
      const workflowId = await api().startWorkflow(name('http_post'), { id: 42, trace: 't-1' });

      const wf = await api().waitForStatus(workflowId, 'COMPLETED');
      expect(wf.output).toEqual({ status: 200, echoed: 42 });
      expect(received.find((r) => r.url === '/orders')).toEqual({ method: 'POST', url: '/orders', body: JSON.stringify({ id: 42 }), header: 't-1' });
    });

    it('retries a call that failed twice with EXPONENTIAL_BACKOFF, then completes', async () => {
      failuresLeft = 2;
      await api().registerTaskDefs([{ name: name('flaky_call'), retryCount: 3, retryLogic: 'EXPONENTIAL_BACKOFF', retryDelaySeconds: 1 }]);
      await api().registerWorkflow({
        name: name('http_flaky'),
        version: 1,
        tasks: [{ name: name('flaky_call'), taskReferenceName: 'call', type: 'HTTP', inputParameters: { http_request: { uri: `${base}/flaky`, method: 'GET' } } }],
      });
      const workflowId = await api().startWorkflow(name('http_flaky'), {});

      const wf = await api().waitForStatus(workflowId, 'COMPLETED', 30_000);
      const attempts = tasksNamed(wf, 'call') as unknown as Array<TaskView & { retryCount: number; startTime: number; endTime: number; outputData: { response: { statusCode: number } } }>;
      expect(attempts.map((t) => [t.status, t.outputData.response.statusCode])).toEqual([
        ['FAILED', 503],
        ['FAILED', 503],
        ['COMPLETED', 200],
      ]);
      // Backoff: 1 s, then 2 s.
      expect(attempts[1].startTime - attempts[0].endTime).toBeGreaterThanOrEqual(900);
      expect(attempts[2].startTime - attempts[1].endTime).toBeGreaterThanOrEqual(1900);
    });
  });

  it('forks dynamically: 200 INLINE branches, then worker branches in simple mode, each joined', async () => {
    const type = name('resize');
    await api().registerWorkflow({
      name: name('dynamic'),
      version: 1,
      tasks: [
        {
          name: 'fan',
          taskReferenceName: 'fan',
          type: 'FORK_JOIN_DYNAMIC',
          dynamicForkTasksParam: 'tasks',
          dynamicForkTasksInputParamName: 'inputs',
          inputParameters: { tasks: '${workflow.input.tasks}', inputs: '${workflow.input.inputs}' },
        },
        { name: 'gather', taskReferenceName: 'gather', type: 'JOIN' },
        { name: 'fan2', taskReferenceName: 'fan2', type: 'FORK_JOIN_DYNAMIC', inputParameters: { forkTaskName: type, forkTaskInputs: '${workflow.input.images}' } },
        { name: 'gather2', taskReferenceName: 'gather2', type: 'JOIN' },
      ],
      outputParameters: { squares: '${gather.output}', resized: '${gather2.output}' },
    });
    const tasks = Array.from({ length: 200 }, (_, i) => ({ name: 'square', taskReferenceName: `sq${i}`, type: 'INLINE', inputParameters: { expression: '$.n * $.n' } }));
    const inputs = Object.fromEntries(tasks.map((t, i) => [t.taskReferenceName, { n: i }]));
    const workflowId = await api().startWorkflow(name('dynamic'), { tasks, inputs, images: ['a.png', 'b.png', 'c.png'] });

    const handed: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 3; i++) {
      const task = await pollOne(type, 'w');
      handed.push(task.inputData);
      await report(task, 'COMPLETED', { done: task.inputData.input });
    }
    expect(handed.map((h) => h.__index).sort()).toEqual([0, 1, 2]);

    const wf = await api().waitForStatus(workflowId, 'COMPLETED');
    const squares = wf.output.squares as Record<string, { result: number }>;
    expect(Object.keys(squares)).toHaveLength(200);
    expect(squares.sq12).toEqual({ result: 144 });
    expect(wf.output.resized).toEqual({ [`_${type}_0`]: { done: 'a.png' }, [`_${type}_1`]: { done: 'b.png' }, [`_${type}_2`]: { done: 'c.png' } });
  });

  it('runs a DYNAMIC task as a worker task of the name its input chooses', async () => {
    const chosen = name('chosen_worker');
    await api().registerWorkflow({
      name: name('dynamic_task'),
      version: 1,
      tasks: [{ name: 'pick', taskReferenceName: 'pick', type: 'DYNAMIC', dynamicTaskNameParam: 'taskToRun', inputParameters: { taskToRun: '${workflow.input.kind}', n: 5 } }],
    });
    const workflowId = await api().startWorkflow(name('dynamic_task'), { kind: chosen });

    const task = await pollOne(chosen, 'w');
    expect(task).toMatchObject({ taskType: chosen, referenceTaskName: 'pick', inputData: { taskToRun: chosen, n: 5 } });
    await report(task, 'COMPLETED', { ran: chosen });
    expect((await api().waitForStatus(workflowId, 'COMPLETED')).output).toEqual({ ran: chosen });
  });

  it('starts another workflow with START_WORKFLOW and does not wait for it; a start that cannot happen fails the task', async () => {
    await api().registerWorkflow({
      name: name('started'),
      version: 1,
      tasks: [{ name: 'double', taskReferenceName: 'double', type: 'INLINE', inputParameters: { expression: '$.n * 2', n: '${workflow.input.n}' } }],
    });
    await api().registerWorkflow({
      name: name('starter'),
      version: 1,
      tasks: [{ name: 'kick', taskReferenceName: 'kick', type: 'START_WORKFLOW', inputParameters: { startWorkflow: { name: '${workflow.input.target}', input: { n: 21 }, correlationId: 'from-starter' } } }],
    });

    const ok = await api().startWorkflow(name('starter'), { target: name('started') });
    const starter = await api().waitForStatus(ok, 'COMPLETED');
    const startedId = (starter.tasks[0].outputData as { workflowId: string }).workflowId;
    const other = await api().waitForStatus(startedId, 'COMPLETED');
    expect(other.output).toEqual({ result: 42 });
    expect(other).toMatchObject({ correlationId: 'from-starter' });
    expect((other as WorkflowView & { parentWorkflowId?: string }).parentWorkflowId).toBeUndefined();

    const bad = await api().startWorkflow(name('starter'), { target: name('no_such_workflow') });
    const failed = await api().waitForStatus(bad, 'FAILED');
    expect(failed.tasks[0]).toMatchObject({ status: 'FAILED' });
    expect((failed.tasks[0] as TaskView & { reasonForIncompletion: string }).reasonForIncompletion).toMatch(/No such workflow found by name/);
  });

  it("starts the failureWorkflow of a run that fails, with the failed run's input and reason", async () => {
    await api().registerWorkflow({
      name: name('cleanup'),
      version: 1,
      tasks: [{ name: 'note', taskReferenceName: 'note', type: 'INLINE', inputParameters: { expression: "$.failed + ' ' + $.status + ' ' + $.order", failed: '${workflow.input.workflowId}', status: '${workflow.input.failureStatus}', order: '${workflow.input.order}' } }],
    });
    await api().registerWorkflow({
      name: name('fails'),
      version: 1,
      failureWorkflow: name('cleanup'),
      tasks: [{ name: 'boom', taskReferenceName: 'boom', type: 'INLINE', inputParameters: { expression: "throw new Error('card declined')" } }],
    });
    const workflowId = await api().startWorkflow(name('fails'), { order: 7 });

    const failed = await api().waitForStatus(workflowId, 'FAILED');
    const cleanupId = failed.output['conductor.failure_workflow'] as string;
    expect(cleanupId).toEqual(expect.any(String));
    const cleanup = await api().waitForStatus(cleanupId, 'COMPLETED');
    expect(cleanup.input).toMatchObject({ order: 7, workflowId, failureStatus: 'FAILED', failureTaskId: failed.tasks[0].taskId });
    expect(cleanup.input.reason).toMatch(/card declined/);
    expect(cleanup.output).toEqual({ result: `${workflowId} FAILED 7` });
  });

  it('publishes to Kafka with KAFKA_PUBLISH (the cluster the task names), then goes on', async () => {
    const brokers = testInfra().kafkaBrokers;
    const topic = `baton-e2e-publish-${run}-${randomBytes(3).toString('hex')}`;
    await api().registerWorkflow({
      name: name('publish'),
      version: 1,
      tasks: [
        {
          name: 'announce',
          taskReferenceName: 'announce',
          type: 'KAFKA_PUBLISH',
          inputParameters: { kafka_request: { bootStrapServers: brokers, topic, key: '${workflow.input.id}', value: { order: '${workflow.input.id}' }, requestTimeoutMs: 5000 } },
        },
        { name: 'done', taskReferenceName: 'done', type: 'NOOP' },
      ],
    });
    const workflowId = await api().startWorkflow(name('publish'), { id: 'o-9' });
    await api().waitForStatus(workflowId, 'COMPLETED');

    const consumer = new Kafka({ clientId: 'e2e-publish', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).consumer({ groupId: `e2e-publish-${randomBytes(4).toString('hex')}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      const message = await new Promise<{ key?: string; value?: string }>((resolve) => {
        void consumer.run({ eachMessage: async ({ message: m }) => resolve({ key: m.key?.toString(), value: m.value?.toString() }) });
      });
      expect(message).toEqual({ key: 'o-9', value: JSON.stringify({ order: 'o-9' }) });
    } finally {
      await consumer.disconnect();
    }
  });

  it('publishes an EVENT on a conductor queue; the handlers listening on it start, complete, update and terminate workflows', async () => {
    const emitter = name('emitter');
    await api().registerWorkflow({ name: name('reactor'), version: 1, tasks: [{ name: 'echo', taskReferenceName: 'echo', type: 'INLINE', inputParameters: { expression: '$.order', order: '${workflow.input.order}' } }] });
    await api().registerWorkflow({ name: name('listener'), version: 1, tasks: [{ name: 'approval', taskReferenceName: 'approval', type: 'HUMAN' }], outputParameters: { by: '${approval.output.by}' } });
    await api().registerWorkflow({
      name: emitter,
      version: 1,
      tasks: [
        { name: 'shipped', taskReferenceName: 'shipped', type: 'EVENT', sink: 'conductor:shipped', inputParameters: { orderId: '${workflow.input.orderId}', status: 'SHIPPED', listener: '${workflow.input.listener}', victim: '${workflow.input.victim}' } },
      ],
    });
    const event = `conductor:${emitter}:shipped`;
    await api().expectOk('POST', '/api/event', {
      name: name('on_shipped'),
      event,
      condition: "$.status == 'SHIPPED'",
      active: true,
      actions: [
        { action: 'start_workflow', start_workflow: { name: name('reactor'), input: { order: '${orderId}' } } },
        { action: 'update_workflow_variables', update_workflow_variables: { workflowId: '${listener}', variables: { shipped: '${orderId}' } } },
        { action: 'complete_task', complete_task: { workflowId: '${listener}', taskRefName: 'approval', output: { by: '${orderId}' } } },
        { action: 'terminate_workflow', terminate_workflow: { workflowId: '${victim}', terminationReason: 'order ${orderId} shipped' } },
      ],
    });
    // A handler whose condition does not hold does nothing.
    await api().expectOk('POST', '/api/event', {
      name: name('never'),
      event,
      condition: "$.status == 'LOST'",
      active: true,
      actions: [{ action: 'terminate_workflow', terminate_workflow: { workflowId: '${listener}' } }],
    });

    const listener = await api().startWorkflow(name('listener'), {});
    const victim = await api().startWorkflow(name('listener'), {});
    const emitted = await api().startWorkflow(emitter, { orderId: 'o-77', listener, victim });

    const done = await api().waitForStatus(emitted, 'COMPLETED');
    const eventTask = done.tasks[0] as TaskView & { outputData: Record<string, unknown> };
    expect(eventTask).toMatchObject({ taskType: 'EVENT', status: 'COMPLETED' });
    expect(eventTask.outputData).toMatchObject({ orderId: 'o-77', status: 'SHIPPED', workflowInstanceId: emitted, workflowType: emitter, event_produced: event, sink: 'conductor:shipped' });

    const approved = await api().waitForStatus(listener, 'COMPLETED');
    expect(approved.output).toEqual({ by: 'o-77' });
    expect(approved.tasks[0].outputData).toMatchObject({ 'conductor.event.messageId': eventTask.taskId, 'conductor.event.name': event });
    expect((approved as WorkflowView & { variables: Record<string, unknown> }).variables).toEqual({ shipped: 'o-77' });

    const terminated = await api().waitForStatus(victim, 'TERMINATED');
    expect(terminated).toMatchObject({ reasonForIncompletion: 'order o-77 shipped' });

    const reacted = await api().waitForStatus(eventStartIdFor(eventTask.taskId, name('on_shipped'), 0), 'COMPLETED');
    expect(reacted.output).toEqual({ result: 'o-77' });
    expect(reacted.input).toMatchObject({ order: 'o-77', 'conductor.event.name': event });
  });

  it('refuses to start an EVENT whose sink Baton has no queue for, naming the task', async () => {
    await api().registerWorkflow({ name: name('sqs'), version: 1, tasks: [{ name: 'e', taskReferenceName: 'e', type: 'EVENT', sink: 'sqs:orders' }] });
    const res = await api().call('POST', `/api/workflow/${name('sqs')}`, {});
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('sqs:orders');
  });
}

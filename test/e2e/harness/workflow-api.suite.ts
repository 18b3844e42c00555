import { randomBytes } from 'node:crypto';
import { idempotentWorkflowIdFor } from '@app/contracts';
import { ConductorClient, TaskView, WorkflowView } from './conductor-client';

/**
 * The workflow API beyond start-by-name: `POST /api/workflow` with a StartWorkflowRequest (every SDK's
 * form), an ephemeral definition, and idempotency keys with each strategy, including starts that race.
 */
export function workflowApiSuite(getApi: () => ConductorClient): void {
  const api = () => getApi();
  const run = randomBytes(3).toString('hex');
  const name = (base: string) => `wfapi_${base}_${run}`;
  const inlineDouble = (wfName: string) => ({
    name: wfName,
    version: 1,
    tasks: [{ name: 'double', taskReferenceName: 'double', type: 'INLINE', inputParameters: { expression: '$.n * 2', n: '${workflow.input.n}' } }],
    outputParameters: { doubled: '${double.output.result}' },
  });
  const human = (wfName: string) => ({ name: wfName, version: 1, tasks: [{ name: 'hold', taskReferenceName: 'hold', type: 'HUMAN' }] });
  const start = (body: Record<string, unknown>) => api().call<string>('POST', '/api/workflow', body);

  it('starts from a StartWorkflowRequest: version, input, correlationId, priority, taskToDomain', async () => {
    await api().registerWorkflow(inlineDouble(name('request')));
    const res = await start({ name: name('request'), version: 1, input: { n: 21 }, correlationId: 'c-9', priority: 7, taskToDomain: { '*': 'blue' } });
    expect(res.status).toBe(200);
    expect(res.contentType).toContain('text/plain');
    const wf = await api().waitForStatus(res.text, 'COMPLETED');
    expect(wf).toMatchObject({ output: { doubled: 42 }, correlationId: 'c-9', priority: 7, taskToDomain: { '*': 'blue' } });
  });

  it('runs an ephemeral workflowDef as written, after validating it like a registered one', async () => {
    const res = await start({ name: name('ephemeral'), input: { n: 4 }, workflowDef: inlineDouble(name('ephemeral')) });
    expect(res.status).toBe(200);
    const wf = await api().waitForStatus(res.text, 'COMPLETED');
    expect(wf.output).toEqual({ doubled: 8 });

    const bad = await start({ name: name('ephemeral_bad'), workflowDef: { name: name('ephemeral_bad'), tasks: [{ name: 'x', type: 'SWITCH' }] } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('workflowDef.tasks[0]');
  });

  it('400s a request without a name, with a bad strategy, or with external payload storage, naming the field', async () => {
    for (const [body, field] of [
      [{ input: {} }, 'name'],
      [{ name: 'x', idempotencyKey: 'k', idempotencyStrategy: 'SOMETIMES' }, 'idempotencyStrategy'],
      [{ name: 'x', priority: 100 }, 'priority'],
      [{ name: 'x', externalInputPayloadStoragePath: 's3://b/k' }, 'externalInputPayloadStoragePath'],
    ] as const) {
      const res = await start(body);
      expect(res.status).toBe(400);
      expect((res.body as unknown as { validationErrors: Array<{ path: string }> }).validationErrors.map((e) => e.path)).toContain(field);
    }
  });

  describe('idempotency keys', () => {
    it('FAIL (the default): a second start with the key is refused with 409, naming the first', async () => {
      await api().registerWorkflow(human(name('fail')));
      const key = `k-${randomBytes(4).toString('hex')}`;
      const first = await start({ name: name('fail'), idempotencyKey: key });
      expect(first.status).toBe(200);
      expect(first.text).toBe(idempotentWorkflowIdFor(name('fail'), key, 0));
      const again = await start({ name: name('fail'), idempotencyKey: key, idempotencyStrategy: 'FAIL' });
      expect(again.status).toBe(409);
      expect(again.text).toContain(first.text);
      expect((await api().workflow(first.text)) as WorkflowView & { idempotencyKey?: string }).toMatchObject({ idempotencyKey: key });
      // The key is per workflow name: another workflow may use it.
      await api().registerWorkflow(human(name('fail_other')));
      expect((await start({ name: name('fail_other'), idempotencyKey: key })).status).toBe(200);
    });

    it('RETURN_EXISTING: the id of the workflow started with the key', async () => {
      await api().registerWorkflow(human(name('existing')));
      const key = `k-${randomBytes(4).toString('hex')}`;
      const first = await start({ name: name('existing'), idempotencyKey: key, idempotencyStrategy: 'RETURN_EXISTING' });
      const second = await start({ name: name('existing'), idempotencyKey: key, idempotencyStrategy: 'RETURN_EXISTING', input: { other: true } });
      expect(second.status).toBe(200);
      expect(second.text).toBe(first.text);
    });

    it('FAIL_ON_RUNNING: refused while the first runs, a new workflow once it ended', async () => {
      await api().registerWorkflow(inlineDouble(name('on_running')));
      await api().registerWorkflow(human(name('on_running_hold')));
      const key = `k-${randomBytes(4).toString('hex')}`;
      const held = await start({ name: name('on_running_hold'), idempotencyKey: key, idempotencyStrategy: 'FAIL_ON_RUNNING' });
      expect((await start({ name: name('on_running_hold'), idempotencyKey: key, idempotencyStrategy: 'FAIL_ON_RUNNING' })).status).toBe(409);

      const first = await start({ name: name('on_running'), idempotencyKey: key, idempotencyStrategy: 'FAIL_ON_RUNNING', input: { n: 1 } });
      await api().waitForStatus(first.text, 'COMPLETED');
      const second = await start({ name: name('on_running'), idempotencyKey: key, idempotencyStrategy: 'FAIL_ON_RUNNING', input: { n: 2 } });
      expect(second.status).toBe(200);
      expect(second.text).not.toBe(first.text);
      expect((await api().waitForStatus(second.text, 'COMPLETED')).output).toEqual({ doubled: 4 });
      expect(held.status).toBe(200);
    });

    it('ten starts racing for one key: exactly one starts, the rest are refused', async () => {
      await api().registerWorkflow(human(name('race')));
      const key = `k-${randomBytes(4).toString('hex')}`;
      const answers = await Promise.all(Array.from({ length: 10 }, () => start({ name: name('race'), idempotencyKey: key })));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
    });
  });

  describe('restart', () => {
    const failing = (wfName: string, version: number, expression: string, extra: Record<string, unknown> = {}) => ({
      name: wfName,
      version,
      tasks: [{ name: 'calc', taskReferenceName: 'calc', type: 'INLINE', inputParameters: { expression, n: '${workflow.input.n}' } }],
      outputParameters: { result: '${calc.output.result}' },
      ...extra,
    });
    const restart = (id: string, latest?: boolean) => api().call('POST', `/api/workflow/${id}/restart${latest === undefined ? '' : `?useLatestDefinitions=${latest}`}`);

    it('runs an ended workflow again from its first task (204), on the latest definition when asked', async () => {
      await api().registerWorkflow(failing(name('restart'), 1, "throw new Error('v1 is broken')"));
      const id = (await start({ name: name('restart'), version: 1, input: { n: 5 } })).text;
      const failed = await api().waitForStatus(id, 'FAILED');
      const firstTaskId = failed.tasks[0].taskId;

      const again = await restart(id);
      expect(again.status).toBe(204);
      const failedAgain = await api().waitFor(id, (wf) => wf.status === 'FAILED' && wf.tasks[0]?.taskId !== firstTaskId);
      expect(failedAgain.tasks).toHaveLength(1);

      await api().registerWorkflow(failing(name('restart'), 2, '$.n * 3'));
      expect((await restart(id, true)).status).toBe(204);
      const done = await api().waitForStatus(id, 'COMPLETED');
      expect(done).toMatchObject({ workflowVersion: 2, output: { result: 15 }, input: { n: 5 } });
    });

    it('409s a running workflow, 404s a COMPLETED one whose definition is not restartable and an unknown id', async () => {
      await api().registerWorkflow(human(name('restart_running')));
      const running = (await start({ name: name('restart_running') })).text;
      expect((await restart(running)).status).toBe(409);

      await api().registerWorkflow(failing(name('restart_once'), 1, '$.n', { restartable: false }));
      const once = (await start({ name: name('restart_once'), input: { n: 1 } })).text;
      await api().waitForStatus(once, 'COMPLETED');
      const refused = await restart(once);
      expect(refused.status).toBe(404);
      expect(refused.text).toContain('not restartable');
      expect((await restart('00000000-0000-4000-8000-00000000abcd')).status).toBe(404);
    });
  });

  describe('task updates beyond POST /api/tasks', () => {
    it('completes the pending task of a reference name (text id; /sync answers the workflow); 404 once none is pending, 400 for a bad status', async () => {
      await api().registerWorkflow({ ...human(name('by_ref')), outputParameters: { by: '${hold.output.by}' } });
      const id = (await start({ name: name('by_ref') })).text;
      await api().waitFor(id, (wf) => wf.tasks.length === 1);

      expect((await api().call('POST', `/api/tasks/${id}/hold/SOMETIMES`, {})).status).toBe(400);
      const done = await api().call<string>('POST', `/api/tasks/${id}/hold/COMPLETED?workerid=ops`, { by: 'ops' });
      expect(done.status).toBe(200);
      expect(done.text).toBe((await api().workflow(id)).tasks[0].taskId);
      expect((await api().waitForStatus(id, 'COMPLETED')).output).toEqual({ by: 'ops' });
      expect((await api().call('POST', `/api/tasks/${id}/hold/COMPLETED`, {})).status).toBe(404);

      const other = (await start({ name: name('by_ref') })).text;
      await api().waitFor(other, (wf) => wf.tasks.length === 1);
      const synced = await api().call<WorkflowView>('POST', `/api/tasks/${other}/hold/COMPLETED/sync`, { by: 'sync' });
      expect(synced.status).toBe(200);
      expect(synced.body).toMatchObject({ workflowId: other, status: 'COMPLETED', output: { by: 'sync' } });
    });

    it('update-v2 answers the next task of the same type (task chaining), then 204 when there is none', async () => {
      const type = name('chained');
      await api().registerTaskDefs([{ name: type }]);
      await api().registerWorkflow({ name: name('chain'), version: 1, tasks: [{ name: type, taskReferenceName: 'job' }] });
      const ids = [(await start({ name: name('chain') })).text, (await start({ name: name('chain') })).text];

      const [first] = await api().poll(type, 'chainer', 1, 2000);
      const next = await api().call<{ taskId: string; workflowInstanceId: string; status: string }>('POST', '/api/tasks/update-v2', {
        workflowInstanceId: first.workflowInstanceId,
        taskId: first.taskId,
        status: 'COMPLETED',
        workerId: 'chainer',
      });
      expect(next.status).toBe(200);
      expect(next.body).toMatchObject({ status: 'IN_PROGRESS' });
      expect(ids).toContain(next.body.workflowInstanceId);
      expect(next.body.workflowInstanceId).not.toBe(first.workflowInstanceId);

      const last = await api().call('POST', '/api/tasks/update-v2', { workflowInstanceId: next.body.workflowInstanceId, taskId: next.body.taskId, status: 'COMPLETED', workerId: 'chainer' });
      expect(last.status).toBe(204);
      for (const id of ids) await api().waitForStatus(id, 'COMPLETED');
    });

    it('reads booleans in query strings as the Python SDK writes them (True, False, None)', async () => {
      const def = human(name('py_bools'));
      expect((await api().call('POST', '/api/metadata/workflow?overwrite=True', def)).status).toBe(200);
      expect((await api().call('POST', '/api/metadata/workflow?overwrite=False', def)).status).toBe(409);
      expect((await api().call('POST', '/api/metadata/workflow?overwrite=None', def)).status).toBe(409);
      expect((await api().call('GET', `/api/event?activeOnly=False`)).status).toBe(200);
    });
  });

  describe('terminate and status', () => {
    it('terminates a running workflow with a reason (its failureWorkflow only on request); 409 once ended, 404 for an unknown id', async () => {
      await api().registerWorkflow(inlineDouble(name('on_terminate')));
      await api().registerWorkflow({ ...human(name('to_stop')), failureWorkflow: name('on_terminate') });
      const quiet = (await start({ name: name('to_stop') })).text;
      const loud = (await start({ name: name('to_stop'), input: { n: 7 } })).text;

      expect((await api().call('DELETE', `/api/workflow/${quiet}?reason=${encodeURIComponent('no longer needed')}`)).status).toBe(200);
      const stopped = await api().waitForStatus(quiet, 'TERMINATED');
      expect(stopped).toMatchObject({ reasonForIncompletion: 'no longer needed' });
      expect(stopped.tasks[0]).toMatchObject({ status: 'CANCELED' });
      expect(stopped.output['conductor.failure_workflow']).toBeUndefined();

      expect((await api().call('DELETE', `/api/workflow/${loud}?triggerFailureWorkflow=true`)).status).toBe(200);
      const failureId = (await api().waitForStatus(loud, 'TERMINATED')).output['conductor.failure_workflow'] as string;
      expect((await api().waitForStatus(failureId, 'COMPLETED')).input).toMatchObject({ workflowId: loud, failureStatus: 'TERMINATED' });

      expect((await api().call('DELETE', `/api/workflow/${quiet}`)).status).toBe(409);
      expect((await api().call('DELETE', '/api/workflow/00000000-0000-4000-8000-00000000abcd')).status).toBe(404);
    });

    it('answers the status view, with output and variables on request', async () => {
      await api().registerWorkflow({ ...inlineDouble(name('status')), variables: { v: 1 } });
      const id = (await start({ name: name('status'), input: { n: 2 }, correlationId: 'st-1' })).text;
      await api().waitForStatus(id, 'COMPLETED');
      expect((await api().expectOk('GET', `/api/workflow/${id}/status`)).body).toEqual({ workflowId: id, correlationId: 'st-1', status: 'COMPLETED' });
      expect((await api().expectOk('GET', `/api/workflow/${id}/status?includeOutput=true&includeVariables=True`)).body).toEqual({
        workflowId: id,
        correlationId: 'st-1',
        output: { doubled: 4 },
        variables: { v: 1 },
        status: 'COMPLETED',
      });
      expect((await api().call('GET', '/api/workflow/00000000-0000-4000-8000-00000000abcd/status')).status).toBe(404);
    });
  });

  describe('retry', () => {
    it('with resumeSubworkflowTasks, retries a failed child in place: the same child runs on from its failed task', async () => {
      const type = name('child_step');
      await api().registerTaskDefs([{ name: type, retryCount: 0 }]);
      await api().registerWorkflow({ name: name('resume_child'), version: 1, tasks: [{ name: type, taskReferenceName: 'step' }], outputParameters: { ok: '${step.output.ok}' } });
      await api().registerWorkflow({ name: name('resume_parent'), version: 1, tasks: [{ name: 'child', taskReferenceName: 'child', type: 'SUB_WORKFLOW', subWorkflowParam: { name: name('resume_child'), version: 1 } }] });
      const id = (await start({ name: name('resume_parent') })).text;
      const [first] = await api().poll(type, 'rs', 1, 5000);
      await api().expectOk('POST', '/api/tasks', { workflowInstanceId: first.workflowInstanceId, taskId: first.taskId, status: 'FAILED', reasonForIncompletion: 'flaky' });
      const failed = await api().waitForStatus(id, 'FAILED');
      const childId = failed.tasks[0].subWorkflowId as string;
      await api().waitForStatus(childId, 'FAILED');

      expect((await api().call('POST', `/api/workflow/${id}/retry?resumeSubworkflowTasks=True`)).status).toBe(204);
      const [second] = await api().poll(type, 'rs', 1, 5000);
      expect(second).toMatchObject({ workflowInstanceId: childId, retryCount: 1 });
      await api().expectOk('POST', '/api/tasks', { workflowInstanceId: childId, taskId: second.taskId, status: 'COMPLETED', outputData: { ok: true } });
      const done = await api().waitForStatus(id, 'COMPLETED');
      expect(done.tasks.map((t) => [t.referenceTaskName, t.status, t.subWorkflowId])).toEqual([['child', 'COMPLETED', childId]]);
      expect(done.output).toEqual({ ok: true, subWorkflowId: childId });
    });

    it('retries the failed task of an ended workflow as a new attempt (204), and it runs on to COMPLETED', async () => {
      const type = name('flaky_step');
      await api().registerTaskDefs([{ name: type, retryCount: 0 }]);
      await api().registerWorkflow({ name: name('retry'), version: 1, tasks: [{ name: type, taskReferenceName: 'step' }], outputParameters: { ok: '${step.output.ok}' } });
      const id = (await start({ name: name('retry') })).text;
      const [first] = await api().poll(type, 'r', 1, 2000);
      await api().expectOk('POST', '/api/tasks', { workflowInstanceId: id, taskId: first.taskId, status: 'FAILED', reasonForIncompletion: 'downstream down' });
      await api().waitForStatus(id, 'FAILED');

      expect((await api().call('POST', `/api/workflow/${id}/retry`)).status).toBe(204);
      expect((await api().workflow(id)).status).toBe('RUNNING');
      const [second] = await api().poll(type, 'r', 1, 2000);
      expect(second).toMatchObject({ workflowInstanceId: id, retryCount: 1 });
      await api().expectOk('POST', '/api/tasks', { workflowInstanceId: id, taskId: second.taskId, status: 'COMPLETED', outputData: { ok: true } });
      const done = await api().waitForStatus(id, 'COMPLETED');
      expect(done.output).toEqual({ ok: true });
      expect(done.tasks.map((t) => t.status)).toEqual(['FAILED', 'COMPLETED']);

      expect((await api().call('POST', `/api/workflow/${id}/retry`)).status).toBe(409);
      const running = (await start({ name: name('retry') })).text;
      expect((await api().call('POST', `/api/workflow/${running}/retry`)).status).toBe(404);
    });
  });

  describe('lookups', () => {
    it('lists the running workflows of a name and version, and finds workflows by correlation id (GET and the batch POST)', async () => {
      await api().registerWorkflow(human(name('lookup')));
      await api().registerWorkflow({ ...human(name('lookup')), version: 2 });
      const corr = `c-${randomBytes(3).toString('hex')}`;
      const a = (await start({ name: name('lookup'), version: 1, correlationId: corr })).text;
      const b = (await start({ name: name('lookup'), version: 1, correlationId: `${corr}-other` })).text;
      const v2 = (await start({ name: name('lookup'), version: 2, correlationId: corr })).text;
      const ended = (await start({ name: name('lookup'), version: 1, correlationId: corr })).text;
      await api().expectOk('DELETE', `/api/workflow/${ended}`);

      expect((await api().expectOk<string[]>('GET', `/api/workflow/running/${name('lookup')}`)).body).toEqual([a, b]);
      expect((await api().expectOk<string[]>('GET', `/api/workflow/running/${name('lookup')}?version=2`)).body).toEqual([v2]);
      expect((await api().expectOk<string[]>('GET', `/api/workflow/running/${name('lookup')}?startTime=${Date.now() + 60_000}`)).body).toEqual([]);

      const open = (await api().expectOk<WorkflowView[]>('GET', `/api/workflow/${name('lookup')}/correlated/${corr}`)).body;
      expect(open.map((w) => w.workflowId)).toEqual([a, v2]);
      expect(open[0].tasks).toBeUndefined();
      const all = (await api().expectOk<WorkflowView[]>('GET', `/api/workflow/${name('lookup')}/correlated/${corr}?includeClosed=true&includeTasks=true`)).body;
      expect(all.map((w) => w.workflowId)).toEqual([a, v2, ended]);
      expect(all[0].tasks).toHaveLength(1);

      const batch = (await api().expectOk<Record<string, WorkflowView[]>>('POST', `/api/workflow/${name('lookup')}/correlated`, [corr, `${corr}-other`, 'nobody'])).body;
      expect(Object.fromEntries(Object.entries(batch).map(([k, v]) => [k, v.map((w) => w.workflowId)]))).toEqual({ [corr]: [a, v2], [`${corr}-other`]: [b], nobody: [] });
      expect((await api().call('POST', `/api/workflow/${name('lookup')}/correlated`, { not: 'a list' })).status).toBe(400);
    });

    it("pages a workflow's tasks, filtered by status", async () => {
      await api().registerWorkflow({
        name: name('paged'),
        version: 1,
        tasks: [
          { name: 'a', taskReferenceName: 'a', type: 'NOOP' },
          { name: 'b', taskReferenceName: 'b', type: 'NOOP' },
          { name: 'c', taskReferenceName: 'c', type: 'HUMAN' },
        ],
      });
      const id = (await start({ name: name('paged') })).text;
      await api().waitFor(id, (wf) => wf.tasks.length === 3);
      const page = (await api().expectOk<{ totalHits: number; results: Array<{ referenceTaskName: string }> }>('GET', `/api/workflow/${id}/tasks?start=1&count=1`)).body;
      expect(page.totalHits).toBe(3);
      expect(page.results.map((t) => t.referenceTaskName)).toEqual(['b']);
      const inProgress = (await api().expectOk<{ totalHits: number; results: Array<{ referenceTaskName: string }> }>('GET', `/api/workflow/${id}/tasks?status=IN_PROGRESS`)).body;
      expect(inProgress).toMatchObject({ totalHits: 1, results: [{ referenceTaskName: 'c' }] });
      const both = (await api().expectOk<{ totalHits: number }>('GET', `/api/workflow/${id}/tasks?status=IN_PROGRESS&status=COMPLETED`)).body;
      expect(both.totalHits).toBe(3);
    });
  });

  describe('resetcallbacks and decide', () => {
    it('hands out at once a task a worker asked to be called back on in an hour; decide answers 200 (404 unknown)', async () => {
      const type = name('callback');
      await api().registerTaskDefs([{ name: type }]);
      await api().registerWorkflow({ name: name('callback_wf'), version: 1, tasks: [{ name: type, taskReferenceName: 'slow' }] });
      const id = (await start({ name: name('callback_wf') })).text;
      const [task] = await api().poll(type, 'cb', 1, 2000);
      await api().expectOk('POST', '/api/tasks', { workflowInstanceId: id, taskId: task.taskId, status: 'IN_PROGRESS', callbackAfterSeconds: 3600 });
      expect(await api().poll(type, 'cb', 1, 200)).toEqual([]);

      expect((await api().call('POST', `/api/workflow/${id}/resetcallbacks`)).status).toBe(204);
      const [again] = await api().poll(type, 'cb', 1, 2000);
      expect(again?.taskId).toBe(task.taskId);

      expect((await api().call('PUT', `/api/workflow/decide/${id}`)).status).toBe(200);
      expect((await api().call('PUT', '/api/workflow/decide/00000000-0000-4000-8000-00000000abcd')).status).toBe(404);
    });
  });

  describe('skiptask', () => {
    it('passes over a task the flow has not reached, with the given output (body or query form); 409 once it ran', async () => {
      await api().registerWorkflow({
        name: name('skip'),
        version: 1,
        tasks: [
          { name: 'gate', taskReferenceName: 'gate', type: 'HUMAN' },
          { name: 'optional_step', taskReferenceName: 'maybe', type: 'HUMAN' },
          { name: 'use', taskReferenceName: 'use', type: 'INLINE', inputParameters: { expression: '$.v', v: '${maybe.output.v}' } },
        ],
        outputParameters: { v: '${use.output.result}' },
      });
      const id = (await start({ name: name('skip') })).text;
      await api().waitFor(id, (wf) => wf.tasks.length === 1);
      expect((await api().call('PUT', `/api/workflow/${id}/skiptask/maybe`, { taskInput: { by: 'ops' }, taskOutput: { v: 'skipped' } })).status).toBe(200);
      expect((await api().call('PUT', `/api/workflow/${id}/skiptask/gate`, {})).status).toBe(409);
      expect((await api().call('PUT', `/api/workflow/${id}/skiptask/nope`, {})).status).toBe(400);
      await api().expectOk('POST', `/api/tasks/${id}/gate/COMPLETED`, {});
      const done = await api().waitForStatus(id, 'COMPLETED');
      expect(done.output).toEqual({ v: 'skipped' });
      expect(done.tasks.map((t) => [t.referenceTaskName, t.status])).toEqual([
        ['gate', 'COMPLETED'],
        ['maybe', 'SKIPPED'],
        ['use', 'COMPLETED'],
      ]);

      const other = (await start({ name: name('skip') })).text;
      await api().waitFor(other, (wf) => wf.tasks.length === 1);
      const out = encodeURIComponent(JSON.stringify({ v: 'from query' }));
      expect((await api().call('PUT', `/api/workflow/${other}/skiptask/maybe?taskOutput=${out}`)).status).toBe(200);
      await api().expectOk('POST', `/api/tasks/${other}/gate/COMPLETED`, {});
      expect((await api().waitForStatus(other, 'COMPLETED')).output).toEqual({ v: 'from query' });
    });
  });

  describe('task logs and the queue update routes', () => {
    it('keeps what workers log against a task (a log call, or a TaskResult\'s logs) and serves it in order; 204 without any', async () => {
      const type = name('logger');
      await api().registerTaskDefs([{ name: type }]);
      await api().registerWorkflow({ name: name('logs'), version: 1, tasks: [{ name: type, taskReferenceName: 'work' }] });
      const id = (await start({ name: name('logs') })).text;
      const [task] = await api().poll(type, 'l', 1, 2000);
      expect((await api().call('GET', `/api/tasks/${task.taskId}/log`)).status).toBe(204);

      expect((await api().call('POST', `/api/tasks/${task.taskId}/log`, 'starting')).status).toBe(200);
      expect((await api().call('POST', `/api/tasks/${task.taskId}/log`, undefined, 'as text', 'text/plain')).status).toBe(200);
      // The Python SDK sends the line unquoted as application/json; Conductor binds the body to a String.
      expect((await api().call('POST', `/api/tasks/${task.taskId}/log`, undefined, 'unquoted', 'application/json')).status).toBe(200);
      await api().expectOk('POST', '/api/tasks', { workflowInstanceId: id, taskId: task.taskId, status: 'COMPLETED', logs: [{ log: 'done', createdTime: 1700000000000 }] });
      const logs = (await api().expectOk<Array<{ log: string; taskId: string; createdTime: number }>>('GET', `/api/tasks/${task.taskId}/log`)).body;
      expect(logs.map((l) => l.log)).toEqual(['starting', 'as text', 'unquoted', 'done']);
      expect(logs[3]).toEqual({ log: 'done', taskId: task.taskId, createdTime: 1700000000000 });
      expect((await api().call('POST', '/api/tasks/00000000-0000-4000-8000-00000000abcd/log', 'x')).status).toBe(404);
      expect((await api().call('POST', `/api/tasks/${task.taskId}/log`, undefined, '', 'application/json')).status).toBe(400);
    });

    it('completes a HUMAN task through /api/queue/update by reference name and by task id', async () => {
      await api().registerWorkflow({ ...human(name('queue_update')), outputParameters: { by: '${hold.output.by}' } });
      const byRefId = (await start({ name: name('queue_update') })).text;
      await api().waitFor(byRefId, (wf) => wf.tasks.length === 1);
      expect((await api().call('POST', `/api/queue/update/${byRefId}/hold/COMPLETED`, { by: 'ref' })).status).toBe(200);
      expect((await api().waitForStatus(byRefId, 'COMPLETED')).output).toEqual({ by: 'ref' });

      const byTaskId = (await start({ name: name('queue_update') })).text;
      const [hold] = (await api().waitFor(byTaskId, (wf) => wf.tasks.length === 1)).tasks;
      expect((await api().call('POST', `/api/queue/update/${byTaskId}/task/${hold.taskId}/COMPLETED`, { by: 'id' })).status).toBe(200);
      expect((await api().waitForStatus(byTaskId, 'COMPLETED')).output).toEqual({ by: 'id' });
    });
  });

  describe('queue sizes, poll data and pending tasks', () => {
    it('counts the tasks waiting in a queue (the leased ones in the verbose view), and tells who polled it last', async () => {
      const type = name('sized');
      await api().registerTaskDefs([{ name: type }]);
      await api().registerWorkflow({ name: name('sized_wf'), version: 1, tasks: [{ name: type, taskReferenceName: 'job' }] });
      for (let i = 0; i < 3; i++) await start({ name: name('sized_wf') });
      expect((await api().expectOk('GET', `/api/tasks/queue/sizes?taskType=${type}&taskType=${name('nothing')}`)).body).toEqual({ [type]: 3, [name('nothing')]: 0 });

      const before = Date.now();
      await api().poll(type, 'sizer', 1, 2000);
      const polled = (await api().expectOk<Array<{ queueName: string; workerId: string; lastPollTime: number }>>('GET', `/api/tasks/queue/polldata?taskType=${type}`)).body;
      expect(polled).toEqual([{ queueName: type, workerId: 'sizer', lastPollTime: expect.any(Number) }]);
      expect(polled[0].lastPollTime).toBeGreaterThanOrEqual(before);
      expect((await api().expectOk<Array<{ queueName: string }>>('GET', '/api/tasks/queue/polldata/all')).body.map((p) => p.queueName)).toContain(type);
      expect((await api().expectOk('GET', `/api/tasks/queue/size?taskType=${type}`)).body).toBe(2);
      expect(((await api().expectOk<Record<string, number>>('GET', '/api/tasks/queue/all')).body)[type]).toBe(2);
      expect(((await api().expectOk<Record<string, unknown>>('GET', '/api/tasks/queue/all/verbose')).body)[type]).toEqual({ a: { size: 2, uacked: 1 } });
      expect((await api().call('GET', '/api/tasks/queue/size')).status).toBe(400);

      const pending = (await api().expectOk<Array<{ taskType: string; status: string; workflowTask?: unknown }>>('GET', `/api/admin/task/${type}?count=10`)).body;
      expect(pending).toHaveLength(2);
      expect(pending.every((t) => t.taskType === type && t.status === 'SCHEDULED' && !!t.workflowTask)).toBe(true);
      expect((await api().expectOk<unknown[]>('GET', `/api/admin/task/${type}?start=1`)).body).toHaveLength(1);
    });
  });

  describe('pause and resume', () => {
    it('holds a paused workflow: a task in flight completes, the next waits for the resume; 409s where Conductor refuses', async () => {
      const [one, two] = [name('pause_one'), name('pause_two')];
      await api().registerTaskDefs([{ name: one }, { name: two }]);
      await api().registerWorkflow({ name: name('pause'), version: 1, tasks: [{ name: one, taskReferenceName: 'one' }, { name: two, taskReferenceName: 'two', inputParameters: { got: '${one.output.v}' } }] });
      const id = (await start({ name: name('pause') })).text;
      const [task] = await api().poll(one, 'p', 1, 2000);

      expect((await api().call('PUT', `/api/workflow/${id}/pause`)).status).toBe(200);
      expect((await api().call('PUT', `/api/workflow/${id}/pause`)).status).toBe(200);
      expect((await api().workflow(id)).status).toBe('PAUSED');
      await api().expectOk('POST', '/api/tasks', { workflowInstanceId: id, taskId: task.taskId, status: 'COMPLETED', outputData: { v: 5 } });
      const paused = await api().workflow(id);
      expect(paused).toMatchObject({ status: 'PAUSED' });
      expect(paused.tasks.map((t) => [t.referenceTaskName, t.status])).toEqual([['one', 'COMPLETED']]);
      expect(paused as unknown as Record<string, unknown>).not.toHaveProperty('onResume');
      expect(await api().poll(two, 'p', 1, 200)).toEqual([]);

      expect((await api().call('PUT', `/api/workflow/${id}/resume`)).status).toBe(200);
      expect((await api().call('PUT', `/api/workflow/${id}/resume`)).status).toBe(409);
      const [next] = await api().poll(two, 'p', 1, 2000);
      expect(next).toMatchObject({ workflowInstanceId: id, inputData: { got: 5 } });
      await api().expectOk('POST', '/api/tasks', { workflowInstanceId: id, taskId: next.taskId, status: 'COMPLETED' });
      await api().waitForStatus(id, 'COMPLETED');
      expect((await api().call('PUT', `/api/workflow/${id}/pause`)).status).toBe(409);
      expect((await api().call('PUT', '/api/workflow/00000000-0000-4000-8000-00000000abcd/pause')).status).toBe(404);
    });

    it('pauses and resumes lists of workflows (bulk)', async () => {
      await api().registerWorkflow(human(name('bulk_pause')));
      const ids = [(await start({ name: name('bulk_pause') })).text, (await start({ name: name('bulk_pause') })).text];
      type Bulk = { bulkSuccessfulResults: string[]; bulkErrorResults: Record<string, string> };
      expect((await api().expectOk<Bulk>('PUT', '/api/workflow/bulk/pause', ids)).body.bulkSuccessfulResults).toEqual(ids);
      for (const id of ids) expect((await api().workflow(id)).status).toBe('PAUSED');
      expect((await api().expectOk<Bulk>('PUT', '/api/workflow/bulk/resume', ids)).body.bulkSuccessfulResults).toEqual(ids);
      for (const id of ids) expect((await api().workflow(id)).status).toBe('RUNNING');
    });
  });

  describe('rerun', () => {
    it('reruns an ended workflow from a task with new task input, and from the start with new workflow input', async () => {
      const wf = {
        name: name('rerun'),
        version: 1,
        tasks: [
          { name: 'a', taskReferenceName: 'a', type: 'INLINE', inputParameters: { evaluatorType: 'javascript', expression: '$.n + 1', n: '${workflow.input.n}' } },
          { name: 'b', taskReferenceName: 'b', type: 'INLINE', inputParameters: { evaluatorType: 'javascript', expression: '$.m * 10', m: '${a.output.result}' } },
        ],
        outputParameters: { result: '${b.output.result}' },
      };
      await api().registerWorkflow(wf);
      const id = (await start({ name: wf.name, input: { n: 1 } })).text;
      const first = await api().waitForStatus(id, 'COMPLETED');
      expect(first.output).toEqual({ result: 20 });

      const fromB = await api().call('POST', `/api/workflow/${id}/rerun`, { reRunFromWorkflowId: id, reRunFromTaskId: first.tasks[1].taskId, taskInput: { evaluatorType: 'javascript', expression: '$.m * 10', m: 7 } });
      expect(fromB.status).toBe(200);
      expect(fromB.text).toBe(id);
      const again = await api().waitForStatus(id, 'COMPLETED');
      expect(again.output).toEqual({ result: 70 });
      expect(again.tasks[0].taskId).toBe(first.tasks[0].taskId);
      expect(again.tasks[1].taskId).not.toBe(first.tasks[1].taskId);

      await api().expectOk('POST', `/api/workflow/${id}/rerun`, { workflowInput: { n: 4 }, correlationId: 'rerun-2' });
      const fromStart = await api().waitForStatus(id, 'COMPLETED');
      expect(fromStart).toMatchObject({ output: { result: 50 }, input: { n: 4 }, correlationId: 'rerun-2' });

      expect((await api().call('POST', `/api/workflow/${id}/rerun`, { reRunFromTaskId: 'nope' })).status).toBe(400);
      expect((await api().call('POST', `/api/workflow/${id}/rerun`, { taskInput: 'not an object' })).status).toBe(400);
      await api().registerWorkflow(human(name('rerun_running')));
      const running = (await start({ name: name('rerun_running') })).text;
      expect((await api().call('POST', `/api/workflow/${running}/rerun`, {})).status).toBe(409);
    });
  });

  describe('remove', () => {
    it('removes an ended workflow (archived by default) and a running one without archiving; terminate-remove stops and removes', async () => {
      await api().registerWorkflow(human(name('remove')));
      const ended = (await start({ name: name('remove') })).text;
      await api().expectOk('DELETE', `/api/workflow/${ended}`);
      await api().waitForStatus(ended, 'TERMINATED');
      expect((await api().call('DELETE', `/api/workflow/${ended}/remove`)).status).toBe(200);
      expect((await api().call('GET', `/api/workflow/${ended}`)).status).toBe(404);
      expect((await api().call('DELETE', `/api/workflow/${ended}/remove`)).status).toBe(404);

      const running = (await start({ name: name('remove') })).text;
      const refused = await api().call<{ message: string }>('DELETE', `/api/workflow/${running}/remove`);
      expect(refused.status).toBe(400);
      expect(refused.body.message).toBe(`Cannot archive workflow: ${running} with status: RUNNING`);
      expect((await api().workflow(running)).status).toBe('RUNNING');
      expect((await api().call('DELETE', `/api/workflow/${running}/remove?archiveWorkflow=False`)).status).toBe(200);
      expect((await api().call('GET', `/api/workflow/${running}`)).status).toBe(404);

      const other = (await start({ name: name('remove') })).text;
      expect((await api().call('DELETE', `/api/workflow/${other}/terminate-remove?reason=gone`)).status).toBe(200);
      expect((await api().call('GET', `/api/workflow/${other}`)).status).toBe(404);

      const ids = [(await start({ name: name('remove') })).text, (await start({ name: name('remove') })).text];
      type Bulk = { bulkSuccessfulResults: string[]; bulkErrorResults: Record<string, string> };
      expect((await api().expectOk<Bulk>('DELETE', '/api/workflow/bulk/terminate-remove?reason=sweep', ids)).body.bulkSuccessfulResults).toEqual(ids);
      const again = (await api().expectOk<Bulk>('DELETE', '/api/workflow/bulk/remove', ids)).body;
      expect(Object.keys(again.bulkErrorResults).sort()).toEqual([...ids].sort());
    });
  });

  describe('the change stream (server-sent events)', () => {
    /** Reads `GET /api/workflow/{id}/stream` to its end: each `workflow` event's status and task statuses. */
    async function follow(id: string, onEvent: (n: number, wf: WorkflowView) => Promise<void>): Promise<{ contentType: string; events: WorkflowView[] }> {
      const res = await fetch(`${api().baseUrl}/api/workflow/${id}/stream`, { headers: { accept: 'text/event-stream' } });
      expect(res.status).toBe(200);
      const events: WorkflowView[] = [];
      const decoder = new TextDecoder();
      let buffered = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const lines = block.split('\n');
          if (!lines.includes('event: workflow')) continue;
          const wf = JSON.parse(lines.find((l) => l.startsWith('data: '))!.slice(6)) as WorkflowView;
          events.push(wf);
          await onEvent(events.length, wf);
        }
      }
      return { contentType: res.headers.get('content-type') ?? '', events };
    }

    it('pushes the workflow at once and after each change, and ends with the event that shows it ended', async () => {
      const type = name('streamed');
      await api().registerTaskDefs([{ name: type, retryCount: 0 }]);
      await api().registerWorkflow({ name: name('stream'), version: 1, tasks: [{ name: type, taskReferenceName: 'a' }, { name: type, taskReferenceName: 'b' }] });
      const id = (await start({ name: name('stream') })).text;
      // The worker acts only after the stream showed the state it acts on: each change must be pushed. (The
      // suites run the gateway with BATON_STREAM_HEARTBEAT_MS far out, so no periodic read can stand in for it.)
      const handled = new Set<string>();
      const { contentType, events } = await follow(id, async (_n, wf) => {
        const pending = wf.tasks.find((t) => t.status === 'SCHEDULED' && !handled.has(t.taskId));
        if (!pending) return;
        handled.add(pending.taskId);
        let task: TaskView | undefined;
        while (!task) [task] = await api().poll(type, 'sse', 1, 5000);
        expect(task.referenceTaskName).toBe(pending.referenceTaskName);
        await api().complete(task, { ref: task.referenceTaskName });
      });
      expect(contentType).toMatch(/^text\/event-stream/);
      expect(events[0].status).toBe('RUNNING');
      expect(events.at(-1)!.status).toBe('COMPLETED');
      expect(events.at(-1)!.tasks.map((t) => [t.referenceTaskName, t.status])).toEqual([['a', 'COMPLETED'], ['b', 'COMPLETED']]);
      // b was scheduled only after a completed, and the stream showed it: no change was missed on the way.
      expect(events.some((wf) => wf.tasks.length === 2 && wf.tasks[1].status === 'SCHEDULED')).toBe(true);
      // Each event is a change: none repeats the one before it.
      for (let i = 1; i < events.length; i++) expect(JSON.stringify(events[i])).not.toBe(JSON.stringify(events[i - 1]));
    });

    it('answers an ended workflow with one event and ends, a reconnect to it with 204; 404 in Conductor\'s body for an unknown id', async () => {
      await api().registerWorkflow(human(name('stream_ended')));
      const id = (await start({ name: name('stream_ended') })).text;
      await api().expectOk('DELETE', `/api/workflow/${id}?reason=done`);
      await api().waitForStatus(id, 'TERMINATED');
      const { events } = await follow(id, async () => undefined);
      expect(events.map((wf) => wf.status)).toEqual(['TERMINATED']);
      // An EventSource reconnecting (Last-Event-ID) to a workflow that has ended is told to stop.
      expect((await fetch(`${api().baseUrl}/api/workflow/${id}/stream`, { headers: { 'last-event-id': '1' } })).status).toBe(204);

      const missing = await api().call<{ status: number; message: string }>('GET', '/api/workflow/00000000-0000-4000-8000-000000000000/stream');
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ status: 404, message: expect.stringContaining('00000000-0000-4000-8000-000000000000') });
    });
  });

  describe('long poll', () => {
    it('answers a poll waiting on an empty queue soon after a task is scheduled, not at its timeout', async () => {
      const type = name('long_polled');
      await api().registerTaskDefs([{ name: type }]);
      await api().registerWorkflow({ name: name('long_poll'), version: 1, tasks: [{ name: type, taskReferenceName: 'w' }] });
      const polled = api().poll(type, 'lp', 1, 5000).then((tasks) => ({ tasks, at: performance.now() }));
      await new Promise((r) => setTimeout(r, 300));
      const sentAt = performance.now();
      const id = (await start({ name: name('long_poll') })).text;
      const { tasks, at } = await polled;
      expect(tasks.map((t) => t.workflowInstanceId)).toEqual([id]);
      // Reported, not asserted beyond "before the timeout": the machines are noisy.
      expect(at - sentAt).toBeLessThan(5000);
      console.log(`a long poll waiting on an empty queue got its task ${(at - sentAt).toFixed(1)} ms after the start was sent`);
    });
  });

  describe('task domains', () => {
    it("queues a worker task in the domain taskToDomain gives it: polled with that domain, not without", async () => {
      const type = name('domained');
      await api().registerTaskDefs([{ name: type }]);
      await api().registerWorkflow({ name: name('domains'), version: 1, tasks: [{ name: type, taskReferenceName: 'w' }] });
      const id = (await start({ name: name('domains'), taskToDomain: { [type]: 'blue,NO_DOMAIN' } })).text;
      expect((await api().workflow(id)).tasks[0]).toMatchObject({ domain: 'blue', status: 'SCHEDULED' });
      expect(await api().poll(type, 'd', 1, 100)).toEqual([]);
      expect((await api().expectOk('GET', `/api/tasks/queue/size?taskType=${type}&domain=blue`)).body).toBe(1);
      const polled = await api().call<Array<{ taskId: string; domain: string }>>('GET', `/api/tasks/poll/batch/${type}?workerid=d&domain=blue&count=1&timeout=2000`);
      expect(polled.body).toEqual([expect.objectContaining({ domain: 'blue' })]);
      expect((await api().expectOk<Array<{ domain?: string; workerId: string }>>('GET', `/api/tasks/queue/polldata?taskType=${type}`)).body).toEqual(
        expect.arrayContaining([expect.objectContaining({ domain: 'blue', workerId: 'd' })]),
      );
    });
  });

  describe('execute and signal', () => {
    const waitThenInline = (wfName: string) => ({
      name: wfName,
      version: 1,
      tasks: [
        { name: 'before', taskReferenceName: 'before', type: 'INLINE', inputParameters: { evaluatorType: 'javascript', expression: '1 + 1' } },
        { name: 'hold', taskReferenceName: 'hold', type: 'WAIT' },
        { name: 'after', taskReferenceName: 'after', type: 'INLINE', inputParameters: { evaluatorType: 'javascript', expression: '$.x + 1', x: '${hold.output.x}' } },
      ],
      outputParameters: { result: '${after.output.result}' },
    });
    type SignalView = WorkflowView & { responseType: string; targetWorkflowId: string; targetWorkflowStatus: string; requestId: string; signalTimeout: boolean; taskType?: string; referenceTaskName?: string };

    it('answers execute when the workflow reaches a WAIT, and signal/sync when it then completes', async () => {
      await api().registerWorkflow(waitThenInline(name('execute')));
      const started = await api().expectOk<SignalView>('POST', `/api/workflow/execute/${name('execute')}/1?requestId=req-1`, { input: { a: 1 } });
      const run = started.body;
      expect(run).toMatchObject({ responseType: 'TARGET_WORKFLOW', targetWorkflowStatus: 'RUNNING', status: 'RUNNING', requestId: 'req-1', signalTimeout: false, input: { a: 1 } });
      expect(run.workflowId).toBe(run.targetWorkflowId);
      expect(run.tasks.map((t) => [t.referenceTaskName, t.status])).toEqual([
        ['before', 'COMPLETED'],
        ['hold', 'IN_PROGRESS'],
      ]);

      const signalled = await api().expectOk<SignalView>('POST', `/api/tasks/${run.workflowId}/COMPLETED/signal/sync`, { x: 41 });
      expect(signalled.body).toMatchObject({ responseType: 'TARGET_WORKFLOW', targetWorkflowStatus: 'COMPLETED', status: 'COMPLETED', output: { result: 42 }, signalTimeout: false });
    });

    it('answers signal/sync on a workflow nobody watched yet when a worker finishes it later: the signal itself asks for its changes', async () => {
      const type = name('after_signal');
      await api().registerTaskDefs([{ name: type }]);
      await api().registerWorkflow({ name: name('signal_then_work'), version: 1, tasks: [{ name: 'hold', taskReferenceName: 'hold', type: 'WAIT' }, { name: type, taskReferenceName: 'work' }] });
      const id = (await start({ name: name('signal_then_work') })).text;
      await api().waitFor(id, (wf) => wf.tasks.some((t) => t.referenceTaskName === 'hold' && t.status === 'IN_PROGRESS'));
      // The caller would wait up to 2 minutes; the worker finishes within moments, and only a notification
      // of that change can answer the caller before this test's own 30 s limit.
      const answered = api().expectOk<SignalView>('POST', `/api/tasks/${id}/COMPLETED/signal/sync?timeoutMillis=120000`, {});
      let task: TaskView | undefined;
      while (!task) [task] = await api().poll(type, 'sig', 1, 5000);
      await api().complete(task, { done: true });
      expect((await answered).body).toMatchObject({ targetWorkflowId: id, targetWorkflowStatus: 'COMPLETED', signalTimeout: false });
    }, 30_000);

    it('answers with the blocking task, or at the timeout with signalTimeout; signal completes a HUMAN task', async () => {
      await api().registerWorkflow(waitThenInline(name('execute_task')));
      const blocking = (await api().expectOk<SignalView>('POST', `/api/workflow/execute/${name('execute_task')}/0?returnStrategy=BLOCKING_TASK`, {})).body;
      expect(blocking).toMatchObject({ responseType: 'BLOCKING_TASK', taskType: 'WAIT', referenceTaskName: 'hold', status: 'IN_PROGRESS', targetWorkflowStatus: 'RUNNING' });

      const type = name('never_polled');
      await api().registerTaskDefs([{ name: type }]);
      await api().registerWorkflow({ name: name('execute_slow'), version: 1, tasks: [{ name: type, taskReferenceName: 'slow' }] });
      const timedOut = (await api().expectOk<SignalView>('POST', `/api/workflow/execute/${name('execute_slow')}/1?waitForSeconds=1`, {})).body;
      expect(timedOut).toMatchObject({ signalTimeout: true, status: 'RUNNING' });

      await api().registerWorkflow(human(name('signal_human')));
      const id = (await start({ name: name('signal_human') })).text;
      expect((await api().call('POST', `/api/tasks/${id}/COMPLETED/signal`, { approved: true })).status).toBe(200);
      const done = await api().waitForStatus(id, 'COMPLETED');
      expect(done.tasks[0].outputData).toEqual({ approved: true });
      expect((await api().call('POST', `/api/tasks/${id}/COMPLETED/signal`, {})).status).toBe(200);
    });

    it('answers execute within moments of the awaited task finishing (waitUntilTaskRef), pushed and not polled', async () => {
      const type = name('awaited');
      await api().registerTaskDefs([{ name: type }]);
      await api().registerWorkflow({ name: name('execute_until'), version: 1, tasks: [{ name: type, taskReferenceName: 'awaited' }, { name: 'hold', taskReferenceName: 'hold', type: 'WAIT' }] });
      const answered = api().call<SignalView>('POST', `/api/workflow/execute/${name('execute_until')}/1?waitUntilTaskRef=awaited&waitForSeconds=30`, {}).then((r) => ({ r, at: performance.now() }));
      const [task] = await api().poll(type, 'e', 1, 5000);
      const completedAt = performance.now();
      await api().expectOk('POST', '/api/tasks', { workflowInstanceId: task.workflowInstanceId, taskId: task.taskId, status: 'COMPLETED', outputData: { ok: 1 } });
      const { r, at } = await answered;
      expect(r.status).toBe(200);
      expect(r.body.signalTimeout).toBe(false);
      expect(r.body.tasks.find((t) => t.referenceTaskName === 'awaited')).toMatchObject({ status: 'COMPLETED', outputData: { ok: 1 } });
      // Reported, not asserted: the machines are noisy.
      console.log(`execute answered ${(at - completedAt).toFixed(1)} ms after the awaited task's update was sent`);
    });

    it('400s bad execute parameters, naming each', async () => {
      const r = await api().call<{ validationErrors: Array<{ path: string }> }>('POST', `/api/workflow/execute/${name('execute')}/x?returnStrategy=NOPE&waitForSeconds=-1`, {});
      expect(r.status).toBe(400);
      expect(r.body.validationErrors.map((e) => e.path).sort()).toEqual(['returnStrategy', 'version', 'waitForSeconds']);
      expect((await api().call('POST', '/api/workflow/execute/no_such_workflow_x/1', {})).status).toBe(404);
    });
  });

  describe('test runs', () => {
    it('runs a workflow on mocked worker results (one per attempt) and answers the Workflow; 400s a bad mock', async () => {
      const type = name('mocked');
      await api().registerTaskDefs([{ name: type, retryCount: 1, retryDelaySeconds: 0 }]);
      const wfName = name('test_run');
      await api().registerWorkflow({
        name: wfName,
        version: 1,
        tasks: [
          { name: type, taskReferenceName: 'first' },
          { name: type, taskReferenceName: 'second', inputParameters: { from: '${first.output.x}' } },
        ],
        outputParameters: { y: '${second.output.y}' },
      });
      const r = await api().call<WorkflowView>('POST', '/api/workflow/test', {
        name: wfName,
        version: 1,
        input: { a: 1 },
        taskRefToMockOutput: { first: [{ status: 'COMPLETED', output: { x: 7 } }], second: [{ status: 'FAILED' }, { status: 'COMPLETED', output: { y: 8 }, executionTime: 25 }] },
      });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ status: 'COMPLETED', output: { y: 8 }, input: { a: 1 } });
      expect(r.body.tasks.map((t) => [t.referenceTaskName, t.status])).toEqual([
        ['first', 'COMPLETED'],
        ['second', 'FAILED'],
        ['second', 'COMPLETED'],
      ]);
      expect(r.body.tasks[1].inputData).toEqual({ from: 7 });
      expect(r.body as unknown as Record<string, unknown>).not.toHaveProperty('testRun');
      expect(await api().poll(type, 't', 1, 100)).toEqual([]);

      const bad = await api().call<{ validationErrors: Array<{ path: string }> }>('POST', '/api/workflow/test', { name: wfName, taskRefToMockOutput: { first: [{ status: 'MAYBE' }] } });
      expect(bad.status).toBe(400);
      expect(bad.body.validationErrors.map((e) => e.path)).toEqual(['taskRefToMockOutput.first[0].status']);
    });
  });

  describe('admin', () => {
    it('answers the version, the settings, the event queues, a sweep and a consistency check', async () => {
      const version = await api().expectOk('GET', '/api/version');
      expect(version.contentType).toContain('text/plain');
      expect(version.text).toMatch(/^\d+\.\d+\.\d+/);
      const config = (await api().expectOk<Record<string, unknown>>('GET', '/api/admin/config')).body;
      expect(config['baton.version']).toBe(version.text);
      expect(JSON.stringify(config)).not.toMatch(/password|postgres:\/\//i);
      expect((await api().expectOk('GET', '/api/admin/queues?verbose=true')).body).toEqual({});

      await api().registerWorkflow(human(name('admin')));
      const id = (await start({ name: name('admin') })).text;
      expect((await api().expectOk('POST', `/api/admin/sweep/requeue/${id}`)).text).toBe(`true.${id}`);
      expect((await api().expectOk('POST', `/api/admin/consistency/verifyAndRepair/${id}`)).text).toBe('false');
      expect((await api().call('POST', '/api/admin/consistency/verifyAndRepair/00000000-0000-4000-8000-00000000abcd')).status).toBe(404);
      // Every pending task of the type has its queue row: nothing to requeue.
      const type = name('requeued');
      await api().registerTaskDefs([{ name: type }]);
      await api().registerWorkflow({ name: name('requeue'), version: 1, tasks: [{ name: type, taskReferenceName: 'w' }] });
      await start({ name: name('requeue') });
      const requeued = await api().expectOk('POST', `/api/tasks/queue/requeue/${type}`);
      expect(requeued.contentType).toContain('text/plain');
      expect(requeued.text).toBe('0');

      expect((await api().expectOk('GET', '/api/queue/size')).body).toEqual({});
      expect((await api().expectOk('GET', '/api/queue/')).body).toEqual({});
      // External payload storage is not kept: a clear 501, not a 404 for a workflow named "externalstoragelocation".
      expect((await api().call('GET', '/api/workflow/externalstoragelocation?path=x&operation=READ&payloadType=WORKFLOW_INPUT')).status).toBe(501);
    });
  });

  describe('bulk', () => {
    it('terminates, restarts and retries lists of workflows, answering a BulkResponse with the reason for each one that failed', async () => {
      await api().registerWorkflow(human(name('bulk')));
      const ids = [(await start({ name: name('bulk') })).text, (await start({ name: name('bulk') })).text];
      const unknown = '00000000-0000-4000-8000-00000000abcd';
      type Bulk = { bulkSuccessfulResults: string[]; bulkErrorResults: Record<string, string>; message: string };

      const terminated = (await api().expectOk<Bulk>('POST', '/api/workflow/bulk/terminate?reason=cleanup', [...ids, unknown])).body;
      expect(terminated.bulkSuccessfulResults).toEqual(ids);
      expect(Object.keys(terminated.bulkErrorResults)).toEqual([unknown]);
      expect(terminated.message).toBe('Bulk Request has been processed.');
      for (const id of ids) expect(await api().waitForStatus(id, 'TERMINATED')).toMatchObject({ reasonForIncompletion: 'cleanup' });

      const retried = (await api().expectOk<Bulk>('POST', '/api/workflow/bulk/retry', ids)).body;
      expect(retried.bulkSuccessfulResults).toEqual(ids);
      for (const id of ids) await api().waitForStatus(id, 'RUNNING');
      // Running: they can be neither restarted nor retried, each says why.
      const refused = (await api().expectOk<Bulk>('POST', '/api/workflow/bulk/restart', ids)).body;
      expect(refused.bulkSuccessfulResults).toEqual([]);
      expect(Object.keys(refused.bulkErrorResults).sort()).toEqual([...ids].sort());

      await api().expectOk('POST', '/api/workflow/bulk/terminate', ids);
      expect((await api().expectOk<Bulk>('POST', '/api/workflow/bulk/restart?useLatestDefinitions=false', ids)).body.bulkSuccessfulResults).toEqual(ids);
      expect((await api().call('POST', '/api/workflow/bulk/retry', { not: 'a list' })).status).toBe(400);
    });
  });
}

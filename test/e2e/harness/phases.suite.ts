import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { ConductorClient, TaskView } from './conductor-client';

type PhasedTask = TaskView & { phase?: string; phaseStatus?: string; phaseHistory?: Array<{ event: string; time: number; reason?: string }> };
type Answer = { status: 'COMPLETED' | 'FAILED' | 'IN_PROGRESS'; outputData?: Record<string, unknown>; reasonForIncompletion?: string; callbackAfterSeconds?: number };

/**
 * Task phases through the HTTP API, as a resource orchestrator uses them: workers handed each task's
 * `phase` (start, monitor, rollback), a monitor that polls until the resource is ready, and a saga whose
 * failure rolls back what it created — in reverse order, each rollback once.
 */
export function phasesSuite(getApi: () => ConductorClient, kafka?: () => { readonly brokers: string; readonly prefix: string }): void {
  const api = () => getApi();
  const run = randomBytes(3).toString('hex');
  const name = (base: string) => `phases_${base}_${run}`;

  let sagaId = '';

  /** Polls each type and answers its tasks with `answer` until `until` holds (bounded), recording who did what. */
  const work = async (types: string[], answer: (t: PhasedTask) => Answer, until: () => Promise<boolean>, journal: string[]) => {
    const deadline = Date.now() + 60_000;
    while (!(await until())) {
      if (Date.now() > deadline) throw new Error(`the workers never got there; did: ${journal.join(', ')}`);
      for (const type of types) {
        for (const t of (await api().poll(type, 'phase-worker', 10, 200)) as PhasedTask[]) {
          journal.push(`${t.referenceTaskName}:${t.phase ?? 'start'}`);
          const a = answer(t);
          await api().expectOk('POST', '/api/tasks', { workflowInstanceId: t.workflowInstanceId, taskId: t.taskId, workerId: 'phase-worker', ...a });
        }
      }
    }
  };

  it('monitors a created resource until it is ready, then rolls back what the saga created when a later step fails, in reverse order, each once', async () => {
    const [vm, disk, attach] = [name('create_vm'), name('create_disk'), name('attach_disk')];
    await api().expectOk('POST', '/api/metadata/taskdefs', [
      { name: vm, phases: ['rollback'], retryCount: 0, responseTimeoutSeconds: 30 },
      { name: disk, phases: ['monitor', 'rollback'], monitorIntervalSeconds: 1, monitorTimeoutSeconds: 60, retryCount: 0, responseTimeoutSeconds: 30 },
      { name: attach, retryCount: 0 },
    ]);
    expect((await api().expectOk<{ phases: string[] }>('GET', `/api/metadata/taskdefs/${disk}`)).body.phases).toEqual(['monitor', 'rollback']);
    await api().registerWorkflow({
      name: name('saga'),
      version: 1,
      rollbackOnFailure: true,
      tasks: [
        { name: vm, taskReferenceName: 'vm' },
        { name: disk, taskReferenceName: 'disk', inputParameters: { vm: '${vm.output.id}' } },
        { name: attach, taskReferenceName: 'attach', inputParameters: { vm: '${vm.output.id}', disk: '${disk.output.id}' } },
      ],
    });
    const id = await api().startWorkflow(name('saga'), {});
    sagaId = id;
    const journal: string[] = [];
    let monitorPolls = 0;
    await work(
      [vm, disk, attach],
      (t) => {
        if (t.phase === 'rollback') return { status: 'COMPLETED', outputData: { deleted: true } };
        if (t.phase === 'monitor') return ++monitorPolls < 3 ? { status: 'IN_PROGRESS', outputData: { progress: monitorPolls * 40 } } : { status: 'COMPLETED', outputData: { ready: true } };
        if (t.referenceTaskName === 'attach') return { status: 'FAILED', reasonForIncompletion: 'no free slot on the vm' };
        return { status: 'COMPLETED', outputData: { id: `${t.referenceTaskName}-1` } };
      },
      async () => (await api().workflow(id)).status !== 'RUNNING',
      journal,
    );
    // Every task of a type is handed out with its phase; a Conductor task (attach) has none.
    expect(journal).toEqual(['vm:start', 'disk:start', 'disk:monitor', 'disk:monitor', 'disk:monitor', 'attach:start', 'disk:rollback', 'vm:rollback']);
    const wf = (await api().workflow(id)) as unknown as { status: string; reasonForIncompletion: string; compensation: { status: string; rolledBack: string[] }; tasks: PhasedTask[] };
    expect(wf).toMatchObject({ status: 'FAILED', reasonForIncompletion: 'no free slot on the vm', compensation: { status: 'COMPLETED' } });
    const byRef = Object.fromEntries(wf.tasks.map((t) => [t.referenceTaskName, t]));
    expect(wf.compensation.rolledBack).toEqual([byRef.disk.taskId, byRef.vm.taskId]);
    expect(byRef.disk.outputData).toMatchObject({ id: 'disk-1', ready: true });
    expect(byRef.disk.phaseHistory?.map((h) => h.event)).toEqual([
      'produce.success',
      'start.begin',
      'start.success',
      'monitor.begin',
      'monitor.success',
      'rollback.begin',
      'rollback.success',
    ]);
    expect(byRef.attach).not.toHaveProperty('phase');
  });

  it("rolls back a fork's branches side by side, each in reverse, when a monitor times out after the join", async () => {
    const [res, slow] = [name('resource'), name('slow_disk')];
    await api().expectOk('POST', '/api/metadata/taskdefs', [
      { name: res, phases: ['rollback'], retryCount: 0, responseTimeoutSeconds: 30 },
      { name: slow, phases: ['monitor', 'rollback'], monitorIntervalSeconds: 1, monitorTimeoutSeconds: 2, retryCount: 0, responseTimeoutSeconds: 30 },
    ]);
    await api().registerWorkflow({
      name: name('fork_saga'),
      version: 1,
      rollbackOnFailure: true,
      tasks: [
        { name: 'fork', taskReferenceName: 'fork', type: 'FORK_JOIN', forkTasks: [[{ name: res, taskReferenceName: 'a1' }, { name: res, taskReferenceName: 'a2' }], [{ name: res, taskReferenceName: 'b1' }]] },
        { name: 'join', taskReferenceName: 'join', type: 'JOIN', joinOn: ['a2', 'b1'] },
        { name: slow, taskReferenceName: 'never_ready' },
      ],
    });
    const id = await api().startWorkflow(name('fork_saga'), {});
    const journal: string[] = [];
    await work(
      [res, slow],
      (t) => (t.phase === 'monitor' ? { status: 'IN_PROGRESS' } : { status: 'COMPLETED', outputData: { id: t.referenceTaskName } }),
      async () => (await api().workflow(id)).status !== 'RUNNING',
      journal,
    );
    const rollbacks = journal.filter((j) => j.endsWith(':rollback'));
    // Each once; a2 before a1 (their branch, in reverse); never_ready (it never completed) not at all.
    expect([...rollbacks].sort()).toEqual(['a1:rollback', 'a2:rollback', 'b1:rollback']);
    expect(rollbacks.indexOf('a2:rollback')).toBeLessThan(rollbacks.indexOf('a1:rollback'));
    const wf = (await api().workflow(id)) as unknown as { status: string; compensation: { status: string }; tasks: PhasedTask[] };
    expect(wf).toMatchObject({ status: 'TIMED_OUT', compensation: { status: 'COMPLETED' } });
    expect(wf.tasks.find((t) => t.referenceTaskName === 'never_ready')).toMatchObject({ status: 'TIMED_OUT', phaseStatus: 'monitor.failed' });
  });

  it("debugs a run through SipRS's task API: paused at the failed task, re-run with new parameters, resumed to COMPLETED", async () => {
    const type = name('provision');
    await api().registerTaskDefs([{ name: type, retryCount: 0 }]);
    await api().registerWorkflow({
      name: name('debugged'),
      version: 1,
      tasks: [
        { name: type, taskReferenceName: 'provision', inputParameters: { size: '${workflow.input.size}' } },
        { name: 'report', taskReferenceName: 'report', type: 'INLINE', inputParameters: { evaluatorType: 'javascript', expression: '$.size * 10', size: '${provision.output.size}' } },
      ],
      outputParameters: { result: '${report.output.result}' },
    });
    const started = await api().call('POST', '/api/workflow', { name: name('debugged'), input: { size: 3 }, runMode: 'debug' });
    expect(started.status).toBe(200);
    const id = started.text;
    const answer = (t: PhasedTask): Answer => (Number(t.inputData.size) > 5 ? { status: 'COMPLETED', outputData: { size: t.inputData.size } } : { status: 'FAILED', reasonForIncompletion: `size ${String(t.inputData.size)} is too small` });
    await work([type], answer, async () => (await api().workflow(id)).status === 'PAUSED', []);

    type SipRs = { id: string; processInstanceId: string; taskId: string; name: string; namespace: string; stone: string; status: string; reason?: string; params: Record<string, unknown>; outputs: Record<string, unknown>; progress: number };
    const listed = (await api().expectOk<SipRs[]>('GET', `/task?processInstanceId=${id}`)).body;
    expect(listed).toEqual([expect.objectContaining({ processInstanceId: id, namespace: 'provision', stone: type, status: 'start.failed', reason: 'size 3 is too small', params: { size: 3 }, progress: 100 })]);
    const failedId = listed[0].id;
    expect((await api().expectOk<SipRs>('GET', `/task/${failedId}`)).body).toEqual(listed[0]);
    expect((await api().call('GET', '/task?processInstanceId=00000000-0000-4000-8000-00000000abcd')).status).toBe(404);
    expect((await api().call('GET', '/task')).status).toBe(400);

    // Re-run its start with new parameters, as a form, as SipRS's clients send it.
    const rerun = await api().call<SipRs>('PUT', `/task/${failedId}/reRun`, undefined, `queueType=start&parameters=${encodeURIComponent(JSON.stringify({ size: 8 }))}`, 'application/x-www-form-urlencoded');
    expect(rerun.status).toBe(200);
    expect(rerun.body).toMatchObject({ id: failedId, status: 'produce.success', params: { size: 8 } });
    expect((await api().call('PUT', `/task/${failedId}/reRun`, undefined, 'queueType=teleport', 'application/x-www-form-urlencoded')).status).toBe(400);
    await work([type], answer, async () => (await api().workflow(id)).tasks[0].status === 'COMPLETED', []);
    expect((await api().workflow(id)).status).toBe('PAUSED');

    expect((await api().expectOk<SipRs>('PUT', `/task/${failedId}/resume`)).body.status).toBe('start.success');
    const done = await api().waitForStatus(id, 'COMPLETED');
    expect(done.output).toEqual({ result: 80 });
  });

  it('tells the worker of an in-flight task to cancel it when the workflow is terminated, and runs delete phases before a removal', async () => {
    const [vm, disk] = [name('cancellable'), name('deletable')];
    await api().expectOk('POST', '/api/metadata/taskdefs', [
      { name: vm, phases: ['cancel'], retryCount: 0, responseTimeoutSeconds: 30 },
      { name: disk, phases: ['delete'], retryCount: 0, responseTimeoutSeconds: 30 },
    ]);
    await api().registerWorkflow({ name: name('cancel'), version: 1, tasks: [{ name: vm, taskReferenceName: 'vm' }] });
    await api().registerWorkflow({ name: name('delete'), version: 1, tasks: [{ name: disk, taskReferenceName: 'disk' }] });

    // Terminate while a worker is at the task: it is handed the cancel phase; the start's late result does not count.
    const id = await api().startWorkflow(name('cancel'), {});
    const [held] = (await api().poll(vm, 'w', 1, 2000)) as PhasedTask[];
    expect(held.phase).toBe('start');
    await api().expectOk('DELETE', `/api/workflow/${id}?reason=stop`);
    expect((await api().workflow(id)).status).toBe('TERMINATED');
    const [cancel] = (await api().poll(vm, 'w', 1, 2000)) as PhasedTask[];
    expect(cancel).toMatchObject({ taskId: held.taskId, phase: 'cancel' });
    await api().expectOk('POST', '/api/tasks', { workflowInstanceId: id, taskId: held.taskId, status: 'COMPLETED', phase: 'start' });
    expect(((await api().workflow(id)).tasks[0] as PhasedTask).phaseStatus).toBe('cancel.begin');
    await api().expectOk('POST', '/api/tasks', { workflowInstanceId: id, taskId: held.taskId, status: 'COMPLETED', phase: 'cancel' });
    expect((await api().workflow(id)).tasks[0]).toMatchObject({ status: 'CANCELED', phaseStatus: 'cancel.success' });

    // A removal waits for the delete phase of the tasks that implement it.
    const done = await api().startWorkflow(name('delete'), {});
    await work([disk], () => ({ status: 'COMPLETED', outputData: { id: 'disk-9' } }), async () => (await api().workflow(done)).status === 'COMPLETED', []);
    await api().expectOk('DELETE', `/api/workflow/${done}/remove`);
    expect(((await api().workflow(done)) as unknown as { removal: { status: string } }).removal).toEqual({ status: 'RUNNING', archive: true });
    const deleted: string[] = [];
    await work([disk], (t) => (deleted.push(`${t.phase}:${String(t.outputData?.id)}`), { status: 'COMPLETED' }), async () => (await api().call('GET', `/api/workflow/${done}`)).status === 404, []);
    expect(deleted).toEqual(['delete:disk-9']);
  });

  it('dry-runs a workflow: the workers that implement mock get that phase, the others are passed over', async () => {
    const [priced, plain] = [name('priced'), name('unpriced')];
    await api().expectOk('POST', '/api/metadata/taskdefs', [{ name: priced, phases: ['mock'], retryCount: 0 }, { name: plain, retryCount: 0 }]);
    await api().registerWorkflow({ name: name('mock'), version: 1, tasks: [{ name: plain, taskReferenceName: 'plain' }, { name: priced, taskReferenceName: 'priced' }], outputParameters: { cost: '${priced.output.cost}' } });
    const id = (await api().call('POST', '/api/workflow', { name: name('mock'), runMode: 'mock' })).text;
    const phases: string[] = [];
    await work([priced, plain], (t) => (phases.push(`${t.referenceTaskName}:${t.phase}`), { status: 'COMPLETED', outputData: { cost: 42 } }), async () => (await api().workflow(id)).status !== 'RUNNING', []);
    expect(phases).toEqual(['priced:mock']);
    const wf = await api().workflow(id);
    expect(wf).toMatchObject({ status: 'COMPLETED', output: { cost: 42 } });
    expect(wf.tasks.map((t) => [t.referenceTaskName, t.status])).toEqual([
      ['plain', 'SKIPPED'],
      ['priced', 'COMPLETED'],
    ]);
  });

  if (kafka) {
    it("publishes every phase of the saga's tasks on the task-event topic, in order", async () => {
      expect(sagaId).not.toBe('');
      const { brokers, prefix } = kafka();
      const consumer = new Kafka({ clientId: `phases-${run}`, brokers: brokers.split(','), logLevel: logLevel.NOTHING }).consumer({ groupId: `phases-e2e-${run}` });
      const seen = new Map<string, string[]>();
      const wf = await api().workflow(sagaId);
      const disk = (wf.tasks as PhasedTask[]).find((t) => t.referenceTaskName === 'disk') as PhasedTask;
      try {
        await consumer.connect();
        await consumer.subscribe({ topic: `${prefix}baton.task.events.v1`, fromBeginning: true });
        const complete = new Promise<void>((resolve) => {
          void consumer.run({
            eachMessage: async ({ message }) => {
              const e = JSON.parse(message.value?.toString() ?? '{}') as { workflowId?: string; taskId?: string; type?: string };
              if (e.workflowId !== sagaId || !e.taskId || !e.type) return;
              seen.set(e.taskId, [...(seen.get(e.taskId) ?? []), e.type]);
              if (e.taskId === disk.taskId && e.type === 'rollback.success') resolve();
            },
          });
        });
        await Promise.race([complete, new Promise((_, reject) => setTimeout(() => reject(new Error(`saw ${JSON.stringify([...seen])}`)), 60_000))]);
      } finally {
        await consumer.disconnect();
      }
      // The topic carries the task's whole lifecycle, in the order its history keeps it (with the progress
      // updates of its monitor polls between, which are no lifecycle step).
      const onTopic = seen.get(disk.taskId) ?? [];
      const history = (disk.phaseHistory ?? []).map((h) => h.event);
      let next = 0;
      for (const type of onTopic) if (type === history[next]) next++;
      expect({ matched: history.slice(0, next), onTopic }).toEqual({ matched: history, onTopic });
    });
  }
}

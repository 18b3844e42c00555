import { randomBytes } from 'node:crypto';
import { ConductorClient, TaskView } from './conductor-client';

type PhasedTask = TaskView & { phase?: string; phaseStatus?: string; phaseHistory?: Array<{ event: string; time: number; reason?: string }> };
type Answer = { status: 'COMPLETED' | 'FAILED' | 'IN_PROGRESS'; outputData?: Record<string, unknown>; reasonForIncompletion?: string; callbackAfterSeconds?: number };

/**
 * Task phases through the HTTP API, as a resource orchestrator uses them: workers handed each task's
 * `phase` (start, monitor, rollback), a monitor that polls until the resource is ready, and a saga whose
 * failure rolls back what it created — in reverse order, each rollback once.
 */
export function phasesSuite(getApi: () => ConductorClient): void {
  const api = () => getApi();
  const run = randomBytes(3).toString('hex');
  const name = (base: string) => `phases_${base}_${run}`;

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
}

import { randomBytes, randomUUID } from 'node:crypto';
import { ConductorClient } from './conductor-client';

type DaprView = { instanceID: string; workflowName: string; createdAt: string; lastUpdatedAt: string; runtimeStatus: string; properties: Record<string, string> };
type DaprErrorBody = { errorCode: string; message: string; details: Array<{ '@type': string; domain: string; reason: string }> };

/**
 * The Dapr Workflow HTTP API on the same engine: the lifecycle start → get → pause → resume → raise event →
 * completed → purge → 404, events raised before their wait, and every error path, in Dapr's shapes.
 */
export function daprSuite(getApi: () => ConductorClient): void {
  const api = () => getApi();
  const run = randomBytes(3).toString('hex');
  const wfName = `dapr_order_${run}`;
  const base = (v = 'v1.0') => `/${v}/workflows/dapr`;

  beforeAll(async () => {
    await api().registerWorkflow({
      name: wfName,
      version: 1,
      tasks: [
        { name: 'price', taskReferenceName: 'price', type: 'INLINE', inputParameters: { evaluatorType: 'javascript', expression: '$.qty * 3', qty: '${workflow.input.qty}' } },
        { name: 'approval', taskReferenceName: 'approval', type: 'WAIT', inputParameters: { eventName: 'approved' } },
        { name: 'ship', taskReferenceName: 'ship', type: 'HUMAN', inputParameters: { eventName: 'shipped' } },
      ],
      outputParameters: { total: '${price.output.result}', approvedBy: '${approval.output.by}', carrier: '${ship.output.carrier}' },
    });
  });

  it('runs the lifecycle: start, get, pause, resume, raise events, completed, purge, then 404', async () => {
    const id = `order-${run}`;
    const started = await api().call<{ instanceID: string }>('POST', `${base()}/${wfName}/start?instanceID=${id}`, { qty: 4 });
    expect(started.status).toBe(202);
    expect(started.body).toEqual({ instanceID: id });

    const got = await api().call<DaprView>('GET', `${base('v1.0-beta1')}/${id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ instanceID: id, workflowName: wfName, runtimeStatus: 'RUNNING', properties: { 'dapr.workflow.input': JSON.stringify({ qty: 4 }), 'dapr.workflow.custom_status': '' } });
    expect(Date.parse(got.body.createdAt)).not.toBeNaN();

    expect((await api().call('POST', `${base()}/${id}/pause`)).status).toBe(202);
    expect((await api().call<DaprView>('GET', `${base()}/${id}`)).body.runtimeStatus).toBe('SUSPENDED');
    expect((await api().call('POST', `${base('v1.0-alpha1')}/${id}/resume`)).status).toBe(202);
    expect((await api().call<DaprView>('GET', `${base()}/${id}`)).body.runtimeStatus).toBe('RUNNING');

    // Purging a running instance is refused.
    const early = await api().call<DaprErrorBody>('POST', `${base()}/${id}/purge`);
    expect(early.status).toBe(400);
    expect(early.body).toMatchObject({ errorCode: 'ERR_PURGE_WORKFLOW', details: [expect.objectContaining({ domain: 'dapr.io', '@type': 'type.googleapis.com/google.rpc.ErrorInfo' })] });

    // The second event is raised before its HUMAN task waits: it is kept for it.
    expect((await api().call('POST', `${base()}/${id}/raiseEvent/shipped`, { carrier: 'dhl' })).status).toBe(202);
    expect((await api().call('POST', `${base()}/${id}/raiseEvent/approved`, { by: 'ada' })).status).toBe(202);
    const done = await api().call<DaprView>('GET', `${base()}/${id}`);
    expect(done.body.runtimeStatus).toBe('COMPLETED');
    expect(JSON.parse(done.body.properties['dapr.workflow.output'])).toEqual({ total: 12, approvedBy: 'ada', carrier: 'dhl' });

    // The same workflow through Conductor's API: the Dapr id is its correlation id.
    const [conductor] = (await api().expectOk<Array<{ workflowId: string; status: string }>>('GET', `/api/workflow/${wfName}/correlated/${id}?includeClosed=true`)).body;
    expect(conductor).toMatchObject({ status: 'COMPLETED' });

    expect((await api().call('POST', `${base()}/${id}/raiseEvent/approved`, {})).status).toBe(409);
    expect((await api().call('POST', `${base()}/${id}/purge`)).status).toBe(202);
    const gone = await api().call<DaprErrorBody>('GET', `${base()}/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.errorCode).toBe('ERR_INSTANCE_ID_NOT_FOUND');
    expect((await api().call('GET', `/api/workflow/${conductor.workflowId}`)).status).toBe(404);
  });

  it('generates an instance id when none is given (the Conductor id too), and terminates', async () => {
    const started = await api().call<{ instanceID: string }>('POST', `${base()}/${wfName}/start`, undefined, '"a plain string"', 'text/plain');
    expect(started.status).toBe(202);
    const id = started.body.instanceID;
    expect((await api().workflow(id)).input).toEqual({ input: 'a plain string' });
    expect((await api().call('POST', `${base()}/${id}/terminate`)).status).toBe(202);
    expect((await api().call<DaprView>('GET', `${base()}/${id}`)).body.runtimeStatus).toBe('TERMINATED');
    expect((await api().call('POST', `${base()}/${id}/terminate`)).status).toBe(202);
  });

  it("answers every error in Dapr's shape: a bad or too long id, a duplicate start, an unknown instance or workflow", async () => {
    const bad = await api().call<DaprErrorBody>('POST', `${base()}/${wfName}/start?instanceID=${encodeURIComponent('bad id!')}`, {});
    expect(bad.status).toBe(400);
    expect(bad.body.errorCode).toBe('ERR_INSTANCE_ID_INVALID');
    const long = await api().call<DaprErrorBody>('POST', `${base()}/${wfName}/start?instanceID=${'x'.repeat(65)}`, {});
    expect(long.status).toBe(400);
    expect(long.body.errorCode).toBe('ERR_INSTANCE_ID_TOO_LONG');
    const id = randomUUID();
    expect((await api().call('POST', `${base()}/${wfName}/start?instanceID=${id}`, {})).status).toBe(202);
    const twice = await api().call<DaprErrorBody>('POST', `${base()}/${wfName}/start?instanceID=${id}`, {});
    expect(twice.status).toBe(409);
    for (const op of ['terminate', 'pause', 'resume', 'purge', 'raiseEvent/x']) {
      const r = await api().call<DaprErrorBody>('POST', `${base()}/nobody_${run}/${op}`);
      expect([op, r.status, r.body.errorCode]).toEqual([op, 404, 'ERR_INSTANCE_ID_NOT_FOUND']);
    }
    const unknown = await api().call<DaprErrorBody>('POST', `${base()}/no_such_workflow_${run}/start`, {});
    expect(unknown.status).toBe(404);
    expect(unknown.body.errorCode).toBe('ERR_START_WORKFLOW');
  });
}

import { randomBytes } from 'node:crypto';
import { ConductorClient, HttpResult } from './conductor-client';

/**
 * The metadata and event-handler API, endpoint by endpoint, including the 400/404/409 paths. Shared by the
 * embedded and the distributed e2e specs: the same behaviour is expected of both run modes.
 */
export function metadataApiSuite(api: () => ConductorClient): void {
  const unique = () => `m${randomBytes(3).toString('hex')}`;
  const expectError = (r: HttpResult, status: number, message?: string | RegExp) => {
    expect(r.status).toBe(status);
    expect(r.contentType).toMatch(/^application\/json/);
    expect(r.body).toEqual(expect.objectContaining({ status, instance: expect.any(String), retryable: false }));
    if (message) expect((r.body as { message: string }).message).toMatch(message);
  };
  const wf = (name: string, extra: Record<string, unknown> = {}) => ({ name, tasks: [{ name: `${name}_t`, taskReferenceName: 't' }], ...extra });

  describe('task definitions', () => {
    it('creates in bulk with defaults, gets, lists, updates, deletes, and 404s what is not there', async () => {
      const [a, b] = [unique(), unique()];
      expect((await api().call('POST', '/api/metadata/taskdefs', [{ name: a }, { name: b, retryCount: 1 }])).status).toBe(200);

      const got = await api().call<Record<string, unknown>>('GET', `/api/metadata/taskdefs/${a}`);
      expect(got.body).toMatchObject({ name: a, retryCount: 3, retryDelaySeconds: 60, responseTimeoutSeconds: 3600, timeoutPolicy: 'TIME_OUT_WF', retryLogic: 'FIXED', timeoutSeconds: 0 });
      expect(got.body.createTime).toEqual(expect.any(Number));
      const all = await api().call<Array<{ name: string }>>('GET', '/api/metadata/taskdefs');
      expect(all.body.map((d) => d.name)).toEqual(expect.arrayContaining([a, b]));

      expect((await api().call('PUT', '/api/metadata/taskdefs', { name: a, retryCount: 7 })).status).toBe(200);
      const updated = await api().call<Record<string, unknown>>('GET', `/api/metadata/taskdefs/${a}`);
      expect(updated.body).toMatchObject({ retryCount: 7, createTime: got.body.createTime });

      expect((await api().call('DELETE', `/api/metadata/taskdefs/${a}`)).status).toBe(200);
      expectError(await api().call('GET', `/api/metadata/taskdefs/${a}`), 404, `No such taskType found by name: ${a}`);
      expectError(await api().call('DELETE', `/api/metadata/taskdefs/${a}`), 404);
      expectError(await api().call('PUT', '/api/metadata/taskdefs', { name: unique() }), 404);
    });

    it('400s an invalid task definition in a bulk create and stores none of them', async () => {
      const good = unique();
      const r = await api().call('POST', '/api/metadata/taskdefs', [{ name: good }, { name: unique(), responseTimeoutSeconds: 0 }]);
      expectError(r, 400);
      expect((r.body as { validationErrors: Array<{ path: string }> }).validationErrors.map((e) => e.path)).toEqual(['[1].responseTimeoutSeconds']);
      expectError(await api().call('GET', `/api/metadata/taskdefs/${good}`), 404);
      expectError(await api().call('POST', '/api/metadata/taskdefs', { name: 'not-an-array' }), 400);
    });
  });

  describe('workflow definitions', () => {
    it('creates, 409s a second create of the same name+version, overwrites on request, serves versions', async () => {
      const name = unique();
      expect((await api().call('POST', '/api/metadata/workflow', wf(name))).status).toBe(200);
      expectError(await api().call('POST', '/api/metadata/workflow', wf(name)), 409, `Workflow with ${name}.1 already exists!`);
      expect((await api().call('POST', '/api/metadata/workflow?overwrite=true', wf(name, { description: 'replaced' }))).status).toBe(200);
      expect((await api().call('POST', '/api/metadata/workflow', wf(name, { version: 2 }))).status).toBe(200);

      const latest = await api().call<Record<string, unknown>>('GET', `/api/metadata/workflow/${name}`);
      expect(latest.body).toMatchObject({ name, version: 2, schemaVersion: 2, restartable: true, timeoutPolicy: 'ALERT_ONLY' });
      const v1 = await api().call<Record<string, unknown>>('GET', `/api/metadata/workflow/${name}?version=1`);
      expect(v1.body).toMatchObject({ version: 1, description: 'replaced' });
      expectError(await api().call('GET', `/api/metadata/workflow/${name}?version=9`), 404, `No such workflow found by name: ${name}, version: 9`);

      const versions = await api().call<Array<{ name: string; version: number }>>('GET', `/api/metadata/workflow/${name}/versions`);
      expect(versions.body.map((v) => v.version)).toEqual([1, 2]);
      const namesAndVersions = await api().call<Record<string, Array<{ version: number }>>>('GET', '/api/metadata/workflow/names-and-versions');
      expect(namesAndVersions.body[name].map((v) => v.version)).toEqual([1, 2]);
      expect((await api().call<string[]>('GET', '/api/metadata/workflow/names')).body).toContain(name);
      const latestVersions = await api().call<Array<{ name: string; version: number }>>('GET', '/api/metadata/workflow/latest-versions');
      expect(latestVersions.body.filter((d) => d.name === name).map((d) => d.version)).toEqual([2]);
      const all = await api().call<Array<{ name: string; version: number }>>('GET', '/api/metadata/workflow');
      expect(all.body.filter((d) => d.name === name).map((d) => d.version)).toEqual([1, 2]);

      expect((await api().call('DELETE', `/api/metadata/workflow/${name}/2`)).status).toBe(200);
      expect((await api().call<Record<string, unknown>>('GET', `/api/metadata/workflow/${name}`)).body).toMatchObject({ version: 1 });
      expectError(await api().call('DELETE', `/api/metadata/workflow/${name}/2`), 404);
      expectError(await api().call('DELETE', `/api/metadata/workflow/${name}/two`), 400);
    });

    it('processes a bulk PUT item by item and reports the bad ones in a BulkResponse', async () => {
      const [ok, bad] = [unique(), unique()];
      const r = await api().call<{ bulkSuccessfulResults: string[]; bulkErrorResults: Record<string, string>; message: string }>('PUT', '/api/metadata/workflow', [
        wf(ok),
        { name: bad, tasks: [] },
      ]);
      expect(r.status).toBe(200);
      expect(r.body.bulkSuccessfulResults).toEqual([ok]);
      expect(Object.keys(r.body.bulkErrorResults)).toEqual([bad]);
      expect(r.body.message).toBe('Bulk Request has been processed.');
      expect((await api().call('GET', `/api/metadata/workflow/${ok}`)).status).toBe(200);
      expectError(await api().call('GET', `/api/metadata/workflow/${bad}`), 404);
    });

    it('validates without storing: 200 for a good definition, 400 with one entry per problem for a bad one', async () => {
      const name = unique();
      expect((await api().call('POST', '/api/metadata/workflow/validate', wf(name))).status).toBe(200);
      expectError(await api().call('GET', `/api/metadata/workflow/${name}`), 404);

      const r = await api().call('POST', '/api/metadata/workflow/validate', {
        name,
        tasks: [
          { name: 'a', taskReferenceName: 'dup' },
          { name: 'b', taskReferenceName: 'dup' },
        ],
      });
      expectError(r, 400);
      expect((r.body as { validationErrors: Array<{ path: string }> }).validationErrors.map((e) => e.path)).toContain('tasks[1].taskReferenceName');
    });

    it('400s malformed JSON and a body of the wrong shape', async () => {
      expectError(await api().call('POST', '/api/metadata/workflow', undefined, '{"name":'), 400);
      expectError(await api().call('PUT', '/api/metadata/workflow', { name: 'x' }), 400);
      expectError(await api().call('POST', '/api/metadata/workflow', ['not', 'an', 'object']), 400);
    });
  });

  describe('event handlers', () => {
    const handler = (name: string, event: string, extra: Record<string, unknown> = {}) => ({
      name,
      event,
      actions: [{ action: 'start_workflow', start_workflow: { name: 'some_workflow', input: { a: 1 } } }],
      ...extra,
    });

    it('adds (409 on a second add), updates (404 when absent), lists, filters by event and activity, deletes', async () => {
      const [name, other, event] = [unique(), unique(), `conductor:${unique()}`];
      expect((await api().call('POST', '/api/event', handler(name, event))).status).toBe(200);
      expectError(await api().call('POST', '/api/event', handler(name, event)), 409, `EventHandler with name ${name} already exists!`);
      expect((await api().call('POST', '/api/event', handler(other, event, { active: false }))).status).toBe(200);

      const active = await api().call<Array<{ name: string }>>('GET', `/api/event/${encodeURIComponent(event)}`);
      expect(active.body.map((h) => h.name)).toEqual([name]);
      const everyOne = await api().call<Array<{ name: string }>>('GET', `/api/event/${encodeURIComponent(event)}?activeOnly=false`);
      expect(everyOne.body.map((h) => h.name).sort()).toEqual([name, other].sort());
      const all = await api().call<Array<{ name: string }>>('GET', '/api/event');
      expect(all.body.map((h) => h.name)).toEqual(expect.arrayContaining([name, other]));

      expect((await api().call('PUT', '/api/event', handler(other, event, { active: true }))).status).toBe(200);
      expect((await api().call<unknown[]>('GET', `/api/event/${encodeURIComponent(event)}`)).body).toHaveLength(2);
      expectError(await api().call('PUT', '/api/event', handler(unique(), event)), 404);

      expect((await api().call('DELETE', `/api/event/${name}`)).status).toBe(200);
      expectError(await api().call('DELETE', `/api/event/${name}`), 404, `EventHandler with name ${name} not found!`);
    });

    it('400s a handler without actions, or with an action missing its details', async () => {
      expectError(await api().call('POST', '/api/event', { name: unique(), event: 'e', actions: [] }), 400, 'Validation failed');
      const r = await api().call('POST', '/api/event', { name: unique(), event: 'e', actions: [{ action: 'complete_task' }] });
      expectError(r, 400);
      expect((r.body as { validationErrors: Array<{ path: string }> }).validationErrors.map((e) => e.path)).toEqual(['actions[0].complete_task']);
    });
  });

  // Validity and completeness against the routes the gateway registers: apps/gateway/src/openapi/openapi.spec.ts.
  // Here: the running server serves that document.
  it('serves its OpenAPI document at /api-docs, every operation documented', async () => {
    type Operation = { summary?: string };
    const doc = await api().call<{ openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } }>('GET', '/api-docs');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    for (const path of ['/api/metadata/taskdefs', '/api/metadata/workflow/{name}', '/api/event/{event}', '/api/workflow', '/api/workflow/{workflowId}', '/api/workflow/bulk/terminate', '/api/tasks/poll/batch/{taskType}', '/api/tasks/{taskId}', '/api/queue/update/{workflowId}/{taskRefName}/{status}', '/api/admin/task/{taskType}', '/health', '/api/version']) {
      expect(Object.keys(doc.body.paths)).toContain(path);
    }
    const undocumented = Object.entries(doc.body.paths).flatMap(([path, ops]) => Object.entries(ops).filter(([, op]) => !op.summary).map(([method]) => `${method} ${path}`));
    expect(undocumented).toEqual([]);
    expect(Object.keys(doc.body.components.schemas)).toEqual(
      expect.arrayContaining(['WorkflowDef', 'WorkflowTask', 'TaskDef', 'EventHandler', 'ErrorResponse', 'BulkResponse', 'StartWorkflowRequest', 'TaskResult', 'Workflow', 'Task', 'SignalResponse']),
    );
  });
}

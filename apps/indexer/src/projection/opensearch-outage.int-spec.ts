import { TaskEvent, WorkflowEvent } from '@app/contracts';
import type { MessageBus } from '@app/bus';
import { OpenSearchIndices, OpenSearchReader } from '@app/persistence';
import { parseSearchRequest, WORKFLOW_INDEX } from '@app/search';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, Server, Socket } from 'node:net';
import { testInfra } from '../../../../test/support/infra';
import { OpenSearchProjection } from './opensearch-projection';

/**
 * OpenSearch going away while the indexer writes: a TCP proxy in front of the real node stands for the
 * node, and is shut (every connection cut, new ones refused) in the middle of a stream of batches. A batch
 * written while it is away fails — the bus then redelivers it, which the test does as the bus would, with
 * backoff, in order — and once the node is back every workflow is indexed at its newest version.
 */
describe('indexing through an OpenSearch outage', () => {
  const infra = testInfra();
  const run = randomBytes(3).toString('hex');
  const target = new URL(infra.opensearchUrl);
  let proxy: Server | null = null;
  let port = 0;
  const sockets = new Set<Socket>();
  let indices: OpenSearchIndices;

  const open = () =>
    new Promise<void>((resolve) => {
      proxy = createServer((client) => {
        const upstream = new Socket();
        sockets.add(client).add(upstream);
        upstream.connect(Number(target.port), target.hostname);
        client.pipe(upstream).pipe(client);
        const drop = () => (client.destroy(), upstream.destroy());
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
      });
      proxy.listen(port, '127.0.0.1', () => {
        port = (proxy?.address() as { port: number }).port;
        resolve();
      });
    });
  const shut = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      if (!proxy) return resolve();
      proxy.close(() => resolve());
      proxy = null;
    });

  beforeAll(async () => {
    await open();
    indices = new OpenSearchIndices({ url: `http://127.0.0.1:${port}`, indexPrefix: `outage-${run}_` });
  });

  afterAll(async () => {
    if (!proxy) await open();
    await indices.client.indices.delete({ index: `outage-${run}_*` }).catch(() => undefined);
    await indices.close();
    await shut();
  });

  it('loses nothing: batches that failed while it was away are written once it is back', async () => {
    const projection = new OpenSearchProjection(indices, { publish: async () => undefined } as unknown as MessageBus);
    await projection.onApplicationBootstrap();
    const ids = Array.from({ length: 40 }, () => randomUUID());
    const event = (workflowId: string, version: number): WorkflowEvent => ({
      eventId: randomUUID(),
      type: 'workflow.updated',
      workflowId,
      status: version === 3 ? 'COMPLETED' : 'RUNNING',
      version,
      occurredAt: 0,
      workflow: { workflowId, workflowName: `outage_${run}`, workflowVersion: 1, status: version === 3 ? 'COMPLETED' : 'RUNNING', startTime: 1, createTime: 1, input: {}, output: {} } as unknown as WorkflowEvent['workflow'],
    });
    // Ten batches: each workflow's versions 1..3 arrive spread over them.
    const batches: WorkflowEvent[][] = Array.from({ length: 10 }, (_, b) => ids.slice((b % 5) * 8, (b % 5) * 8 + 8).map((id) => event(id, b < 5 ? 1 + (b % 2) : 3)));
    const failed: WorkflowEvent[][] = [];
    for (const [i, batch] of batches.entries()) {
      if (i === 3) await shut(); // the node goes away mid-stream
      if (i === 7) await open(); // and comes back
      await projection.write(batch, [] as TaskEvent[]).catch(() => failed.push(batch));
    }
    expect(failed.length).toBeGreaterThanOrEqual(4);
    // Redelivered, as the bus does (with backoff until the write is taken).
    for (const batch of failed) {
      for (let attempt = 1; ; attempt++) {
        try {
          await projection.write(batch, []);
          break;
        } catch (err) {
          if (attempt > 20) throw err;
          await new Promise((r) => setTimeout(r, 100 * attempt));
        }
      }
    }
    await indices.client.indices.refresh({ index: `outage-${run}_*` });
    const all = parseSearchRequest(WORKFLOW_INDEX, { query: `workflowType = outage_${run}` });
    const done = parseSearchRequest(WORKFLOW_INDEX, { query: `workflowType = outage_${run} AND status = COMPLETED` });
    if (!all.ok || !done.ok) throw new Error('bad request');
    const reader = new OpenSearchReader(indices);
    expect((await reader.workflows(all.value, { start: 0, size: 1 })).totalHits).toBe(40);
    expect((await reader.workflows(done.value, { start: 0, size: 1 })).totalHits).toBe(40);
  });
});

import { randomBytes, randomUUID } from 'node:crypto';
import { ExecutionQueries, OpenSearchIndices, OpenSearchReader, PgSearchReader, TaskQueue } from '@app/persistence';
import type { MessageBus } from '@app/bus';
import { parseSearchRequest, TASK_INDEX, WORKFLOW_INDEX } from '@app/search';
import { DataSource } from 'typeorm';
import { createMigratedDataSource, TestDatabase } from '../../../../test/support/database';
import { testInfra } from '../../../../test/support/infra';
import { OpenSearchProjection } from '../projection/opensearch-projection';
import { SearchProjectionRepository } from '../projection/search-projection.repository';
import { reindex, REINDEX_PAGE } from './reindexer';

/**
 * Rebuilding the search index from the execution store: more workflows than one page holds, each with
 * its tasks, into an empty Postgres projection and an empty OpenSearch index — and again over a document
 * the live indexer wrote newer, which stays.
 */
describe('reindex', () => {
  const infra = testInfra();
  const run = randomBytes(3).toString('hex');
  const total = REINDEX_PAGE + 20;
  let db: TestDatabase;
  let ds: DataSource;
  let indices: OpenSearchIndices;
  const T0 = Date.UTC(2026, 11, 1);

  beforeAll(async () => {
    ({ db, dataSource: ds } = await createMigratedDataSource('baton_reindex'));
    indices = new OpenSearchIndices({ url: infra.opensearchUrl, indexPrefix: `reindex-${run}_` });
    // The executor's rows, as it writes them: a workflow (less its tasks) and its tasks (less their definition parts).
    const workflows = Array.from({ length: total }, (_, i) => {
      const workflowId = randomUUID();
      return {
        workflow_id: workflowId,
        status: i % 2 ? 'COMPLETED' : 'RUNNING',
        data: { workflowId, workflowName: `reindexed_${run}`, workflowVersion: 1, status: i % 2 ? 'COMPLETED' : 'RUNNING', correlationId: `c${i}`, input: { i }, output: {}, startTime: T0 + i, createTime: T0 + i, updateTime: T0 + i, priority: 0, variables: {}, failedReferenceTaskNames: [], failedTaskNames: [] },
        tasks: [0, 1].map((seq) => ({ task_id: randomUUID(), seq: seq + 1, data: { taskType: `step_${run}`, taskDefName: `step_${run}`, referenceTaskName: `s${seq}`, status: 'COMPLETED', workflowInstanceId: workflowId, workflowType: `reindexed_${run}`, scheduledTime: T0 + i, startTime: T0 + i, endTime: T0 + i + 5, updateTime: T0 + i + 5, retryCount: 0, seq: seq + 1, inputData: {}, outputData: {}, queueWaitTime: 0, workflowPriority: 0 } })),
      };
    });
    await ds.query(
      `INSERT INTO workflow (workflow_id, workflow_name, workflow_version, status, correlation_id, priority, version, data, create_time, update_time)
       SELECT w.id, 'reindexed_${run}', 1, w.status, w.corr, 0, 3, w.data, now(), now() FROM jsonb_to_recordset($1::jsonb) AS w(id uuid, status varchar, corr varchar, data jsonb)`,
      [JSON.stringify(workflows.map((w) => ({ id: w.workflow_id, status: w.status, corr: w.data.correlationId, data: w.data })))],
    );
    await ds.query(
      `INSERT INTO task (task_id, workflow_id, seq, reference_task_name, task_type, status, version, data, update_time)
       SELECT t.id, t.wf, t.seq, t.ref, t.type, 'COMPLETED', 2, t.data, now() FROM jsonb_to_recordset($1::jsonb) AS t(id uuid, wf uuid, seq int, ref varchar, type varchar, data jsonb)`,
      [JSON.stringify(workflows.flatMap((w) => w.tasks.map((t) => ({ id: t.task_id, wf: w.workflow_id, seq: t.seq, ref: t.data.referenceTaskName, type: t.data.taskType, data: { ...t.data, taskId: t.task_id } }))))],
    );
  });

  afterAll(async () => {
    await indices?.client.indices.delete({ index: `reindex-${run}_*` }).catch(() => undefined);
    await indices?.close();
    await ds?.destroy();
    await db?.drop();
  });

  const all = parseSearchRequest(WORKFLOW_INDEX, { query: `workflowType = reindexed_${run}` });
  const completed = parseSearchRequest(WORKFLOW_INDEX, { query: `workflowType = reindexed_${run} AND status = COMPLETED` });
  const steps = parseSearchRequest(TASK_INDEX, { query: `taskType = step_${run}` });

  it('rebuilds the Postgres projection: every workflow and task, page after page', async () => {
    const counts = await reindex(new ExecutionQueries(ds, new TaskQueue(ds)), new SearchProjectionRepository(ds));
    expect(counts).toEqual({ workflows: total, tasks: total * 2 });
    const reader = new PgSearchReader(ds);
    if (!all.ok || !completed.ok || !steps.ok) throw new Error('bad request');
    expect((await reader.workflows(all.value, { start: 0, size: 1 })).totalHits).toBe(total);
    expect((await reader.workflows(completed.value, { start: 0, size: 1 })).totalHits).toBe(total / 2);
    expect((await reader.tasks(steps.value, { start: 0, size: 1 })).totalHits).toBe(total * 2);
  });

  it('rebuilds an OpenSearch index, and leaves a document the live indexer wrote newer as it is', async () => {
    const bus = { publish: async () => undefined } as unknown as MessageBus;
    const projection = new OpenSearchProjection(indices, bus);
    await projection.onApplicationBootstrap();
    const [first] = await ds.query(`SELECT workflow_id, data FROM workflow ORDER BY workflow_id LIMIT 1`);
    // What the live indexer already wrote: a newer version than the row's (3).
    await projection.write([{ eventId: randomUUID(), type: 'workflow.updated', workflowId: first.workflow_id, status: 'TERMINATED', version: 9, occurredAt: T0, workflow: { ...first.data, status: 'TERMINATED' } }], []);
    expect(await reindex(new ExecutionQueries(ds, new TaskQueue(ds)), projection)).toEqual({ workflows: total, tasks: total * 2 });
    await indices.client.indices.refresh({ index: `reindex-${run}_*` });
    const reader = new OpenSearchReader(indices);
    if (!all.ok || !steps.ok) throw new Error('bad request');
    expect((await reader.workflows(all.value, { start: 0, size: 1 })).totalHits).toBe(total);
    expect((await reader.tasks(steps.value, { start: 0, size: 1 })).totalHits).toBe(total * 2);
    const kept = parseSearchRequest(WORKFLOW_INDEX, { query: `workflowId = ${first.workflow_id}` });
    if (!kept.ok) throw new Error('bad request');
    expect((await reader.workflows(kept.value, { start: 0, size: 1 })).results[0].status).toBe('TERMINATED');
  });
});

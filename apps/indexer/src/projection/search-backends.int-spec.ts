import { Task, TaskEvent, Topic, Workflow, WorkflowEvent } from '@app/contracts';
import type { BusMessage, MessageBus } from '@app/bus';
import { OpenSearchIndices, OpenSearchReader, PgSearchReader, SearchReader } from '@app/persistence';
import { parseSearchRequest, TASK_INDEX, WORKFLOW_INDEX } from '@app/search';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createMigratedDataSource, TestDatabase } from '../../../../test/support/database';
import { testInfra } from '../../../../test/support/infra';
import { OpenSearchProjection } from './opensearch-projection';
import { SearchProjection } from './search-projection';
import { SearchProjectionRepository } from './search-projection.repository';

/** The bus as the projection uses it: what it dead-letters is kept for the test to read. */
class RecordingBus {
  readonly published: BusMessage[] = [];
  async publish(messages: readonly BusMessage[]): Promise<void> {
    this.published.push(...messages);
  }
}

const T0 = Date.UTC(2026, 11, 1, 12);
const run = randomBytes(3).toString('hex');

/** Six workflows of one type (correlation ids `<run>-c0`…`c5`), c0 and c1 completed, c2 failed, the rest running; one task each. */
function fixtures(): { workflows: WorkflowEvent[]; tasks: TaskEvent[]; ids: string[] } {
  const ids = Array.from({ length: 6 }, () => randomUUID());
  const workflows: WorkflowEvent[] = [];
  const tasks: TaskEvent[] = [];
  ids.forEach((workflowId, i) => {
    const status = i < 2 ? 'COMPLETED' : i === 2 ? 'FAILED' : 'RUNNING';
    const ended = status !== 'RUNNING';
    const workflow = {
      workflowId,
      workflowName: `search_${run}`,
      workflowVersion: 1,
      status,
      correlationId: `${run}-c${i}`,
      input: { item: i === 4 ? 'zebra' : `box${i}` },
      output: ended ? { made: `box${i}` } : {},
      startTime: T0 + i * 1000,
      createTime: T0 + i * 1000,
      updateTime: T0 + i * 1000 + 500,
      ...(ended ? { endTime: T0 + i * 1000 + 400 } : {}),
      failedReferenceTaskNames: status === 'FAILED' ? ['work'] : [],
      priority: i,
      variables: {},
    } as unknown as Workflow;
    workflows.push({ eventId: randomUUID(), type: 'workflow.updated', workflowId, status, version: 2, occurredAt: T0, workflow } as unknown as WorkflowEvent);
    const taskId = randomUUID();
    const taskStatus = i < 2 ? 'COMPLETED' : i === 2 ? 'FAILED' : 'IN_PROGRESS';
    const task = {
      taskId,
      taskType: `work_${run}`,
      taskDefName: `work_${run}`,
      referenceTaskName: 'work',
      status: taskStatus,
      workflowInstanceId: workflowId,
      workflowType: `search_${run}`,
      correlationId: `${run}-c${i}`,
      inputData: { item: `box${i}` },
      outputData: {},
      scheduledTime: T0 + i * 1000 + 10,
      startTime: T0 + i * 1000 + 20,
      updateTime: T0 + i * 1000 + 30,
      ...(taskStatus !== 'IN_PROGRESS' ? { endTime: T0 + i * 1000 + 300 } : {}),
      queueWaitTime: 10,
      workflowPriority: i,
      retryCount: 0,
      seq: 1,
    } as unknown as Task;
    tasks.push({ eventId: randomUUID(), type: 'start.begin', workflowId, taskId, attempt: 1, status: taskStatus, version: 3, occurredAt: T0, task } as unknown as TaskEvent);
  });
  return { workflows, tasks, ids };
}

type Backend = { name: string; projection: SearchProjection; reader: SearchReader; settle(): Promise<void>; bus: RecordingBus };

/**
 * The same search suite against both backends — the Postgres projection and a real OpenSearch node — from
 * the same events: queries in Conductor's grammar × the hits expected, sorting, paging, free text, search by
 * tasks; and how each takes events out of order and redelivered. OpenSearch alone: a document it refuses
 * goes to the dead-letter topic with the reason.
 */
describe('search on both backends', () => {
  const infra = testInfra();
  let db: TestDatabase;
  let ds: DataSource;
  let indices: OpenSearchIndices;
  const backends: Backend[] = [];
  const data = fixtures();

  beforeAll(async () => {
    ({ db, dataSource: ds } = await createMigratedDataSource('baton_search'));
    indices = new OpenSearchIndices({ url: infra.opensearchUrl, indexPrefix: `it-${run}_` });
    const pgBus = new RecordingBus();
    const osBus = new RecordingBus();
    const os = new OpenSearchProjection(indices, osBus as unknown as MessageBus);
    await os.onApplicationBootstrap();
    backends.push(
      { name: 'postgres', projection: new SearchProjectionRepository(ds), reader: new PgSearchReader(ds), settle: async () => undefined, bus: pgBus },
      { name: 'opensearch', projection: os, reader: new OpenSearchReader(indices), settle: async () => void (await indices.client.indices.refresh({ index: `it-${run}_*` })), bus: osBus },
    );
    for (const b of backends) {
      // Out of order and redelivered: an older version after the newer one changes nothing.
      await b.projection.write(data.workflows, data.tasks);
      const stale = data.workflows.map((e) => ({ ...e, version: 1, status: 'RUNNING', workflow: { ...e.workflow, status: 'RUNNING' } })) as unknown as WorkflowEvent[];
      await b.projection.write(stale, []);
      await b.projection.write(data.workflows, data.tasks);
      await b.settle();
    }
  });

  afterAll(async () => {
    await indices?.client.indices.delete({ index: `it-${run}_*` }).catch(() => undefined);
    await indices?.close();
    await ds?.destroy();
    await db?.drop();
  });

  const workflowSearch = (query: string, extra: { sort?: string; freeText?: string } = {}) => {
    const parsed = parseSearchRequest(WORKFLOW_INDEX, { query: `workflowType = search_${run} AND (${query})`, ...extra });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    return parsed.value;
  };
  const correlations = (hits: { results: Workflow[] }) => hits.results.map((w) => w.correlationId);
  const corr = (...i: number[]) => i.map((n) => `${run}-c${n}`);

  describe.each(['postgres', 'opensearch'])('%s', (name) => {
    const backend = () => backends.find((b) => b.name === name) as Backend;

    it.each<[string, string, number[]]>([
      ['=', 'status = COMPLETED', [0, 1]],
      ['!=', 'status != RUNNING', [0, 1, 2]],
      ['IN', `correlationId IN (${run}-c1, ${run}-c3)`, [1, 3]],
      ['OR and parentheses', `(status = FAILED OR correlationId = ${run}-c5)`, [2, 5]],
      ['STARTS_WITH', `correlationId STARTS_WITH ${run}-c`, [0, 1, 2, 3, 4, 5]],
      ['>', `startTime > ${T0 + 3500}`, [4, 5]],
      ['<', `priority < 2`, [0, 1]],
      ['BETWEEN', `startTime BETWEEN ${T0 + 1000} AND ${T0 + 3000}`, [1, 2, 3]],
      ['IS NULL', 'endTime IS NULL', [3, 4, 5]],
      ['IS NOT NULL', 'endTime IS NOT NULL', [0, 1, 2]],
      ['a list field', 'failedReferenceTaskNames = work', [2]],
      ['ISO times', `startTime > ${new Date(T0 + 4500).toISOString()}`, [5]],
    ])('finds workflows by %s, the newest version of each', async (_op, query, expected) => {
      const hits = await backend().reader.workflows(workflowSearch(query, { sort: 'correlationId:ASC' }), { start: 0, size: 10 });
      expect(correlations(hits)).toEqual(corr(...expected));
      expect(hits.totalHits).toBe(expected.length);
    });

    it('sorts by several keys and pages', async () => {
      const sorted = await backend().reader.workflows(workflowSearch('priority > -1', { sort: 'status:ASC|correlationId:DESC' }), { start: 0, size: 10 });
      expect(correlations(sorted)).toEqual(corr(1, 0, 2, 5, 4, 3));
      const page = await backend().reader.workflows(workflowSearch('priority > -1', { sort: 'startTime:DESC' }), { start: 1, size: 2 });
      expect({ total: page.totalHits, hits: correlations(page) }).toEqual({ total: 6, hits: corr(4, 3) });
      const past = await backend().reader.workflows(workflowSearch('priority > -1'), { start: 40, size: 5 });
      expect(past).toEqual({ totalHits: 6, results: [] });
    });

    it('finds free text in the input', async () => {
      const hits = await backend().reader.workflows(workflowSearch('priority > -1', { freeText: 'zebra' }), { start: 0, size: 10 });
      expect(correlations(hits)).toEqual(corr(4));
    });

    it('searches tasks, and workflows by their tasks', async () => {
      const tasks = parseSearchRequest(TASK_INDEX, { query: `taskType = work_${run} AND status IN (COMPLETED, FAILED)`, sort: 'scheduledTime:DESC' });
      if (!tasks.ok) throw new Error('bad request');
      const hits = await backend().reader.tasks(tasks.value, { start: 0, size: 10 });
      expect(hits.results.map((t) => t.correlationId)).toEqual(corr(2, 1, 0));
      const byTasks = await backend().reader.workflowIdsByTasks(tasks.value, { start: 0, size: 2 });
      expect(byTasks).toEqual({ totalHits: 3, results: [data.ids[2], data.ids[1]] });
    });
  });

  it('opensearch: dead-letters a document the index refuses, with the reason, and takes the rest', async () => {
    const os = backends[1];
    const [good] = fixtures().workflows;
    const bad = { ...good, workflowId: randomUUID(), workflow: { ...good.workflow, workflowId: randomUUID(), priority: 'not a number' } } as unknown as WorkflowEvent;
    await os.projection.write([good, bad], []);
    await os.settle();
    const dead = os.bus.published.filter((m) => m.topic === Topic.DeadLetter);
    expect(dead).toHaveLength(1);
    expect(dead[0].value).toMatchObject({ topic: 'opensearch', reason: expect.stringContaining('priority') });
  });
});

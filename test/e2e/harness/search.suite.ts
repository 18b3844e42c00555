import { randomBytes } from 'node:crypto';
import { ConductorClient } from './conductor-client';

type WorkflowSummary = { workflowId: string; workflowType: string; correlationId: string; status: string; startTime: string; input: string; output: string; executionTime: number; failedReferenceTaskNames: string };
type TaskSummary = { taskId: string; workflowId: string; taskType: string; status: string; scheduledTime: string; input: string };
type Hits<T> = { totalHits: number; results: T[] };
type ErrorBody = { status: number; message: string; validationErrors: Array<{ path: string; message: string }> };

/**
 * Conductor's search API over Baton's search index: queries in Conductor's grammar × the hits expected,
 * sorting and paging, free text, the v2 forms, search by tasks, task search, and the 400s that point at a
 * syntax error. Six workflows of one type, correlation ids `c0`…`c5` (per run), two completed, one failed
 * (its task failed), three running.
 */
export function searchSuite(getApi: () => ConductorClient): void {
  const api = () => getApi();
  const run = randomBytes(3).toString('hex');
  const type = `search_${run}`;
  const taskType = `search_task_${run}`;
  const corr = (i: number) => `${run}-c${i}`;
  const ids: string[] = [];

  const search = async <T>(path: string, params: Record<string, string | number>): Promise<Hits<T>> => {
    const qs = Object.entries(params).map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&');
    return (await api().expectOk<Hits<T>>('GET', `${path}?${qs}`)).body;
  };
  const ofType = (extra?: string) => `workflowType = ${type}${extra ? ` AND (${extra})` : ''}`;
  const correlationsOf = (hits: Hits<WorkflowSummary>) => hits.results.map((r) => r.correlationId);

  beforeAll(async () => {
    await api().registerTaskDefs([{ name: taskType, retryCount: 0 }]);
    await api().registerWorkflow({ name: type, version: 1, tasks: [{ name: taskType, taskReferenceName: 'work', type: 'SIMPLE', inputParameters: { item: '${workflow.input.item}' } }] });
    for (let i = 0; i < 6; i++) {
      const r = await api().expectOk<string>('POST', '/api/workflow', { name: type, input: { item: i === 4 ? 'zebra' : `box${i}` }, correlationId: corr(i) });
      ids.push(r.text);
    }
    // c0 and c1 complete, c2 fails; c3..c5 keep running.
    const done = new Set<string>();
    const deadline = Date.now() + 30_000;
    while (done.size < 3 && Date.now() < deadline) {
      for (const task of await api().poll(taskType, 'searcher', 6, 200)) {
        const i = ids.indexOf(task.workflowInstanceId);
        if (i === 0 || i === 1) await api().complete(task, { made: `box${i}` });
        else if (i === 2) await api().expectOk('POST', '/api/tasks', { workflowInstanceId: task.workflowInstanceId, taskId: task.taskId, status: 'FAILED', reasonForIncompletion: 'out of boxes', workerId: 'searcher' });
        else continue;
        done.add(task.workflowInstanceId);
      }
    }
    await api().waitForStatus(ids[0], 'COMPLETED');
    await api().waitForStatus(ids[1], 'COMPLETED');
    await api().waitForStatus(ids[2], 'FAILED');
    // The index is projected from events: wait until it shows what the store does.
    const until = Date.now() + 30_000;
    for (;;) {
      const hits = await search<WorkflowSummary>('/api/workflow/search', { query: ofType('status IN (COMPLETED, FAILED)'), size: 10 });
      const tasks = await search<TaskSummary>('/api/tasks/search', { query: `taskType = ${taskType} AND status = FAILED` });
      if (hits.totalHits === 3 && tasks.totalHits === 1) break;
      if (Date.now() > until) throw new Error(`the search index did not catch up: ${JSON.stringify(hits)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it.each<[string, string, number[]]>([
    ['equality', 'status = COMPLETED', [0, 1]],
    ['not equal', 'status != RUNNING', [0, 1, 2]],
    ['IN', 'correlationId IN (CORR1, CORR3)', [1, 3]],
    ['OR with parentheses', '(status = FAILED OR correlationId = CORR5)', [2, 5]],
    ['STARTS_WITH', 'correlationId STARTS_WITH CORR', [0, 1, 2, 3, 4, 5]],
    ['IS NULL (no end yet)', 'endTime IS NULL', [3, 4, 5]],
    ['IS NOT NULL', 'endTime IS NOT NULL', [0, 1, 2]],
    ['a failed task name', 'failedReferenceTaskNames = work', [2]],
  ])('finds workflows by %s', async (_name, condition, expected) => {
    const query = ofType(condition.replaceAll('CORR', `${run}-c`));
    const hits = await search<WorkflowSummary>('/api/workflow/search', { query, sort: 'correlationId:ASC', size: 10 });
    expect(correlationsOf(hits)).toEqual(expected.map(corr));
    expect(hits.totalHits).toBe(expected.length);
  });

  it('answers Conductor summaries: ISO times, input and output as JSON text', async () => {
    const [hit] = (await search<WorkflowSummary>('/api/workflow/search', { query: ofType(`correlationId = ${corr(0)}`) })).results;
    expect(hit).toMatchObject({ workflowId: ids[0], workflowType: type, status: 'COMPLETED', correlationId: corr(0) });
    expect(hit.startTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(JSON.parse(hit.input)).toEqual({ item: 'box0' });
    expect(JSON.parse(hit.output)).toEqual({ made: 'box0' });
    expect(hit.executionTime).toBeGreaterThanOrEqual(0);
  });

  it('sorts by several keys and pages with start and size', async () => {
    const byStatus = await search<WorkflowSummary>('/api/workflow/search', { query: ofType(), sort: 'status:ASC|correlationId:DESC', size: 10 });
    expect(correlationsOf(byStatus)).toEqual([1, 0, 2, 5, 4, 3].map(corr));
    const page = await search<WorkflowSummary>('/api/workflow/search', { query: ofType(), sort: 'correlationId:ASC', start: 2, size: 2 });
    expect(page).toEqual(expect.objectContaining({ totalHits: 6 }));
    expect(correlationsOf(page)).toEqual([2, 3].map(corr));
    const past = await search<WorkflowSummary>('/api/workflow/search', { query: ofType(), start: 50, size: 2 });
    expect(past).toEqual({ totalHits: 6, results: [] });
  });

  it('finds words anywhere in the document with freeText', async () => {
    const hits = await search<WorkflowSummary>('/api/workflow/search', { query: ofType(), freeText: 'zebra' });
    expect(correlationsOf(hits)).toEqual([corr(4)]);
  });

  it('answers whole workflows and tasks from the v2 forms', async () => {
    const v2 = await search<{ workflowId: string; input: Record<string, unknown>; status: string }>('/api/workflow/search-v2', { query: ofType(`correlationId = ${corr(1)}`) });
    expect(v2).toMatchObject({ totalHits: 1, results: [{ workflowId: ids[1], status: 'COMPLETED', input: { item: 'box1' } }] });
    const tasks = await search<{ taskId: string; inputData: Record<string, unknown>; status: string }>('/api/tasks/search-v2', { query: `taskType = ${taskType} AND status = FAILED` });
    expect(tasks).toMatchObject({ totalHits: 1, results: [{ status: 'FAILED', inputData: { item: 'box2' } }] });
  });

  it('searches tasks, and workflows by their tasks', async () => {
    const tasks = await search<TaskSummary>('/api/tasks/search', { query: `taskType = ${taskType} AND status = COMPLETED`, sort: 'scheduledTime:ASC' });
    expect(tasks.totalHits).toBe(2);
    expect(tasks.results.map((t) => t.workflowId).sort()).toEqual([ids[0], ids[1]].sort());
    expect(JSON.parse(tasks.results[0].input)).toMatchObject({ item: expect.stringMatching(/^box[01]$/) });
    const byTasks = await search<WorkflowSummary>('/api/workflow/search-by-tasks', { query: `taskType = ${taskType} AND status = FAILED` });
    expect(byTasks).toMatchObject({ totalHits: 1, results: [{ workflowId: ids[2], status: 'FAILED' }] });
    const byTasksV2 = await search<{ workflowId: string }>('/api/workflow/search-by-tasks-v2', { query: `taskType = ${taskType} AND status = FAILED` });
    expect(byTasksV2.results.map((w) => w.workflowId)).toEqual([ids[2]]);
  });

  it('answers a syntax error, an unknown field and a bad page with a 400 that names the parameter and the position', async () => {
    const broken = await api().call<ErrorBody>('GET', `/api/workflow/search?query=${encodeURIComponent('status = COMPLETED AND (')}`);
    expect(broken.status).toBe(400);
    expect(broken.body.validationErrors[0]).toMatchObject({ path: 'query', message: expect.stringContaining('position') });
    const unknown = await api().call<ErrorBody>('GET', `/api/workflow/search?query=${encodeURIComponent('colour = red')}`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toContain('colour');
    const sort = await api().call<ErrorBody>('GET', `/api/tasks/search?sort=${encodeURIComponent('taskType:SIDEWAYS')}`);
    expect(sort.status).toBe(400);
    expect(sort.body.validationErrors[0].path).toBe('sort');
    expect((await api().call('GET', '/api/workflow/search?size=-1')).status).toBe(400);
    expect((await api().call('GET', '/api/workflow/search?start=9999&size=100')).status).toBe(400);
    // Hostile text is a value, never SQL or OpenSearch syntax.
    const hostile = await search<WorkflowSummary>('/api/workflow/search', { query: ofType(`correlationId = "x'; DROP TABLE workflow; --"`), freeText: 'a" OR "1"="1' });
    expect(hostile.totalHits).toBe(0);
  });
}

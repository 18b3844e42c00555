import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConductorClient, WorkflowView } from './conductor-client';
import { ServiceProcess } from './service-process';

const WORKFLOWS = 200;
const TASKS_PER_WORKFLOW = 5;

/**
 * Native Kafka workers, end to end: a task definition with `deliveryMode: KAFKA`, a worker group of two
 * processes on the worker SDK (test/e2e/harness/kafka-worker.process.cjs), 1,000 tasks through it; one
 * worker process is killed (SIGKILL) mid-way and the other finishes its tasks. `workerEnv` gives the
 * broker and the Kafka namespace the services run in.
 */
export function kafkaWorkersSuite(getApi: () => ConductorClient, workerEnv: () => Record<string, string>): void {
  const api = () => getApi();
  const run = randomBytes(3).toString('hex');
  const taskType = `kafka_native_${run}`;
  const logDir = mkdtempSync(join(tmpdir(), 'baton-kafka-workers-'));
  const workers: ServiceProcess[] = [];
  const runLog = (id: string) => join(logDir, `${id}.log`);
  const executions = (id: string): string[] => (existsSync(runLog(id)) ? readFileSync(runLog(id), 'utf8').split('\n').filter(Boolean) : []);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop(5000)));
    rmSync(logDir, { recursive: true, force: true });
  });

  it(`runs ${WORKFLOWS * TASKS_PER_WORKFLOW} tasks through a group of two worker processes, one killed mid-way; each task completed once`, async () => {
    await api().expectOk('POST', '/api/metadata/taskdefs', [{ name: taskType, deliveryMode: 'KAFKA', retryCount: 3, retryDelaySeconds: 0, responseTimeoutSeconds: 5 }]);
    expect((await api().expectOk<{ deliveryMode: string }>('GET', `/api/metadata/taskdefs/${taskType}`)).body.deliveryMode).toBe('KAFKA');
    const tasks = Array.from({ length: TASKS_PER_WORKFLOW }, (_, i) => ({
      name: taskType,
      taskReferenceName: `t${i}`,
      inputParameters: { n: i === 0 ? '${workflow.input.n}' : `\${t${i - 1}.output.n}` },
    }));
    await api().registerWorkflow({ name: `kafka_chain_${run}`, version: 1, tasks, outputParameters: { n: `\${t${TASKS_PER_WORKFLOW - 1}.output.n}` } });

    for (const id of ['kw-1', 'kw-2']) {
      const w = new ServiceProcess(`kafka-worker-${id}`, 'test/e2e/harness/kafka-worker.process.cjs', { ...workerEnv(), TASK_TYPE: taskType, WORKER_ID: id, RUN_LOG: runLog(id), CONCURRENCY: '8' });
      workers.push(w.start());
    }
    await Promise.all(workers.map((w) => w.waitForOutput('ready', 60_000)));
    // An HTTP poller of the type gets nothing: its tasks go to the Kafka group only.
    expect(await api().poll(taskType, 'http-poller', 5, 200)).toEqual([]);

    const started = performance.now();
    const ids: string[] = [];
    for (let i = 0; i < WORKFLOWS; i += 20) {
      ids.push(...(await Promise.all(Array.from({ length: Math.min(20, WORKFLOWS - i) }, (_, j) => api().startWorkflow(`kafka_chain_${run}`, { n: (i + j) * 100 })))));
    }

    // Kill the first worker once it has done a share of the work.
    const deadline = Date.now() + 60_000;
    while (executions('kw-1').length < 150 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(executions('kw-1').length).toBeGreaterThanOrEqual(150);
    await workers[0].kill();
    const killedAfter = executions('kw-1').length;

    const done: WorkflowView[] = [];
    for (const id of ids) done.push(await api().waitForStatus(id, 'COMPLETED', 120_000));
    const elapsed = performance.now() - started;

    // Every workflow ran its chain to the end, each step's output feeding the next.
    done.forEach((wf, i) => expect(wf.output).toEqual({ n: i * 100 + TASKS_PER_WORKFLOW }));
    // Each task completed exactly once: one COMPLETED attempt per reference, by one of the two workers.
    for (const wf of done) {
      const completed = wf.tasks.filter((t) => t.status === 'COMPLETED');
      expect(completed.map((t) => t.referenceTaskName).sort()).toEqual(tasks.map((t) => t.taskReferenceName).sort());
      for (const t of completed) expect(['kw-1', 'kw-2']).toContain(t.outputData.by);
    }
    const completedIds = new Set(done.flatMap((wf) => wf.tasks.filter((t) => t.status === 'COMPLETED').map((t) => t.taskId)));
    expect(completedIds.size).toBe(WORKFLOWS * TASKS_PER_WORKFLOW);
    // The survivor finished what the killed one left: it ran tasks after the kill, and the killed one ran none.
    const byKw2 = done.flatMap((wf) => wf.tasks.filter((t) => t.status === 'COMPLETED' && t.outputData.by === 'kw-2'));
    expect(byKw2.length).toBeGreaterThan(0);
    expect(executions('kw-1').length).toBe(killedAfter);
    const runs = executions('kw-1').length + executions('kw-2').length;
    const retried = done.reduce((n, wf) => n + wf.tasks.filter((t) => t.status !== 'COMPLETED').length, 0);
    // Reported, not asserted: how long it took, and what the kill cost — handler runs beyond one per
    // completed task (attempts the killed worker held, timed out and retried; messages redelivered to the
    // survivor for attempts already over, whose reports the engine ignores).
    console.log(
      `kafka workers: ${completedIds.size} tasks in ${(elapsed / 1000).toFixed(1)} s; ${runs} handler runs (${runs - completedIds.size} beyond one per completed task), ` +
        `${retried} attempts timed out and retried; kw-1 ran ${killedAfter} before it was killed`,
    );
  });
}

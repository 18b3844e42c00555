import { randomBytes } from 'node:crypto';
import { ConductorClient, TaskView } from './conductor-client';

type TimedTask = TaskView & { startTime: number; endTime: number };

/** The most spans [start, end) that overlap at any moment (an end frees its slot before a start at the same ms). */
function mostAtOnce(spans: ReadonlyArray<readonly [number, number]>): number {
  const edges = spans.flatMap(([start, end]) => [[start, 1] as const, [end, -1] as const]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, step] of edges) most = Math.max(most, (now += step));
  return most;
}

/**
 * Start times grouped into rate windows the way the queue opens them: a window begins with the first task
 * it hands out and lasts `windowMs`; the next begins with the first task handed out after it.
 */
function windowsOf(starts: readonly number[], windowMs: number): number[][] {
  const windows: number[][] = [];
  for (const t of [...starts].sort((a, b) => a - b)) {
    const current = windows[windows.length - 1];
    if (current && t < current[0] + windowMs) current.push(t);
    else windows.push([t]);
  }
  return windows;
}

/**
 * TaskDef limits through the HTTP API, as a Conductor user meets them: a worker task type with
 * concurrentExecLimit, and one with a rate limit, each under a burst of workflows. The same suite runs
 * against embedded and distributed Baton.
 */
export function limitsSuite(getApi: () => ConductorClient): void {
  const api = () => getApi();
  const run = randomBytes(3).toString('hex');
  const name = (base: string) => `limits_${base}_${run}`;

  const startBurst = async (type: string, workflows: number): Promise<string[]> => {
    await api().registerWorkflow({ name: `${type}_wf`, version: 1, tasks: [{ name: type, taskReferenceName: 'job' }] });
    return Promise.all(Array.from({ length: workflows }, () => api().startWorkflow(`${type}_wf`, {})));
  };
  const jobsOf = async (ids: readonly string[]): Promise<TimedTask[]> => {
    const done = await Promise.all(ids.map((id) => api().waitForStatus(id, 'COMPLETED')));
    return done.map((wf) => wf.tasks[0] as TimedTask);
  };

  it('holds a burst of 20 workflows to concurrentExecLimit 3: pollers asking for 10 never hold more than 3 IN_PROGRESS, and all 20 complete', async () => {
    const type = name('conc');
    await api().registerTaskDefs([{ name: type, concurrentExecLimit: 3, responseTimeoutSeconds: 60, retryCount: 0 }]);
    const ids = await startBurst(type, 20);

    // Nothing completes yet: three pollers asking for 10 each get 3 in all (the rest wait out their poll).
    const workers = ['w1', 'w2', 'w3'];
    const firsts = await Promise.all(workers.map((w) => api().poll(type, w, 10, 1000)));
    expect(firsts.flat()).toHaveLength(3);
    const running = (await Promise.all(ids.map((id) => api().workflow(id)))).filter((wf) => wf.tasks[0]?.status === 'IN_PROGRESS');
    expect(running).toHaveLength(3);

    // Then each completes what it holds and polls again. A task counts as held from its poll until its
    // completion is sent (counted down first, so the count never over-reports).
    let held = 3;
    let mostHeld = held;
    let completed = 0;
    const work = async (workerId: string, tasks: TaskView[]) => {
      for (;;) {
        for (const task of tasks) {
          held--;
          await api().complete(task, { by: workerId });
          completed++;
        }
        if (completed >= ids.length) return;
        tasks = await api().poll(type, workerId, 10, 1000);
        held += tasks.length;
        mostHeld = Math.max(mostHeld, held);
      }
    };
    await Promise.all(workers.map((w, i) => work(w, firsts[i])));

    const jobs = await jobsOf(ids);
    expect(mostHeld).toBeLessThanOrEqual(3);
    expect(jobs.map((t) => t.status)).toEqual(ids.map(() => 'COMPLETED'));
    // By the engine's own times (leased → completed), never more than 3 at once.
    expect(mostAtOnce(jobs.map((t) => [t.startTime, t.endTime]))).toBe(3);
  });

  it('hands a rate-limited type out 5 per 1 s window under a burst of 12 workflows: every workflow completes, no window more than 5', async () => {
    const type = name('rate');
    await api().registerTaskDefs([{ name: type, rateLimitPerFrequency: 5, rateLimitFrequencyInSeconds: 1, responseTimeoutSeconds: 60, retryCount: 0 }]);
    const ids = await startBurst(type, 12);

    // The first window opens with the first poll; then three pollers take the rest as windows open.
    const first = await api().poll(type, 'w0', 10, 1000);
    expect(first).toHaveLength(5);
    let completed = 0;
    const work = async (workerId: string, tasks: TaskView[]) => {
      for (;;) {
        for (const task of tasks) {
          await api().complete(task, { by: workerId });
          completed++;
        }
        if (completed >= ids.length) return;
        tasks = await api().poll(type, workerId, 10, 2000);
      }
    };
    await Promise.all([work('w1', first), work('w2', []), work('w3', [])]);

    const jobs = await jobsOf(ids);
    expect(jobs.map((t) => t.status)).toEqual(ids.map(() => 'COMPLETED'));
    // Every window hands out its 5 while tasks wait, and no more: 5, 5, then the last 2.
    expect(windowsOf(jobs.map((t) => t.startTime), 1000).map((w) => w.length)).toEqual([5, 5, 2]);
  });
}

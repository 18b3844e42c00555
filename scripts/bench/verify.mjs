// The count check, after the drain: every workflow the driver saw is fetched back (GET /api/workflow/{id}) and
// compared with what the driver was handed and acknowledged. Nothing lost: every workflow COMPLETED, every task
// the driver's update was acknowledged for is COMPLETED in the engine. Nothing duplicated: no task id handed out
// twice, each task reference COMPLETED exactly once, by the task the driver was handed.
import { TIMER_SECONDS } from './workloads.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function fetchAll(client, ids, concurrency, timeoutMs) {
  const out = new Map();
  let next = 0;
  let unreachable = 0; // in a row: past a few dozen the target is gone, and the rest is not asked
  await Promise.all(
    Array.from({ length: Math.min(concurrency, ids.length) }, async () => {
      while (next < ids.length) {
        const id = ids[next++];
        if (unreachable >= 50) {
          out.set(id, { status: 'UNREACHABLE', error: 'the target stopped answering' });
          continue;
        }
        let result;
        for (let attempt = 1; attempt <= 3; attempt++) {
          try {
            const r = await client.request('GET', `/api/workflow/${id}?includeTasks=true`, undefined, timeoutMs);
            if (r.status === 200) result = JSON.parse(r.text);
            else if (r.status === 404) result = { status: 'NOT_FOUND' };
            else result = { status: `HTTP_${r.status}`, error: r.text.slice(0, 300) };
            if (r.status < 500) break;
          } catch (err) {
            result = { status: 'UNREACHABLE', error: err.message };
          }
          await sleep(200 * attempt);
        }
        unreachable = result.status === 'UNREACHABLE' ? unreachable + 1 : 0;
        out.set(id, result);
      }
    }),
  );
  return out;
}

export async function verify({ client, workload, run, opts, say }) {
  const t0 = performance.now();
  const ids = [...run.wfs.keys()];
  say(`count check: fetching ${ids.length} workflow(s)${run.timerIds.length ? ` and ${run.timerIds.length} timer workflow(s)` : ''}`);
  const fetched = await fetchAll(client, ids, opts.verifyConcurrency, opts.requestTimeoutMs);
  const types = new Set(workload.taskTypes);

  const r = {
    workflows: ids.length,
    startedWithoutAck: 0, // the driver got tasks of a workflow whose start it never saw acknowledged
    statuses: {},
    completed: 0,
    notCompleted: 0,
    notCompletedExamples: [],
    tasksExpected: ids.length * workload.size,
    tasksCompletedOnce: 0,
    tasksNeverCompleted: 0,
    tasksCompletedTwice: 0,
    tasksPending: 0, // SCHEDULED or IN_PROGRESS (a workflow still running)
    extraAttempts: 0, // attempts of a task reference that ended without completing (timed out, failed, canceled)
    extraAttemptStatuses: {},
    completedNotHandedOut: 0, // the engine completed a task id the driver was never handed for that reference
    ackedNotCompleted: 0, // the driver's update was acknowledged, the engine does not show that task COMPLETED
    pollCountAboveOne: 0,
    systemTasksNotCompleted: 0,
    examples: [],
    handedOut: run.counters.handedOut,
    duplicateHandouts: run.counters.duplicateHandouts,
  };
  const example = (msg) => r.examples.length < 10 && r.examples.push(msg);

  for (const id of ids) {
    const wf = run.wfs.get(id);
    const got = fetched.get(id) ?? { status: 'UNREACHABLE' };
    if (!(wf.startAck === wf.startAck)) r.startedWithoutAck++;
    r.statuses[got.status] = (r.statuses[got.status] ?? 0) + 1;
    if (got.status === 'COMPLETED') r.completed++;
    else {
      r.notCompleted++;
      if (r.notCompletedExamples.length < 5) {
        const pending = (got.tasks ?? []).filter((t) => t.status !== 'COMPLETED').map((t) => `${t.referenceTaskName}:${t.status}`);
        r.notCompletedExamples.push(`${id} ${got.status}${pending.length ? ` (${pending.join(', ')})` : ''}${got.error ? `: ${got.error}` : ''}`);
      }
    }
    const tasks = got.tasks ?? [];
    const byRef = new Map();
    for (const t of tasks) {
      if (!types.has(t.taskType)) {
        if (t.status !== 'COMPLETED' && got.status === 'COMPLETED') r.systemTasksNotCompleted++;
        continue;
      }
      const list = byRef.get(t.referenceTaskName) ?? [];
      list.push(t);
      byRef.set(t.referenceTaskName, list);
    }
    workload.refs.forEach((ref, idx) => {
      const attempts = byRef.get(ref) ?? [];
      const done = attempts.filter((t) => t.status === 'COMPLETED');
      if (done.length === 1) r.tasksCompletedOnce++;
      else if (done.length === 0) r.tasksNeverCompleted++;
      else {
        r.tasksCompletedTwice++;
        example(`${id} ${ref}: COMPLETED ${done.length} times (${done.map((t) => t.taskId).join(', ')})`);
      }
      for (const t of attempts) {
        if (t.status === 'SCHEDULED' || t.status === 'IN_PROGRESS') r.tasksPending++;
        else if (t.status !== 'COMPLETED') {
          r.extraAttempts++;
          r.extraAttemptStatuses[t.status] = (r.extraAttemptStatuses[t.status] ?? 0) + 1;
          example(`${id} ${ref}: an extra attempt ${t.taskId} ${t.status}${t.reasonForIncompletion ? ` (${t.reasonForIncompletion})` : ''}`);
        }
        if (t.status === 'COMPLETED' && (t.pollCount ?? 1) > 1) r.pollCountAboveOne++;
      }
      for (const t of done) {
        if (!run.handedIds.has(t.taskId)) {
          r.completedNotHandedOut++;
          example(`${id} ${ref}: ${t.taskId} COMPLETED but never handed to the driver`);
        }
      }
      const mine = wf.taskIds[idx];
      if (mine !== undefined && wf.ack[idx] === wf.ack[idx] && !done.some((t) => t.taskId === mine) && got.tasks) {
        r.ackedNotCompleted++;
        example(`${id} ${ref}: update of ${mine} acknowledged, but the engine shows it ${attempts.find((t) => t.taskId === mine)?.status ?? 'missing'}`);
      }
    });
  }
  // When the drain gave up, workflows still RUNNING are the engine's backlog (not proven lost); when it did not,
  // the driver saw every workflow through, and any that is not COMPLETED was lost.
  r.unfinished = run.drained ? 0 : (r.statuses.RUNNING ?? 0);
  r.lost = r.notCompleted - r.unfinished + r.ackedNotCompleted;
  r.duplicated = r.duplicateHandouts + r.tasksCompletedTwice;
  const unfinishedTasks = run.drained ? 0 : r.tasksNeverCompleted;
  r.complete = r.unfinished === 0;
  r.ok = r.complete && r.lost === 0 && r.duplicated === 0 && r.extraAttempts === 0 && r.completedNotHandedOut === 0 && r.tasksNeverCompleted - unfinishedTasks === 0;

  // Timers: the engine's record of each WAIT (end minus start minus its duration).
  const timer = { started: run.timerIds.length, startErrors: run.timerErrors.length, completed: 0, notCompleted: 0, lateness: [] };
  if (run.timerIds.length) {
    const until = performance.now() + opts.timerWaitMs;
    let pending = run.timerIds;
    for (;;) {
      const got = await fetchAll(client, pending, opts.verifyConcurrency, opts.requestTimeoutMs);
      const still = [];
      for (const id of pending) {
        const wf = got.get(id);
        if (wf?.status === 'RUNNING' && performance.now() < until) {
          still.push(id);
          continue;
        }
        const pause = (wf?.tasks ?? []).find((t) => t.referenceTaskName === 'pause');
        if (wf?.status === 'COMPLETED' && pause?.status === 'COMPLETED') {
          timer.completed++;
          timer.lateness.push(pause.endTime - pause.startTime - TIMER_SECONDS * 1000);
        } else timer.notCompleted++;
      }
      if (!still.length) break;
      pending = still;
      await sleep(500);
    }
  }
  r.seconds = (performance.now() - t0) / 1000;
  return { count: r, timer };
}

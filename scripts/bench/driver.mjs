// The load driver: starts workflows (closed loop: keep N in flight; open loop: a fixed arrival schedule) and
// works their tasks the way Conductor's SDK workers do (batch long polls per task type, one POST /api/tasks per
// result). It timestamps every hand-out and acknowledgement to measure step latency and start-to-complete, and
// records which task ids it was handed, for the count check. All on one thread, with as little per-task work as
// it can: the driver measures its own CPU and must not be what limits the run.
import { monitorEventLoopDelay } from 'node:perf_hooks';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One workflow as the driver saw it: when it was due, started, and when each task was handed out and acknowledged. */
class Wf {
  constructor(size) {
    this.sched = NaN; // when it was due to start (open loop: the schedule; closed loop: when its start was sent)
    this.sent = NaN;
    this.startAck = NaN;
    this.seq = 0;
    this.hand = new Float64Array(size).fill(NaN);
    this.ack = new Float64Array(size).fill(NaN);
    this.upd = new Float64Array(size).fill(NaN); // when the task's completion was first sent
    this.taskIds = new Array(size);
    this.done = 0;
    this.completedAt = NaN;
  }
}

/** Growable sample arrays and per-second counters. */
class Series {
  constructor() {
    this.buckets = [];
  }
  add(sec, field, n = 1) {
    if (sec < 0) return;
    let b = this.buckets[sec];
    if (!b) for (let i = this.buckets.length; i <= sec; i++) this.buckets[i] ??= { started: 0, completed: 0, tasks: 0, handedOut: 0 };
    b = this.buckets[sec];
    b[field] += n;
  }
}

export async function runLoad({ client, workload, opts, timerWorkflowName, hooks, say }) {
  const { size, preds, succs, startSuccs, refIndex } = workload;
  const closed = !(opts.rate > 0);
  const interval = closed ? 0 : 1000 / opts.rate;
  const startPath = `/api/workflow/${encodeURIComponent(workload.name)}`;

  const wfs = new Map();
  const handedIds = new Set();
  const c = {
    starts: 0,
    startErrors: 0,
    startErrorExamples: [],
    skippedStarts: 0,
    handedOut: 0,
    duplicateHandouts: 0,
    duplicateExamples: [],
    reattempts: 0,
    unexpectedTasks: 0,
    handedBeforePredecessorAck: 0,
    acked: 0,
    updateRetries: 0,
    updateFailures: 0,
    updateFailureExamples: [],
    polls: 0,
    emptyPolls: 0,
    pollErrors: 0,
    pollErrorExamples: [],
    completed: 0,
  };
  const lat = { step: [], stepFromStart: [], stepFromTask: [], stepFromTaskSent: [], stepFromStartSent: [], startToComplete: [], startAck: [], updateAck: [], startLateness: [] };
  const series = new Series();
  const EL_RESOLUTION_MS = 10;
  const elDelay = monitorEventLoopDelay({ resolution: EL_RESOLUTION_MS });
  const lag = (ns) => Math.max(0, Math.round((ns / 1e6 - EL_RESOLUTION_MS) * 100) / 100);

  let tLoad = Infinity; // the schedule's origin
  let tMeasure = Infinity;
  let tEnd = Infinity;
  const inWindow = (t) => t >= tMeasure && t < tEnd;
  const sec = (t) => Math.floor((t - tLoad) / 1000);

  let open = 0; // started (or due) and not yet completed
  let loading = false;
  let polling = true;
  let seq = 0;
  let onIdle = null; // resolves the drain when nothing is open

  const example = (list, msg) => list.length < 5 && list.push(String(msg).slice(0, 300));

  // ---- hand-outs and acknowledgements --------------------------------------------------------------------------
  const recordStep = (handAt, predAck, fromStart) => {
    if (!inWindow(handAt)) return;
    const v = handAt > predAck ? handAt - predAck : 0;
    lat.step.push(v);
    (fromStart ? lat.stepFromStart : lat.stepFromTask).push(v);
  };

  const completeWf = (wf, at) => {
    wf.completedAt = at;
    c.completed++;
    series.add(sec(at), 'completed');
    if (inWindow(wf.sched)) lat.startToComplete.push(at - wf.sched);
    open--;
    if (closed && loading) launch(performance.now());
    if (open === 0 && onIdle) onIdle();
  };

  const onTaskAck = (wf, idx, at) => {
    if (wf.ack[idx] === wf.ack[idx]) return; // already acknowledged (a task handed out twice)
    wf.ack[idx] = at;
    c.acked++;
    series.add(sec(at), 'tasks');
    for (const s of succs[idx]) if (wf.hand[s] === wf.hand[s]) recordStep(wf.hand[s], at, false);
    if (++wf.done === size && wf.startAck === wf.startAck) completeWf(wf, at);
  };

  const completeTask = async (t, wf, idx, workerId) => {
    const n = t.inputData && typeof t.inputData.n === 'number' ? t.inputData.n : 0;
    const body = `{"workflowInstanceId":"${t.workflowInstanceId}","taskId":"${t.taskId}","status":"COMPLETED","workerId":"${workerId}","outputData":{"n":${n}}}`;
    for (let attempt = 1; attempt <= 5; attempt++) {
      try {
        const sentAt = performance.now();
        if (idx !== undefined && !(wf.upd[idx] === wf.upd[idx])) wf.upd[idx] = sentAt;
        const res = await client.request('POST', '/api/tasks', body, opts.requestTimeoutMs);
        if (res.status < 300) {
          const at = performance.now();
          if (inWindow(sentAt)) lat.updateAck.push(at - sentAt);
          if (idx !== undefined) onTaskAck(wf, idx, at);
          return;
        }
        if (res.status < 500) {
          c.updateFailures++;
          example(c.updateFailureExamples, `${res.status} ${res.text}`);
          return;
        }
        example(c.updateFailureExamples, `(retried) ${res.status} ${res.text}`);
      } catch (err) {
        example(c.updateFailureExamples, `(retried) ${err.message}`);
      }
      c.updateRetries++;
      await sleep(100 * attempt);
    }
    c.updateFailures++;
  };

  const onHandout = (t, now, workerId) => {
    c.handedOut++;
    series.add(sec(now), 'handedOut');
    if (handedIds.has(t.taskId)) {
      c.duplicateHandouts++;
      example(c.duplicateExamples, `task ${t.taskId} (${t.referenceTaskName} of ${t.workflowInstanceId}) handed out again to ${workerId}`);
    } else handedIds.add(t.taskId);
    const idx = refIndex.get(t.referenceTaskName);
    let wf = wfs.get(t.workflowInstanceId);
    if (!wf) {
      // handed out before its start was acknowledged (or a start whose answer never came)
      wf = new Wf(size);
      wfs.set(t.workflowInstanceId, wf);
    }
    if (idx === undefined) {
      c.unexpectedTasks++;
      return completeTask(t, wf, undefined, workerId);
    }
    if (wf.taskIds[idx] !== undefined && wf.taskIds[idx] !== t.taskId) c.reattempts++;
    wf.taskIds[idx] = t.taskId;
    wf.hand[idx] = now;
    const p = preds[idx];
    const predAck = p < 0 ? wf.startAck : wf.ack[p];
    if (predAck === predAck) recordStep(now, predAck, p < 0);
    else c.handedBeforePredecessorAck++;
    // the worker's view, robust to an engine that hands the next task out before it answers the update
    if (inWindow(now)) {
      if (p >= 0) wf.upd[p] === wf.upd[p] && lat.stepFromTaskSent.push(now - wf.upd[p]);
      else if (wf.sent === wf.sent) lat.stepFromStartSent.push(now - wf.sent);
    }
    return completeTask(t, wf, idx, workerId);
  };

  // ---- pollers -------------------------------------------------------------------------------------------------
  const poller = async (type, n) => {
    const workerId = `bench-${n}`;
    const path = `/api/tasks/poll/batch/${encodeURIComponent(type)}?workerid=${workerId}&timeout=${opts.pollTimeoutMs}&count=`;
    let busy = 0;
    let wake = null;
    const release = () => {
      busy--;
      if (wake) {
        const w = wake;
        wake = null;
        w();
      }
    };
    while (polling) {
      const free = opts.batch - busy;
      if (free <= 0) {
        await new Promise((r) => (wake = r));
        continue;
      }
      let res;
      try {
        res = await client.request('GET', path + free, undefined, opts.pollTimeoutMs + opts.requestTimeoutMs);
      } catch (err) {
        c.pollErrors++;
        example(c.pollErrorExamples, err.message);
        await sleep(100);
        continue;
      }
      const now = performance.now();
      c.polls++;
      if (res.status !== 200) {
        c.pollErrors++;
        example(c.pollErrorExamples, `${res.status} ${res.text}`);
        await sleep(100);
        continue;
      }
      if (res.text.length <= 2) {
        c.emptyPolls++;
        continue;
      }
      const tasks = JSON.parse(res.text);
      for (let i = 0; i < tasks.length; i++) {
        busy++;
        onHandout(tasks[i], now, workerId).then(release, release);
      }
    }
    while (busy > 0) await new Promise((r) => (wake = r));
  };
  const pollers = [];
  let pollerNo = 0;
  for (const type of workload.taskTypes) for (let i = 0; i < opts.pollers; i++) pollers.push(poller(type, ++pollerNo));

  // ---- starts --------------------------------------------------------------------------------------------------
  function launch(sched) {
    open++;
    c.starts++;
    const n = ++seq;
    const sent = performance.now();
    series.add(sec(sched), 'started');
    if (!closed && inWindow(sched)) lat.startLateness.push(sent - sched);
    client.request('POST', startPath, `{"n":${n}}`, opts.requestTimeoutMs).then(
      (res) => {
        const ack = performance.now();
        if (res.status >= 300) return startFailed(`${res.status} ${res.text}`);
        const id = res.text.trim();
        let wf = wfs.get(id);
        if (!wf) {
          wf = new Wf(size);
          wfs.set(id, wf);
        }
        wf.sched = closed ? sent : sched;
        wf.sent = sent;
        wf.seq = n;
        wf.startAck = ack;
        if (inWindow(wf.sched)) lat.startAck.push(ack - wf.sched);
        for (const s of startSuccs) {
          if (!(wf.hand[s] === wf.hand[s])) continue;
          recordStep(wf.hand[s], ack, true);
          if (inWindow(wf.hand[s])) lat.stepFromStartSent.push(wf.hand[s] - sent);
        }
        if (wf.done === size) completeWf(wf, ack);
      },
      (err) => startFailed(err.message),
    );
  }
  function startFailed(msg) {
    c.startErrors++;
    example(c.startErrorExamples, msg);
    open--;
    if (open === 0 && onIdle) onIdle();
    if (closed && loading) setTimeout(() => loading && launch(performance.now()), 100);
  }

  const waitIdle = (untilMs) =>
    new Promise((resolve) => {
      if (open === 0) return resolve(true);
      const t = setTimeout(() => {
        onIdle = null;
        resolve(false);
      }, Math.max(0, untilMs - performance.now()));
      onIdle = () => {
        clearTimeout(t);
        onIdle = null;
        resolve(true);
      };
    });

  // ---- timers alongside: 1 s WAIT workflows spread over the measured window ------------------------------------
  const timerIds = [];
  const timerErrors = [];
  const startTimers = async () => {
    if (!opts.timers || !timerWorkflowName) return;
    const path = `/api/workflow/${encodeURIComponent(timerWorkflowName)}`;
    const gap = (opts.duration * 1000) / opts.timers;
    const pending = [];
    for (let i = 0; i < opts.timers && performance.now() < tEnd; i++) {
      const due = tMeasure + i * gap;
      if (due > performance.now()) await sleep(due - performance.now());
      pending.push(
        client.request('POST', path, '{}', opts.requestTimeoutMs).then(
          (r) => (r.status < 300 ? timerIds.push(r.text.trim()) : timerErrors.push(`${r.status} ${r.text.slice(0, 200)}`)),
          (err) => timerErrors.push(err.message),
        ),
      );
    }
    await Promise.all(pending);
  };

  // ---- the run -------------------------------------------------------------------------------------------------
  const stopPollers = async () => {
    polling = false;
    const bound = opts.pollTimeoutMs + opts.requestTimeoutMs + 5000;
    const ok = await Promise.race([Promise.all(pollers).then(() => true), sleep(bound).then(() => false)]);
    if (!ok) say(`warning: pollers did not stop within ${bound / 1000} s`);
  };

  // A probe first: one workflow through the engine, so that a target that cannot run it fails fast and clearly.
  say('probe: one workflow end to end');
  tLoad = performance.now();
  loading = false;
  launch(tLoad);
  if (!(await waitIdle(performance.now() + opts.probeTimeoutMs))) {
    await stopPollers();
    throw new Error(
      `the probe workflow did not complete within ${opts.probeTimeoutMs / 1000} s (handed out ${c.handedOut}, acknowledged ${c.acked}, start errors ${c.startErrors}: ${c.startErrorExamples.join('; ')}; update errors: ${c.updateFailureExamples.join('; ')}; poll errors: ${c.pollErrorExamples.join('; ')})`,
    );
  }
  if (c.startErrors) {
    await stopPollers();
    throw new Error(`the probe workflow could not be started: ${c.startErrorExamples.join('; ')}`);
  }
  const probe = { ...c };
  series.buckets = [];

  // The load: warm-up, then the measured window.
  tLoad = performance.now();
  tMeasure = tLoad + opts.warmup * 1000;
  tEnd = tMeasure + opts.duration * 1000;
  loading = true;
  say(`load: ${closed ? `closed loop, ${opts.inflight} in flight` : `open loop, ${opts.rate} starts/s`}; ${opts.warmup} s warm-up + ${opts.duration} s measured`);
  let ticker = null;
  if (closed) {
    for (let i = 0; i < opts.inflight; i++) launch(tLoad);
  } else {
    let next = tLoad;
    const tick = () => {
      const now = performance.now();
      while (loading && next <= now && next < tEnd) {
        if (open >= opts.maxBacklog) c.skippedStarts++;
        else launch(next);
        next += interval;
      }
      if (loading && next < tEnd) ticker = setTimeout(tick, Math.max(0, next - performance.now()));
    };
    tick();
  }

  const every = Math.max(1, Math.round(opts.progressEveryMs / 1000));
  const progress = setInterval(() => {
    const upTo = sec(performance.now()); // the seconds before this one are complete
    let tasks = 0;
    let done = 0;
    for (let i = Math.max(0, upTo - every); i < upTo; i++) {
      tasks += series.buckets[i]?.tasks ?? 0;
      done += series.buckets[i]?.completed ?? 0;
    }
    const errors = c.startErrors + c.updateFailures + c.pollErrors;
    say(`  ${String(upTo).padStart(4)} s  ${Math.round(tasks / every)} tasks/s, ${Math.round(done / every)} workflows/s, ${open} open${errors ? `, errors: start ${c.startErrors} update ${c.updateFailures} poll ${c.pollErrors}` : ''}`);
  }, opts.progressEveryMs);
  // a Baton process that dies ends the run early (the count check then shows what it cost)
  let died = null;
  let abortRun;
  const aborted = new Promise((r) => (abortRun = r));
  const watchdog = setInterval(() => {
    const dead = hooks.alive?.() ?? [];
    if (dead.length && !died) {
      died = dead;
      say(`  ${dead.join(', ')}: ending the run`);
      if (performance.now() < tEnd) tEnd = Math.max(tMeasure, performance.now());
      abortRun();
    }
  }, 1000);
  const sleepOrAbort = (ms) => Promise.race([sleep(Math.max(0, ms)), aborted]);

  // the measured window's edges: process CPU snapshots are taken exactly there
  await sleepOrAbort(tMeasure - performance.now());
  const backlogAtStart = open;
  hooks.windowStart?.();
  elDelay.enable();
  const timers = startTimers();
  await sleepOrAbort(tEnd - performance.now());
  loading = false;
  if (ticker) clearTimeout(ticker);
  hooks.windowEnd?.();
  elDelay.disable();
  const backlogAtEnd = open;

  // Drain: what was started must finish; bounded, and reported honestly when it does not.
  const drainFor = died ? Math.min(opts.drain, 5) : opts.drain;
  say(`window over: ${open} workflow(s) still open; draining (at most ${drainFor} s)`);
  const drained = await waitIdle(performance.now() + drainFor * 1000);
  const drainSeconds = (performance.now() - tEnd) / 1000;
  clearInterval(progress);
  clearInterval(watchdog);
  await timers;
  await stopPollers();

  // workflows due in the window that never completed: start-to-complete percentiles leave them out (a lower bound)
  let dueInWindow = 0;
  for (let i = opts.warmup; i < opts.warmup + opts.duration; i++) dueInWindow += series.buckets[i]?.started ?? 0;
  lat.startToCompleteUnfinished = Math.max(0, dueInWindow - lat.startToComplete.length);

  return {
    closed,
    wfs,
    handedIds,
    counters: c,
    probe,
    lat,
    series: series.buckets,
    // whole seconds of the window that ran (shorter than --duration only when a process died)
    window: { warmupSeconds: opts.warmup, seconds: Math.max(0, Math.min(opts.duration, Math.floor((tEnd - tMeasure) / 1000))), startSecond: opts.warmup },
    backlogAtStart,
    backlogAtEnd,
    drained,
    drainSeconds,
    died,
    openAfterDrain: open,
    timerIds,
    timerErrors,
    // the histogram holds each sample's interval (resolution + delay): the delay is what exceeds the resolution
    eventLoop: { p50: lag(elDelay.percentile(50)), p99: lag(elDelay.percentile(99)), max: lag(elDelay.max) },
  };
}

// Turns a run into numbers: the table on screen and the JSON document.

// Issue 7's targets, judged on every run (a target run needs a 60 s window).
export const TARGET = { tasksPerSecond: 1000, stepP99Ms: 50, windowSeconds: 60 };

export function stats(samples) {
  const n = samples.length;
  if (!n) return { n: 0 };
  const s = Float64Array.from(samples).sort();
  const q = (p) => s[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))];
  let sum = 0;
  for (const v of s) sum += v;
  const r = (v) => Math.round(v * 100) / 100;
  return { n, min: r(s[0]), p50: r(q(50)), p95: r(q(95)), p99: r(q(99)), max: r(s[n - 1]), mean: r(sum / n) };
}

export function summarize({ opts, target, run, cpu, memory, checks, indexLag }) {
  const W = Math.max(1, run.window.seconds);
  const first = opts.warmup;
  const buckets = run.series.slice(first, first + W).map((b) => b ?? { started: 0, completed: 0, tasks: 0, handedOut: 0 });
  while (buckets.length < W) buckets.push({ started: 0, completed: 0, tasks: 0, handedOut: 0 });
  const sum = (f) => buckets.reduce((a, b) => a + b[f], 0);
  const tasks = sum('tasks');
  const workflows = sum('completed');
  const started = sum('started');
  const perSecond = buckets.map((b) => b.tasks);
  const sorted = [...perSecond].sort((a, b) => a - b);

  const throughput = {
    windowSeconds: W,
    workflowsCompleted: workflows,
    tasksCompleted: tasks,
    workflowsStarted: started,
    workflowsPerSecond: round(workflows / W),
    tasksPerSecond: round(tasks / W),
    offeredWorkflowsPerSecond: run.closed ? null : opts.rate,
    tasksPerSecondSlowestSecond: sorted[0],
    tasksPerSecondMedianSecond: sorted[Math.floor(sorted.length / 2)],
    tasksPerSecondFastestSecond: sorted[sorted.length - 1],
    backlogAtWindowStart: run.backlogAtStart,
    backlogAtWindowEnd: run.backlogAtEnd,
    skippedStarts: run.counters.skippedStarts,
  };

  const latency = {
    step: stats(run.lat.step),
    stepFromStart: stats(run.lat.stepFromStart),
    stepFromTask: stats(run.lat.stepFromTask),
    stepFromTaskSent: stats(run.lat.stepFromTaskSent),
    stepFromStartSent: stats(run.lat.stepFromStartSent),
    startToComplete: { ...stats(run.lat.startToComplete), unfinished: run.lat.startToCompleteUnfinished },
    startAck: stats(run.lat.startAck),
    updateAck: stats(run.lat.updateAck),
    startLateness: run.closed ? undefined : stats(run.lat.startLateness),
    timerLateness: stats(checks.timer.lateness),
    // From a workflow's end (its start answered, a NOOP) to search finding it, probed under the load.
    indexLag: indexLag ? { ...stats(indexLag.samples), missed: indexLag.missed, errors: indexLag.errors } : undefined,
  };

  // CPU per task: each process's CPU seconds in the window over the tasks completed in it
  const processes = [];
  const groups = cpu ? cpu.groups : {};
  for (const [name, g] of Object.entries(groups)) {
    processes.push({
      name,
      role: target.groups.find((x) => x.name === name)?.role ?? 'driver',
      pid: target.groups.find((x) => x.name === name)?.pid ?? target.groups.find((x) => x.name === name)?.postmaster ?? process.pid,
      processes: g.processes,
      cpuSeconds: round(g.cpuSeconds, 3),
      cpuMsPerTask: tasks ? round((g.cpuSeconds * 1000) / tasks, 3) : null,
      coreShare: round(g.cpuSeconds / (cpu.seconds || 1), 3),
      peakRssMB: memory[name] !== undefined ? round(memory[name] / 1048576, 1) : null,
      sharedServerCpuSeconds: g.sharedSeconds !== undefined ? round(g.sharedSeconds, 3) : undefined,
    });
  }
  const measuredCpu = processes.reduce((a, p) => a + p.cpuSeconds, 0);
  const engineCpu = processes.filter((p) => p.role === 'engine').reduce((a, p) => a + p.cpuSeconds, 0);
  const cpuTotals = {
    allMeasuredMsPerTask: tasks ? round((measuredCpu * 1000) / tasks, 3) : null,
    engineMsPerTask: tasks ? round((engineCpu * 1000) / tasks, 3) : null,
    machineBusyCores: cpu?.machine ? round(cpu.machine.busySeconds / cpu.seconds, 2) : null,
    machineCores: cpu?.machine ? round(cpu.machine.totalSeconds / cpu.seconds, 2) : null,
    otherBusyCores: cpu?.machine ? round((cpu.machine.busySeconds - measuredCpu) / cpu.seconds, 2) : null,
  };

  const count = checks.count;
  const targetVerdict = {
    tasksPerSecond: throughput.tasksPerSecond >= TARGET.tasksPerSecond,
    stepP99: latency.step.n > 0 && latency.step.p99 < TARGET.stepP99Ms,
    noneLost: count.lost === 0,
    noneDuplicated: count.duplicated === 0,
    windowLongEnough: W >= TARGET.windowSeconds,
    ranToTheEnd: !run.died,
  };
  targetVerdict.met = Object.values(targetVerdict).every(Boolean);
  return { throughput, latency, processes, cpuTotals, perSecondTasks: perSecond, targetVerdict };
}

const round = (v, d = 1) => (Number.isFinite(v) ? Math.round(v * 10 ** d) / 10 ** d : v);

// ---- the table ---------------------------------------------------------------------------------------------------
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
const ms = (v) => (v === undefined || v === null ? '-' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(v < 10 ? 2 : 1)}`);

export function table(doc) {
  const { config, summary: s, count, timer, engineProblems, driver } = doc;
  const L = [];
  const load = config.rate ? `open loop ${config.rate} starts/s` : `closed loop ${config.inflight} in flight`;
  L.push('');
  L.push(`Baton bench  ${config.mode}${config.mode === 'distributed' ? ` (${config.executors} executor${config.executors > 1 ? 's' : ''}, ${config.partitions} partitions)` : ''}  ${config.workload} (${config.tasksPerWorkflow} worker task${config.tasksPerWorkflow > 1 ? 's' : ''}/workflow)  ${load}`);
  L.push(`  ${config.warmup} s warm-up + ${config.duration} s measured; ${config.pollers} poller(s) per task type x ${config.taskTypes} type(s), batch ${config.batch}; ${config.timers} timer workflows`);
  L.push(`  ${doc.machine.cpus} x ${doc.machine.cpuModel}, node ${doc.machine.node}, ${doc.startedAt}; target ${doc.target.url}`);
  L.push('');
  const t = s.throughput;
  if (doc.processesExitedDuringRun?.length) L.push(`RUN ENDED EARLY   ${doc.processesExitedDuringRun.join(', ')}; the window ran ${t.windowSeconds} s`, '');
  L.push(`throughput        ${lpad(t.workflowsPerSecond, 8)} workflows/s  ${lpad(t.tasksPerSecond, 8)} tasks/s   (${t.workflowsCompleted} workflows, ${t.tasksCompleted} tasks in ${t.windowSeconds} s)`);
  L.push(`  per second      tasks/s slowest ${t.tasksPerSecondSlowestSecond}, median ${t.tasksPerSecondMedianSecond}, fastest ${t.tasksPerSecondFastestSecond}`);
  if (t.offeredWorkflowsPerSecond && t.workflowsPerSecond < 0.95 * t.offeredWorkflowsPerSecond)
    L.push(`  NOT KEEPING UP  completing ${t.workflowsPerSecond} of ${t.offeredWorkflowsPerSecond} offered workflows/s; the backlog grew from ${t.backlogAtWindowStart} to ${t.backlogAtWindowEnd}`);
  if (t.offeredWorkflowsPerSecond) L.push(`  offered         ${t.offeredWorkflowsPerSecond} workflows/s; ${t.workflowsStarted} due in the window; backlog (open workflows) ${t.backlogAtWindowStart} at its start, ${t.backlogAtWindowEnd} at its end${t.skippedStarts ? `; ${t.skippedStarts} starts SKIPPED (backlog cap)` : ''}`);
  L.push('');
  L.push(`latency (ms)              ${lpad('p50', 9)}${lpad('p95', 9)}${lpad('p99', 9)}${lpad('max', 9)}${lpad('n', 8)}`);
  const row = (name, st, always = false) => st && (st.n || always) && L.push(`  ${pad(name, 24)}${st.n ? `${lpad(ms(st.p50), 9)}${lpad(ms(st.p95), 9)}${lpad(ms(st.p99), 9)}${lpad(ms(st.max), 9)}` : lpad('-', 36)}${lpad(st.n, 8)}`);
  row('step (all hand-offs)', s.latency.step, true);
  if (s.latency.stepFromTask.n) {
    row('  task -> next task', s.latency.stepFromTask);
    row('  start -> first task', s.latency.stepFromStart);
  }
  row('task sent -> next task', s.latency.stepFromTaskSent);
  row('start sent -> first task', s.latency.stepFromStartSent);
  row('start-to-complete', s.latency.startToComplete, true);
  if (s.latency.startToComplete.unfinished) L.push(`    (${s.latency.startToComplete.unfinished} workflows due in the window never completed: these percentiles are a lower bound)`);
  row('start acknowledged', s.latency.startAck);
  row('task update acknowledged', s.latency.updateAck);
  if (s.latency.startLateness) row('driver start lateness', s.latency.startLateness);
  if (timer.started) row(`timer lateness (1 s WAIT)`, s.latency.timerLateness);
  if (s.latency.indexLag?.n) row('end -> searchable', s.latency.indexLag);
  if (s.latency.indexLag?.missed || s.latency.indexLag?.errors) L.push(`    (${s.latency.indexLag.missed} probe(s) not searchable within 30 s, ${s.latency.indexLag.errors} failed)`);
  L.push('');
  if (s.processes.length) {
    L.push(`CPU in the window       ${lpad('pid', 8)}${lpad('procs', 6)}${lpad('cpu s', 9)}${lpad('ms/task', 9)}${lpad('cores', 7)}${lpad('peak RSS', 10)}`);
    for (const p of s.processes) {
      L.push(`  ${pad(p.name, 22)}${lpad(p.pid, 8)}${lpad(p.processes, 6)}${lpad(p.cpuSeconds.toFixed(2), 9)}${lpad(p.cpuMsPerTask ?? '-', 9)}${lpad(p.coreShare.toFixed(2), 7)}${lpad(p.peakRssMB !== null ? `${p.peakRssMB} MB` : '-', 10)}`);
    }
    const c = s.cpuTotals;
    L.push(`  ${pad('all of the above', 36)}${lpad(s.processes.reduce((a, p) => a + p.cpuSeconds, 0).toFixed(2), 9)}${lpad(c.allMeasuredMsPerTask ?? '-', 9)}`);
    if (c.machineBusyCores !== null) L.push(`  machine: ${c.machineBusyCores} of ${c.machineCores} cores busy; ${c.otherBusyCores} cores used by processes not listed`);
    const shared = s.processes.find((p) => p.sharedServerCpuSeconds !== undefined);
    if (shared) L.push(`  postgres counts this run's database only; other databases on the shared server used ${shared.sharedServerCpuSeconds} cpu s (not counted)`);
    if (s.processes.some((p) => p.role === 'kafka')) L.push('  kafka is the shared local broker: its CPU includes anything else using it');
    L.push('');
  }
  L.push(`driver            ${driver.cpuMsPerTask ?? '-'} ms CPU per task (${driver.cpuSeconds} cpu s: user ${driver.userSeconds}, system ${driver.systemSeconds}; ${driver.coreShare} cores; ${driver.client} HTTP client); event-loop delay p99 ${driver.eventLoop.p99.toFixed(1)} ms, max ${driver.eventLoop.max.toFixed(1)} ms`);
  L.push(`                  ${driver.polls} polls (${driver.emptyPolls} empty, ${driver.tasksPerPoll} tasks per non-empty poll), errors: start ${driver.startErrors}, poll ${driver.pollErrors}, update ${driver.updateFailures} (${driver.updateRetries} retried)`);
  L.push('');
  const ok = (b) => (b ? 'ok' : 'FAIL');
  L.push(`count check       ${count.complete ? ok(count.ok) : `INCOMPLETE (${count.unfinished} workflows still RUNNING when the drain gave up: backlog, not counted as lost)`}${count.complete ? '' : `, ${ok(count.ok)}`}: ${count.workflows} workflows, ${count.completed} COMPLETED${count.notCompleted ? `, ${count.notCompleted} NOT (${Object.entries(count.statuses).filter(([k]) => k !== 'COMPLETED').map(([k, v]) => `${v} ${k}`).join(', ')})` : ''}; ${count.handedOut} tasks handed out, ${count.tasksCompletedOnce} of ${count.tasksExpected} completed exactly once`);
  L.push(`                  lost ${count.lost}, duplicated ${count.duplicated} (handed out twice ${count.duplicateHandouts}, completed twice ${count.tasksCompletedTwice}), still pending ${count.tasksPending}, extra attempts ${count.extraAttempts}${count.extraAttempts ? ` ${JSON.stringify(count.extraAttemptStatuses)}` : ''}, acknowledged-but-not-completed ${count.ackedNotCompleted}${doc.drain.drained ? '' : `; the drain gave up after ${doc.drain.seconds.toFixed(0)} s with ${doc.drain.openAfterDrain} open`}`);
  const odd = Object.entries({
    'tasks with pollCount > 1': count.pollCountAboveOne,
    'COMPLETED but never handed to the driver': count.completedNotHandedOut,
    'tasks never COMPLETED': count.tasksNeverCompleted,
    'FORK/JOIN not COMPLETED': count.systemTasksNotCompleted,
    'workflows whose start was never acknowledged': count.startedWithoutAck,
    'second task ids for one reference': driver.reattempts,
    'tasks of unknown references': driver.unexpectedTasks,
  }).filter(([, v]) => v > 0);
  if (odd.length) L.push(`                  also: ${odd.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  for (const e of [...count.notCompletedExamples, ...count.examples].slice(0, 6)) L.push(`                    e.g. ${e}`);
  if (timer.started) L.push(`timers            ${timer.completed} of ${timer.started} WAIT workflows completed${timer.notCompleted ? `, ${timer.notCompleted} NOT` : ''}${timer.startErrors ? `, ${timer.startErrors} failed to start` : ''}`);
  const probs = Object.entries(engineProblems ?? {});
  if (probs.length) {
    L.push('engine logs       warnings/errors during the run (count x message; boot-time ones are in the JSON):');
    for (const [svc, list] of probs) for (const p of list.slice(0, 4)) L.push(`  ${pad(svc, 12)}${lpad(p.count, 6)} x ${p.example.slice(0, 150)}`);
  }
  const v = s.targetVerdict;
  L.push('');
  L.push(
    `issue 7 target    ${v.met ? 'MET' : 'not met'}: >= ${TARGET.tasksPerSecond} tasks/s ${ok(v.tasksPerSecond)} (${t.tasksPerSecond}; slowest second ${t.tasksPerSecondSlowestSecond}), p99 step < ${TARGET.stepP99Ms} ms ${ok(v.stepP99)} (${s.latency.step.p99 ?? '-'}${s.latency.stepFromTaskSent.n ? `; from completion sent: ${s.latency.stepFromTaskSent.p99}` : ''}), 0 lost ${ok(v.noneLost)}, 0 duplicated ${ok(v.noneDuplicated)}${v.windowLongEnough ? '' : `, window ${config.duration} s < ${TARGET.windowSeconds} s (not a target run)`}`,
  );
  if (doc.timing) L.push(`timing            boot ${doc.timing.bootSeconds} s, load + drain + check ${doc.timing.loadSeconds} s, teardown ${doc.timing.teardownSeconds} s`);
  if (doc.outFile) L.push(`json              ${doc.outFile}`);
  if (doc.logDir) L.push(`logs              ${doc.logDir}`);
  L.push('');
  return L.join('\n');
}

#!/usr/bin/env node
// `npm run bench`: can Baton do issue 7's target (1,000 task completions/s for 60 s, p99 step latency < 50 ms,
// nothing lost or duplicated)? Drives Baton (embedded, distributed with 1..N executors, or any URL) through the
// Conductor HTTP API the way SDK workers do, in a closed or open loop, and reports throughput, latency, CPU per
// task per process, peak memory and a count check. `node scripts/bench.mjs --help` for the options.
// The pieces live in scripts/bench/: options, targets (processes, database, topics), driver (the load and the
// workers), verify (the count check), procstats (/proc readings), report (the table and the JSON).
import { IndexLagProbe, indexLagWorkflow } from './bench/index-lag.mjs';
import { cpus } from 'node:os';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoad } from './bench/driver.mjs';
import { HELP, parseOptions } from './bench/options.mjs';
import { cpuBetween, MemorySampler, snapshot } from './bench/procstats.mjs';
import { summarize, table } from './bench/report.mjs';
import { startDistributed, startEmbedded, useUrl } from './bench/targets.mjs';
import { verify } from './bench/verify.mjs';
import { buildWorkload, timerWorkflow } from './bench/workloads.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const say = (msg) => process.stderr.write(`bench: ${msg}\n`);
const r1 = (v) => Math.round(v * 10) / 10;

let opts;
try {
  opts = parseOptions(process.argv.slice(2));
} catch (err) {
  console.error(`bench: ${err.message}\n\n${HELP}`);
  process.exit(2);
}
if (opts.help) {
  console.log(HELP);
  process.exit(0);
}

const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/Z$/, '');
const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
let target = null;
let stopTarget = null; // registered by the target as soon as it has something to clean up
let stopping = null;

/** Stops what the bench started; once, whatever called it (the end of the run, an error, Ctrl-C). */
const teardown = () =>
  (stopping ??= (async () => {
    target?.client.close();
    if (!stopTarget) return {};
    say('stopping and cleaning up');
    return stopTarget().catch((err) => {
      say(`cleanup failed: ${err.message}`);
      return {};
    });
  })());

let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    interrupted = true;
    say(`${sig}: stopping`);
    teardown().finally(() => process.exit(130));
  });
}

async function main() {
  const t0 = performance.now();
  const workload = buildWorkload(opts.workload, runId);
  const timerWf = opts.timers ? timerWorkflow(runId) : null;
  const common = { root, runId: `${stamp}-${opts.mode}-${opts.workload}`, nodeArgs: opts.nodeArgs, engineEnv: opts.engineEnv, clientKind: opts.client, say, register: (stop) => (stopTarget = stop) };
  target =
    opts.mode === 'embedded'
      ? await startEmbedded(common)
      : opts.mode === 'distributed'
        ? await startDistributed({ ...common, executors: opts.executors, partitions: opts.partitions })
        : await useUrl({ url: opts.url, clientKind: opts.client });
  const { client } = target;
  const bootSeconds = (performance.now() - t0) / 1000;

  await client.call('POST', '/api/metadata/taskdefs', workload.taskDefs);
  await client.call('POST', '/api/metadata/workflow', workload.workflowDef);
  if (timerWf) await client.call('POST', '/api/metadata/workflow', timerWf);
  const lagWf = indexLagWorkflow(runId);
  await client.call('POST', '/api/metadata/workflow', lagWf);

  target.mark(); // engine log lines from here on are the run's, not the boot's
  const tLoadStart = performance.now();
  const memory = new MemorySampler(target.groups);
  // Indexing lag under the load: probes through the measured window.
  const lag = new IndexLagProbe(client, lagWf.name);
  let lagStopped = null;
  let cpuA = null;
  let cpuB = null;
  const run = await runLoad({
    client,
    workload,
    opts,
    timerWorkflowName: timerWf?.name,
    hooks: {
      windowStart: () => {
        cpuA = snapshot(target.groups);
        lag.start();
      },
      windowEnd: () => {
        cpuB = snapshot(target.groups);
        lagStopped = lag.stop();
      },
      alive: () => target.alive(),
    },
    say: opts.quiet ? (m) => !m.startsWith('  ') && say(m) : say,
  });
  const peak = memory.stop();
  const indexLag = lagStopped ? await lagStopped : { samples: [], missed: 0, errors: 0 };
  const cpu = cpuA && cpuB ? cpuBetween(cpuA, cpuB, target.groups) : null;
  const checks = await verify({ client, workload, run, opts, say });
  const dead = target.alive();
  const problems = target.problems('run');
  const bootProblems = target.problems('boot');

  const summary = summarize({ opts, target, run, cpu, memory: peak, checks, indexLag });
  const c = run.counters;
  const driverCpu = cpu?.groups.driver;
  const tasks = summary.throughput.tasksCompleted;
  const nonEmpty = c.polls - c.emptyPolls;
  const doc = {
    tool: 'baton npm run bench',
    startedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model?.trim() ?? '?', node: process.version, platform: process.platform },
    config: {
      mode: opts.mode,
      executors: opts.mode === 'distributed' ? opts.executors : undefined,
      partitions: opts.mode === 'distributed' ? opts.partitions : undefined,
      workload: opts.workload,
      tasksPerWorkflow: workload.size,
      taskTypes: workload.taskTypes.length,
      inflight: opts.inflight || undefined,
      rate: opts.rate || undefined,
      maxBacklog: opts.rate ? opts.maxBacklog : undefined,
      warmup: opts.warmup,
      duration: opts.duration,
      drain: opts.drain,
      pollers: opts.pollers,
      batch: opts.batch,
      pollTimeoutMs: opts.pollTimeoutMs,
      client: opts.client,
      timers: opts.timers,
      nodeArgs: opts.nodeArgs,
      engineEnv: opts.engineEnv,
    },
    target: { mode: target.mode, url: client.url, database: target.database, topicPrefix: target.topicPrefix },
    summary,
    driver: {
      cpuSeconds: driverCpu ? Math.round(driverCpu.cpuSeconds * 1000) / 1000 : null,
      userSeconds: driverCpu ? Math.round(driverCpu.userSeconds * 1000) / 1000 : null,
      systemSeconds: driverCpu ? Math.round(driverCpu.systemSeconds * 1000) / 1000 : null,
      client: opts.client,
      cpuMsPerTask: driverCpu && tasks ? Math.round((driverCpu.cpuSeconds * 1e6) / tasks) / 1000 : null,
      coreShare: driverCpu && cpu.seconds ? Math.round((driverCpu.cpuSeconds / cpu.seconds) * 1000) / 1000 : null,
      eventLoop: run.eventLoop,
      polls: c.polls,
      emptyPolls: c.emptyPolls,
      tasksPerPoll: nonEmpty ? Math.round((c.handedOut / nonEmpty) * 10) / 10 : 0,
      starts: c.starts,
      startErrors: c.startErrors,
      startErrorExamples: c.startErrorExamples,
      pollErrors: c.pollErrors,
      pollErrorExamples: c.pollErrorExamples,
      updateFailures: c.updateFailures,
      updateRetries: c.updateRetries,
      updateFailureExamples: c.updateFailureExamples,
      unexpectedTasks: c.unexpectedTasks,
      reattempts: c.reattempts,
      handedBeforePredecessorAck: c.handedBeforePredecessorAck,
      duplicateHandoutExamples: c.duplicateExamples,
    },
    drain: { drained: run.drained, seconds: run.drainSeconds, openAfterDrain: run.openAfterDrain },
    count: checks.count,
    timer: { ...checks.timer, lateness: undefined, latenessMs: summary.latency.timerLateness },
    engineProblems: problems,
    engineBootProblems: bootProblems,
    processesExitedDuringRun: dead,
    perSecond: run.series,
  };

  const out = opts.out ? resolve(opts.out) : join(root, 'bench-results', `${stamp}-${opts.mode}-${opts.workload}.json`);
  const t1 = performance.now();
  const codes = await teardown();
  doc.exitCodes = codes;
  doc.timing = { bootSeconds: r1(bootSeconds), loadSeconds: r1((t1 - tLoadStart) / 1000), teardownSeconds: r1((performance.now() - t1) / 1000) };
  const keepLogs = opts.keepLogs || Object.keys(problems).length > 0 || dead.length > 0 || !checks.count.ok;
  if (target.logDir) {
    if (keepLogs) doc.logDir = relative(process.cwd(), target.logDir) || target.logDir;
    else rmSync(target.logDir, { recursive: true, force: true });
  }
  mkdirSync(dirname(out), { recursive: true });
  doc.outFile = relative(process.cwd(), out) || out;
  writeFileSync(out, JSON.stringify(doc, null, 2) + '\n');
  console.log(table(doc));
  if (dead.length) say(`warning: ${dead.join(', ')} during the run`);
  return checks.count.ok && dead.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (err) => {
    if (!interrupted) console.error(`bench: ${err.stack ?? err.message}`);
    await teardown();
    process.exit(interrupted ? 130 : 1);
  },
);

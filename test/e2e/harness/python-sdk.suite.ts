import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../support/infra';

const ENV_SCRIPT = join(repoRoot, 'scripts', 'sdk', 'python-env.sh');
const ROUND_TRIP = join(repoRoot, 'test', 'sdk', 'python', 'sdk_roundtrip.py');
const WORKFLOWS = 5;
/** Bounds each wait inside the round trip; the whole run is killed if it outlives RUN_LIMIT_MS. */
const WAIT_LIMIT_S = 45;
const RUN_LIMIT_MS = 240_000;

interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/**
 * Runs a command in a process group of its own, so that a run that outlives `limitMs` is ended with everything
 * it started (TaskHandler's worker processes): SIGTERM first, which the round trip turns into a clean stop of
 * its workers, SIGKILL to the group 10 s later.
 */
function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv, limitMs: number): Promise<Finished> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        // the group is already gone
      }
    };
    let killer: NodeJS.Timeout | undefined;
    const limit = setTimeout(() => {
      stderr += `\n[killed: still running after ${limitMs} ms]\n`;
      signalGroup('SIGTERM');
      killer = setTimeout(() => signalGroup('SIGKILL'), 10_000);
    }, limitMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(limit);
      clearTimeout(killer);
      signalGroup('SIGKILL'); // nothing the run started may outlive it
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

const tail = (text: string, chars: number) => (text.length > chars ? `…${text.slice(-chars)}` : text);
const report = (what: string, r: Finished) =>
  `${what} exited ${r.code ?? r.signal} after ${r.ms} ms\n--- stdout ---\n${tail(r.stdout, 8000)}\n--- stderr (tail) ---\n${tail(r.stderr, 6000)}`;

/** The environment without the caller's CONDUCTOR_* settings (auth keys would make the SDK ask for a token). */
function sdkEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('CONDUCTOR_')));
  return { ...env, PYTHONUNBUFFERED: '1', ...extra };
}

/**
 * The published Conductor Python SDK (conductor-python 2.0.0, pinned in test/sdk/python/requirements.txt) runs
 * against Baton unchanged: definitions, a plain `def` worker and an `async def` worker under TaskHandler,
 * workflows through both, pause / resume / terminate / restart / status. The checks themselves live in
 * test/sdk/python/sdk_roundtrip.py, which prints one line per check; this suite makes the venv
 * (scripts/sdk/python-env.sh) and requires the script to pass.
 */
export function pythonSdkSuite(getBaseUrl: () => string): void {
  let python = '';

  beforeAll(async () => {
    // The first run on a machine creates the venv and installs from PyPI; later runs find it up to date.
    const firstSetup = await run('bash', [ENV_SCRIPT], sdkEnv({}), 280_000);
    if (firstSetup.code !== 0) throw new Error(report('scripts/sdk/python-env.sh', firstSetup));
    python = firstSetup.stdout.trim().split('\n').pop() ?? '';
  }, 300_000);

  it('python-env.sh is idempotent: run again, it installs nothing and names the same python', async () => {
    const again = await run('bash', [ENV_SCRIPT], sdkEnv({}), 60_000);
    expect(again.code).toBe(0);
    expect(again.stdout.trim().split('\n').pop()).toBe(python);
    expect(python).toMatch(/python-sdk-venv\/bin\/python$/);
    expect(again.stderr).toContain('up to date');
    expect(again.stderr).not.toContain('installing');
  }, 90_000);

  it(`conductor-python runs a def worker, an async def worker and ${WORKFLOWS} workflows through them, and pauses, resumes, terminates and restarts`, async () => {
    const result = await run(python, [ROUND_TRIP, getBaseUrl(), String(WORKFLOWS)], sdkEnv({ BATON_PYSDK_TIMEOUT_S: String(WAIT_LIMIT_S) }), RUN_LIMIT_MS);
    if (result.code !== 0 || !result.stdout.includes('SDK round trip passed')) {
      throw new Error(report('test/sdk/python/sdk_roundtrip.py', result));
    }
    expect(result.stdout).not.toContain('FAIL');
  }, RUN_LIMIT_MS + 20_000);
}

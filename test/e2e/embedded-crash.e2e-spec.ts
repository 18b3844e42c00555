import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConductorClient, WorkflowView } from './harness/conductor-client';
import { freePort, ServiceProcess } from './harness/service-process';
import { PollingWorker } from './harness/worker';

jest.setTimeout(120_000);

const TASK_TYPES = ['crash_a', 'crash_b', 'crash_c'] as const;
const WORKFLOW = 'crash_three';

/**
 * Embedded mode killed with SIGKILL while workflows are being started and worked, then started again at
 * once on the same data directory, as a user (or a supervisor) does after a crash. The killed Baton's
 * PostgreSQL outlives it, still holding the data directory.
 */
describe('embedded mode killed under load and restarted at once', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-e2e-crash-'));
  let api: ConductorClient;
  let baton: ServiceProcess;
  let load: Load;
  let workers: PollingWorker[] = [];

  beforeAll(async () => {
    const port = await freePort();
    api = new ConductorClient(`http://127.0.0.1:${port}`);
    baton = new ServiceProcess('embedded-crash', 'dist/apps/embedded/src/main.js', {
      PORT: String(port),
      BATON_DATA_DIR: dataDir,
      BATON_PG_PORT: String(await freePort()),
      DATABASE_URL: '',
      KAFKA_BROKERS: '',
    }).start();
    await baton.waitForOutput('Baton is running');
    await api.waitHealthy();
    // A task claimed just before the kill, whose poll answer was lost, never reaches a worker: its response
    // timeout frees it, and the retry that follows (no delay) is a new task.
    await api.registerTaskDefs(TASK_TYPES.map((name) => ({ name, retryCount: 2, retryDelaySeconds: 0, responseTimeoutSeconds: 2 })));
    await api.registerWorkflow({
      name: WORKFLOW,
      version: 1,
      tasks: TASK_TYPES.map((name) => ({ name, taskReferenceName: name, inputParameters: { n: '${workflow.input.n}' } })),
    });
  });

  afterAll(async () => {
    load?.stop();
    await Promise.all(workers.map((w) => w.stop()));
    await load?.done;
    await baton?.stop();
    stopLeftoverPostgres(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('comes back on the first try after a SIGKILL mid-load, though the killed PostgreSQL is still running', async () => {
    workers = TASK_TYPES.map((type) => new PollingWorker(api, type, `crash-${type}`, () => ({ by: type })).start());
    load = new Load(api, WORKFLOW, 4);
    await until(() => load.accepted.length >= 40 && workers.every((w) => w.handled.length >= 10), 30_000, 'the load to get going');

    await baton.kill();
    // What made the restart fail: PostgreSQL is Baton's child, but does not die with it.
    const leftover = lockFilePid(dataDir);
    expect(leftover !== null && isAlive(leftover)).toBe(true);

    baton.start();
    await baton.waitForOutput('Baton is running'); // rejects if this first try exits
    await api.waitHealthy();
  });

  it('then finishes every accepted workflow, each task completed once', async () => {
    const acceptedBeforeRestart = load.accepted.length;
    await until(() => load.accepted.length >= acceptedBeforeRestart + 20, 30_000, 'workflows to be accepted after the restart');
    load.stop();
    await load.done;

    const { finished, unfinished } = await waitForCompletion(api, load.accepted, 60_000);
    await Promise.all(workers.map((w) => w.stop()));
    const handedOut = workers.flatMap((w) => w.handled.map((t) => t.taskId));
    expect(duplicates(handedOut)).toEqual([]);
    expect(unfinished).toEqual([]);

    for (const wf of finished) {
      const completedRefs = wf.tasks.filter((t) => t.status === 'COMPLETED').map((t) => t.referenceTaskName);
      expect(completedRefs.sort()).toEqual([...TASK_TYPES]);
    }
    const completedTaskIds = finished.flatMap((wf) => wf.tasks.filter((t) => t.status === 'COMPLETED').map((t) => t.taskId));
    expect(completedTaskIds.filter((id) => !handedOut.includes(id))).toEqual([]);
  });
});

/** Clients starting workflows as fast as Baton accepts them; a start that fails (Baton is down) is not accepted. */
class Load {
  readonly accepted: string[] = [];
  readonly done: Promise<void>;
  private running = true;

  constructor(
    private readonly api: ConductorClient,
    private readonly workflow: string,
    clients: number,
  ) {
    this.done = Promise.all(Array.from({ length: clients }, () => this.client())).then(() => undefined);
  }

  stop(): void {
    this.running = false;
  }

  private async client(): Promise<void> {
    while (this.running) {
      try {
        const r = await this.api.call('POST', `/api/workflow/${this.workflow}`, { n: this.accepted.length });
        if (r.status === 200) this.accepted.push(r.text);
      } catch {
        await sleep(100); // not listening: Baton is restarting
      }
    }
  }
}

async function waitForCompletion(api: ConductorClient, ids: readonly string[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  const finished: WorkflowView[] = [];
  let pending = [...ids];
  for (;;) {
    const views = await Promise.all(pending.map((id) => api.workflow(id)));
    finished.push(...views.filter((wf) => wf.status === 'COMPLETED'));
    const rest = views.filter((wf) => wf.status !== 'COMPLETED');
    pending = rest.map((wf) => wf.workflowId);
    if (!pending.length || Date.now() > deadline) {
      // What is stuck, and where: `<id> RUNNING crash_a:COMPLETED crash_b:IN_PROGRESS`.
      const unfinished = rest.map((wf) => [wf.workflowId, wf.status, ...wf.tasks.map((t) => `${t.referenceTaskName}:${t.status}`)].join(' '));
      return { finished, unfinished };
    }
    await sleep(500);
  }
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const duplicates = (ids: readonly string[]) => ids.filter((id, i) => ids.indexOf(id) !== i);

function lockFilePid(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A failed run must not leave a PostgreSQL server behind. */
function stopLeftoverPostgres(dataDir: string): void {
  const pid = lockFilePid(dataDir);
  if (pid !== null && isAlive(pid)) process.kill(pid, 'SIGQUIT');
}

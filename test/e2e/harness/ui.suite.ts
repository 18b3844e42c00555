import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { repoRoot } from '../../support/infra';
import { ConductorClient } from './conductor-client';

/** Debian's chromium, installed by the provisioning (scripts/infra/chromium.sh, in up.sh); no browser download. */
function chromiumPath(): string {
  const env = join(repoRoot, '.infra', 'env');
  const fromFile = existsSync(env) ? /^CHROMIUM=(.+)$/m.exec(readFileSync(env, 'utf8'))?.[1] : undefined;
  const path = process.env.BATON_CHROMIUM ?? fromFile;
  if (!path || !existsSync(path)) throw new Error(`The web UI's e2e tests need chromium: run scripts/infra/up.sh (it installs Debian's chromium), or set BATON_CHROMIUM (found ${path ?? 'none'})`);
  return path;
}
/** Screenshots of each step, kept as test artefacts. */
const SHOTS = join(repoRoot, 'test-results', 'ui');

/**
 * The web UI in real headless Chromium: the executions grid finds a workflow started through the API, its
 * page draws the DAG with each task's status and follows it to COMPLETED on screen, and a terminate with a
 * reason is done from the page.
 */
export function uiSuite(getApi: () => ConductorClient): void {
  const api = () => getApi();
  const run = randomBytes(3).toString('hex');
  const type = `ui_flow_${run}`;
  const work = `ui_work_${run}`;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${run}-${name}.png`) });

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await api().registerTaskDefs([{ name: work, retryCount: 0 }]);
    await api().registerWorkflow({
      name: type,
      version: 1,
      tasks: [
        { name: work, taskReferenceName: 'first', type: 'SIMPLE' },
        {
          name: 'fork',
          taskReferenceName: 'fork',
          type: 'FORK_JOIN',
          forkTasks: [[{ name: work, taskReferenceName: 'left', type: 'SIMPLE' }], [{ name: 'approve', taskReferenceName: 'approve', type: 'HUMAN' }]],
        },
        { name: 'join', taskReferenceName: 'join', type: 'JOIN', joinOn: ['left', 'approve'] },
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  afterEach(() => {
    expect(errors).toEqual([]);
  });

  it('lists an execution, draws its DAG, and follows it to COMPLETED on screen', async () => {
    const id = await api().startWorkflow(type, { order: 7 });
    await page.goto(`${api().baseUrl}/ui/`);
    await page.fill('input[placeholder="name, name2"]', type);
    await page.click('button:has-text("Search")');
    await page.waitForSelector(`a:has-text("${id}")`);
    await shot('executions');
    await page.click(`a:has-text("${id}")`);
    for (const ref of ['first', 'fork', 'left', 'approve', 'join']) await page.waitForSelector(`.react-flow__node:has-text("${ref}")`);
    await shot('running');

    // Complete the work from outside; the page follows on its own.
    const complete = async () => {
      const [task] = await api().poll(work, 'ui-e2e', 1, 2000);
      await api().complete(task, { done: true });
    };
    await complete();
    await complete();
    const approve = (await api().workflow(id)).tasks.find((t) => t.referenceTaskName === 'approve');
    await api().expectOk('POST', '/api/tasks', { workflowInstanceId: id, taskId: approve?.taskId, status: 'COMPLETED', outputData: { by: 'ada' } });
    await page.waitForSelector('.badge:has-text("COMPLETED")', { timeout: 15_000 });
    await shot('completed');
  });

  it('terminates a running execution with a reason from its page', async () => {
    const id = await api().startWorkflow(type, {});
    await page.goto(`${api().baseUrl}/ui/execution/${id}`);
    await page.waitForSelector('.react-flow__node:has-text("first")');
    page.once('dialog', (d) => void d.accept('stopped from the UI'));
    await page.click('button:has-text("Terminate")');
    await page.waitForSelector('.badge:has-text("TERMINATED")', { timeout: 15_000 });
    await shot('terminated');
    expect((await api().workflow(id)).reasonForIncompletion).toBe('stopped from the UI');
  });
}

import { randomBytes } from 'node:crypto';
import {
  ConductorLogger,
  ConductorWorker,
  createConductorClient,
  MetadataClient,
  simpleTask,
  Task,
  TaskClient,
  taskDefinition,
  TaskManager,
  TaskRunnerEventsListener,
  workflow,
  Workflow,
  WorkflowExecutor,
} from '@io-orkes/conductor-javascript';

type SdkClient = Awaited<ReturnType<typeof createConductorClient>>;

/**
 * Baton driven by the published Conductor JavaScript SDK (`@io-orkes/conductor-javascript`), the way a
 * Conductor user's application drives Conductor: MetadataClient registers the definitions,
 * WorkflowExecutor starts and operates workflows, TaskManager runs the workers (batch poll, update-v2
 * task chaining), TaskClient updates a task by reference name. Anything the SDK reports as going wrong on
 * the way (a failed poll, a task result it could not deliver) fails the test. The same suite runs against
 * embedded and distributed Baton.
 */
export function jsSdkSuite(getBaseUrl: () => string): void {
  const run = randomBytes(3).toString('hex');
  const name = (base: string) => `jssdk_${base}_${run}`;
  const workerId = `jssdk-worker-${run}`;

  let client: SdkClient;
  let metadata: MetadataClient;
  let executor: WorkflowExecutor;
  let taskClient: TaskClient;

  /** A logger that keeps what the SDK reports as a warning or an error (and shows it), and drops the chatter. */
  const recordingLogger = (problems: string[]): ConductorLogger => {
    const keep = (level: string) => (...args: unknown[]) => {
      const line = `${level}: ${args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`;
      problems.push(line);
      console.error(`[js sdk] ${line}`);
    };
    return { info: () => undefined, debug: () => undefined, warn: keep('warn'), error: keep('error') };
  };

  /**
   * Starts a TaskManager for the workers. Whatever the SDK reports as a failure (poll or update failures,
   * errors handed to onError, warnings and errors it logs) lands in `problems`, which the test asserts empty.
   */
  const startWorkers = (workers: ConductorWorker[]) => {
    const problems: string[] = [];
    const listener: TaskRunnerEventsListener = {
      onPollFailure: (e) => void problems.push(`poll ${e.taskType} failed: ${String((e.cause as Error)?.message ?? e.cause)}`),
      onTaskExecutionFailure: (e) => void problems.push(`worker ${e.taskType} threw on ${e.taskId}: ${String((e.cause as Error)?.message ?? e.cause)}`),
      onTaskUpdateFailure: (e) => void problems.push(`result of ${e.taskType} ${e.taskId} never delivered: ${String((e.cause as Error)?.message ?? e.cause)}`),
    };
    const manager = new TaskManager(client, workers, {
      logger: recordingLogger(problems),
      options: { workerID: workerId, pollInterval: 20, batchPollingTimeout: 100 },
      onError: (error, task) => void problems.push(`onError (${task?.taskId ?? 'no task'}): ${error.message}`),
      eventListeners: [listener],
    });
    manager.startPolling();
    return { problems, stop: () => manager.stopPolling() };
  };

  /**
   * Reads the workflow through the SDK until `holds` is true of it. (No early exit on an ended workflow: right
   * after a restart or a rerun it may still read as it ended, until the owner of its state has taken the call.)
   */
  const waitFor = async (id: string, holds: (wf: Workflow) => boolean, what: string, timeoutMs = 20_000): Promise<Workflow> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const wf = await executor.getWorkflow(id, true);
      if (holds(wf)) return wf;
      if (Date.now() > deadline) {
        throw new Error(`workflow ${id} never got to "${what}": it is ${wf.status}${wf.reasonForIncompletion ? ` (${wf.reasonForIncompletion})` : ''}, tasks ${summary(wf)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  /** Waits until the workflow is no longer RUNNING (or PAUSED) and answers it as it ended. */
  const waitForEnd = async (id: string, timeoutMs = 30_000): Promise<Workflow> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { status } = await executor.getWorkflowStatus(id, false, false);
      if (status !== 'RUNNING' && status !== 'PAUSED') return executor.getWorkflow(id, true);
      if (Date.now() > deadline) throw new Error(`workflow ${id} still ${status} after ${timeoutMs} ms: tasks ${summary(await executor.getWorkflow(id, true))}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const summary = (wf: Workflow) => JSON.stringify((wf.tasks ?? []).map((t) => [t.referenceTaskName, t.status]));
  const tasksOf = (wf: Workflow, ref: string): Task[] => (wf.tasks ?? []).filter((t) => t.referenceTaskName === ref);
  const only = (wf: Workflow, ref: string): Task => {
    const found = tasksOf(wf, ref);
    if (found.length !== 1) throw new Error(`expected one ${ref} task, found ${found.length}: ${summary(wf)}`);
    return found[0];
  };
  /** Resolves with the promise, or rejects once `ms` passed (so a missing event fails the test instead of hanging it). */
  const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
      promise.then(
        (value) => (clearTimeout(timer), resolve(value)),
        (error: unknown) => (clearTimeout(timer), reject(error)),
      );
    });

  /** Registers task definitions through MetadataClient (built with the SDK's own builder) and reads one back. */
  const registerTaskDefs = async (defs: Array<{ name: string; retryCount?: number }>) => {
    await metadata.registerTasks(defs.map((d) => taskDefinition({ name: d.name, retryCount: d.retryCount ?? 0, retryDelaySeconds: 0, responseTimeoutSeconds: 30, timeoutSeconds: 120, ownerEmail: 'e2e@baton.dev' })));
    for (const d of defs) expect(await metadata.getTask(d.name)).toMatchObject({ name: d.name, retryCount: d.retryCount ?? 0, responseTimeoutSeconds: 30 });
  };

  // The five-task chain: add, mul, add, mul, fmt; each task's output is the next one's input, and each
  // appends its reference name to a trail, so a wrong wiring or a lost output shows in every workflow.
  const chain = {
    add: name('add'),
    mul: name('mul'),
    fmt: name('fmt'),
    workflow: name('chain'),
  };
  const chainExpected = (n: number) => {
    const v1 = n + 1;
    const v2 = v1 * 3;
    const v3 = v2 + 7;
    const v4 = v3 * 2;
    return { v1, v2, v3, v4, text: `wf-${n}=${v4}` };
  };
  let chainRegistered: Promise<void> | undefined;
  const registerChain = () =>
    (chainRegistered ??= (async () => {
      await registerTaskDefs([{ name: chain.add }, { name: chain.mul }, { name: chain.fmt }]);
      const def = {
        ...workflow(chain.workflow, [
          simpleTask('s1', chain.add, { value: '${workflow.input.n}', by: 1, trail: [] }),
          simpleTask('s2', chain.mul, { value: '${s1.output.value}', by: 3, trail: '${s1.output.trail}' }),
          simpleTask('s3', chain.add, { value: '${s2.output.value}', by: 7, trail: '${s2.output.trail}' }),
          simpleTask('s4', chain.mul, { value: '${s3.output.value}', by: 2, trail: '${s3.output.trail}' }),
          simpleTask('s5', chain.fmt, { value: '${s4.output.value}', label: '${workflow.input.label}', trail: '${s4.output.trail}' }),
        ]),
        outputParameters: { text: '${s5.output.text}', trail: '${s5.output.trail}' },
        ownerEmail: 'e2e@baton.dev',
      };
      await metadata.registerWorkflowDef(def, true);
      const stored = await metadata.getWorkflowDef(chain.workflow, 1);
      expect(stored.tasks.map((t) => [t.taskReferenceName, t.name, t.type])).toEqual([
        ['s1', chain.add, 'SIMPLE'],
        ['s2', chain.mul, 'SIMPLE'],
        ['s3', chain.add, 'SIMPLE'],
        ['s4', chain.mul, 'SIMPLE'],
        ['s5', chain.fmt, 'SIMPLE'],
      ]);
    })());
  /** The chain's workers (concurrency 4, 3 and 2); every execution is noted as [workflowId, ref, taskId]. */
  const chainWorkers = (executions: Array<[string, string, string]>): ConductorWorker[] => {
    const note = (task: Task) => executions.push([task.workflowInstanceId ?? '', task.referenceTaskName ?? '', task.taskId ?? '']);
    const input = (task: Task) => task.inputData as { value: number; by: number; trail: string[]; label?: string };
    const trail = (task: Task) => [...input(task).trail, task.referenceTaskName ?? '?'];
    return [
      { taskDefName: chain.add, concurrency: 4, execute: async (task) => (note(task), { status: 'COMPLETED', outputData: { value: input(task).value + input(task).by, trail: trail(task) } }) },
      { taskDefName: chain.mul, concurrency: 3, execute: async (task) => (note(task), { status: 'COMPLETED', outputData: { value: input(task).value * input(task).by, trail: trail(task) } }) },
      { taskDefName: chain.fmt, concurrency: 2, execute: async (task) => (note(task), { status: 'COMPLETED', outputData: { text: `${input(task).label}=${input(task).value}`, trail: trail(task) } }) },
    ];
  };
  const startChain = (n: number) => executor.startWorkflow({ name: chain.workflow, version: 1, input: { n, label: `wf-${n}` }, correlationId: `${run}-${n}` });

  beforeAll(async () => {
    // The SDK prefers CONDUCTOR_SERVER_URL over the URL it is given: with it set, this suite would talk to another server.
    if (process.env.CONDUCTOR_SERVER_URL) throw new Error(`unset CONDUCTOR_SERVER_URL (${process.env.CONDUCTOR_SERVER_URL}) to run the JS SDK suite against ${getBaseUrl()}`);
    const problems: string[] = [];
    // retryServerErrors: a 503 is Baton's "retryable" answer (the owner of a workflow busy in a rebalance);
    // the SDK's own switch retries it on idempotent requests, as a Conductor user would configure it.
    client = await createConductorClient({ serverUrl: getBaseUrl(), logger: recordingLogger(problems), retryServerErrors: true });
    metadata = new MetadataClient(client);
    executor = new WorkflowExecutor(client);
    taskClient = new TaskClient(client);
    expect(problems).toEqual([]);
  });

  it('runs 100 five-task workflows to COMPLETED with TaskManager workers (three types, concurrency 2-4), every output feeding the next input', async () => {
    await registerChain();
    const executions: Array<[string, string, string]> = [];
    const workers = startWorkers(chainWorkers(executions));
    const ns = Array.from({ length: 100 }, (_, i) => i);
    let done: Workflow[];
    try {
      const ids = await Promise.all(ns.map((n) => startChain(n)));
      expect(new Set(ids).size).toBe(100);
      done = [];
      for (const id of ids) done.push(await waitForEnd(id));
    } finally {
      await workers.stop();
    }
    expect(workers.problems).toEqual([]);

    done.forEach((wf, n) => {
      const e = chainExpected(n);
      expect({ id: wf.workflowId, status: wf.status, output: wf.output, correlationId: wf.correlationId }).toEqual({
        id: wf.workflowId,
        status: 'COMPLETED',
        output: { text: e.text, trail: ['s1', 's2', 's3', 's4', 's5'] },
        correlationId: `${run}-${n}`,
      });
      expect((wf.tasks ?? []).map((t) => ({ ref: t.referenceTaskName, type: t.taskType, status: t.status, workerId: t.workerId, input: t.inputData, output: t.outputData }))).toEqual([
        { ref: 's1', type: chain.add, status: 'COMPLETED', workerId, input: { value: n, by: 1, trail: [] }, output: { value: e.v1, trail: ['s1'] } },
        { ref: 's2', type: chain.mul, status: 'COMPLETED', workerId, input: { value: e.v1, by: 3, trail: ['s1'] }, output: { value: e.v2, trail: ['s1', 's2'] } },
        { ref: 's3', type: chain.add, status: 'COMPLETED', workerId, input: { value: e.v2, by: 7, trail: ['s1', 's2'] }, output: { value: e.v3, trail: ['s1', 's2', 's3'] } },
        { ref: 's4', type: chain.mul, status: 'COMPLETED', workerId, input: { value: e.v3, by: 2, trail: ['s1', 's2', 's3'] }, output: { value: e.v4, trail: ['s1', 's2', 's3', 's4'] } },
        {
          ref: 's5',
          type: chain.fmt,
          status: 'COMPLETED',
          workerId,
          input: { value: e.v4, label: `wf-${n}`, trail: ['s1', 's2', 's3', 's4'] },
          output: { text: e.text, trail: ['s1', 's2', 's3', 's4', 's5'] },
        },
      ]);
    });
    // Each of the 500 tasks was handed to a worker exactly once: no task lost, none executed twice.
    const executedIds = executions.map(([, , taskId]) => taskId).sort();
    const taskIds = done.flatMap((wf) => (wf.tasks ?? []).map((t) => t.taskId ?? '')).sort();
    expect(executedIds).toEqual(taskIds);
    expect(new Set(executedIds).size).toBe(500);

    // The status view, with and without the output.
    const first = done[0].workflowId!;
    expect(await executor.getWorkflowStatus(first, true, false)).toEqual({ workflowId: first, correlationId: `${run}-0`, status: 'COMPLETED', output: done[0].output });
    expect(await executor.getWorkflowStatus(first, false, false)).toEqual({ workflowId: first, correlationId: `${run}-0`, status: 'COMPLETED' });
  });

  it('pause holds a workflow: the task in flight completes, nothing new is scheduled; resume runs it on to COMPLETED', async () => {
    const type = name('gated');
    await registerTaskDefs([{ name: type }]);
    await metadata.registerWorkflowDef(
      {
        ...workflow(name('pausable'), [
          simpleTask('g1', type, { step: 1 }),
          simpleTask('g2', type, { step: 2, prev: '${g1.output.step}' }),
          simpleTask('g3', type, { step: 3, prev: '${g2.output.step}' }),
        ]),
        outputParameters: { last: '${g3.output.step}', sawPrev: '${g3.output.prev}' },
      },
      true,
    );

    // g1 is held by its worker until the test lets it go; g2 and g3 complete at once.
    let announce!: (task: Task) => void;
    const g1Started = new Promise<Task>((resolve) => (announce = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const executed: string[] = [];
    const workers = startWorkers([
      {
        taskDefName: type,
        concurrency: 2,
        execute: async (task) => {
          executed.push(task.referenceTaskName ?? '?');
          if (task.referenceTaskName === 'g1') {
            announce(task);
            await gate;
          }
          const input = task.inputData as { step: number; prev?: number };
          return { status: 'COMPLETED', outputData: { step: input.step, prev: input.prev ?? null } };
        },
      },
    ]);
    let done: Workflow;
    let whilePaused: Workflow;
    try {
      const id = await executor.startWorkflow({ name: name('pausable'), version: 1, input: {} });
      const g1 = await within(g1Started, 20_000, 'the worker picking up g1');
      expect(g1.workflowInstanceId).toBe(id);

      await executor.pause(id);
      await waitFor(id, (wf) => wf.status === 'PAUSED', 'PAUSED');
      release();
      // The result of the task in flight is taken; the workflow stays PAUSED and schedules nothing after it.
      whilePaused = await waitFor(id, (wf) => only(wf, 'g1').status === 'COMPLETED', 'g1 COMPLETED while paused');
      expect(whilePaused.status).toBe('PAUSED');
      expect((whilePaused.tasks ?? []).map((t) => [t.referenceTaskName, t.status])).toEqual([['g1', 'COMPLETED']]);

      await executor.resume(id);
      done = await waitForEnd(id);
    } finally {
      release();
      await workers.stop();
    }
    expect(workers.problems).toEqual([]);
    expect(done.status).toBe('COMPLETED');
    expect(done.output).toEqual({ last: 3, sawPrev: 2 });
    expect((done.tasks ?? []).map((t) => [t.referenceTaskName, t.status, t.outputData])).toEqual([
      ['g1', 'COMPLETED', { step: 1, prev: null }],
      ['g2', 'COMPLETED', { step: 2, prev: 1 }],
      ['g3', 'COMPLETED', { step: 3, prev: 2 }],
    ]);
    expect(executed).toEqual(['g1', 'g2', 'g3']);
  });

  describe('operator calls on a workflow whose tasks are completed by reference name', () => {
    // No worker polls this type: the test completes its tasks by reference name, as a UI or a script does.
    const manual = name('manual');
    let registered: Promise<void> | undefined;
    const registerManual = () => (registered ??= registerTaskDefs([{ name: manual }]));

    it('terminate with a reason ends it TERMINATED; restart runs it again from the first task; updateTaskByRefName and TaskClient.updateTaskResult complete it', async () => {
      await registerManual();
      await metadata.registerWorkflowDef(
        {
          ...workflow(name('stoppable'), [simpleTask('m1', manual, { x: '${workflow.input.x}' }), simpleTask('m2', manual, { y: '${m1.output.y}' })]),
          // TaskClient.updateTaskResult sends `{outputData: ...}` as the body of POST /api/tasks/{id}/{ref}/{status},
          // whose body Conductor stores as the task's output as it is: the SDK's wrapper ends up inside it.
          outputParameters: { z: '${m2.output.outputData.z}' },
        },
        true,
      );
      const id = await executor.startWorkflow({ name: name('stoppable'), version: 1, input: { x: 'ex' } });
      const first = only(await waitFor(id, (wf) => tasksOf(wf, 'm1').length === 1, 'm1 scheduled'), 'm1');
      expect(first).toMatchObject({ status: 'SCHEDULED', inputData: { x: 'ex' } });

      await executor.terminate(id, 'stopped by the js sdk suite');
      const terminated = await waitForEnd(id);
      expect(terminated).toMatchObject({ status: 'TERMINATED', reasonForIncompletion: 'stopped by the js sdk suite' });
      expect((terminated.tasks ?? []).map((t) => [t.referenceTaskName, t.taskId, t.status])).toEqual([['m1', first.taskId, 'CANCELED']]);

      await executor.restart(id, false);
      const restarted = await waitFor(id, (wf) => wf.status === 'RUNNING' && tasksOf(wf, 'm1').length === 1 && only(wf, 'm1').taskId !== first.taskId, 'running again from m1');
      expect((restarted.tasks ?? []).map((t) => [t.referenceTaskName, t.status, t.inputData])).toEqual([['m1', 'SCHEDULED', { x: 'ex' }]]);
      const again = only(restarted, 'm1');

      // WorkflowExecutor.updateTaskByRefName answers the id of the task it updated.
      expect(await executor.updateTaskByRefName('m1', id, 'COMPLETED', { y: 'why' })).toBe(again.taskId);
      const m2 = only(await waitFor(id, (wf) => tasksOf(wf, 'm2').length === 1, 'm2 scheduled'), 'm2');
      expect(m2).toMatchObject({ status: 'SCHEDULED', inputData: { y: 'why' } });
      expect(await taskClient.updateTaskResult(id, 'm2', 'COMPLETED', { z: 'zed' })).toBe(m2.taskId);

      const done = await waitForEnd(id);
      expect(done).toMatchObject({ status: 'COMPLETED', output: { z: 'zed' } });
      expect((done.tasks ?? []).map((t) => [t.referenceTaskName, t.status])).toEqual([
        ['m1', 'COMPLETED'],
        ['m2', 'COMPLETED'],
      ]);
      expect(await taskClient.getTask(m2.taskId!)).toMatchObject({ taskId: m2.taskId, status: 'COMPLETED', outputData: { outputData: { z: 'zed' } } });
    });

    it('skipTasksFromWorkflow marks a task the flow has not reached SKIPPED with the given output, and the flow passes it', async () => {
      await registerManual();
      await metadata.registerWorkflowDef(
        {
          ...workflow(name('skippable'), [
            simpleTask('k1', manual, {}),
            simpleTask('k2', manual, { wanted: '${k1.output.wanted}' }),
            simpleTask('k3', manual, { note: '${k2.output.note}' }),
          ]),
          outputParameters: { note: '${k3.input.note}', done: '${k3.output.done}' },
        },
        true,
      );
      const id = await executor.startWorkflow({ name: name('skippable'), version: 1, input: {} });
      await waitFor(id, (wf) => tasksOf(wf, 'k1').length === 1, 'k1 scheduled');

      await executor.skipTasksFromWorkflow(id, 'k2', { taskInput: { why: 'not needed' }, taskOutput: { note: 'skipped by the sdk' } });
      const skipped = only(await waitFor(id, (wf) => tasksOf(wf, 'k2').length === 1, 'k2 SKIPPED'), 'k2');
      expect(skipped).toMatchObject({ status: 'SKIPPED', inputData: { why: 'not needed' }, outputData: { note: 'skipped by the sdk' } });

      await executor.updateTaskByRefName('k1', id, 'COMPLETED', { wanted: true });
      const k3 = only(await waitFor(id, (wf) => tasksOf(wf, 'k3').length === 1, 'k3 scheduled'), 'k3');
      expect(k3).toMatchObject({ status: 'SCHEDULED', inputData: { note: 'skipped by the sdk' } });
      await executor.updateTaskByRefName('k3', id, 'COMPLETED', { done: 'yes' });

      const done = await waitForEnd(id);
      expect(done).toMatchObject({ status: 'COMPLETED', output: { note: 'skipped by the sdk', done: 'yes' } });
      expect((done.tasks ?? []).map((t) => [t.referenceTaskName, t.status])).toEqual([
        ['k1', 'COMPLETED'],
        ['k2', 'SKIPPED'],
        ['k3', 'COMPLETED'],
      ]);
    });
  });

  it('retry of a workflow FAILED by a task with retryCount 0 schedules that task again, and the workflow runs on to COMPLETED', async () => {
    const steady = name('steady');
    const flaky = name('flaky');
    await registerTaskDefs([{ name: steady }, { name: flaky, retryCount: 0 }]);
    await metadata.registerWorkflowDef(
      {
        ...workflow(name('retriable'), [
          simpleTask('r1', steady, { n: '${workflow.input.n}' }),
          simpleTask('r2', flaky, { n: '${r1.output.n}' }),
          simpleTask('r3', steady, { n: '${r2.output.n}' }),
        ]),
        outputParameters: { n: '${r3.output.n}' },
      },
      true,
    );
    // The flaky worker fails its first attempt (a FAILED result, as a worker reports one), then succeeds.
    let flakyAttempts = 0;
    const workers = startWorkers([
      { taskDefName: steady, concurrency: 2, execute: async (task) => ({ status: 'COMPLETED', outputData: { n: (task.inputData as { n: number }).n + 1 } }) },
      {
        taskDefName: flaky,
        concurrency: 2,
        execute: async (task) =>
          ++flakyAttempts === 1
            ? { status: 'FAILED', reasonForIncompletion: 'the first attempt fails on purpose', outputData: { attempt: flakyAttempts } }
            : { status: 'COMPLETED', outputData: { n: (task.inputData as { n: number }).n * 10, attempt: flakyAttempts } },
      },
    ]);
    let failed: Workflow;
    let done: Workflow;
    try {
      const id = await executor.startWorkflow({ name: name('retriable'), version: 1, input: { n: 1 } });
      failed = await waitForEnd(id);
      expect(failed.status).toBe('FAILED');
      expect(failed.reasonForIncompletion).toContain('the first attempt fails on purpose');

      await executor.retry(id, false);
      // Ended again, after a second r2 (right after the call it may still read as FAILED with one).
      done = await waitFor(id, (wf) => tasksOf(wf, 'r2').length === 2 && !['RUNNING', 'PAUSED'].includes(wf.status ?? ''), 'ended after the retry');
    } finally {
      await workers.stop();
    }
    expect(workers.problems).toEqual([]);
    expect((failed.tasks ?? []).map((t) => [t.referenceTaskName, t.status, t.reasonForIncompletion ?? null])).toEqual([
      ['r1', 'COMPLETED', null],
      ['r2', 'FAILED', 'the first attempt fails on purpose'],
    ]);
    expect(done.status).toBe('COMPLETED');
    expect(done.output).toEqual({ n: 21 });
    expect((done.tasks ?? []).map((t) => [t.referenceTaskName, t.status, t.retryCount, t.outputData])).toEqual([
      ['r1', 'COMPLETED', 0, { n: 2 }],
      ['r2', 'FAILED', 0, { attempt: 1 }],
      ['r2', 'COMPLETED', 1, { n: 20, attempt: 2 }],
      ['r3', 'COMPLETED', 0, { n: 21 }],
    ]);
    // The completed task before it is kept as it was, the failed one stays in the history, the retry is a new task.
    expect(only(done, 'r1').taskId).toBe(only(failed, 'r1').taskId);
    const [oldR2, newR2] = tasksOf(done, 'r2');
    expect(oldR2.taskId).toBe(only(failed, 'r2').taskId);
    expect(newR2.taskId).not.toBe(oldR2.taskId);
    expect(flakyAttempts).toBe(2);
  });

  it('reRun of a COMPLETED workflow from its third task with new taskInput runs the tasks from there again; the ones before stay as they were', async () => {
    await registerChain();
    const executions: Array<[string, string, string]> = [];
    const workers = startWorkers(chainWorkers(executions));
    let before: Workflow;
    let after: Workflow;
    let id: string;
    try {
      id = await startChain(10);
      before = await waitForEnd(id);
      expect(before).toMatchObject({ status: 'COMPLETED', output: { text: chainExpected(10).text } });

      const s3 = only(before, 's3');
      const s5 = only(before, 's5');
      const rerunId = await executor.reRun(id, { reRunFromWorkflowId: id, reRunFromTaskId: s3.taskId, taskInput: { value: 100, by: 7, trail: ['s1', 's2'] } });
      expect(rerunId).toBe(id);
      after = await waitFor(id, (wf) => wf.status === 'COMPLETED' && tasksOf(wf, 's5').length === 1 && only(wf, 's5').taskId !== s5.taskId, 'COMPLETED again with a new s5');
    } finally {
      await workers.stop();
    }
    expect(workers.problems).toEqual([]);

    expect(after.output).toEqual({ text: 'wf-10=214', trail: ['s1', 's2', 's3', 's4', 's5'] });
    expect((after.tasks ?? []).map((t) => [t.referenceTaskName, t.status, t.inputData, t.outputData])).toEqual([
      ['s1', 'COMPLETED', only(before, 's1').inputData, only(before, 's1').outputData],
      ['s2', 'COMPLETED', only(before, 's2').inputData, only(before, 's2').outputData],
      ['s3', 'COMPLETED', { value: 100, by: 7, trail: ['s1', 's2'] }, { value: 107, trail: ['s1', 's2', 's3'] }],
      ['s4', 'COMPLETED', { value: 107, by: 2, trail: ['s1', 's2', 's3'] }, { value: 214, trail: ['s1', 's2', 's3', 's4'] }],
      ['s5', 'COMPLETED', { value: 214, label: 'wf-10', trail: ['s1', 's2', 's3', 's4'] }, { text: 'wf-10=214', trail: ['s1', 's2', 's3', 's4', 's5'] }],
    ]);
    // The two before the rerun point are the same tasks; the ones after it are new tasks.
    for (const ref of ['s1', 's2']) expect(only(after, ref).taskId).toBe(only(before, ref).taskId);
    for (const ref of ['s4', 's5']) expect(only(after, ref).taskId).not.toBe(only(before, ref).taskId);
    // Workers ran s1 and s2 once, s3 to s5 twice (Conductor keeps the rerun-from task's id, so s3 is counted by execution, not by id).
    const runs = (ref: string) => executions.filter(([wf, r]) => wf === id && r === ref).length;
    expect(['s1', 's2', 's3', 's4', 's5'].map(runs)).toEqual([1, 1, 2, 2, 2]);
  });
}

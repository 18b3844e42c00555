import { ErrorCode, RetryLogic, TaskStatus, withTaskDefDefaults, WorkflowStatus } from '@app/contracts';
import { decide } from './decide';
import { retryDelayMs } from './task-defs';
import { aDefinition, aSimpleTask, deepFreeze, fails, leased, reported, run, started, T0, WF_ID } from './testing/builders';
import type { WorkflowRun } from './workflow-run';

const def = deepFreeze(
  aDefinition(
    [
      aSimpleTask('fetch', { url: '${workflow.input.url}', label: 'fetch ${workflow.input.url}' }),
      aSimpleTask('store', { body: '${fetch.output.body}', size: '${fetch.output.size}' }),
    ],
    { outputParameters: { stored: '${store.output.location}', size: '${fetch.output.size}' } },
  ),
);

/** Drives a run through events, asserting nothing, to set up a "given" state. */
function given(...events: Parameters<typeof decide>[2][]): WorkflowRun {
  let state: WorkflowRun | null = null;
  let now = T0;
  for (const e of events) state = decide(def, state, e, (now += 1000)).state;
  return deepFreeze(state!);
}

const startedRun = () => given(started({ url: 'https://example.test/a' }));
const firstTaskId = (run: WorkflowRun) => run.tasks[0].taskId;

describe('decide: a linear workflow of SIMPLE tasks', () => {
  it('schedules the first task with its inputs resolved from the workflow input when the workflow starts', () => {
    const { state, commands, rejection } = decide(def, null, started({ url: 'https://example.test/a' }), T0);

    expect(rejection).toBeUndefined();
    expect(state.workflow).toMatchObject({ workflowId: WF_ID, workflowName: 'linear', status: WorkflowStatus.Running, createTime: T0 });
    expect(state.tasks).toHaveLength(1);
    const [task] = state.tasks;
    expect(task).toMatchObject({
      referenceTaskName: 'fetch',
      taskType: 'fetch_task',
      status: TaskStatus.Scheduled,
      seq: 1,
      retryCount: 0,
      scheduledTime: T0,
      inputData: { url: 'https://example.test/a', label: 'fetch https://example.test/a' },
      workflowInstanceId: WF_ID,
    });
    expect(commands).toEqual([
      { type: 'emit.task', eventType: 'produce.success', taskId: task.taskId },
      { type: 'queue.push', taskId: task.taskId, queueName: 'fetch_task', taskDefName: 'fetch_task', visibleAt: T0, priority: 0, leaseMs: 3_600_000, pollCount: 0 },
      { type: 'emit.workflow', eventType: 'workflow.started' },
    ]);
  });

  it('folds a lease: the task is IN_PROGRESS with its worker from the time it was leased', () => {
    const run = startedRun();
    const taskId = firstTaskId(run);

    const { state, commands } = decide(def, run, leased(taskId, T0 + 5000, 'w-7'), T0 + 5100);

    expect(state.tasks[0]).toMatchObject({ status: TaskStatus.InProgress, pollCount: 1, workerId: 'w-7', startTime: T0 + 5000, queueWaitTime: 4000 });
    // The queue row stays: it is the lease, and its expiry is the response timeout.
    expect(commands).toEqual([{ type: 'emit.task', eventType: 'start.begin', taskId }]);
  });

  it('folds a repeated lease notice, or one for a task that moved on, into nothing', () => {
    const run = startedRun();
    const taskId = firstTaskId(run);
    const inProgress = deepFreeze(decide(def, run, leased(taskId, T0 + 2000), T0 + 2000).state);

    const again = decide(def, inProgress, leased(taskId, T0 + 2000), T0 + 3000);
    expect(again.state).toBe(inProgress);
    expect(again.commands).toEqual([]);

    const completed = deepFreeze(decide(def, inProgress, reported(taskId, 'COMPLETED', { outputData: { size: 1 } }), T0 + 4000).state);
    const late = decide(def, completed, leased(taskId, T0 + 2000), T0 + 5000);
    expect(late.state).toBe(completed);
  });

  it('starts a task whose result arrives before its lease notice', () => {
    const run = startedRun();
    const taskId = firstTaskId(run);

    const { state } = decide(def, run, reported(taskId, 'COMPLETED', { workerId: 'w-9', outputData: { size: 3 } }), T0 + 4000);

    expect(state.tasks[0]).toMatchObject({ status: TaskStatus.Completed, workerId: 'w-9', startTime: T0 + 4000, pollCount: 1 });
  });

  it("feeds the first task's output into the second task's input when the first completes", () => {
    const run = startedRun();
    const taskId = firstTaskId(run);
    const claimedRun = deepFreeze(decide(def, run, leased(taskId, T0 + 2000), T0 + 2000).state);

    const { state, commands } = decide(def, claimedRun, reported(taskId, 'COMPLETED', { outputData: { body: { ok: true }, size: 42 } }), T0 + 3000);

    expect(state.tasks[0]).toMatchObject({ status: TaskStatus.Completed, endTime: T0 + 3000, outputData: { body: { ok: true }, size: 42 } });
    expect(state.tasks[1]).toMatchObject({ referenceTaskName: 'store', status: TaskStatus.Scheduled, seq: 2, inputData: { body: { ok: true }, size: 42 } });
    expect(commands.map((c) => (c.type === 'emit.task' ? c.eventType : c.type))).toEqual(['start.success', 'queue.remove', 'produce.success', 'queue.push']);
    expect(state.workflow.status).toBe(WorkflowStatus.Running);
  });

  it('completes the workflow with its output parameters resolved when the last task completes', () => {
    let run = startedRun();
    run = decide(def, run, reported(firstTaskId(run), 'COMPLETED', { outputData: { size: 42 } }), T0 + 3000).state;
    const storeId = run.tasks[1].taskId;

    const { state, commands } = decide(def, deepFreeze(run), reported(storeId, 'COMPLETED', { outputData: { location: 's3://x' } }), T0 + 4000);

    expect(state.workflow).toMatchObject({ status: WorkflowStatus.Completed, endTime: T0 + 4000, output: { stored: 's3://x', size: 42 } });
    expect(commands[commands.length - 1]).toEqual({ type: 'emit.workflow', eventType: 'workflow.completed' });
  });

  it("uses the last task's output as the workflow output when there are no output parameters", () => {
    const bare = aDefinition([aSimpleTask('only')]);
    const run = decide(bare, null, started(), T0).state;

    const { state } = decide(bare, run, reported(run.tasks[0].taskId, 'COMPLETED', { outputData: { answer: 42 } }), T0 + 1);

    expect(state.workflow.output).toEqual({ answer: 42 });
  });

  it('acknowledges and ignores a repeated result for a task that already ended', () => {
    let run = startedRun();
    const taskId = firstTaskId(run);
    run = deepFreeze(decide(def, run, reported(taskId, 'COMPLETED', { outputData: { size: 1 } }), T0 + 3000).state);

    const { state, commands, rejection } = decide(def, run, reported(taskId, 'COMPLETED', { outputData: { size: 2 } }), T0 + 4000);

    expect(rejection).toBeUndefined();
    expect(state).toBe(run);
    expect(commands).toEqual([]);
  });

  it('rejects a result for a task the workflow does not have', () => {
    const run = startedRun();

    const { state, rejection } = decide(def, run, reported('no-such-task', 'COMPLETED'), T0 + 3000);

    expect(rejection).toEqual({ code: ErrorCode.TaskNotFound, message: 'No such task found by id: no-such-task' });
    expect(state).toBe(run);
  });

  it('retries a failed task as a new attempt after the retry delay', () => {
    const run = startedRun();
    const taskId = firstTaskId(run);

    const { state, commands } = decide(def, run, reported(taskId, 'FAILED', { reasonForIncompletion: 'boom' }), T0 + 3000);

    expect(state.tasks[0]).toMatchObject({ status: TaskStatus.Failed, retried: true, reasonForIncompletion: 'boom' });
    const retry = state.tasks[1];
    expect(retry).toMatchObject({ referenceTaskName: 'fetch', status: TaskStatus.Scheduled, retryCount: 1, retriedTaskId: taskId, seq: 2 });
    expect(retry.taskId).not.toBe(taskId);
    expect(commands).toContainEqual({ type: 'queue.push', taskId: retry.taskId, queueName: 'fetch_task', taskDefName: 'fetch_task', visibleAt: T0 + 3000 + 60_000, priority: 0, leaseMs: 3_600_000, pollCount: 0 });
    expect(state.workflow.status).toBe(WorkflowStatus.Running);
  });

  it('fails the workflow when a task fails and its retries are used up', () => {
    const noRetry = aDefinition([aSimpleTask('fetch', {}, { retryCount: 0 }), aSimpleTask('store')]);
    const run = decide(noRetry, null, started(), T0).state;

    const { state, commands } = decide(noRetry, run, reported(run.tasks[0].taskId, 'FAILED', { reasonForIncompletion: 'upstream 503' }), T0 + 1);

    expect(state.workflow).toMatchObject({
      status: WorkflowStatus.Failed,
      reasonForIncompletion: 'upstream 503',
      failedReferenceTaskNames: ['fetch'],
      endTime: T0 + 1,
    });
    expect(state.tasks).toHaveLength(1);
    expect(commands[commands.length - 1]).toEqual({ type: 'emit.workflow', eventType: 'workflow.failed' });
  });

  it('never retries FAILED_WITH_TERMINAL_ERROR', () => {
    const run = startedRun();

    const { state } = decide(def, run, reported(firstTaskId(run), 'FAILED_WITH_TERMINAL_ERROR', { reasonForIncompletion: 'bad input' }), T0 + 3000);

    expect(state.tasks).toHaveLength(1);
    expect(state.workflow.status).toBe(WorkflowStatus.Failed);
  });

  it('completes an optional task with errors and carries on', () => {
    const optional = aDefinition([aSimpleTask('maybe', {}, { optional: true, retryCount: 0 }), aSimpleTask('then')]);
    const run = decide(optional, null, started(), T0).state;

    const { state } = decide(optional, run, reported(run.tasks[0].taskId, 'FAILED'), T0 + 1);

    expect(state.tasks.map((t) => [t.referenceTaskName, t.status])).toEqual([
      ['maybe', TaskStatus.CompletedWithErrors],
      ['then', TaskStatus.Scheduled],
    ]);
  });

  it('terminates the workflow when a worker cancels its task', () => {
    const run = startedRun();

    const { state } = decide(def, run, reported(firstTaskId(run), 'CANCELED'), T0 + 3000);

    expect(state.workflow.status).toBe(WorkflowStatus.Terminated);
  });

  it('puts an IN_PROGRESS task back in the queue to be polled again after callbackAfterSeconds', () => {
    const run = startedRun();
    const taskId = firstTaskId(run);
    const polled = decide(def, run, leased(taskId, T0 + 2000), T0 + 2000).state;

    const { state, commands } = decide(def, polled, reported(taskId, 'IN_PROGRESS', { callbackAfterSeconds: 30, outputData: { progress: 0.5 } }), T0 + 3000);

    expect(state.tasks[0]).toMatchObject({ status: TaskStatus.Scheduled, callbackAfterSeconds: 30, outputData: { progress: 0.5 } });
    expect(commands).toContainEqual({ type: 'queue.push', taskId, queueName: 'fetch_task', taskDefName: 'fetch_task', visibleAt: T0 + 33_000, priority: 0, leaseMs: 3_600_000, pollCount: 1 });
  });

  it('treats a lease extension as a heartbeat that changes nothing but the update time', () => {
    const run = startedRun();
    const taskId = firstTaskId(run);
    const polled = deepFreeze(decide(def, run, leased(taskId, T0 + 2000), T0 + 2000).state);

    const { state, commands } = decide(def, polled, reported(taskId, 'IN_PROGRESS', { extendLease: true }), T0 + 3000);

    expect(state.tasks[0]).toEqual({ ...polled.tasks[0], updateTime: T0 + 3000 });
    expect(commands).toEqual([
      { type: 'emit.task', eventType: 'monitor.success', taskId },
      { type: 'queue.extend', taskId, leaseMs: 3_600_000 },
    ]);
  });

  it('is deterministic: the same event on the same state decides the same thing, ids included', () => {
    const a = decide(def, null, started({ url: 'u' }), T0);
    const b = decide(def, null, started({ url: 'u' }), T0);
    expect(a).toEqual(b);
  });

  it('runs an unregistered type name as a worker task (Conductor USER_DEFINED)', () => {
    const custom = aDefinition([{ name: 'resize', taskReferenceName: 'r', type: 'IMAGE_RESIZE' }]);

    const { state } = decide(custom, null, started(), T0);

    expect(state.tasks[0]).toMatchObject({ taskType: 'resize', status: TaskStatus.Scheduled });
  });
});

describe('retry delay', () => {
  const base = withTaskDefDefaults({ name: 't', retryDelaySeconds: 10 });

  it.each([
    [RetryLogic.Fixed, 0, 10_000],
    [RetryLogic.Fixed, 3, 10_000],
    [RetryLogic.LinearBackoff, 0, 10_000],
    [RetryLogic.LinearBackoff, 2, 30_000],
    [RetryLogic.ExponentialBackoff, 0, 10_000],
    [RetryLogic.ExponentialBackoff, 3, 80_000],
  ])('%s after %i retries waits %i ms', (retryLogic, retryCount, expected) => {
    expect(retryDelayMs({ ...base, retryLogic }, retryCount)).toBe(expected);
  });

  it('is capped by maxRetryDelaySeconds', () => {
    expect(retryDelayMs({ ...base, retryLogic: RetryLogic.ExponentialBackoff, maxRetryDelaySeconds: 25 }, 5)).toBe(25_000);
  });

  it('adds up to backoffJitterMs, spread across tasks and the same for the same task', () => {
    const jittered = { ...base, backoffJitterMs: 500 };
    const delays = Array.from({ length: 200 }, (_, i) => retryDelayMs(jittered, 0, `task-${i}`));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(10_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(10_500);
    expect(new Set(delays).size).toBeGreaterThan(100);
    expect(retryDelayMs(jittered, 0, 'task-7')).toBe(delays[7]);
  });
});

describe('totalTimeoutSeconds', () => {
  const budgeted = (totalTimeoutSeconds: number) =>
    aDefinition([aSimpleTask('job', {}, { taskDefinition: { name: 'job', retryCount: 5, retryDelaySeconds: 10, totalTimeoutSeconds, timeoutSeconds: 0 } })]);

  it('stops retrying once the next attempt would start past the budget of all attempts, from the first', () => {
    const { state } = run(budgeted(25), [
      [T0, started()],
      [T0 + 1000, fails('job')], // retry at T0 + 11 s: within 25 s
      [T0 + 12_000, fails('job')], // retry at T0 + 22 s: within
      [T0 + 23_000, fails('job')], // retry would start at T0 + 33 s: past the budget
    ]);

    expect(state.tasks.map((t) => t.status)).toEqual([TaskStatus.Failed, TaskStatus.Failed, TaskStatus.Failed]);
    expect(state.workflow.status).toBe(WorkflowStatus.Failed);
  });

  it('does not limit retries when 0', () => {
    const { state } = run(budgeted(0), [
      [T0, started()],
      [T0 + 1000, fails('job')],
      [T0 + 500_000, fails('job')],
    ]);

    expect(state.tasks.map((t) => t.status)).toEqual([TaskStatus.Failed, TaskStatus.Failed, TaskStatus.Scheduled]);
  });
});

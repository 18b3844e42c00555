import { RetryLogic, TaskDef, TaskStatus, TimeoutPolicy, WorkflowDef, WorkflowStatus, WorkflowTask, WorkflowTimeoutPolicy } from '@app/contracts';
import { decide } from './decide';
import { timerIdOf, TimerKind } from './timers';
import {
  aDefinition,
  aSimpleTask,
  aTask,
  byRef,
  commandsOf,
  completes,
  fails,
  leased,
  leaseExpired,
  reported,
  run,
  shorthand,
  started,
  statuses,
  T0,
  taskOf,
  timerFired,
  timerFiredWithLease,
  WF_ID,
  withTaskDef,
} from './testing/builders';

/** A worker task `job` with this task definition, then `after`. */
const jobWith = (def: Partial<TaskDef>, extra: Partial<WorkflowTask> = {}, wf: Partial<WorkflowDef> = {}) =>
  aDefinition([withTaskDef(aSimpleTask('job', {}, extra), def), aSimpleTask('after')], wf);

const S = 1000;

describe('response timeout (the lease runs out)', () => {
  const def = jobWith({ responseTimeoutSeconds: 30, retryCount: 1, retryDelaySeconds: 5 });

  it('times the attempt out and retries it as a new attempt after the retry delay', () => {
    const { state, last } = run(def, [
      [T0, started()],
      [T0 + 1 * S, byRef('job', (id) => leased(id, T0 + 1 * S))],
      [T0 + 31 * S, byRef('job', (id) => leaseExpired(id, T0 + 1 * S))],
    ]);

    const [first, retry] = state.tasks;
    expect(first).toMatchObject({ status: TaskStatus.TimedOut, retried: true, endTime: T0 + 31 * S });
    expect(first.reasonForIncompletion).toMatch(/responseTimeoutSeconds \(30\)/);
    expect(retry).toMatchObject({ referenceTaskName: 'job', status: TaskStatus.Scheduled, retryCount: 1, retriedTaskId: first.taskId });
    expect(shorthand(state, last)).toEqual(['monitor.failed:job#0', 'queue.remove:job#0', 'produce.success:job#1', 'queue.push:job#1']);
    expect(commandsOf(last, 'queue.push')).toEqual([{ type: 'queue.push', taskId: retry.taskId, queueName: 'job_task', taskDefName: 'job_task', visibleAt: T0 + 36 * S, priority: 0, leaseMs: 30 * S, pollCount: 0 }]);
  });

  it('folds the lease first when its notice never arrived', () => {
    const { state, last } = run(def, [
      [T0, started()],
      [T0 + 31 * S, byRef('job', (id) => leaseExpired(id, T0 + 1 * S, 'w-lost'))],
    ]);

    expect(state.tasks[0]).toMatchObject({ status: TaskStatus.TimedOut, startTime: T0 + 1 * S, workerId: 'w-lost', pollCount: 1 });
    expect(shorthand(state, last).slice(0, 2)).toEqual(['start.begin:job#0', 'monitor.failed:job#0']);
  });

  it('times the workflow out when the retries are used up', () => {
    const { state, last } = run(def, [
      [T0, started()],
      [T0 + 31 * S, byRef('job', (id) => leaseExpired(id, T0 + 1 * S))],
      [T0 + 70 * S, byRef('job', (id) => leaseExpired(id, T0 + 40 * S))],
    ]);

    expect(statuses(state)).toEqual([
      ['job', TaskStatus.TimedOut],
      ['job', TaskStatus.TimedOut],
    ]);
    expect(state.workflow).toMatchObject({ status: WorkflowStatus.TimedOut, failedReferenceTaskNames: ['job'], endTime: T0 + 70 * S });
    expect(last[last.length - 1]).toEqual({ type: 'emit.workflow', eventType: 'workflow.failed' });
  });

  it('only removes the queue row of a task that already completed', () => {
    const given = run(def, [
      [T0, started()],
      [T0 + 1 * S, completes('job')],
    ]);
    const jobId = given.state.tasks[0].taskId;

    const { state, commands } = decide(def, given.state, leaseExpired(jobId, T0), T0 + 31 * S);

    expect(state).toBe(given.state);
    expect(commands).toEqual([{ type: 'queue.remove', taskId: jobId }]);
  });
});

describe('poll timeout (nobody leased the task in time)', () => {
  it('sets a timer when the task is scheduled, from when it becomes pollable', () => {
    const { state, last } = run(jobWith({ pollTimeoutSeconds: 10 }, { startDelay: 5 }), [[T0, started()]]);

    const job = taskOf(state, 'job');
    expect(last).toContainEqual({ type: 'timer.set', timerId: timerIdOf(TimerKind.PollTimeout, job.taskId), kind: TimerKind.PollTimeout, taskId: job.taskId, dueAt: T0 + 15 * S });
  });

  it('times a still-SCHEDULED task out and retries it (timeoutPolicy RETRY), with a poll timer for the retry', () => {
    const def = jobWith({ pollTimeoutSeconds: 10, timeoutPolicy: TimeoutPolicy.Retry, retryCount: 1, retryDelaySeconds: 2 });

    const { state, last } = run(def, [
      [T0, started()],
      [T0 + 10 * S, byRef('job', (id) => timerFired(TimerKind.PollTimeout, id))],
    ]);

    const [first, retry] = state.tasks;
    expect(first).toMatchObject({ status: TaskStatus.TimedOut, retried: true });
    expect(first.reasonForIncompletion).toMatch(/not polled within pollTimeoutSeconds \(10\)/);
    expect(retry).toMatchObject({ status: TaskStatus.Scheduled, retryCount: 1 });
    expect(shorthand(state, last)).toEqual(['monitor.failed:job#0', 'queue.remove:job#0', 'timer.cancel:task.poll-timeout:job#0', 'produce.success:job#1', 'queue.push:job#1', 'timer.set:task.poll-timeout:job#1']);
    expect(commandsOf(last, 'timer.set')[0].dueAt).toBe(T0 + 22 * S);
  });

  it('times the workflow out with timeoutPolicy TIME_OUT_WF (the default), without retrying', () => {
    const { state } = run(jobWith({ pollTimeoutSeconds: 10, retryCount: 3 }), [
      [T0, started()],
      [T0 + 10 * S, byRef('job', (id) => timerFired(TimerKind.PollTimeout, id))],
    ]);

    expect(statuses(state)).toEqual([['job', TaskStatus.TimedOut]]);
    expect(state.workflow.status).toBe(WorkflowStatus.TimedOut);
  });

  it('changes nothing with timeoutPolicy ALERT_ONLY', () => {
    const def = jobWith({ pollTimeoutSeconds: 10, timeoutPolicy: TimeoutPolicy.AlertOnly });
    const given = run(def, [[T0, started()]]);

    const { state, commands } = decide(def, given.state, timerFired(TimerKind.PollTimeout, given.state.tasks[0].taskId), T0 + 10 * S);

    expect(state).toBe(given.state);
    expect(commands).toEqual([]);
  });

  it('folds the lease the shell found instead of timing out: a worker holds the task', () => {
    const def = jobWith({ pollTimeoutSeconds: 10, timeoutPolicy: TimeoutPolicy.Retry });

    const { state, last } = run(def, [
      [T0, started()],
      [T0 + 10 * S, byRef('job', (id) => timerFiredWithLease(TimerKind.PollTimeout, id, T0 + 9 * S, 'w-3'))],
    ]);

    expect(statuses(state)).toEqual([['job', TaskStatus.InProgress]]);
    expect(state.tasks[0]).toMatchObject({ startTime: T0 + 9 * S, workerId: 'w-3' });
    expect(shorthand(state, last)).toEqual(['start.begin:job#0', 'timer.cancel:task.poll-timeout:job#0']);
  });

  it('is cancelled by the lease notice, and a late firing changes nothing', () => {
    const def = jobWith({ pollTimeoutSeconds: 10, timeoutPolicy: TimeoutPolicy.Retry });
    const given = run(def, [
      [T0, started()],
      [T0 + 2 * S, byRef('job', (id) => leased(id, T0 + 2 * S))],
    ]);
    const jobId = given.state.tasks[0].taskId;
    expect(given.last).toContainEqual({ type: 'timer.cancel', timerId: timerIdOf(TimerKind.PollTimeout, jobId) });

    const late = decide(def, given.state, timerFired(TimerKind.PollTimeout, jobId), T0 + 10 * S);
    expect(late.state).toBe(given.state);
    expect(late.commands).toEqual([]);
  });
});

describe('task timeout (timeoutSeconds)', () => {
  const leasedJob = (def: WorkflowDef) =>
    run(def, [
      [T0, started()],
      [T0 + 2 * S, byRef('job', (id) => leased(id, T0 + 2 * S))],
    ]);

  it('sets its timer on the first lease, from the lease', () => {
    const { state, last } = leasedJob(jobWith({ timeoutSeconds: 60 }));

    const job = taskOf(state, 'job');
    expect(last).toContainEqual({ type: 'timer.set', timerId: timerIdOf(TimerKind.TaskTimeout, job.taskId), kind: TimerKind.TaskTimeout, taskId: job.taskId, dueAt: T0 + 62 * S });
  });

  it('keeps the first start: a lease after a callback re-queue sets no new timer', () => {
    const { last } = run(jobWith({ timeoutSeconds: 60 }), [
      [T0, started()],
      [T0 + 2 * S, byRef('job', (id) => leased(id, T0 + 2 * S))],
      [T0 + 3 * S, byRef('job', (id) => reported(id, 'IN_PROGRESS', { callbackAfterSeconds: 10 }))],
      [T0 + 13 * S, byRef('job', (id) => leased(id, T0 + 13 * S, 'worker-1', 2))],
    ]);

    expect(commandsOf(last, 'timer.set')).toEqual([]);
  });

  it.each<[TimeoutPolicy, Array<[string, string]>, WorkflowStatus]>([
    [TimeoutPolicy.Retry, [['job', TaskStatus.TimedOut], ['job', TaskStatus.Scheduled]], WorkflowStatus.Running],
    [TimeoutPolicy.TimeOutWorkflow, [['job', TaskStatus.TimedOut]], WorkflowStatus.TimedOut],
  ])('with timeoutPolicy %s times the attempt out', (timeoutPolicy, expected, workflowStatus) => {
    const def = jobWith({ timeoutSeconds: 60, timeoutPolicy, retryCount: 2 });

    const { state } = run(def, [
      [T0, started()],
      [T0 + 2 * S, byRef('job', (id) => leased(id, T0 + 2 * S))],
      [T0 + 62 * S, byRef('job', (id) => timerFired(TimerKind.TaskTimeout, id))],
    ]);

    expect(statuses(state)).toEqual(expected);
    expect(state.tasks[0].reasonForIncompletion).toMatch(new RegExp(`timeoutSeconds \\(60\\), timeoutPolicy ${timeoutPolicy}`));
    expect(state.workflow.status).toBe(workflowStatus);
  });

  it('with timeoutPolicy ALERT_ONLY changes nothing', () => {
    const def = jobWith({ timeoutSeconds: 60, timeoutPolicy: TimeoutPolicy.AlertOnly });
    const given = leasedJob(def);

    const { state, commands } = decide(def, given.state, timerFired(TimerKind.TaskTimeout, given.state.tasks[0].taskId), T0 + 62 * S);

    expect(state).toBe(given.state);
    expect(commands).toEqual([]);
  });

  it('is cancelled when the task ends', () => {
    const { state, last } = run(jobWith({ timeoutSeconds: 60 }), [
      [T0, started()],
      [T0 + 2 * S, byRef('job', (id) => leased(id, T0 + 2 * S))],
      [T0 + 5 * S, completes('job')],
    ]);

    expect(last).toContainEqual({ type: 'timer.cancel', timerId: timerIdOf(TimerKind.TaskTimeout, taskOf(state, 'job').taskId) });
  });

  it('fires as a no-op for a task that already ended', () => {
    const def = jobWith({ timeoutSeconds: 60, timeoutPolicy: TimeoutPolicy.Retry });
    const given = run(def, [
      [T0, started()],
      [T0 + 2 * S, byRef('job', (id) => leased(id, T0 + 2 * S))],
      [T0 + 5 * S, completes('job')],
    ]);

    const late = decide(def, given.state, timerFired(TimerKind.TaskTimeout, given.state.tasks[0].taskId), T0 + 62 * S);

    expect(late.state).toBe(given.state);
    expect(late.commands).toEqual([]);
  });
});

describe('retry delays, as the queue row becomes visible', () => {
  it.each<[string, Partial<TaskDef>, number[]]>([
    ['FIXED', { retryLogic: RetryLogic.Fixed }, [10, 10, 10]],
    ['LINEAR_BACKOFF', { retryLogic: RetryLogic.LinearBackoff, backoffScaleFactor: 2 }, [20, 40, 60]],
    ['LINEAR_BACKOFF capped by maxRetryDelaySeconds', { retryLogic: RetryLogic.LinearBackoff, backoffScaleFactor: 2, maxRetryDelaySeconds: 50 }, [20, 40, 50]],
    ['EXPONENTIAL_BACKOFF', { retryLogic: RetryLogic.ExponentialBackoff }, [10, 20, 40]],
    ['EXPONENTIAL_BACKOFF capped by maxRetryDelaySeconds', { retryLogic: RetryLogic.ExponentialBackoff, maxRetryDelaySeconds: 30 }, [10, 20, 30]],
  ])('%s', (_, retry, delaysSeconds) => {
    const def = jobWith({ retryCount: 3, retryDelaySeconds: 10, ...retry });
    const failedAt = [T0 + 1 * S, T0 + 100 * S, T0 + 200 * S];

    const { state, commands } = run(def, [[T0, started()], ...failedAt.map((at) => [at, fails('job')] as const)]);

    const retries = state.tasks.slice(1);
    expect(retries.map((t) => t.retryCount)).toEqual([1, 2, 3]);
    const visibleAt = retries.map((t) => commandsOf(commands, 'queue.push').find((c) => c.taskId === t.taskId)?.visibleAt);
    expect(visibleAt).toEqual(failedAt.map((at, i) => at + delaysSeconds[i] * S));
  });

  it('adds startDelay to the first attempt only through visibleAt', () => {
    const { state, last } = run(jobWith({}, { startDelay: 15 }), [[T0, started()]]);

    expect(taskOf(state, 'job')).toMatchObject({ status: TaskStatus.Scheduled, startDelayInSeconds: 15, scheduledTime: T0 });
    expect(commandsOf(last, 'queue.push')[0].visibleAt).toBe(T0 + 15 * S);
  });
});

describe('worker progress', () => {
  const def = jobWith({ responseTimeoutSeconds: 120 });
  const polled = [
    [T0, started()],
    [T0 + 2 * S, byRef('job', (id) => leased(id, T0 + 2 * S))],
  ] as const;

  it('puts an IN_PROGRESS task with callbackAfterSeconds back in the queue, visible after the callback', () => {
    const { state, last } = run(def, [...polled, [T0 + 3 * S, byRef('job', (id) => reported(id, 'IN_PROGRESS', { callbackAfterSeconds: 30 }))]]);

    const job = taskOf(state, 'job');
    expect(job).toMatchObject({ status: TaskStatus.Scheduled, callbackAfterSeconds: 30, startTime: T0 + 2 * S });
    expect(commandsOf(last, 'queue.push')).toEqual([{ type: 'queue.push', taskId: job.taskId, queueName: 'job_task', taskDefName: 'job_task', visibleAt: T0 + 33 * S, priority: 0, leaseMs: 120 * S, pollCount: 1 }]);
  });

  it('extends the lease by responseTimeoutSeconds on a heartbeat', () => {
    const { state, last } = run(def, [...polled, [T0 + 3 * S, byRef('job', (id) => reported(id, 'IN_PROGRESS', { extendLease: true }))]]);

    const job = taskOf(state, 'job');
    expect(job.status).toBe(TaskStatus.InProgress);
    expect(commandsOf(last, 'queue.extend')).toEqual([{ type: 'queue.extend', taskId: job.taskId, leaseMs: 120 * S }]);
    expect(commandsOf(last, 'queue.push')).toEqual([]);
  });
});

describe('workflow timeout (WorkflowDef.timeoutSeconds)', () => {
  /** A fork with a worker task and a WAIT: everything that can be pending at once. */
  const def = (timeoutPolicy?: WorkflowTimeoutPolicy, timeoutSeconds = 300) =>
    aDefinition(
      [
        aTask('FORK_JOIN', 'fork', { forkTasks: [[aSimpleTask('work')], [aTask('WAIT', 'pause', { inputParameters: { duration: '1h' } })]] }),
        aTask('JOIN', 'join', { joinOn: ['work', 'pause'] }),
      ],
      { timeoutSeconds, ...(timeoutPolicy ? { timeoutPolicy } : {}) },
    );

  it('sets a timer for the workflow when it starts', () => {
    const { last } = run(def(WorkflowTimeoutPolicy.TimeOutWorkflow), [[T0, started()]]);

    expect(commandsOf(last, 'timer.set')).toContainEqual({ type: 'timer.set', timerId: timerIdOf(TimerKind.WorkflowTimeout, WF_ID), kind: TimerKind.WorkflowTimeout, taskId: undefined, dueAt: T0 + 300 * S });
  });

  it('sets no workflow timer when timeoutSeconds is 0', () => {
    const { last } = run(def(WorkflowTimeoutPolicy.TimeOutWorkflow, 0), [[T0, started()]]);

    expect(commandsOf(last, 'timer.set').filter((c) => c.kind === TimerKind.WorkflowTimeout)).toEqual([]);
  });

  it('with TIME_OUT_WF times the workflow out and cancels every pending task', () => {
    const { state, last } = run(def(WorkflowTimeoutPolicy.TimeOutWorkflow), [
      [T0, started()],
      [T0 + 300 * S, timerFired(TimerKind.WorkflowTimeout)],
    ]);

    expect(state.workflow).toMatchObject({ status: WorkflowStatus.TimedOut, endTime: T0 + 300 * S });
    expect(state.workflow.reasonForIncompletion).toMatch(/timed out after 300 seconds/);
    expect(statuses(state)).toEqual([
      ['fork', TaskStatus.Completed],
      ['work', TaskStatus.Canceled],
      ['pause', TaskStatus.Canceled],
      ['join', TaskStatus.Canceled],
    ]);
    expect(shorthand(state, last)).toEqual(['cancel.success:work#0', 'queue.remove:work#0', 'cancel.success:pause#0', 'cancel.success:join#0', 'timer.cancel-all', 'workflow.failed']);
  });

  it.each<[string, WorkflowTimeoutPolicy | undefined]>([
    ['ALERT_ONLY', WorkflowTimeoutPolicy.AlertOnly],
    ["no policy (Conductor's default, ALERT_ONLY)", undefined],
  ])('with %s changes nothing', (_, policy) => {
    const d = def(policy);
    const given = run(d, [[T0, started()]]);

    const { state, commands } = decide(d, given.state, timerFired(TimerKind.WorkflowTimeout), T0 + 300 * S);

    expect(state).toBe(given.state);
    expect(commands).toEqual([]);
  });

  it('fires as a no-op once the workflow has ended', () => {
    const d = aDefinition([aSimpleTask('only')], { timeoutSeconds: 300, timeoutPolicy: WorkflowTimeoutPolicy.TimeOutWorkflow });
    const given = run(d, [
      [T0, started()],
      [T0 + 1, completes('only')],
    ]);
    expect(given.last).toContainEqual({ type: 'timer.cancel-all' });

    const late = decide(d, given.state, timerFired(TimerKind.WorkflowTimeout), T0 + 300 * S);

    expect(late.state).toBe(given.state);
    expect(late.commands).toEqual([]);
  });
});

describe('timeouts of asynchronous system tasks and optional tasks', () => {
  it('times a WAIT out after its own timeoutSeconds (it starts when scheduled: no lease)', () => {
    const def = aDefinition([aTask('WAIT', 'pause', { taskDefinition: { name: 'pause', timeoutSeconds: 5, timeoutPolicy: 'TIME_OUT_WF', responseTimeoutSeconds: 1 } })]);

    const { state } = run(def, [
      [T0, started()],
      [T0 + 5000, (s) => timerFired(TimerKind.TaskTimeout, s.tasks[0].taskId)],
    ]);

    expect(state.tasks[0].status).toBe(TaskStatus.TimedOut);
    expect(state.workflow.status).toBe(WorkflowStatus.TimedOut);
  });

  it('does not tolerate an optional task that times out under TIME_OUT_WF: the workflow times out, as in Conductor', () => {
    const def = aDefinition([withTaskDef(aSimpleTask('work', {}, { optional: true }), { timeoutSeconds: 10, timeoutPolicy: 'TIME_OUT_WF', responseTimeoutSeconds: 5 }), aSimpleTask('next')]);

    const { state } = run(def, [
      [T0, started()],
      [T0 + 1000, (s) => leased(s.tasks[0].taskId, T0 + 1000)],
      [T0 + 11_000, (s) => timerFired(TimerKind.TaskTimeout, s.tasks[0].taskId)],
    ]);

    expect(state.workflow.status).toBe(WorkflowStatus.TimedOut);
    expect(state.tasks.map((t) => t.referenceTaskName)).toEqual(['work']);
  });
});

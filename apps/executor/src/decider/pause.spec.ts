import { ErrorCode, TaskStatus, WorkflowStatus, WorkflowTask } from '@app/contracts';
import { decide } from './decide';
import { TimerKind } from './timers';
import {
  aDefinition,
  aSimpleTask,
  aTask,
  commandsOf,
  completes,
  fails,
  leased,
  leaseExpired,
  run,
  started,
  statuses,
  T0,
  taskOf,
  timerFired,
  withTaskDef,
} from './testing/builders';

const pause = { type: 'workflow.pause' } as const;
const resume = { type: 'workflow.resume' } as const;

describe('pause and resume', () => {
  const linear = aDefinition([aSimpleTask('first'), aSimpleTask('second')]);

  it('records a result that arrives while paused, and schedules what follows only on resume', () => {
    const paused = run(linear, [
      [T0, started()],
      [T0 + 1, (s) => leased(taskOf(s, 'first').taskId, T0 + 1)],
      [T0 + 2, pause],
      [T0 + 3, completes('first', { x: 1 })],
    ]);
    expect(paused.state.workflow.status).toBe(WorkflowStatus.Paused);
    expect(statuses(paused.state)).toEqual([['first', TaskStatus.Completed]]);
    expect(taskOf(paused.state, 'first').outputData).toEqual({ x: 1 });
    expect(commandsOf(paused.last, 'queue.push')).toEqual([]);
    expect(paused.state.workflow.onResume).toEqual([{ kind: 'advance', taskId: taskOf(paused.state, 'first').taskId }]);

    const resumed = decide(linear, paused.state, resume, T0 + 10);
    expect(resumed.rejection).toBeUndefined();
    expect(resumed.state.workflow.status).toBe(WorkflowStatus.Running);
    expect(resumed.state.workflow.onResume).toBeUndefined();
    expect(statuses(resumed.state)).toEqual([
      ['first', TaskStatus.Completed],
      ['second', TaskStatus.Scheduled],
    ]);
    expect(taskOf(resumed.state, 'second').inputData).toEqual({});
    expect(commandsOf([...resumed.commands], 'queue.push')).toEqual([expect.objectContaining({ taskId: taskOf(resumed.state, 'second').taskId, visibleAt: T0 + 10 })]);
    expect(commandsOf([...resumed.commands], 'emit.workflow')).toEqual([{ type: 'emit.workflow', eventType: 'workflow.resumed' }]);
  });

  it('announces the pause, and leaves tasks in flight and their queue rows alone', () => {
    const s = run(linear, [
      [T0, started()],
      [T0 + 1, pause],
    ]);
    expect(s.last).toEqual([{ type: 'emit.workflow', eventType: 'workflow.paused' }]);
    expect(taskOf(s.state, 'first').status).toBe(TaskStatus.Scheduled);
  });

  it('lets a worker lease a task queued before the pause (it becomes IN_PROGRESS)', () => {
    const s = run(linear, [
      [T0, started()],
      [T0 + 1, pause],
      [T0 + 2, (st) => leased(taskOf(st, 'first').taskId, T0 + 2)],
    ]);
    expect(taskOf(s.state, 'first')).toMatchObject({ status: TaskStatus.InProgress, workerId: 'worker-1' });
  });

  it('does not end a workflow whose last task completes while paused: it completes on resume', () => {
    const one = aDefinition([aSimpleTask('only')]);
    const paused = run(one, [
      [T0, started()],
      [T0 + 1, pause],
      [T0 + 2, completes('only', { done: true })],
    ]);
    expect(paused.state.workflow.status).toBe(WorkflowStatus.Paused);
    const resumed = decide(one, paused.state, resume, T0 + 3);
    expect(resumed.state.workflow).toMatchObject({ status: WorkflowStatus.Completed, output: { done: true } });
  });

  it('decides a failure that arrives while paused on resume: its retry, or the end of the workflow', () => {
    const retried = aDefinition([aSimpleTask('flaky', {}, { retryCount: 1 })]);
    const paused = run(retried, [
      [T0, started()],
      [T0 + 1, pause],
      [T0 + 2, fails('flaky')],
    ]);
    expect(statuses(paused.state)).toEqual([['flaky', TaskStatus.Failed]]);
    expect(paused.state.workflow.status).toBe(WorkflowStatus.Paused);
    const resumed = decide(retried, paused.state, resume, T0 + 3);
    expect(statuses(resumed.state)).toEqual([
      ['flaky', TaskStatus.Failed],
      ['flaky', TaskStatus.Scheduled],
    ]);

    const fatal = aDefinition([aSimpleTask('fatal', {}, { retryCount: 0 })]);
    const pausedFatal = run(fatal, [
      [T0, started()],
      [T0 + 1, pause],
      [T0 + 2, fails('fatal', 'FAILED', 'broken')],
    ]);
    expect(pausedFatal.state.workflow.status).toBe(WorkflowStatus.Paused);
    const ended = decide(fatal, pausedFatal.state, resume, T0 + 3);
    expect(ended.state.workflow).toMatchObject({ status: WorkflowStatus.Failed, reasonForIncompletion: 'broken', failedReferenceTaskNames: ['fatal'] });
    expect(ended.state.workflow.onResume).toBeUndefined();
  });

  it('holds a timer that comes due while paused and fires it on resume', () => {
    const waiting = aDefinition([aTask('WAIT', 'nap', { inputParameters: { duration: '5s' } }), aSimpleTask('after')]);
    const paused = run(waiting, [
      [T0, started()],
      [T0 + 1, pause],
      [T0 + 5_000, (s) => timerFired(TimerKind.Wait, taskOf(s, 'nap').taskId)],
    ]);
    expect(taskOf(paused.state, 'nap').status).toBe(TaskStatus.InProgress);
    const resumed = decide(waiting, paused.state, resume, T0 + 9_000);
    expect(statuses(resumed.state)).toEqual([
      ['nap', TaskStatus.Completed],
      ['after', TaskStatus.Scheduled],
    ]);
  });

  it('times out a task whose lease ran out while paused, and retries it on resume', () => {
    const slow = aDefinition([withTaskDef(aSimpleTask('slow'), { retryCount: 1, responseTimeoutSeconds: 10 }) as WorkflowTask]);
    const paused = run(slow, [
      [T0, started()],
      [T0 + 1, (s) => leased(taskOf(s, 'slow').taskId, T0 + 1)],
      [T0 + 2, pause],
      [T0 + 11_001, (s) => leaseExpired(taskOf(s, 'slow').taskId, T0 + 1)],
    ]);
    expect(statuses(paused.state)).toEqual([['slow', TaskStatus.TimedOut]]);
    const resumed = decide(slow, paused.state, resume, T0 + 12_000);
    expect(statuses(resumed.state)).toEqual([
      ['slow', TaskStatus.TimedOut],
      ['slow', TaskStatus.Scheduled],
    ]);
  });

  it('carries out what it put off in order (a fork whose branches both ended while paused joins on resume)', () => {
    const forked = aDefinition([
      aTask('FORK_JOIN', 'fork', { forkTasks: [[aSimpleTask('a'), aSimpleTask('a2')], [aSimpleTask('b')]] as WorkflowTask[][] }),
      aTask('JOIN', 'join', { joinOn: ['a2', 'b'] }),
    ]);
    const paused = run(forked, [
      [T0, started()],
      [T0 + 1, pause],
      [T0 + 2, completes('a')],
      [T0 + 3, completes('b')],
    ]);
    const resumed = decide(forked, paused.state, resume, T0 + 4);
    expect(statuses(resumed.state).filter(([ref]) => ref !== 'fork')).toEqual([
      ['a', TaskStatus.Completed],
      ['b', TaskStatus.Completed],
      ['join', TaskStatus.InProgress],
      ['a2', TaskStatus.Scheduled],
    ]);
  });

  it('is terminated while paused like a running workflow, and forgets what it put off', () => {
    const paused = run(linear, [
      [T0, started()],
      [T0 + 1, pause],
      [T0 + 2, completes('first')],
    ]);
    const ended = decide(linear, paused.state, { type: 'workflow.terminate', reason: 'stop', refuseEnded: true }, T0 + 3);
    expect(ended.rejection).toBeUndefined();
    expect(ended.state.workflow).toMatchObject({ status: WorkflowStatus.Terminated, reasonForIncompletion: 'stop' });
    expect(ended.state.workflow.onResume).toBeUndefined();
  });

  it('pausing twice changes nothing; an ended workflow cannot be paused, nor a running one resumed (409)', () => {
    const paused = run(linear, [
      [T0, started()],
      [T0 + 1, pause],
    ]);
    const again = decide(linear, paused.state, pause, T0 + 2);
    expect(again.rejection).toBeUndefined();
    expect(again.state).toBe(paused.state);

    const running = run(linear, [[T0, started()]]);
    expect(decide(linear, running.state, resume, T0 + 1).rejection).toMatchObject({ code: ErrorCode.WorkflowConflict });

    const done = run(aDefinition([aSimpleTask('only')]), [
      [T0, started()],
      [T0 + 1, completes('only')],
    ]);
    expect(decide(aDefinition([aSimpleTask('only')]), done.state, pause, T0 + 2).rejection).toMatchObject({ code: ErrorCode.WorkflowConflict });
  });

  it('refuses a skiptask while paused (only a running workflow), and a retry or restart (it has not ended)', () => {
    const paused = run(linear, [
      [T0, started()],
      [T0 + 1, pause],
    ]);
    expect(decide(linear, paused.state, { type: 'workflow.skip-task', taskReferenceName: 'second' }, T0 + 2).rejection).toMatchObject({ code: ErrorCode.WorkflowConflict });
    expect(decide(linear, paused.state, { type: 'workflow.restart' }, T0 + 2).rejection).toMatchObject({ code: ErrorCode.WorkflowConflict });
    expect(decide(linear, paused.state, { type: 'workflow.retry' }, T0 + 2).rejection).toBeDefined();
  });
});

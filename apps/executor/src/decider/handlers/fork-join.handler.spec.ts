import { TaskStatus, WorkflowStatus, WorkflowTask } from '@app/contracts';
import { aDefinition, aSimpleTask, aTask, commandsOf, completes, fails, run, shorthand, started, statuses, T0, taskOf } from '../testing/builders';

const aFork = (ref: string, forkTasks: WorkflowTask[][]): WorkflowTask => aTask('FORK_JOIN', ref, { forkTasks });
const aJoin = (ref: string, joinOn: string[]): WorkflowTask => aTask('JOIN', ref, { joinOn });

/** Two branches, one of two tasks, joined on the last task of each, then one more task. */
const forked = (left: WorkflowTask[] = [aSimpleTask('l1'), aSimpleTask('l2')], right: WorkflowTask[] = [aSimpleTask('r1')]) =>
  aDefinition([aFork('fork', [left, right]), aJoin('join', ['l2', 'r1']), aSimpleTask('after', { joined: '${join.output}' })]);

describe('FORK_JOIN + JOIN', () => {
  it('completes the FORK at once, schedules the first task of every branch and puts the JOIN IN_PROGRESS', () => {
    const { state, last } = run(forked(), [[T0, started()]]);

    expect(statuses(state)).toEqual([
      ['fork', TaskStatus.Completed],
      ['l1', TaskStatus.Scheduled],
      ['r1', TaskStatus.Scheduled],
      ['join', TaskStatus.InProgress],
    ]);
    expect(taskOf(state, 'fork')).toMatchObject({ taskType: 'FORK', status: TaskStatus.Completed, startTime: T0, endTime: T0, executed: true });
    expect(taskOf(state, 'join')).toMatchObject({ taskType: 'JOIN', status: TaskStatus.InProgress, startTime: T0, inputData: { joinOn: ['l2', 'r1'] } });
    expect(shorthand(state, last)).toEqual([
      'start.success:fork#0',
      'produce.success:l1#0',
      'queue.push:l1#0',
      'produce.success:r1#0',
      'queue.push:r1#0',
      'start.begin:join#0',
      'workflow.started',
    ]);
  });

  it.each<[string, ReadonlyArray<string>]>([
    ['left branch first', ['l1', 'l2', 'r1']],
    ['right branch first', ['r1', 'l1', 'l2']],
    ['interleaved', ['l1', 'r1', 'l2']],
  ])('completes the JOIN only when every joinOn task completed (%s), then schedules what follows once', (_, order) => {
    const steps = [[T0, started()] as const, ...order.map((ref, i) => [T0 + 1000 * (i + 1), completes(ref, { from: ref })] as const)];

    // Before the last joined task completes, the JOIN waits.
    const before = run(forked(), steps.slice(0, -1));
    expect(taskOf(before.state, 'join').status).toBe(TaskStatus.InProgress);
    expect(before.state.tasks.some((t) => t.referenceTaskName === 'after')).toBe(false);

    const { state, commands, last } = run(forked(), steps);
    expect(taskOf(state, 'join')).toMatchObject({ status: TaskStatus.Completed, endTime: T0 + 3000, outputData: { l2: { from: 'l2' }, r1: { from: 'r1' } } });
    expect(taskOf(state, 'after')).toMatchObject({ status: TaskStatus.Scheduled, inputData: { joined: { l2: { from: 'l2' }, r1: { from: 'r1' } } } });
    expect(state.tasks.filter((t) => t.referenceTaskName === 'after')).toHaveLength(1);
    expect(commandsOf(commands, 'queue.push').filter((c) => c.taskId === taskOf(state, 'after').taskId)).toHaveLength(1);
    const lastRef = order[order.length - 1];
    expect(shorthand(state, last)).toEqual([
      `start.begin:${lastRef}#0`,
      `start.success:${lastRef}#0`,
      `queue.remove:${lastRef}#0`,
      'start.success:join#0',
      'produce.success:after#0',
      'queue.push:after#0',
    ]);
  });

  it('runs a multi-task branch in order: the second task after the first', () => {
    const { state } = run(forked(), [
      [T0, started()],
      [T0 + 1, completes('l1', { n: 1 })],
    ]);

    expect(statuses(state)).toEqual([
      ['fork', TaskStatus.Completed],
      ['l1', TaskStatus.Completed],
      ['r1', TaskStatus.Scheduled],
      ['join', TaskStatus.InProgress],
      ['l2', TaskStatus.Scheduled],
    ]);
  });

  it('completes the workflow after the fork when the JOIN is the last task', () => {
    const def = aDefinition([aFork('fork', [[aSimpleTask('l1')], [aSimpleTask('r1')]]), aJoin('join', ['l1', 'r1'])]);

    const { state } = run(def, [
      [T0, started()],
      [T0 + 1, completes('l1', { a: 1 })],
      [T0 + 2, completes('r1', { b: 2 })],
    ]);

    expect(state.workflow).toMatchObject({ status: WorkflowStatus.Completed, endTime: T0 + 2 });
    expect(taskOf(state, 'join').outputData).toEqual({ l1: { a: 1 }, r1: { b: 2 } });
  });

  it('runs a fork inside a switch case, and what follows the switch after the JOIN', () => {
    const def = aDefinition([
      aTask('SWITCH', 'route', {
        evaluatorType: 'value-param',
        expression: 'k',
        inputParameters: { k: '${workflow.input.k}' },
        decisionCases: { par: [aFork('fork', [[aSimpleTask('l1')], [aSimpleTask('r1')]]), aJoin('join', ['l1', 'r1'])] },
      }),
      aSimpleTask('after'),
    ]);

    const started_ = run(def, [[T0, started({ k: 'par' })]]);
    expect(statuses(started_.state)).toEqual([
      ['route', TaskStatus.Completed],
      ['fork', TaskStatus.Completed],
      ['l1', TaskStatus.Scheduled],
      ['r1', TaskStatus.Scheduled],
      ['join', TaskStatus.InProgress],
    ]);

    const { state } = run(def, [
      [T0, started({ k: 'par' })],
      [T0 + 1, completes('l1')],
      [T0 + 2, completes('r1')],
    ]);
    expect(statuses(state).slice(-2)).toEqual([
      ['join', TaskStatus.Completed],
      ['after', TaskStatus.Scheduled],
    ]);
  });

  it('runs a switch inside a branch: the JOIN waits for the task the case ran', () => {
    const def = aDefinition([
      aFork('fork', [
        [aTask('SWITCH', 'route', { evaluatorType: 'value-param', expression: 'k', inputParameters: { k: 'x' }, decisionCases: { x: [aSimpleTask('x1')] } }), aSimpleTask('l_last')],
        [aSimpleTask('r1')],
      ]),
      aJoin('join', ['l_last', 'r1']),
    ]);

    const { state } = run(def, [
      [T0, started()],
      [T0 + 1, completes('r1')],
      [T0 + 2, completes('x1')],
    ]);
    expect(taskOf(state, 'join').status).toBe(TaskStatus.InProgress);
    expect(taskOf(state, 'l_last').status).toBe(TaskStatus.Scheduled);

    const done = run(def, [
      [T0, started()],
      [T0 + 1, completes('r1')],
      [T0 + 2, completes('x1')],
      [T0 + 3, completes('l_last')],
    ]);
    expect(done.state.workflow.status).toBe(WorkflowStatus.Completed);
  });

  it('fails the workflow when a non-optional branch task fails with no retries, cancelling the other branch and the JOIN', () => {
    const def = forked([aSimpleTask('l1', {}, { retryCount: 0 }), aSimpleTask('l2')]);

    const { state, last } = run(def, [
      [T0, started()],
      [T0 + 1000, fails('l1', 'FAILED', 'disk full')],
    ]);

    expect(statuses(state)).toEqual([
      ['fork', TaskStatus.Completed],
      ['l1', TaskStatus.Failed],
      ['r1', TaskStatus.Canceled],
      ['join', TaskStatus.Canceled],
    ]);
    expect(state.workflow).toMatchObject({ status: WorkflowStatus.Failed, reasonForIncompletion: 'disk full', failedReferenceTaskNames: ['l1'], endTime: T0 + 1000 });
    expect(shorthand(state, last)).toEqual([
      'start.begin:l1#0',
      'start.failed:l1#0',
      'queue.remove:l1#0',
      'cancel.success:r1#0',
      'queue.remove:r1#0',
      'cancel.success:join#0',
      'timer.cancel-all',
      'workflow.failed',
    ]);
  });

  it('retries a failed branch task and joins on the retry', () => {
    const def = forked([aSimpleTask('l1'), aSimpleTask('l2', {}, { retryCount: 1 })]);

    const { state } = run(def, [
      [T0, started()],
      [T0 + 1, completes('l1')],
      [T0 + 2, completes('r1', { r: 1 })],
      [T0 + 3, fails('l2')],
      [T0 + 60_003, completes('l2', { second: true })],
    ]);

    expect(statuses(state).filter(([ref]) => ref === 'l2')).toEqual([
      ['l2', TaskStatus.Failed],
      ['l2', TaskStatus.Completed],
    ]);
    expect(taskOf(state, 'join')).toMatchObject({ status: TaskStatus.Completed, outputData: { l2: { second: true }, r1: { r: 1 } } });
  });

  it('tolerates a failing optional branch task: COMPLETED_WITH_ERRORS, and the JOIN still completes (with errors, as Conductor)', () => {
    const def = forked(undefined, [aSimpleTask('r1', {}, { optional: true, retryCount: 0 })]);

    const { state } = run(def, [
      [T0, started()],
      [T0 + 1, fails('r1', 'FAILED', 'flaky')],
      [T0 + 2, completes('l1')],
      [T0 + 3, completes('l2', { ok: true })],
    ]);

    expect(taskOf(state, 'r1')).toMatchObject({ status: TaskStatus.CompletedWithErrors, reasonForIncompletion: 'flaky' });
    expect(taskOf(state, 'join')).toMatchObject({ status: TaskStatus.CompletedWithErrors, endTime: T0 + 3, outputData: { l2: { ok: true }, r1: {} } });
    expect(taskOf(state, 'after').status).toBe(TaskStatus.Scheduled);
    expect(state.workflow.status).toBe(WorkflowStatus.Running);
  });

  it('runs an empty branch as nothing: the JOIN waits for the others', () => {
    const def = aDefinition([aFork('fork', [[], [aSimpleTask('r1')]]), aJoin('join', ['r1']), aSimpleTask('after')]);

    const { state } = run(def, [
      [T0, started()],
      [T0 + 1, completes('r1')],
    ]);

    expect(statuses(state)).toEqual([
      ['fork', TaskStatus.Completed],
      ['r1', TaskStatus.Completed],
      ['join', TaskStatus.Completed],
      ['after', TaskStatus.Scheduled],
    ]);
  });

  it('completes the JOIN on its joinOn tasks alone; the workflow still waits for every branch', () => {
    const def = aDefinition([aFork('fork', [[aSimpleTask('l1')], [aSimpleTask('r1')]]), aJoin('join', ['l1'])]);

    const { state } = run(def, [
      [T0, started()],
      [T0 + 1, completes('l1')],
    ]);
    expect(taskOf(state, 'join').status).toBe(TaskStatus.Completed);
    expect(state.workflow.status).toBe(WorkflowStatus.Running);

    const done = run(def, [
      [T0, started()],
      [T0 + 1, completes('l1')],
      [T0 + 2, completes('r1')],
    ]);
    expect(done.state.workflow.status).toBe(WorkflowStatus.Completed);
  });
});

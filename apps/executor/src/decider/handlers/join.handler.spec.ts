import { ErrorCode, TaskStatus, WorkflowTask } from '@app/contracts';
import { decide } from '../decide';
import { NO_EVALUATORS } from '../evaluators';
import { loadTestEvaluators } from '../testing/evaluators';
import { aDefinition, aSimpleTask, aTask, completes, fails, reported, run, started, T0, taskOf, useEvaluators } from '../testing/builders';

const aFork = (forkTasks: WorkflowTask[][]): WorkflowTask => aTask('FORK_JOIN', 'fork', { forkTasks });
const aJoin = (joinOn: string[]): WorkflowTask => aTask('JOIN', 'join', { joinOn });

describe('JOIN: waits for its joinOn tasks', () => {
  const def = aDefinition([aFork([[aSimpleTask('a', {}, { retryCount: 1 })], [aSimpleTask('b', {}, { optional: true, retryCount: 0 })], [aSimpleTask('c1'), aSimpleTask('c2')]]), aJoin(['a', 'b', 'c2'])]);

  it.each<[string, Array<readonly [string, 'COMPLETED' | 'FAILED']>, string]>([
    ['nothing ended: IN_PROGRESS', [], TaskStatus.InProgress],
    ['some ended: IN_PROGRESS', [['a', 'COMPLETED'], ['b', 'COMPLETED']], TaskStatus.InProgress],
    ['a joined task not scheduled yet (c2 waits for c1): IN_PROGRESS', [['a', 'COMPLETED'], ['b', 'COMPLETED'], ['c1', 'COMPLETED']], TaskStatus.InProgress],
    ['a failed joined task whose retry is pending: IN_PROGRESS', [['b', 'COMPLETED'], ['c1', 'COMPLETED'], ['c2', 'COMPLETED'], ['a', 'FAILED']], TaskStatus.InProgress],
    ['every joined task completed: COMPLETED', [['a', 'COMPLETED'], ['b', 'COMPLETED'], ['c1', 'COMPLETED'], ['c2', 'COMPLETED']], TaskStatus.Completed],
    ['an optional joined task failed: COMPLETED_WITH_ERRORS', [['a', 'COMPLETED'], ['b', 'FAILED'], ['c1', 'COMPLETED'], ['c2', 'COMPLETED']], TaskStatus.CompletedWithErrors],
  ])('%s', (_, results, expected) => {
    const { state } = run(def, [[T0, started()], ...results.map(([ref, status], i) => [T0 + i + 1, status === 'COMPLETED' ? completes(ref, { ref }) : fails(ref)] as const)]);

    expect(taskOf(state, 'join').status).toBe(expected);
  });

  it("outputs each joined task's output under its reference name", () => {
    const { state } = run(def, [
      [T0, started()],
      [T0 + 1, completes('a', { x: 1 })],
      [T0 + 2, completes('b', { y: [2] })],
      [T0 + 3, completes('c1', { ignored: true })],
      [T0 + 4, completes('c2', { z: { deep: 3 } })],
    ]);

    expect(taskOf(state, 'join')).toMatchObject({ status: TaskStatus.Completed, endTime: T0 + 4, outputData: { a: { x: 1 }, b: { y: [2] }, c2: { z: { deep: 3 } } } });
  });

  it('names the tolerated failures in its reasonForIncompletion when it completes with errors', () => {
    const { state } = run(def, [
      [T0, started()],
      [T0 + 1, fails('b')],
      [T0 + 2, completes('a')],
      [T0 + 3, completes('c1')],
      [T0 + 4, completes('c2')],
    ]);

    const b = taskOf(state, 'b');
    expect(taskOf(state, 'join')).toMatchObject({ status: TaskStatus.CompletedWithErrors, reasonForIncompletion: `b_task/${b.taskId} completed with errors` });
  });

  it('refuses a task result: the engine completes a JOIN', () => {
    const { state } = run(def, [[T0, started()]]);

    const decision = decide(def, state, reported(taskOf(state, 'join').taskId, 'COMPLETED'), T0 + 1);

    expect(decision.rejection?.code).toBe(ErrorCode.InvalidArgument);
    expect(decision.state).toBe(state);
  });
});

describe('JOIN with a join script (expression)', () => {
  beforeAll(async () => useEvaluators(await loadTestEvaluators()));

  const scripted = (expression: string) =>
    aDefinition([
      aFork([[aSimpleTask('a', {}, { optional: true, retryCount: 0 })], [aSimpleTask('b', {}, { optional: true, retryCount: 0 })], [aSimpleTask('c')]]),
      aTask('JOIN', 'join', { joinOn: ['a', 'b', 'c'], expression, inputParameters: { quorum: 2 } }),
      aSimpleTask('after'),
    ]);
  const quorum = `(function () {
    const done = $.joinOn.filter((r) => $[r] && $[r].status === 'COMPLETED');
    if (done.length >= $.quorum) return { status: 'COMPLETED', outputData: { done: done } };
    return { status: 'IN_PROGRESS', outputData: { waitingFor: $.quorum - done.length } };
  })()`;

  it('completes as soon as the script says so, with its output over the joined outputs, and the flow goes on', () => {
    const { state } = run(scripted(quorum), [
      [T0, started()],
      [T0 + 1, completes('a', { x: 1 })],
      [T0 + 2, completes('c', { z: 3 })],
    ]);

    expect(taskOf(state, 'join')).toMatchObject({ status: TaskStatus.Completed, outputData: { a: { x: 1 }, b: {}, c: { z: 3 }, done: ['a', 'c'] } });
    expect(taskOf(state, 'after').status).toBe(TaskStatus.Scheduled);
    // The branch still running is not cut short: the workflow ends once it ends.
    expect(taskOf(state, 'b').status).toBe(TaskStatus.Scheduled);
  });

  it('waits while the script says IN_PROGRESS, showing its output on the JOIN', () => {
    const { state } = run(scripted(quorum), [
      [T0, started()],
      [T0 + 1, completes('a')],
    ]);

    expect(taskOf(state, 'join')).toMatchObject({ status: TaskStatus.InProgress, outputData: { waitingFor: 1 } });
  });

  it.each<[string, string, Array<[string, boolean]>, string, string | undefined]>([
    ['true completes', 'true', [['a', true]], TaskStatus.Completed, undefined],
    ['false waits', 'false', [['a', true], ['b', true]], TaskStatus.InProgress, undefined],
    ['a FAILED verdict fails the JOIN (and the workflow)', "({ status: 'FAILED', reasonForIncompletion: 'not enough' })", [['a', true]], TaskStatus.Failed, 'not enough'],
    ['a script that throws fails it for good', "throw new Error('bad join')", [['a', true]], TaskStatus.FailedWithTerminalError, 'bad join'],
    ['an unknown status fails it for good', "({ status: 'SKIPPED' })", [['a', true]], TaskStatus.FailedWithTerminalError, 'SKIPPED'],
    ['waiting after every joined task ended fails it for good', 'false', [['a', true], ['b', false], ['c', true]], TaskStatus.FailedWithTerminalError, 'every task it joins on had ended'],
    ['an optional failure is the script’s to judge', "$.b && $.b.status === 'COMPLETED_WITH_ERRORS'", [['b', false]], TaskStatus.Completed, undefined],
  ])('%s', (_, expression, results, expected, reason) => {
    const { state } = run(scripted(expression), [[T0, started()], ...results.map(([ref, ok], i) => [T0 + i + 1, ok ? completes(ref) : fails(ref)] as const)]);

    expect(taskOf(state, 'join').status).toBe(expected);
    if (reason) expect(taskOf(state, 'join').reasonForIncompletion).toContain(reason);
  });

  it('runs the script only when a joined task changed', () => {
    let calls = 0;
    const counting = { ...NO_EVALUATORS, javascript: () => ((calls += 1), { ok: true as const, value: false }) };
    const def = scripted('false');
    const first = decide(def, null, started(), T0, counting);
    expect(calls).toBe(1); // the JOIN was scheduled
    const cTask = taskOf(first.state, 'c');
    // A lease changes c (SCHEDULED → IN_PROGRESS): the script runs again; a result for nothing joined would not.
    decide(def, first.state, { type: 'task.leased', taskId: cTask.taskId, leasedAt: T0 + 1, pollCount: 1 }, T0 + 1, counting);
    expect(calls).toBe(2);
  });
});

import { ErrorCode, TaskStatus, WorkflowTask } from '@app/contracts';
import { decide } from '../decide';
import { aDefinition, aSimpleTask, aTask, completes, fails, reported, run, started, T0, taskOf } from '../testing/builders';

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

import { TaskStatus, WorkflowStatus, WorkflowTask } from '@app/contracts';
import { aDefinition, aSimpleTask, aTask, completes, fails, run, started, statuses, T0, taskOf } from '../testing/builders';

/** A value-param SWITCH on `route` whose cases end in `a2` or `b1`, closed by an EXCLUSIVE_JOIN. */
const routed = (join: Partial<WorkflowTask> = {}) =>
  aDefinition([
    aTask('SWITCH', 'route', {
      evaluatorType: 'value-param',
      expression: 'route',
      inputParameters: { route: '${workflow.input.route}' },
      decisionCases: { a: [aSimpleTask('a1'), aSimpleTask('a2', {}, { retryCount: 0 })], b: [aSimpleTask('b1', {}, { optional: true, retryCount: 0 })] },
      defaultCase: [aSimpleTask('d1')],
    }),
    aTask('EXCLUSIVE_JOIN', 'join', { joinOn: ['a2', 'b1'], ...join }),
    aSimpleTask('after', { got: '${join.output}' }),
  ]);

describe('EXCLUSIVE_JOIN', () => {
  it('completes with the output of the case that ran, and the flow goes on', () => {
    const { state } = run(routed(), [
      [T0, started({ route: 'a' })],
      [T0 + 1, completes('a1')],
      [T0 + 2, completes('a2', { from: 'a' })],
    ]);

    expect(statuses(state)).toEqual([
      ['route', TaskStatus.Completed],
      ['a1', TaskStatus.Completed],
      ['a2', TaskStatus.Completed],
      ['join', TaskStatus.Completed],
      ['after', TaskStatus.Scheduled],
    ]);
    expect(taskOf(state, 'join')).toMatchObject({ taskType: 'EXCLUSIVE_JOIN', inputData: { joinOn: ['a2', 'b1'], defaultExclusiveJoinTask: [] }, outputData: { from: 'a' } });
    expect(taskOf(state, 'after').inputData).toEqual({ got: { from: 'a' } });
  });

  it('takes the other case the same way', () => {
    const { state } = run(routed(), [
      [T0, started({ route: 'b' })],
      [T0 + 1, completes('b1', { from: 'b' })],
    ]);

    expect(taskOf(state, 'join').outputData).toEqual({ from: 'b' });
  });

  it('completes over a joined task whose failure was tolerated (optional: COMPLETED_WITH_ERRORS)', () => {
    const { state } = run(routed(), [
      [T0, started({ route: 'b' })],
      [T0 + 1, fails('b1', 'FAILED', 'no stock')],
    ]);

    expect(taskOf(state, 'b1').status).toBe(TaskStatus.CompletedWithErrors);
    expect(taskOf(state, 'join').status).toBe(TaskStatus.Completed);
  });

  it('falls back to defaultExclusiveJoinTask when no listed task ran', () => {
    const { state } = run(routed({ defaultExclusiveJoinTask: ['d1'] } as Partial<WorkflowTask>), [
      [T0, started({ route: 'zzz' })],
      [T0 + 1, completes('d1', { from: 'default' })],
    ]);

    expect(taskOf(state, 'join').outputData).toEqual({ from: 'default' });
    expect(taskOf(state, 'after').status).toBe(TaskStatus.Scheduled);
  });

  it('completes with no output when no listed task ran and there is no default', () => {
    const { state } = run(routed(), [
      [T0, started({ route: 'zzz' })],
      [T0 + 1, completes('d1', { from: 'default' })],
    ]);

    expect(taskOf(state, 'join')).toMatchObject({ status: TaskStatus.Completed, outputData: {} });
  });

  it('ends the workflow FAILED with the joined task when it failed for good', () => {
    const { state } = run(routed(), [
      [T0, started({ route: 'a' })],
      [T0 + 1, completes('a1')],
      [T0 + 2, fails('a2', 'FAILED', 'broken')],
    ]);

    expect(state.workflow.status).toBe(WorkflowStatus.Failed);
    expect(state.workflow.failedReferenceTaskNames).toEqual(['a2']);
  });
});

import { TaskStatus, WorkflowStatus } from '@app/contracts';
import { aDefinition, aSimpleTask, aTask, completes, run, started, statuses, T0, taskOf } from '../testing/builders';
import { MAX_WORKFLOW_VARIABLES_BYTES } from './set-variable.handler';

describe('SET_VARIABLE', () => {
  it('merges its input into the workflow variables, completes, and later tasks read them', () => {
    const def = aDefinition(
      [
        aTask('SET_VARIABLE', 'first', { inputParameters: { name: '${workflow.input.name}', count: 1 } }),
        aTask('SET_VARIABLE', 'second', { inputParameters: { count: 2, list: [1, 2] } }),
        aSimpleTask('after', { greeting: 'hello ${workflow.variables.name}', count: '${workflow.variables.count}' }),
      ],
      { variables: { preset: true, count: 0 } },
    );
    const { state } = run(def, [[T0, started({ name: 'ada' })]]);

    expect(statuses(state)).toEqual([
      ['first', TaskStatus.Completed],
      ['second', TaskStatus.Completed],
      ['after', TaskStatus.Scheduled],
    ]);
    expect(state.workflow.variables).toEqual({ preset: true, name: 'ada', count: 2, list: [1, 2] });
    expect(taskOf(state, 'after').inputData).toEqual({ greeting: 'hello ada', count: 2 });
  });

  it('refuses variables past 256 KB: a terminal failure, and the variables stay as they were', () => {
    const big = 'x'.repeat(MAX_WORKFLOW_VARIABLES_BYTES);
    const def = aDefinition([aTask('SET_VARIABLE', 'small', { inputParameters: { a: 1 } }), aTask('SET_VARIABLE', 'huge', { inputParameters: { big: '${workflow.input.big}' } })]);
    const { state } = run(def, [[T0, started({ big })]]);

    expect(taskOf(state, 'huge')).toMatchObject({ status: TaskStatus.FailedWithTerminalError });
    expect(taskOf(state, 'huge').reasonForIncompletion).toMatch(/greater than the permissible limit: 262144 bytes/);
    expect(state.workflow.variables).toEqual({ a: 1 });
    expect(state.workflow.status).toBe(WorkflowStatus.Failed);
  });

  it('sets variables that a task completed later in the run sees', () => {
    const def = aDefinition([aSimpleTask('work'), aTask('SET_VARIABLE', 'keep', { inputParameters: { result: '${work.output.value}' } })]);
    const { state } = run(def, [
      [T0, started()],
      [T0 + 1, completes('work', { value: 42 })],
    ]);

    expect(state.workflow.variables).toEqual({ result: 42 });
    expect(state.workflow.status).toBe(WorkflowStatus.Completed);
  });
});

describe('variables set from outside the run (an event handler)', () => {
  const waiting = aDefinition([aSimpleTask('work')], { variables: { seen: ['a'], n: 1 } });

  it.each<[string, { variables: Record<string, unknown>; appendArray?: boolean }, Record<string, unknown>]>([
    ['merged, a key given again replaced', { variables: { n: 2, m: 'x' } }, { seen: ['a'], n: 2, m: 'x' }],
    ['with appendArray, lists appended to lists', { variables: { seen: ['b', 'c'], n: 3 }, appendArray: true }, { seen: ['a', 'b', 'c'], n: 3 }],
    ['with appendArray, one value appended to a list', { variables: { seen: 'b' }, appendArray: true }, { seen: ['a', 'b'], n: 1 }],
    ['too large: dropped', { variables: { big: 'x'.repeat(300 * 1024) } }, { seen: ['a'], n: 1 }],
  ])('%s', (_, update, expected) => {
    const { state } = run(waiting, [
      [T0, started()],
      [T0 + 1, { type: 'workflow.variables', ...update }],
    ]);
    expect(state.workflow.variables).toEqual(expected);
  });
});

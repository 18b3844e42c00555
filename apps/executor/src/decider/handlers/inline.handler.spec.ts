import { TaskStatus, WorkflowStatus } from '@app/contracts';
import { loadTestEvaluators } from '../testing/evaluators';
import { aDefinition, aSimpleTask, aTask, run, started, statuses, T0, taskOf, useEvaluators } from '../testing/builders';

beforeAll(async () => useEvaluators(await loadTestEvaluators()));

const inline = (inputParameters: Record<string, unknown>) => aDefinition([aTask('INLINE', 'calc', { inputParameters }), aSimpleTask('after', { got: '${calc.output.result}' })]);

describe('INLINE', () => {
  it.each<[string, Record<string, unknown>, unknown]>([
    ['a javascript expression over $', { evaluatorType: 'javascript', expression: '$.a * 2', a: '${workflow.input.a}' }, 42],
    ['graaljs, ES6 and a trailing call', { evaluatorType: 'graaljs', expression: 'const f = ({ a }) => [a, a + 1]; f($)', a: 1 }, [1, 2]],
    ['the default evaluator (javascript)', { expression: "'hello ' + $.name", name: 'ada' }, 'hello ada'],
    ['a template literal, its ${ escaped from parameter expressions as $${', { expression: '`hello $${$.name}`', name: 'ada' }, 'hello ada'],
    ['an object result', { evaluatorType: 'javascript', expression: '({ sum: $.list.reduce((x, y) => x + y, 0) })', list: [1, 2, 3] }, { sum: 6 }],
    ['undefined, as null', { evaluatorType: 'javascript', expression: 'undefined' }, null],
    ['value-param', { evaluatorType: 'value-param', expression: 'pick', pick: { deep: 1 } }, { deep: 1 }],
  ])('completes with { result } of %s, and the flow goes on with it', (_, inputParameters, result) => {
    const { state } = run(inline(inputParameters), [[T0, started({ a: 21 })]]);

    expect(statuses(state)).toEqual([
      ['calc', TaskStatus.Completed],
      ['after', TaskStatus.Scheduled],
    ]);
    expect(taskOf(state, 'calc').outputData).toEqual({ result });
    expect(taskOf(state, 'after').inputData).toEqual({ got: result });
  });

  it.each<[string, string, RegExp]>([
    ['a script that throws', "throw new Error('bad two')", /^Error evaluating the script `.*bad two.*`$/],
    ['a syntax error', '$.a +', /^Error evaluating the script `/],
    ['a script that never ends', 'while (true) {}', /^Error evaluating the script `.*(interrupt|time)/i],
  ])('fails with a terminal error on %s, its message in the reason and the output', (_, expression, reason) => {
    const { state } = run(inline({ evaluatorType: 'javascript', expression }), [[T0, started()]]);

    const calc = taskOf(state, 'calc');
    expect(calc.status).toBe(TaskStatus.FailedWithTerminalError);
    expect(calc.reasonForIncompletion).toMatch(reason);
    expect(calc.outputData.error).toBe(calc.reasonForIncompletion);
    expect(state.workflow.status).toBe(WorkflowStatus.Failed);
  });

  it('sees only its input: no host, no state left by an earlier script', () => {
    const def = aDefinition([
      aTask('INLINE', 'first', { inputParameters: { expression: 'globalThis.leak = 1; typeof require + typeof process' } }),
      aTask('INLINE', 'second', { inputParameters: { expression: 'typeof globalThis.leak' } }),
    ]);
    const { state } = run(def, [[T0, started()]]);

    expect(taskOf(state, 'first').outputData).toEqual({ result: 'undefinedundefined' });
    expect(taskOf(state, 'second').outputData).toEqual({ result: 'undefined' });
  });
});

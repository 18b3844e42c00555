import { TaskStatus, WorkflowStatus } from '@app/contracts';
import { loadTestEvaluators } from '../testing/evaluators';
import { aDefinition, aTask, run, started, T0, taskOf, useEvaluators } from '../testing/builders';

beforeAll(async () => useEvaluators(await loadTestEvaluators()));

const jq = (queryExpression: string, inputParameters: Record<string, unknown> = {}) =>
  aDefinition([aTask('JSON_JQ_TRANSFORM', 'shape', { inputParameters: { queryExpression, ...inputParameters }, taskDefinition: { name: 'shape', retryCount: 0 } })]);

describe('JSON_JQ_TRANSFORM', () => {
  it.each<[string, string, Record<string, unknown>, unknown, unknown[]]>([
    ['a map over a list', '.items | map(. * 10)', { items: [1, 2, 3] }, [10, 20, 30], [[10, 20, 30]]],
    ['several outputs: result is the first', '.items[]', { items: [1, 2] }, 1, [1, 2]],
    ['an object built from the input, queryExpression included', '{k: (keys | sort), x}', { x: 1 }, { k: ['queryExpression', 'x'], x: 1 }, [{ k: ['queryExpression', 'x'], x: 1 }]],
    ['no output: result null', 'empty', {}, null, []],
    ['input from expressions', '.user.name | ascii_upcase', { user: '${workflow.input.user}' }, 'ADA', ['ADA']],
  ])('completes with result and resultList for %s', (_, query, input, result, resultList) => {
    const { state } = run(jq(query, input), [[T0, started({ user: { name: 'ada' } })]]);

    expect(taskOf(state, 'shape')).toMatchObject({ status: TaskStatus.Completed, outputData: { result, resultList } });
    expect(state.workflow.status).toBe(WorkflowStatus.Completed);
  });

  it.each<[string, string]>([
    ['a program that does not compile', '.items | map('],
    ['a run-time error', '.x + 1'],
  ])('fails the task on %s, with the message in the reason and the output', (_, query) => {
    const { state } = run(jq(query, { x: 'text' }), [[T0, started()]]);

    const shape = taskOf(state, 'shape');
    expect(shape.status).toBe(TaskStatus.Failed);
    expect(shape.reasonForIncompletion).toBeTruthy();
    expect(shape.outputData.error).toBe(shape.reasonForIncompletion);
  });
});

import { TaskStatus } from '@app/contracts';
import { loadTestEvaluators } from '../testing/evaluators';
import { aDefinition, aTask, run, started, T0, taskOf, useEvaluators } from '../testing/builders';

beforeAll(async () => useEvaluators(await loadTestEvaluators()));

describe('LAMBDA', () => {
  it('runs scriptExpression as a function body over $ and completes with { result }', () => {
    const def = aDefinition([aTask('LAMBDA', 'twice', { inputParameters: { scriptExpression: 'if ($.n > 2) { return { twice: $.n * 2 }; } return null;', n: '${workflow.input.n}' } })]);
    const { state } = run(def, [[T0, started({ n: 4 })]]);

    expect(taskOf(state, 'twice')).toMatchObject({ status: TaskStatus.Completed, outputData: { result: { twice: 8 } } });
  });

  it('fails the task when the script throws, and retries it per its definition', () => {
    const def = aDefinition([aTask('LAMBDA', 'boom', { inputParameters: { scriptExpression: "throw new Error('nope')" }, taskDefinition: { name: 'boom', retryCount: 1, retryDelaySeconds: 0 } })]);
    const { state } = run(def, [[T0, started()]]);

    const attempts = state.tasks.filter((t) => t.referenceTaskName === 'boom');
    expect(attempts.map((t) => t.status)).toEqual([TaskStatus.Failed, TaskStatus.Failed]);
    expect(attempts[0].reasonForIncompletion).toMatch(/^Failed to execute the script: .*nope/);
  });
});

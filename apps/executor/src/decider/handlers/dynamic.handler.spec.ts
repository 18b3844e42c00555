import { carriesOwnWorkflowTask, TaskStatus, withDefinitionParts, withTaskDefDefaults, WorkflowStatus } from '@app/contracts';
import { decide } from '../decide';
import { NO_EVALUATORS } from '../evaluators';
import { aDefinition, aSimpleTask, aTask, commandsOf, completes, fails, run, started, statuses, T0, taskOf } from '../testing/builders';

const chosenBy = aDefinition([
  aTask('DYNAMIC', 'pick', { name: 'dynamic_step', dynamicTaskNameParam: 'taskToRun', inputParameters: { taskToRun: '${workflow.input.kind}', order: '${workflow.input.order}' } }),
  aSimpleTask('after', { got: '${pick.output.done}' }),
]);

describe('DYNAMIC', () => {
  it('queues a worker task of the name its input chooses, under its own reference', () => {
    const { state, last } = run(chosenBy, [[T0, started({ kind: 'ship_by_air', order: 7 })]]);

    expect(taskOf(state, 'pick')).toMatchObject({ taskType: 'ship_by_air', taskDefName: 'ship_by_air', status: TaskStatus.Scheduled, inputData: { taskToRun: 'ship_by_air', order: 7 } });
    expect(commandsOf(last, 'queue.push')).toEqual([expect.objectContaining({ queueName: 'ship_by_air' })]);
  });

  it('completes with the worker result and the flow goes on', () => {
    const { state } = run(chosenBy, [
      [T0, started({ kind: 'ship_by_air' })],
      [T0 + 1, completes('pick', { done: true })],
    ]);

    expect(statuses(state)).toEqual([
      ['pick', TaskStatus.Completed],
      ['after', TaskStatus.Scheduled],
    ]);
    expect(taskOf(state, 'after').inputData).toEqual({ got: true });
  });

  it('is retried as a task of the chosen name', () => {
    const { state, last } = run(chosenBy, [
      [T0, started({ kind: 'ship_by_sea' })],
      [T0 + 1, fails('pick')],
    ]);

    expect(statuses(state)).toEqual([
      ['pick', TaskStatus.Failed],
      ['pick', TaskStatus.Scheduled],
    ]);
    expect(taskOf(state, 'pick').taskType).toBe('ship_by_sea');
    expect(commandsOf(last, 'queue.push')).toEqual([expect.objectContaining({ queueName: 'ship_by_sea' })]);
  });

  it.each<[string, Record<string, unknown>]>([
    ['no name', {}],
    ['a name that is not text', { kind: 42 }],
  ])('fails the workflow with a terminal error on %s', (_, input) => {
    const { state } = run(chosenBy, [[T0, started(input)]]);

    expect(taskOf(state, 'pick').status).toBe(TaskStatus.FailedWithTerminalError);
    expect(taskOf(state, 'pick').reasonForIncompletion).toMatch(/^Cannot map a dynamic task based on the parameter and input. Parameter= taskToRun/);
    expect(state.workflow.status).toBe(WorkflowStatus.Failed);
  });
});

describe('DYNAMIC and the task definition of the chosen name', () => {
  const registered = (name: string) => (name === 'ship_by_air' ? withTaskDefDefaults({ name, retryCount: 2, retryDelaySeconds: 0, responseTimeoutSeconds: 45 }) : undefined);

  it('runs with the definition registered under the chosen name, which its stored row keeps', () => {
    const first = decide(chosenBy, null, started({ kind: 'ship_by_air' }), T0, NO_EVALUATORS, registered);
    const pick = taskOf(first.state, 'pick');
    expect(pick).toMatchObject({ responseTimeoutSeconds: 45, workflowTask: { name: 'ship_by_air', taskDefinition: { retryCount: 2 } } });
    expect(commandsOf([...first.commands], 'queue.push')).toEqual([expect.objectContaining({ leaseMs: 45_000 })]);

    // Stored and loaded again, the row keeps the chosen task and its definition (the run's definition has neither).
    expect(carriesOwnWorkflowTask(pick, chosenBy)).toBe(true);
    const reloaded = withDefinitionParts(JSON.parse(JSON.stringify(pick)) as typeof pick, chosenBy);
    expect(reloaded.workflowTask).toEqual(pick.workflowTask);
    expect(carriesOwnWorkflowTask(taskOf(first.state, 'pick'), chosenBy)).toBe(true);
  });

  it('keeps the ad-hoc defaults when nothing is registered under the chosen name', () => {
    const { state } = run(chosenBy, [[T0, started({ kind: 'ship_by_sea' })]]);
    expect(taskOf(state, 'pick')).toMatchObject({ responseTimeoutSeconds: 3600 });
  });
});

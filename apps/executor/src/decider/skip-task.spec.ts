import { ErrorCode, TaskStatus, WorkflowStatus } from '@app/contracts';
import { decide } from './decide';
import { aDefinition, aSimpleTask, aTask, completes, run, started, statuses, T0, taskOf } from './testing/builders';

const def = aDefinition(
  [aSimpleTask('first'), aSimpleTask('second'), aSimpleTask('third', { fromSecond: '${second.output.v}' }), aTask('DO_WHILE', 'loop', { loopCondition: 'false', loopOver: [aSimpleTask('inner')] })],
  { outputParameters: {} },
);

describe('skiptask', () => {
  it('records a task the flow has not reached as SKIPPED with the given output; the flow passes over it', () => {
    const { state } = run(def, [
      [T0, started()],
      [T0 + 1, { type: 'workflow.skip-task', taskReferenceName: 'second', taskInput: { why: 'ops' }, taskOutput: { v: 42 } }],
      [T0 + 2, completes('first')],
    ]);
    expect(statuses(state)).toEqual([
      ['first', TaskStatus.Completed],
      ['second', TaskStatus.Skipped],
      ['third', TaskStatus.Scheduled],
    ]);
    expect(taskOf(state, 'second')).toMatchObject({ inputData: { why: 'ops' }, outputData: { v: 42 } });
    expect(taskOf(state, 'third').inputData).toEqual({ fromSecond: 42 });
  });

  it.each<[string, string, string]>([
    ['a task that already ran', 'first', ErrorCode.WorkflowConflict],
    ['a reference the definition does not have', 'nope', ErrorCode.InvalidArgument],
    ['a task inside a DO_WHILE', 'inner', ErrorCode.InvalidArgument],
  ])('refuses %s', (_, ref, code) => {
    const { state } = run(def, [[T0, started()]]);
    expect(decide(def, state, { type: 'workflow.skip-task', taskReferenceName: ref }, T0 + 1).rejection).toMatchObject({ code });
  });

  it('refuses once the workflow has ended', () => {
    const { state } = run(aDefinition([aSimpleTask('only'), aSimpleTask('later')]), [[T0, started()]]);
    const ended = { ...state, workflow: { ...state.workflow, status: WorkflowStatus.Terminated } };
    expect(decide(aDefinition([aSimpleTask('only'), aSimpleTask('later')]), ended, { type: 'workflow.skip-task', taskReferenceName: 'later' }, T0 + 1).rejection).toMatchObject({ code: ErrorCode.WorkflowConflict });
  });
});

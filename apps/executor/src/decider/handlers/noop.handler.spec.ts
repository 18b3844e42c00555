import { TaskStatus, WorkflowStatus } from '@app/contracts';
import { aDefinition, aSimpleTask, aTask, run, shorthand, started, statuses, T0, taskOf } from '../testing/builders';

describe('NOOP', () => {
  it('completes in the decision that reaches it, and the flow goes on', () => {
    const { state, last } = run(aDefinition([aTask('NOOP', 'nothing'), aSimpleTask('after')]), [[T0, started()]]);

    expect(statuses(state)).toEqual([
      ['nothing', TaskStatus.Completed],
      ['after', TaskStatus.Scheduled],
    ]);
    expect(taskOf(state, 'nothing')).toMatchObject({ taskType: 'NOOP', outputData: {}, startTime: T0, endTime: T0, executed: true });
    expect(shorthand(state, last)).toEqual(['start.success:nothing#0', 'produce.success:after#0', 'queue.push:after#0', 'workflow.started']);
  });

  it('as the last task, completes the workflow at once', () => {
    const { state } = run(aDefinition([aTask('NOOP', 'a'), aTask('NOOP', 'b')]), [[T0, started()]]);

    expect(state.workflow.status).toBe(WorkflowStatus.Completed);
    expect(statuses(state)).toEqual([
      ['a', TaskStatus.Completed],
      ['b', TaskStatus.Completed],
    ]);
  });
});

import { TaskStatus, WorkflowStatus } from '@app/contracts';
import { aDefinition, aSimpleTask, aTask, byRef, commandsOf, reported, run, started, statuses, T0, taskOf } from '../testing/builders';

const approval = aDefinition([aTask('HUMAN', 'approve', { inputParameters: { amount: '${workflow.input.amount}' } }), aSimpleTask('after', { approved: '${approve.output.approved}' })]);

describe('HUMAN', () => {
  it('is IN_PROGRESS with its input, and neither queued nor timed', () => {
    const { state, last } = run(approval, [[T0, started({ amount: 10 })]]);

    expect(statuses(state)).toEqual([['approve', TaskStatus.InProgress]]);
    expect(taskOf(state, 'approve')).toMatchObject({ taskType: 'HUMAN', inputData: { amount: 10 }, startTime: T0 });
    expect(commandsOf(last, 'queue.push')).toEqual([]);
    expect(commandsOf(last, 'timer.set')).toEqual([]);
  });

  it('completes with the output reported through the task API, and the flow goes on with it', () => {
    const { state } = run(approval, [
      [T0, started({ amount: 10 })],
      [T0 + 5000, byRef('approve', (id) => reported(id, 'COMPLETED', { outputData: { approved: true } }))],
    ]);

    expect(statuses(state)).toEqual([
      ['approve', TaskStatus.Completed],
      ['after', TaskStatus.Scheduled],
    ]);
    expect(taskOf(state, 'after').inputData).toEqual({ approved: true });
  });

  it('fails the workflow when reported FAILED_WITH_TERMINAL_ERROR', () => {
    const { state } = run(approval, [
      [T0, started({ amount: 10 })],
      [T0 + 5000, byRef('approve', (id) => reported(id, 'FAILED_WITH_TERMINAL_ERROR', { reasonForIncompletion: 'rejected' }))],
    ]);

    expect(state.workflow.status).toBe(WorkflowStatus.Failed);
    expect(state.workflow.reasonForIncompletion).toBe('rejected');
  });

  it('keeps progress reported IN_PROGRESS without ending', () => {
    const { state } = run(approval, [
      [T0, started({ amount: 10 })],
      [T0 + 1, byRef('approve', (id) => reported(id, 'IN_PROGRESS', { outputData: { seenBy: 'ada' } }))],
    ]);

    expect(statuses(state)).toEqual([['approve', TaskStatus.InProgress]]);
    expect(taskOf(state, 'approve').outputData).toEqual({ seenBy: 'ada' });
  });
});

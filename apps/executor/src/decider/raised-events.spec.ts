import { ErrorCode, TaskStatus, WorkflowStatus } from '@app/contracts';
import { decide } from './decide';
import { aDefinition, aSimpleTask, aTask, completes, run, started, statuses, T0, taskOf } from './testing/builders';

const raise = (name: string, data: Record<string, unknown> = {}) => ({ type: 'workflow.event' as const, name, data });

describe('raised events (Dapr)', () => {
  const def = aDefinition([aSimpleTask('prepare'), aTask('WAIT', 'approval', { inputParameters: { eventName: 'approved' } }), aTask('HUMAN', 'sign', { inputParameters: { eventName: 'signed' } })]);

  it('completes the task waiting for the event, its data the output', () => {
    const s = run(def, [
      [T0, started()],
      [T0 + 1, completes('prepare')],
      [T0 + 2, raise('approved', { by: 'ada' })],
    ]);
    expect(taskOf(s.state, 'approval')).toMatchObject({ status: TaskStatus.Completed, outputData: { by: 'ada' } });
    expect(taskOf(s.state, 'sign').status).toBe(TaskStatus.InProgress);
  });

  it('keeps an event raised before anything waits for it, for the task that will (and not for another name)', () => {
    const s = run(def, [
      [T0, started()],
      [T0 + 1, raise('signed', { ok: true })],
      [T0 + 2, raise('approved', { n: 1 })],
    ]);
    expect(s.state.workflow.raisedEvents?.map((e) => e.name)).toEqual(['signed', 'approved']);
    const after = decide(def, s.state, { type: 'task.result', result: { workflowInstanceId: s.state.workflow.workflowId, taskId: taskOf(s.state, 'prepare').taskId, status: 'COMPLETED' } }, T0 + 3);
    // Both waits take their events as they are reached: the workflow runs through.
    expect(statuses(after.state)).toEqual([
      ['prepare', TaskStatus.Completed],
      ['approval', TaskStatus.Completed],
      ['sign', TaskStatus.Completed],
    ]);
    expect(taskOf(after.state, 'sign').outputData).toEqual({ ok: true });
    expect(after.state.workflow.status).toBe(WorkflowStatus.Completed);
    expect(after.state.workflow.raisedEvents).toBeUndefined();
  });

  it('refuses an event for a workflow that has ended', () => {
    const one = aDefinition([aSimpleTask('only')]);
    const done = run(one, [
      [T0, started()],
      [T0 + 1, completes('only')],
    ]);
    expect(decide(one, done.state, raise('x'), T0 + 2).rejection).toMatchObject({ code: ErrorCode.WorkflowConflict });
  });
});

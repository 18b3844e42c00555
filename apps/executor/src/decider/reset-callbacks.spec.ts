import { TaskStatus } from '@app/contracts';
import { aDefinition, aSimpleTask, commandsOf, leased, reported, run, started, T0, taskOf } from './testing/builders';

describe('resetcallbacks', () => {
  const def = aDefinition([aSimpleTask('slow')]);

  it('hands out now a worker task waiting out its callbackAfterSeconds', () => {
    const { state, last } = run(def, [
      [T0, started()],
      [T0 + 1, (s) => leased(taskOf(s, 'slow').taskId, T0 + 1)],
      [T0 + 2, (s) => reported(taskOf(s, 'slow').taskId, 'IN_PROGRESS', { callbackAfterSeconds: 3600 })],
      [T0 + 3, { type: 'workflow.reset-callbacks' }],
    ]);
    expect(taskOf(state, 'slow')).toMatchObject({ status: TaskStatus.Scheduled, callbackAfterSeconds: 0 });
    expect(commandsOf(last, 'queue.push')).toEqual([expect.objectContaining({ taskId: taskOf(state, 'slow').taskId, visibleAt: T0 + 3 })]);
  });

  it('changes nothing for tasks not waiting on a callback', () => {
    const { last } = run(def, [
      [T0, started()],
      [T0 + 1, { type: 'workflow.reset-callbacks' }],
    ]);
    expect(last).toEqual([]);
  });
});

import type { DeciderEvent } from './events';
import { aDefinition, aSimpleTask, leased, reported, run, started, T0, taskOf } from './testing/builders';

describe('watching a workflow (its every change notified)', () => {
  const def = aDefinition([aSimpleTask('slow')]);

  it('a decide with watch flags the workflow and leaves its updateTime: looking at it is not a change', () => {
    const { state } = run(def, [
      [T0, started()],
      [T0 + 50, { type: 'workflow.decide', watch: true }],
    ]);
    expect(state.workflow).toMatchObject({ notifyChanges: true, updateTime: T0 });
  });

  it('a result reported with watch (`signal/sync`) flags it too, and the result is applied', () => {
    const { state } = run(def, [
      [T0, started()],
      [T0 + 1, (s) => leased(taskOf(s, 'slow').taskId, T0 + 1)],
      [T0 + 5, (s) => ({ ...reported(taskOf(s, 'slow').taskId, 'COMPLETED'), watch: true }) as DeciderEvent],
    ]);
    expect(state.workflow.notifyChanges).toBe(true);
    expect(taskOf(state, 'slow').status).toBe('COMPLETED');
    expect(state.workflow.status).toBe('COMPLETED');
  });

  it('a decide without watch leaves it unflagged', () => {
    const { state } = run(def, [
      [T0, started()],
      [T0 + 1, { type: 'workflow.decide' }],
    ]);
    expect(state.workflow.notifyChanges).toBeUndefined();
  });
});

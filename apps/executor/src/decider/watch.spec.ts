import type { DeciderEvent } from './events';
import { aDefinition, aSimpleTask, leased, reported, run, started, T0, taskOf } from './testing/builders';

describe('watching a workflow (its every change notified for a while)', () => {
  const def = aDefinition([aSimpleTask('slow')]);

  it('a decide with watchMs marks the workflow until then and leaves its updateTime: looking at it is not a change', () => {
    const { state } = run(def, [
      [T0, started()],
      [T0 + 50, { type: 'workflow.decide', watchMs: 30_000 }],
    ]);
    expect(state.workflow).toMatchObject({ notifyUntil: T0 + 50 + 30_000, updateTime: T0 });
  });

  it('a watch already running longer is kept; a longer one extends it', () => {
    const { state: kept } = run(def, [
      [T0, started()],
      [T0 + 1, { type: 'workflow.decide', watchMs: 60_000 }],
      [T0 + 2, { type: 'workflow.decide', watchMs: 1_000 }],
    ]);
    expect(kept.workflow.notifyUntil).toBe(T0 + 1 + 60_000);
    const { state: extended } = run(def, [
      [T0, started()],
      [T0 + 1, { type: 'workflow.decide', watchMs: 1_000 }],
      [T0 + 500, { type: 'workflow.decide', watchMs: 1_000 }],
    ]);
    expect(extended.workflow.notifyUntil).toBe(T0 + 500 + 1_000);
  });

  it('a start with watchMs (`execute`) is watched from its first commit', () => {
    const { state } = run(def, [[T0, { ...started(), watchMs: 10_000 } as DeciderEvent]]);
    expect(state.workflow.notifyUntil).toBe(T0 + 10_000);
  });

  it('a result reported with watchMs (`signal/sync`) marks it too, and the result is applied', () => {
    const { state } = run(def, [
      [T0, started()],
      [T0 + 1, (s) => leased(taskOf(s, 'slow').taskId, T0 + 1)],
      [T0 + 5, (s) => ({ ...reported(taskOf(s, 'slow').taskId, 'COMPLETED'), watchMs: 20_000 }) as DeciderEvent],
    ]);
    expect(state.workflow.notifyUntil).toBe(T0 + 5 + 20_000);
    expect(taskOf(state, 'slow').status).toBe('COMPLETED');
    expect(state.workflow.status).toBe('COMPLETED');
  });

  it('a decide without watchMs leaves it unwatched', () => {
    const { state } = run(def, [
      [T0, started()],
      [T0 + 1, { type: 'workflow.decide' }],
    ]);
    expect(state.workflow.notifyUntil).toBeUndefined();
  });
});

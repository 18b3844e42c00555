import { timelineOf } from './timeline';
import { execution, run, wt } from './testing/execution.fixtures';

describe('timelineOf', () => {
  it('one bar per attempt, retries labelled, in scheduling order', () => {
    const a1 = run('a', 'FAILED', { scheduledTime: 100, startTime: 110, endTime: 150 });
    const a2 = run('a', 'COMPLETED', { retryCount: 1, scheduledTime: 160, startTime: 170, endTime: 200 });
    const b = run('b', 'COMPLETED', { scheduledTime: 205, startTime: 205, endTime: 300 });
    const t = timelineOf(execution([wt('a'), wt('b')], [b, a2, a1], 'COMPLETED'), 999);
    expect(t.bars.map((x) => [x.label, x.scheduled, x.started, x.ended, x.running])).toEqual([
      ['a', 100, 110, 150, false],
      ['a (retry 1)', 160, 170, 200, false],
      ['b', 205, 205, 300, false],
    ]);
    expect([t.from, t.to]).toEqual([100, 300]);
  });

  it('attempts still queued or running end at now', () => {
    const queued = run('q', 'SCHEDULED', { scheduledTime: 100, startTime: 0, endTime: 0 });
    const running = run('r', 'IN_PROGRESS', { scheduledTime: 100, startTime: 120, endTime: 0 });
    const t = timelineOf(execution([], [queued, running]), 500);
    expect(t.bars.map((x) => [x.ref, x.started, x.ended, x.running])).toEqual([
      ['q', undefined, 500, true],
      ['r', 120, 500, true],
    ]);
  });

  it('loop iterations are bars of their own; never-scheduled tasks are left out', () => {
    const t = timelineOf(execution([], [run('s__1', 'COMPLETED', { iteration: 1 }), run('s__2', 'COMPLETED', { iteration: 2 }), run('skipped', 'SKIPPED', { scheduledTime: 0, startTime: 0, endTime: 0 })]), 0);
    expect(t.bars.map((x) => [x.ref, x.iteration])).toEqual([
      ['s__1', 1],
      ['s__2', 2],
    ]);
  });

  it('an execution without tasks has an empty span', () => {
    expect(timelineOf({ tasks: [] }, 5)).toEqual({ bars: [], from: 0, to: 0 });
  });
});

import { OffsetTracker } from './offset-tracker';

type Step = ['begin' | 'done' | 'committedAt', string];

/** Given these steps, expect this offset to be committable (undefined: nothing new to commit). */
const scenarios: Array<[string, Step[], string | undefined]> = [
  ['nothing taken', [], undefined],
  ['one in flight', [['begin', '5']], undefined],
  ['one done', [['begin', '5'], ['done', '5']], '6'],
  ['done out of order stops at the first in flight', [['begin', '5'], ['begin', '6'], ['begin', '7'], ['done', '7'], ['done', '5']], '6'],
  ['all done, out of order', [['begin', '5'], ['begin', '6'], ['begin', '7'], ['done', '7'], ['done', '6'], ['done', '5']], '8'],
  ['gaps in offsets (compaction, markers) are not waited for', [['begin', '5'], ['begin', '9'], ['done', '5'], ['done', '9']], '10'],
  ['nothing new after a commit', [['begin', '5'], ['done', '5'], ['committedAt', '6']], undefined],
  ['a commit keeps what follows', [['begin', '5'], ['begin', '6'], ['done', '5'], ['committedAt', '6'], ['done', '6']], '7'],
  ['a message taken twice counts once', [['begin', '5'], ['begin', '5'], ['done', '5']], '6'],
  ['offsets beyond 2^53 stay exact', [['begin', '9007199254740993'], ['done', '9007199254740993']], '9007199254740994'],
];

describe('OffsetTracker', () => {
  it.each(scenarios)('%s', (_name, steps, expected) => {
    const t = new OffsetTracker();
    for (const [op, offset] of steps) t[op](offset);
    expect(t.committable()).toBe(expected);
  });

  it('knows a message it took until a commit passes it, so a redelivery is not run twice', () => {
    const t = new OffsetTracker();
    t.begin('5');
    t.begin('6');
    t.done('5');
    expect([t.has('5'), t.has('6'), t.has('7')]).toEqual([true, true, false]);
    t.committedAt('6');
    expect([t.has('5'), t.has('6')]).toEqual([false, true]);
    expect(t.inFlight).toBe(1);
  });
});

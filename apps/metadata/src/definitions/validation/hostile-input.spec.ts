import { parseWaitDuration } from '@app/contracts';
import { parseExpressions } from './parameter-expression.parser';
import { validateWorkflowDef } from './workflow-def.validator';
import { doWhile, task, workflow } from './workflow-def.builders';

// Each of these took seconds to minutes before the parsers were made linear; jest's per-test timeout
// catches a regression to super-linear behaviour.
describe('validation parsers on hostile input', () => {
  it('rejects a WAIT duration of many spaces and a stray character at once', () => {
    expect(parseWaitDuration(`${' '.repeat(150)}x`)).toBeUndefined();
    expect(parseWaitDuration(`1d${' '.repeat(150)}x`)).toBeUndefined();
  });

  it('still reads every documented duration form', () => {
    expect(parseWaitDuration('10s')).toBe(10);
    expect(parseWaitDuration('5 minutes')).toBe(300);
    expect(parseWaitDuration('1d 2h')).toBe(93_600);
    expect(parseWaitDuration('2 hours 30 mins 5 secs')).toBe(9_005);
    expect(parseWaitDuration('30m 1h')).toBeUndefined();
  });

  it('scans a string full of unclosed references in linear time', () => {
    expect(parseExpressions('${'.repeat(40_000))).toEqual([]);
  });

  it('bounds how deep it looks into nested references', () => {
    const deep = `${'${'.repeat(5_000)}x${'}'.repeat(5_000)}`;
    expect(() => parseExpressions(deep)).not.toThrow();
  });

  it('reads a ref made of many iteration suffixes in linear time', () => {
    const looped = Array.from({ length: 200 }, (_, i) => task(`t${'_'.repeat(i)}`));
    const shadowing = (ref: string) => validateWorkflowDef(workflow([doWhile('loop', looped), task(ref)])).filter((e) => e.message.includes('an iteration of'));
    expect(shadowing(`u${'__1'.repeat(100_000)}`)).toEqual([]);
    expect(shadowing(`t${'__1'.repeat(100_000)}`)).toEqual([expect.objectContaining({ path: 'tasks[1].taskReferenceName' })]);
  });
});

import { BatonError } from '@app/contracts';
import { Params } from './params';

describe('query parameters as Conductor binds them', () => {
  it.each<[string | undefined, boolean]>([
    ['true', true],
    ['True', true],
    ['TRUE', true],
    ['yes', true],
    ['on', true],
    ['1', true],
    ['false', false],
    ['False', false],
    ['no', false],
    ['off', false],
    ['0', false],
  ])('reads the boolean %s as %s (the Python SDK writes True and False)', (raw, expected) => {
    const p = new Params();
    expect(p.bool('overwrite', raw, !expected)).toBe(expected);
    expect(() => p.check()).not.toThrow();
  });

  it.each([undefined, '', 'None', 'null', ' none '])('takes %p as absent: the default', (raw) => {
    const p = new Params();
    expect(p.bool('overwrite', raw, true)).toBe(true);
    expect(p.int('version', raw, { fallback: 3 })).toBe(3);
    expect(() => p.check()).not.toThrow();
  });

  it('400s anything else, naming the parameter', () => {
    const p = new Params();
    p.bool('overwrite', 'maybe', false);
    p.int('version', 'x');
    expect(() => p.check()).toThrow(BatonError);
    try {
      p.check();
    } catch (err) {
      expect((err as BatonError).validationErrors.map((e) => e.path)).toEqual(['overwrite', 'version']);
    }
  });
});

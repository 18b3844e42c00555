import { at, compact, idx, RillValueReader } from './rill-value.reader';
import { YamlNumber } from './rill-yaml.decoder';

type Method = 'string' | 'boolean' | 'wholeNumber' | 'nonNegative' | 'seconds' | 'timestamp' | 'stringList' | 'map' | 'freeForm';

function readOne(method: Method, value: unknown) {
  const reader = new RillValueReader();
  const result = reader[method](value, 'x');
  return { result, errors: reader.errors.map((e) => e.message) };
}

describe('RillValueReader', () => {
  const cases: [Method, unknown, unknown, string[]][] = [
    ['string', undefined, undefined, []],
    ['string', null, undefined, []],
    ['string', new YamlNumber(1.1, '1.10'), '1.10', []],
    ['string', true, 'true', []],
    ['string', ['a'], undefined, ['must be a string']],
    ['boolean', ' TRUE ', true, []],
    ['boolean', 'False', false, []],
    ['boolean', 'yes', undefined, ['must be true or false']],
    ['wholeNumber', '3', 3, []],
    ['wholeNumber', new YamlNumber(1.5, '1.5'), undefined, ['must be a whole number']],
    ['nonNegative', ' 1.5 ', 1.5, []],
    ['nonNegative', '-1', undefined, ['must not be negative']],
    ['nonNegative', 'soon', undefined, ['must be a number']],
    ['seconds', '30', 30, []],
    ['seconds', ' $.input.wait ', '$.input.wait', []],
    ['seconds', '$.tasks.A', undefined, ['must be a whole number of seconds or a JSONPath under $.context, $.input or $.output, not "$.tasks.A"']],
    ['seconds', '30s', undefined, ['must be a whole number of seconds (a number or a numeric string) or a JSONPath, not "30s"']],
    ['seconds', 2.5, undefined, ['must be a whole number of seconds']],
    ['timestamp', new YamlNumber(1700000000000, '1700000000000'), '1700000000000', []],
    ['timestamp', '$.context.at', '$.context.at', []],
    ['timestamp', 17, undefined, ['must be epoch milliseconds (digits) or a JSONPath under $.context, $.input or $.output']],
    ['stringList', ['a', new YamlNumber(2, '2'), ' ', null], ['a', '2'], ['must not be empty', 'must not be empty']],
    ['stringList', 'a', [], ['must be a list of strings']],
    ['map', [], undefined, ['must be a mapping']],
    ['freeForm', { n: new YamlNumber(2, '2.0') }, { n: 2 }, []],
  ];

  it.each(cases)('%s(%p) is %p', (method, value, expected, errors) => {
    expect(readOne(method, value)).toEqual({ result: expected, errors });
  });

  it('reports each problem at its path, with the value as written', () => {
    const reader = new RillValueReader();
    reader.stringList(['a', {}], 'tasks[0].conditions');
    expect(reader.errors).toEqual([{ path: 'tasks[0].conditions[1]', message: 'must be a string', invalidValue: {} }]);
  });

  it('warns about each unknown field', () => {
    const reader = new RillValueReader();
    reader.unknownKeys({ a: 1, b: 2, 'c-d': 3, templateId: 4 }, 'tasks[0]', new Set(['a']), new Set(['templateId']));
    expect(reader.warnings).toEqual(['tasks[0].b: unknown field, ignored', 'tasks[0]["c-d"]: unknown field, ignored']);
  });
});

describe('paths and helpers', () => {
  it.each([
    ['', 'tasks', 'tasks'],
    ['', 'a b', '["a b"]'],
    ['timer', 'timeoutInSeconds', 'timer.timeoutInSeconds'],
    ['commonMapping', 'with-user', 'commonMapping["with-user"]'],
  ])('at(%p, %p) is %p', (path, key, expected) => expect(at(path, key)).toBe(expected));

  it('idx indexes a path', () => expect(idx('tasks', 2)).toBe('tasks[2]'));

  it('compact drops undefined members only', () => expect(compact({ a: undefined, b: null, c: 0 })).toStrictEqual({ b: null, c: 0 }));
});

import { TASK_INDEX, WORKFLOW_INDEX } from './fields/search-fields';
import { parseFreeText } from './free-text';
import { parseSearchRequest } from './search-request';

describe('parseSearchRequest', () => {
  it('reads all three parameters against the index', () => {
    expect(parseSearchRequest(WORKFLOW_INDEX, { query: 'status = RUNNING', freeText: ' order 42 ', sort: 'startTime:DESC' })).toEqual({
      ok: true,
      value: {
        index: WORKFLOW_INDEX,
        filter: { kind: 'compare', field: { name: 'status', type: 'keyword' }, op: '=', value: 'RUNNING' },
        freeText: 'order 42',
        sort: [{ field: { name: 'startTime', type: 'time' }, direction: 'DESC' }],
      },
    });
  });

  it.each([[{}], [{ query: '', freeText: '*', sort: '' }], [{ query: null, freeText: null, sort: null }], [{ query: '  ', freeText: ' * ' }]])(
    '%j asks for everything',
    (input) => {
      expect(parseSearchRequest(TASK_INDEX, input)).toEqual({ ok: true, value: { index: TASK_INDEX, filter: null, freeText: null, sort: [] } });
    },
  );

  it('reports the problems of every parameter at once', () => {
    const result = parseSearchRequest(WORKFLOW_INDEX, { query: 'status = ', freeText: 'a\u0000b', sort: 'nope' });
    expect(!result.ok && result.errors.map((e) => [e.param, e.position])).toEqual([
      ['query', 9],
      ['freeText', 1],
      ['sort', 0],
    ]);
  });

  it('checks fields only once the query parses', () => {
    const result = parseSearchRequest(WORKFLOW_INDEX, { query: 'nope = 1 AND' });
    expect(!result.ok && result.errors.map((e) => e.message)).toEqual([
      "expected a field name or '(', found the end of the query (query, at position 12)",
    ]);
  });
});

describe('parseFreeText', () => {
  it.each([
    ['', null],
    ['*', null],
    ['  *  ', null],
    ['\t\n', null],
    ['order-42', 'order-42'],
    ['  "exact phrase" -noise ', '"exact phrase" -noise'],
    ['**', '**'],
    ['workflowId:abc', 'workflowId:abc'],
  ])('%j is %j', (text, expected) => {
    expect(parseFreeText(text)).toEqual({ ok: true, value: expected });
  });

  it('bounds the length', () => {
    const result = parseFreeText('x'.repeat(1025));
    expect(!result.ok && result.errors[0]).toEqual({
      param: 'freeText',
      position: 1024,
      message: 'the free text is 1025 characters long; the limit is 1024 (freeText, at position 1024)',
    });
  });
});

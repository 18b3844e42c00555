import { JSONPath } from 'jsonpath-plus';
import { allMatch, anyMatch, checkCondition, conditionMatches } from './conditions';
import { readPath } from './jsonpath';

const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null) Object.values(Object.freeze(value)).forEach(deepFreeze);
  return value;
};

// Jayway's sample document, used by Rill Flow's JSONPathTest.
const store = deepFreeze({
  store: {
    book: [
      { category: 'reference', author: 'Nigel Rees', price: 8.95 },
      { category: 'fiction', author: 'Evelyn Waugh', price: 12.99 },
      { category: 'fiction', author: 'Herman Melville', isbn: '0-553-21311-3', price: 8.99 },
    ],
    bicycle: { color: 'red', price: 19.95 },
  },
  expensive: 10,
});

describe('Rill Flow conditions: the samples of its docs and tests', () => {
  it.each<[string, object, boolean]>([
    // function task success/fail conditions over $.output
    [`$.output.[?(@.result_type == 'SUCCESS')]`, { output: { result_type: 'SUCCESS' } }, true],
    [`$.output.[?(@.result_type == 'SUCCESS')]`, { output: { result_type: 'FAILED' } }, false],
    [`$.output.[?(@.result_type == 'SUCCESS')]`, { output: {} }, false],
    [`$.output.[?(@.result_type == 'SUCCESS')]`, {}, false],
    // a filter on an object applies to the object itself (Jayway), not to its children (jsonpath-plus)
    ['$.input.[?(@.num < 5)]', { input: { num: 3 } }, true],
    ['$.input.[?(@.num < 5)]', { input: { num: 7 } }, false],
    ['$.input.[?(@.num < 5)]', { input: { child: { num: 3 } } }, false],
    ['$.input[?(@.num < 5)]', { input: { num: 3 } }, true],
    ['$.input.[?(@.text == "aaa" && @.url == "bbb")]', { input: { text: 'aaa', url: 'bbb' } }, true],
    ['$.input.[?(@.text == "aaa" && @.url == "bbb")]', { input: { text: 'aaa', url: 'ccc' } }, false],
    ['$.input.[?(@.status == "succeed")]', { input: { status: 'succeed', path: '/x' } }, true],
    ['$.input.[?(@.status == "failed")]', { input: { status: 'succeed', path: '/x' } }, false],
    // the choice form: a path, then a comparison (a Baton extension: Jayway reads a property "tt==1")
    ['$.context.tt==1', { context: { tt: 1 } }, true],
    ['$.context.tt==1', { context: { tt: 2 } }, false],
    ['$.context.tt==1', { context: { tt: '1' } }, true],
    ['$.context.tt==1', { context: {} }, false],
    ['$.context.tt == 1', { context: { tt: 1 } }, true],
    ['$.context.tt!=1', { context: { tt: 2 } }, true],
    ['$.context.n >= 10', { context: { n: 10 } }, true],
    [`$.context.name == 'bob'`, { context: { name: 'bob' } }, true],
    [`$.context.tags.length() > 1`, { context: { tags: ['a', 'b'] } }, true],
  ])('%s over %j → %s', (condition, doc, expected) => {
    expect(checkCondition(condition)).toBeUndefined();
    expect(conditionMatches(condition, deepFreeze(doc))).toBe(expected);
  });

  it.each<[string, boolean]>([
    ['$.expensive', true],
    ['$.store.bicycle.[?(@.color == "red")]', true],
    ['$.store.bicycle.[?(@.price > 10)]', true],
    ['$.store.bicycle.[?(@.color == "red1")]', false],
    ['$.store.bicycle.[?(@.price > 100)]', false],
    ['$.store.book[?(@.price > 10)]', true],
    ['$.store.book[?(@.isbn)]', true],
    ['$.store.book[?(@.price > 100)]', false],
    ['$..[?(@.author == "Herman Melville")]', true],
    ['$..[?(@.author == "Nobody")]', false],
    ['$.store.book[*].author', true],
    ['$.store.book[-1].isbn', true],
    ['$.store.book[0].isbn', false],
    ['$.store.book[5]', false],
    ['$.store.book[1:]', true],
    [`$.store['bicycle','car']`, true],
    ['$..isbn', true],
    ['$..nothing', false],
  ])('Jayway sample document: %s → %s', (condition, expected) => {
    expect(conditionMatches(condition, store)).toBe(expected);
  });

  it("applies a filter to each element of a list, and to nothing when it's a scalar", () => {
    const doc = { input: { items: [{ ok: false }, { ok: true }], none: [{ ok: false }], n: 3 } };
    expect(conditionMatches('$.input.items[?(@.ok == true)]', doc)).toBe(true);
    expect(conditionMatches('$.input.none[?(@.ok == true)]', doc)).toBe(false);
    expect(conditionMatches('$.input.n[?(@ > 1)]', doc)).toBe(false);
    expect(conditionMatches('$.input.items[*]', doc)).toBe(true);
    expect(conditionMatches('$.input.missing[*]', doc)).toBe(false);
  });

  it('matches a present path even when its value is null, not a missing one', () => {
    expect(conditionMatches('$.input.x', { input: { x: null } })).toBe(true);
    expect(conditionMatches('$.input.x', { input: {} })).toBe(false);
    expect(conditionMatches('$.input.a.b', { input: {} })).toBe(false);
    expect(conditionMatches('$.input.a.b', { input: { a: 'scalar' } })).toBe(false);
  });

  it.each<[string, object, boolean]>([
    // `== null` is strict: a missing field is not null, as in Jayway
    ['$.input.[?(@.x == null)]', { input: { x: null } }, true],
    ['$.input.[?(@.x == null)]', { input: {} }, false],
    ['$.input.[?(null != @.x)]', { input: { x: 1 } }, true],
    // `$` is the whole document inside a filter
    ['$.input.[?(@.n > $.context.min)]', { input: { n: 5 }, context: { min: 3 } }, true],
    ['$.input.[?(@.n > $.context.min)]', { input: { n: 2 }, context: { min: 3 } }, false],
    // string literals may hold anything, including what ends a filter or names a sandbox variable
    [`$.input.[?(@.s == 'a)]b')]`, { input: { s: 'a)]b' } }, true],
    [`$.input.[?(@.s == "x@.y @root")]`, { input: { s: 'x@.y @root' } }, true],
    [`$.input.[?(@.s == 'it\\'s')]`, { input: { s: "it's" } }, true],
    [`$.input.[?(@['a b'] == 1)]`, { input: { 'a b': 1 } }, true],
    ['$.input.[?(@.list.length() > 1)]', { input: { list: [1, 2] } }, true],
    ['$.input.[?(@.list.length() > 1)]', { input: { list: [1] } }, false],
    ['$.input.[?((@.a < 1 || @.b > 2) && !(@.c == 3))]', { input: { a: 5, b: 3, c: 4 } }, true],
    ['$.input.[?(@.a.b.c == 1)]', { input: { a: {} } }, false],
  ])('filter %s over %j → %s', (condition, doc, expected) => {
    expect(checkCondition(condition)).toBeUndefined();
    expect(conditionMatches(condition, doc)).toBe(expected);
  });

  it('allMatch and anyMatch as ConditionsUtil (its own test table)', () => {
    const doc = { input: { a: 1, b: 2, c: 3 } };
    const all = ['$.input.[?(@.a == 1)]', '$.input.[?(@.b == 2)]', '$.input.[?(@.c == 3)]'];
    const some = ['$.input.[?(@.a == 1)]', '$.input.[?(@.b == 1)]', '$.input.[?(@.c == 3)]'];
    const none = ['$.input.[?(@.a == 0)]', '$.input.[?(@.b == 0)]', '$.input.[?(@.c == 0)]'];
    expect([allMatch(all, doc), allMatch(some, doc), allMatch(none, doc)]).toEqual([true, false, false]);
    expect([anyMatch(all, doc), anyMatch(some, doc), anyMatch(none, doc)]).toEqual([true, true, false]);
    expect([allMatch([], doc), anyMatch([], doc)]).toEqual([true, false]);
  });
});

describe('malformed conditions', () => {
  it.each<[string, RegExp]>([
    ['input.x', /starts with \$/],
    ['$.input.[?(@.x ==)]', /invalid filter/],
    ['$.input.[?(@.a', /filter is \[\?\(/],
    ['$.input.[?(@.a)', /expected \]/],
    ['$.input.x y', /unexpected "y"/],
    ['$.input[abc]', /unsupported selector/],
    ['$.input.min()', /unsupported function min\(\)/],
    ['$.input..', /empty property name/],
    ['$.context.tt==', /invalid filter/],
    ['$.input.[?(@.name.toUpperCase() == "A")]', /function calls are not allowed/],
    ['$.input.[?(@.x = 1)]', /assignment is not allowed/],
    ['$.input.[?(@.x += 1)]', /assignment is not allowed/],
    ['$.input.[?(@.x++)]', /unexpected "\+"/],
    ['$.input.[?(@.name =~ /a.*/)]', /=~/],
    ['$.input.[?(@.x in [1, 2])]', /unsupported name or operator "in"/],
    ['$.input.[?(@.constructor)]', /constructor is not allowed/],
    [`$.input.[?(@['__proto__'])]`, /__proto__ is not allowed/],
    ['$.input.[?(@root.x)]', /unsupported @root/],
    ['$.input.[?(process.exit())]', /unsupported name or operator "process"/],
    ['$.input.[?(@.s == "open)]', /unclosed string|filter is/],
    ['$.input.[?(/x/)]', /regular expressions/],
    ['$.input.[?(`x`)]', /unexpected "`"/],
    ['$.input.[?(@.a; @.b)]', /unexpected ";"/],
    ['$.input.[?()]', /empty filter/],
  ])('%s: %s', (condition, reason) => {
    expect(checkCondition(condition)).toMatch(reason);
    expect(conditionMatches(condition, { input: { x: 1, a: 1, name: 'a', s: 'open' }, context: { tt: 1 } })).toBe(false);
  });

  it('a condition that is not a string is malformed, not an exception', () => {
    expect(checkCondition(null as unknown as string)).toMatch(/string/);
    expect(conditionMatches(42 as unknown as string, {})).toBe(false);
    expect(allMatch([undefined as unknown as string], {})).toBe(false);
  });
});

describe('safety', () => {
  it("jsonpath-plus's default and 'safe' evaluators are the jsep interpreter, not vm (constructor is blocked)", () => {
    // With `eval: 'native'` this returns [{}]: the Function constructor runs. The safe interpreter refuses it.
    const escape = { path: "$[?(@.constructor.constructor('return 1')())]", json: [{}] };
    expect(() => JSONPath({ ...escape, eval: 'safe' })).toThrow(/constructor/);
    expect(() => JSONPath(escape)).toThrow(/constructor/);
  });

  it('evaluating conditions never mutates the document', () => {
    const doc = deepFreeze({ input: { list: [1, 2], n: 1 }, context: {} });
    for (const condition of ['$.input.[?(@.list.length() > 1)]', '$..[?(@ > 0)]', '$.input.n==1']) expect(() => conditionMatches(condition, doc)).not.toThrow();
    expect(doc).toEqual({ input: { list: [1, 2], n: 1 }, context: {} });
  });
});

describe('readPath (what mapping sources read)', () => {
  it.each<[string, unknown]>([
    ['$.expensive', 10],
    ['$.store.bicycle.color', 'red'],
    ['$.store.book[0].author', 'Nigel Rees'],
    ['$.store.book.length()', 3],
    ['$.store.book[?(@.price > 10)].price', [12.99]],
    ['$.store.book[*].isbn', ['0-553-21311-3']],
    ['$.store.bicycle.missing', undefined],
    ['$.store.book[9]', undefined],
  ])('%s → %j', (path, expected) => {
    expect(readPath(path, store)).toEqual({ ok: true, value: expected });
  });

  it.each(['$.store.missing.color', '$.store.bicycle.color.x', '$.store.book.author', '$.store.bicycle[0]', '$.expensive ==', 'store'])('%s cannot be read', (path) => {
    expect(readPath(path, store).ok).toBe(false);
  });
});

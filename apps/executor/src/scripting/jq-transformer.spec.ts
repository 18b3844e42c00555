import { JqTransformer } from './jq-transformer';

describe('JqTransformer', () => {
  let jq: JqTransformer;
  /** Short limits, so the timeout case stays fast. */
  let tight: JqTransformer;
  /** The same heap limit with a deadline no loaded machine reaches first: the heap cases must fail for memory. */
  let roomy: JqTransformer;

  beforeAll(async () => {
    [jq, tight, roomy] = await Promise.all([
      JqTransformer.create(),
      JqTransformer.create({ timeoutMs: 200, memoryLimitBytes: 16 * 1024 * 1024 }),
      JqTransformer.create({ timeoutMs: 30_000, memoryLimitBytes: 16 * 1024 * 1024 }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([jq.dispose(), tight.dispose(), roomy.dispose()]);
  });

  it.each<[string, unknown, unknown[]]>([
    ['.items | map(. * 10)', { items: [1, 2, 3] }, [[10, 20, 30]]],
    ['.[]', [1, [2], { a: 3 }], [1, [2], { a: 3 }]],
    ['{a: .x}', { x: 1 }, [{ a: 1 }]],
    ['.a, .b', { a: 1, b: 'two' }, [1, 'two']],
    ['empty', { a: 1 }, []],
    ['.missing', {}, [null]],
    ['[.[] | select(. > 1)] | add', [1, 2, 3], [5]],
    ['keys', { b: 1, a: 2 }, [['a', 'b']]],
    ['to_entries | map("\\(.key)=\\(.value)") | join("&")', { a: 1, b: 'x' }, ['a=1&b=x']],
    ['.s | ascii_upcase, length', { s: 'héllo €' }, ['HéLLO €', 7]],
    ['"line\\nbreak"', {}, ['line\nbreak']],
    ['-1', {}, [-1]],
    ['.queryExpression', { queryExpression: '.queryExpression' }, ['.queryExpression']],
    ['pick(.a.b)', { a: { b: 1, c: 2 }, d: 3 }, [{ a: { b: 1 } }]],
    ['[limit(3; repeat(1))]', {}, [[1, 1, 1]]],
  ])('%s', (query, input, results) => {
    expect(jq.transform(query, input)).toEqual({ ok: true, results });
  });

  it.each([
    ['.', [null]],
    ['.a', [null]],
    ['. == null', [true]],
  ])('takes null input: %s', (query, results) => {
    expect(jq.transform(query, null)).toEqual({ ok: true, results });
    expect(jq.transform(query, undefined)).toEqual({ ok: true, results });
  });

  it.each([
    ['.a |', 'syntax error'],
    ['{a: }', 'syntax error'],
    ['no_such_function', 'no_such_function/0 is not defined'],
    ['import "x" as x; .', 'module not found'],
    // A query that looks like an option is still a query (jq would otherwise take -n as --null-input).
    ['-n', 'n/0 is not defined'],
  ])('reports the invalid query %s', (query, mention) => {
    const outcome = jq.transform(query, {});
    expect(outcome).toMatchObject({ ok: false });
    expect(!outcome.ok && outcome.message).toContain(mention);
    expect(!outcome.ok && outcome.message).not.toContain('shell quoting');
  });

  it.each([
    ['error("boom")', {}, 'boom'],
    ['.a + 1', { a: 'text' }, 'cannot be added'],
    ['.[] | if . == 2 then error("two") else . end', [1, 2, 3], 'two'],
  ])('reports a runtime error in %s, even after some output', (query, input, mention) => {
    const outcome = jq.transform(query, input);
    expect(outcome).toMatchObject({ ok: false });
    expect(!outcome.ok && outcome.message).toContain(mention);
  });

  it('refuses an input that is not JSON', () => {
    expect(jq.transform('.', { n: 1n })).toMatchObject({ ok: false, message: expect.stringContaining('not JSON') });
  });

  it.each([
    ['def f: f; f'],
    ['repeat(1) | empty'],
    ['last(range(1e12))'],
  ])('stops %s after its time and stays usable', (query) => {
    expect(tight.transform(query, {})).toEqual({ ok: false, message: 'jq timed out after 200 ms' });
    expect(tight.transform('.x + 1', { x: 1 })).toEqual({ ok: true, results: [2] });
  });

  it.each([['[range(1e9)] | length'], ['"x" * 100000000 | length']])('stops %s at its heap limit and stays usable', (query) => {
    const outcome = roomy.transform(query, {});
    expect(outcome).toMatchObject({ ok: false, message: expect.stringContaining('cannot allocate memory') });
    expect(roomy.transform('.x + 1', { x: 1 })).toEqual({ ok: true, results: [2] });
  });

  it('keeps its output clean of what debug and stderr print', () => {
    expect(jq.transform('debug | stderr | .a', { a: 1 })).toEqual({ ok: true, results: [1] });
  });

  it('stays correct over 1,000 transforms', () => {
    // The first jq build tried (jq-wasm) corrupted its own stack after about 300 runs.
    for (let i = 0; i < 1_000; i++) {
      const outcome = jq.transform('.k as $k | .items | map(. * $k) | add', { items: [1, 2, 3], k: i });
      if (!outcome.ok || outcome.results[0] !== 6 * i) throw new Error(`transform ${i} went wrong: ${JSON.stringify(outcome)}`);
    }
  }, 20_000);

  it('refuses limits that are not positive numbers', async () => {
    await expect(JqTransformer.create({ timeoutMs: -1 })).rejects.toThrow('timeoutMs');
  });
});

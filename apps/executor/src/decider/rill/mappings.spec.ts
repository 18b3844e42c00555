import type { RillMapping } from '@app/contracts';
import {
  applyMappings,
  coerceConstant,
  contextAfter,
  inputOf,
  MappingDocument,
  MappingOptions,
  readSource,
  resolveSource,
  RillMappingLike,
  TransformVars,
  writeTarget,
} from './mappings';

// The DAG model's mapping rule is one of ours: this fails to compile if the two drift apart.
const _compatible: RillMappingLike = {} as RillMapping;

const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null) Object.values(Object.freeze(value)).forEach(deepFreeze);
  return value;
};

/** Stands in for the engine's script sandbox: a few known expressions. */
const expressions: Record<string, (vars: TransformVars) => unknown> = {
  'source.followerCount > 3000 ? true : false': (v) => (v.source as { followerCount: number }).followerCount > 3000,
  'source * 2': (v) => (v.source as number) * 2,
  'context.a + input.b + output.c': (v) => `${v.context.a}${v.input.b}${v.output.c}`,
  'source == nil ? "none" : source': (v) => v.source ?? 'none',
  'nil': () => null,
};
const opts: MappingOptions = {
  transform: (expression, vars) =>
    expressions[expression] ? { ok: true, value: expressions[expression](vars) } : { ok: false, message: `cannot evaluate ${expression}` },
  triggerUrl: (taskName, query) => `http://rill/flow/trigger.json?execution_id=e1&task_name=${taskName}${query ? `&${query}` : ''}`,
  commonMapping: {
    commonInput: [{ source: '$.context.user', target: '$.input.user' }],
    nested: [{ reference: 'commonInput' }, { source: 'n', target: '$.input.nested' }],
    loopA: [{ reference: 'loopB' }],
    loopB: [{ reference: 'loopA' }],
  },
};
const docOf = (doc: Partial<MappingDocument>): MappingDocument => deepFreeze({ context: {}, input: {}, output: {}, ...doc });

describe('constant sources (Rill Flow parseSource, its own test table)', () => {
  it.each<[string, unknown]>([
    ['true', true],
    ['false ', false],
    ['TRUE', true],
    ['123', 123],
    ['-7', -7],
    ['123.1', 123.1],
    ['00.1', 0.1],
    ['.1', 0.1],
    ['1e3', 1000],
    ['1e-3', 0], // no '.': Java's BigDecimal.longValue
    ['1.1.1', '1.1.1'],
    ['{"a":1}', { a: 1 }],
    ['{"a":{"b":1}}', { a: { b: 1 } }],
    ['{"a":{"b":xxx}}', '{"a":{"b":xxx}}'],
    ['{"a":{"b":[1,2,3]}}', { a: { b: [1, 2, 3] } }],
    ['[{"a":1},{"b":1}]', [{ a: 1 }, { b: 1 }]],
    ['[[1],2,{"a":3}]', [[1], 2, { a: 3 }]],
    ['"quoted"', '"quoted"'],
    ['string', 'string'],
    [' string\t', ' string\t'],
    ['', ''],
  ])('%j → %j', (source, expected) => {
    expect(coerceConstant(source)).toEqual(expected);
  });
});

describe('resolveSource', () => {
  const doc = docOf({
    context: { a: '123', url: 'http1', obj: { k: [1, 2, 3] }, nil: null, 'a b': 'spaced' },
    output: { items: [{ id: 1 }, { id: 2 }, { other: 3 }], sub_context: [{ x: 'p' }, { x: 'q' }] },
  });
  it.each<[unknown, unknown]>([
    ['hello', 'hello'],
    ['42', 42],
    [5, 5],
    [true, true],
    ['$.context.a', '123'],
    ['$.context.obj', { k: [1, 2, 3] }],
    ['$.context.obj.k[1]', 2],
    ['$.context.obj.k[-1]', 3],
    [`$.context['a b']`, 'spaced'],
    ['$.context.nil', null],
    ['$.context.missing', undefined],
    ['$.context.obj.k.length()', 3],
    ['$.output.items[*].id', [1, 2]],
    ['$.output.sub_context.[*].x', ['p', 'q']],
    ['$.output.items[?(@.id > 1)]', [{ id: 2 }]],
    ['$.output.nothing[*]', undefined], // a missing parent cannot be read
    ['$.tasks.approve.trigger_url', 'http://rill/flow/trigger.json?execution_id=e1&task_name=approve'],
    ['$.tasks.approve.trigger_url?a=1&b=2', 'http://rill/flow/trigger.json?execution_id=e1&task_name=approve&a=1&b=2'],
    ['$.tasks.approve.status', null],
  ])('%j → %j', (source, expected) => {
    expect(resolveSource(source, doc, opts)).toEqual(expected);
  });

  it('says why a source cannot be read', () => {
    expect(readSource('$.context.missing.b', doc)).toEqual({ ok: false, message: '$.context has no missing' });
    expect(readSource('$.context.a.b', doc)).toEqual({ ok: false, message: '$.context.a is not an object' });
    expect(readSource('$.output.nothing[*]', doc)).toEqual({ ok: false, message: '$.output has no nothing' });
    expect(readSource('$.context.x y', doc)).toMatchObject({ ok: false, message: expect.stringMatching(/unexpected " y"/) });
    expect(readSource('$.tasks.approve.trigger_url', doc)).toEqual({ ok: false, message: 'no trigger URL for $.tasks.approve.trigger_url' });
  });
});

describe('writeTarget', () => {
  const base = deepFreeze({ input: { type: 'gif', list: [{ url: 'a' }], s: 'text' }, context: { kept: true } });
  it.each<[string, object]>([
    ['$.input.x', { input: { ...base.input, x: 'V' }, context: base.context }],
    ['$.input.meta.user.id', { input: { ...base.input, meta: { user: { id: 'V' } } }, context: base.context }],
    [`$.input['a b']`, { input: { ...base.input, 'a b': 'V' }, context: base.context }],
    ['$.input.meta.user.["id.key"]', { input: { ...base.input, meta: { user: { 'id.key': 'V' } } }, context: base.context }],
    ['$.input.list[0].url', { input: { ...base.input, list: [{ url: 'V' }] }, context: base.context }],
    ['$.input.list[1]', { input: { ...base.input, list: [{ url: 'a' }, 'V'] }, context: base.context }],
    ['$.output.result', { ...base, output: { result: 'V' } }],
  ])('%s', (target, expected) => {
    expect(writeTarget(base, target, 'V')).toEqual({ ok: true, value: expected });
  });

  it.each<[string, RegExp]>([
    ['$.input.s.x', /\$\.input\.s is a string/],
    ['$.input.missing[0]', /missing, not a list/],
    ['$.input.list[5]', /the list has 1 items/],
    ['$.input[*]', /names one field/],
    [`$.input['a','b']`, /names one field/],
    ['$', /a field under \$/],
    ['input.x', /starts with \$/],
    ['$.input.x y', /unexpected/],
  ])('%s is refused', (target, reason) => {
    expect(writeTarget(base, target, 'V')).toMatchObject({ ok: false, message: expect.stringMatching(reason) });
  });

  it('never pollutes a prototype', () => {
    const written = writeTarget({ input: {} }, '$.input.__proto__.polluted', true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(written.ok && Object.getPrototypeOf((written.value as { input: object }).input)).toBe(Object.prototype);
  });
});

describe('applyMappings', () => {
  it('runs the demo DAG: start_node maps left/right in and sum out', () => {
    const inMappings = [
      { source: '$.context.left', target: '$.input.left' },
      { source: '$.context.right', target: '$.input.right' },
    ];
    const context = deepFreeze({ left: 1, right: 2 });
    const input = inputOf({ inputMappings: inMappings }, context, opts);
    expect(input).toEqual({ input: { left: 1, right: 2 }, errors: [], fatal: false });
    const after = contextAfter([{ source: '$.output.sum', target: '$.context.sum' }], docOf({ context, input: input.input, output: { sum: 3 } }), opts);
    expect(after).toEqual({ context: { left: 1, right: 2, sum: 3 }, errors: [], fatal: false });
  });

  it('mixes constant and dynamic sources, later rules seeing earlier writes (Rill Flow test)', () => {
    const rules = [
      { source: '$.context.a', target: '$.input.number.a' },
      { source: '[{"url":"a", "name":"name1"},{"url":"b", "name":"name2"}]', target: '$.input.meta.array' },
      { source: '$.context.url', target: '$.input.meta.array[0].url' },
      { source: '$.input.number.a', target: '$.input.copy' },
    ];
    const { doc, errors } = applyMappings(rules, docOf({ context: { a: '123', url: 'http1' } }), opts);
    expect(errors).toEqual([]);
    expect(doc.input).toEqual({
      number: { a: '123' },
      meta: { array: [{ url: 'http1', name: 'name1' }, { url: 'b', name: 'name2' }] },
      copy: '123',
    });
  });

  it('expands references in place, nested ones too, then the rule itself when it has a target', () => {
    const rules = [{ reference: 'nested' }, { reference: 'commonInput', source: 'own', target: '$.input.own' }];
    const { doc, errors } = applyMappings(rules, docOf({ context: { user: 'ada' } }), opts);
    expect(errors).toEqual([]);
    expect(doc.input).toEqual({ user: 'ada', nested: 'n', own: 'own' });
  });

  it.each<[RillMappingLike, RegExp]>([
    [{ reference: 'nope' }, /commonMapping has no "nope"/],
    [{ source: '$.context.a.b', target: '$.input.x' }, /\$\.context has no a/],
    [{ source: '$.context.x y', target: '$.input.x' }, /unexpected/],
    [{ source: 'v', target: '$.input.s.x' }, /is a string/],
    [{ source: 'v', target: '$.other.x' }, /starts with \$\.context, \$\.input or \$\.output/],
    [{ source: 'v', target: '$.input' }, /can only be replaced by an object/],
    [{ source: 'v', target: '$.input.x', transform: 'unknown()' }, /transform failed: cannot evaluate unknown\(\)/],
  ])('a failing rule is skipped when tolerated, and stops the mapping when not: %j', (rule, reason) => {
    const doc = docOf({ context: {}, input: { s: 'text' } });
    const next = { source: 'after', target: '$.input.after' };
    const tolerated = applyMappings([rule, next], doc, opts);
    expect(tolerated).toEqual({ doc: { ...doc, input: { s: 'text', after: 'after' } }, errors: [{ mapping: rule, message: expect.stringMatching(reason), tolerated: true, fatal: false }], fatal: false });
    expect(applyMappings([{ ...rule, tolerance: true }, next], doc, opts).fatal).toBe(false);
    const strict = { ...rule, tolerance: false };
    expect(applyMappings([strict, next], doc, opts)).toEqual({ doc, errors: [{ mapping: strict, message: expect.stringMatching(reason), tolerated: false, fatal: true }], fatal: true });
  });

  it('refuses a reference cycle on the rule that closes it, under that rule\'s tolerance', () => {
    const closing = opts.commonMapping!.loopB[0];
    expect(applyMappings([{ reference: 'loopA', tolerance: false }], docOf({}), opts)).toEqual({
      doc: docOf({}),
      errors: [{ mapping: closing, message: 'reference cycle: loopA -> loopB -> loopA', tolerated: true, fatal: false }],
      fatal: false,
    });
    const strictLoop = { ...opts, commonMapping: { loop: [{ reference: 'loop', tolerance: false }] } };
    expect(applyMappings([{ reference: 'loop' }], docOf({}), strictLoop)).toMatchObject({ fatal: true, errors: [{ message: 'reference cycle: loop -> loop' }] });
  });

  it('writes nothing for a missing field or a null, even with tolerance false (Rill Flow writes no null)', () => {
    const rules = [
      { source: '$.context.missing', target: '$.input.a', tolerance: false },
      { source: '$.context.nil', target: '$.input.b', tolerance: false },
      { source: 'x', target: '$.input.c', transform: 'nil', tolerance: false },
    ];
    expect(applyMappings(rules, docOf({ context: { nil: null } }), opts)).toEqual({ doc: docOf({ context: { nil: null } }), errors: [], fatal: false });
  });

  it('lists rules without a target or a source/transform as ignored, never fatal', () => {
    const rules = [{ source: '$.context.a', tolerance: false }, { target: '$.input.x', tolerance: false }, { source: '  ', target: '$.input.y' }];
    const { errors, fatal } = applyMappings(rules, docOf({}), opts);
    expect(fatal).toBe(false);
    expect(errors.map((e) => [e.message, e.tolerated, e.fatal])).toEqual(rules.map(() => ['ignored: a rule needs a target and a source or transform', true, false]));
  });

  it('transforms the source with the context, input and output at hand', () => {
    const rules = [
      { source: '$.output.user', target: '$.context.big', transform: 'source.followerCount > 3000 ? true : false' },
      { source: '$.output.n', target: '$.context.double', transform: 'source * 2' },
      { target: '$.context.joined', transform: 'context.a + input.b + output.c' },
      { source: '$.output.none', target: '$.context.defaulted', transform: 'source == nil ? "none" : source' },
    ];
    const doc = docOf({ context: { a: 'A' }, input: { b: 'B' }, output: { c: 'C', n: 21, user: { followerCount: 3100 } } });
    expect(applyMappings(rules, doc, opts).doc.context).toEqual({ a: 'A', big: true, double: 42, joined: 'ABC', defaulted: 'none' });
    expect(applyMappings(rules.slice(1, 2), doc).errors[0].message).toBe('a transform needs an evaluator');
  });

  it('passes a callback URL into the input and replaces a whole root with an object', () => {
    const rules = [
      { source: '$.context.params', target: '$.input' },
      { source: '$.tasks.approve.trigger_url?step=2', target: '$.input.callback' },
    ];
    const { doc } = applyMappings(rules, docOf({ context: { params: { q: 1 } }, input: { old: true } }), opts);
    expect(doc.input).toEqual({ q: 1, callback: 'http://rill/flow/trigger.json?execution_id=e1&task_name=approve&step=2' });
  });

  it('never mutates the document, the rules or the common mappings', () => {
    const rules = deepFreeze([{ reference: 'nested' }, { source: '$.context.user', target: '$.context.copy.deep' }, { source: '1', target: '$.output.n' }]);
    const doc = docOf({ context: { user: 'ada', copy: { other: 1 } } });
    const frozenOpts = deepFreeze({ ...opts, commonMapping: deepFreeze({ ...opts.commonMapping }) });
    const result = applyMappings(rules, doc, frozenOpts);
    expect(result.doc).toEqual({ context: { user: 'ada', copy: { other: 1, deep: 'ada' } }, input: { user: 'ada', nested: 'n' }, output: { n: 1 } });
    expect(doc).toEqual(docOf({ context: { user: 'ada', copy: { other: 1 } } }));
  });
});

describe('inputOf', () => {
  const task = deepFreeze({
    parameters: { mode: 'fast', limit: 10, nested: { keep: 1 } },
    inputMappings: [
      { source: '$.context.limit', target: '$.input.limit' },
      { source: '$.context.absent', target: '$.input.mode' },
      { source: '$.context.extra', target: '$.input.nested.extra' },
    ],
  });

  it('starts from the parameters; a mapping wins on a clash, a mapping that yields nothing keeps the default', () => {
    expect(inputOf(task, deepFreeze({ limit: 99, extra: 'x' }), opts)).toEqual({
      input: { mode: 'fast', limit: 99, nested: { keep: 1, extra: 'x' } },
      errors: [],
      fatal: false,
    });
    expect(task.parameters).toEqual({ mode: 'fast', limit: 10, nested: { keep: 1 } });
  });

  it('reports a failed rule that does not tolerate it', () => {
    const result = inputOf({ inputMappings: [{ source: '$.context.a.b', target: '$.input.x', tolerance: false }] }, { a: 1 });
    expect(result).toMatchObject({ input: {}, fatal: true, errors: [{ message: '$.context.a is not an object', fatal: true }] });
  });
});

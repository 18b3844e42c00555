import { ScriptSandbox, type ScriptOutcome } from './script-sandbox';

const ok = (value: unknown): ScriptOutcome => ({ ok: true, value });

describe('ScriptSandbox', () => {
  let sandbox: ScriptSandbox;
  /** Short limits, so the timeout and memory cases stay fast. */
  let tight: ScriptSandbox;
  /**
   * The same memory limit with a deadline no busy machine reaches first: the memory cases must fail for
   * memory, and filling 8 MB with small objects can outlast 100 ms on a loaded CI box.
   */
  let roomy: ScriptSandbox;

  beforeAll(async () => {
    [sandbox, tight, roomy] = await Promise.all([
      ScriptSandbox.create(),
      ScriptSandbox.create({ timeoutMs: 100, memoryLimitBytes: 8 * 1024 * 1024 }),
      ScriptSandbox.create({ timeoutMs: 30_000, memoryLimitBytes: 8 * 1024 * 1024 }),
    ]);
  });

  describe('evaluates as Conductor users write scripts', () => {
    it.each([
      ['an arithmetic expression', '$.a * 2', { a: 21 }, 42],
      ['a conditional expression (true branch)', "$.x > 1 ? 'big' : 'small'", { x: 2 }, 'big'],
      ['a conditional expression (false branch)', "$.x > 1 ? 'big' : 'small'", { x: 0 }, 'small'],
      ['a string method', '$.name.toUpperCase()', { name: 'ada' }, 'ADA'],
      ['statements ending in a call', 'function e() { return $.a + 1 } e();', { a: 1 }, 2],
      ['a multi-line script ending in a call', 'function e() {\n  var total = 0;\n  for (var i = 0; i < $.items.length; i++) total += $.items[i];\n  return total;\n}\ne();', { items: [1, 2, 3] }, 6],
      ["Conductor's documented IIFE", '(function () { if ($.value > 1) { return true; } return false; })()', { value: 2 }, true],
      ['a loop whose last expression is the value', 'let t = 0; for (const i of $.items) t += i; t', { items: [4, 5] }, 9],
      ['a string comparison for SWITCH', "$.status === 'ok' ? 'proceed' : 'halt'", { status: 'ok' }, 'proceed'],
    ])('%s', (_name, script, input, expected) => {
      expect(sandbox.evaluate(script, input)).toEqual(ok(expected));
    });
  });

  describe('speaks ES2020', () => {
    it.each([
      ['optional chaining and nullish coalescing', "$.a?.b?.c ?? 'none'", { a: {} }, 'none'],
      ['optional chaining that finds a value', '$.a?.b?.c', { a: { b: { c: 7 } } }, 7],
      ['arrow functions', '$.items.map((x) => x * 2)', { items: [1, 2] }, [2, 4]],
      ['destructuring with rest', 'const { a, ...rest } = $; [a, rest]', { a: 1, b: 2, c: 3 }, [1, { b: 2, c: 3 }]],
      ['template literals', '`${$.name}-${$.items.join("+")}`', { name: 'n', items: [1, 2] }, 'n-1+2'],
      ['spread and Object.fromEntries', 'Object.fromEntries(Object.entries({ ...$, z: 0 }).map(([k, v]) => [k, v * 10]))', { x: 1 }, { x: 10, z: 0 }],
      ['Array.prototype.flat and includes', '[[1], [2, [3]]].flat(2).includes(3)', {}, true],
      ['classes', 'class P { constructor(n) { this.n = n } twice() { return this.n * 2 } } new P($.n).twice()', { n: 4 }, 8],
    ])('%s', (_name, script, input, expected) => {
      expect(sandbox.evaluate(script, input)).toEqual(ok(expected));
    });
  });

  describe('returns the value as JSON', () => {
    it.each([
      ['an object', '({ a: 1, b: [1, "x", null], c: { d: true } })', { a: 1, b: [1, 'x', null], c: { d: true } }],
      ['an array', '[1, "two", 3.5]', [1, 'two', 3.5]],
      ['null', 'null', null],
      ['undefined as null', 'undefined', null],
      ['a declaration (no value) as null', 'var x = 1;', null],
      ['NaN and Infinity as null', '[NaN, Infinity]', [null, null]],
      ['undefined and functions in an array as null', '[undefined, () => 1]', [null, null]],
      ['functions in an object dropped', '({ f() {}, a: 1, u: undefined })', { a: 1 }],
      ['a Date as its ISO string', 'new Date(0)', '1970-01-01T00:00:00.000Z'],
      ['a Map as an empty object (as JSON.stringify does)', 'new Map([[1, 2]])', {}],
      ['a promise as an empty object (nothing runs after the script)', '(async () => 1)()', {}],
      ['a value with toJSON', '({ toJSON() { return "custom" } })', 'custom'],
    ])('%s', (_name, script, expected) => {
      expect(sandbox.evaluate(script, {})).toEqual(ok(expected));
    });

    it.each([
      ['a function', '() => 1', 'function'],
      ['a function expression without its call', '(function () { return 1; })', 'function'],
      ['a symbol', 'Symbol("s")', 'symbol'],
      ['a bigint', '10n', 'bigint'],
      ['a cycle', 'const o = {}; o.self = o; o', 'circular'],
    ])('refuses %s as the value', (_name, script, mention) => {
      const outcome = sandbox.evaluate(script, {});
      expect(outcome).toMatchObject({ ok: false, kind: 'result' });
      expect(!outcome.ok && outcome.message).toContain(mention);
    });

    it('reads the value with the JSON it started with, even when the script replaced it', () => {
      expect(sandbox.evaluate('JSON.stringify = () => \'"hijacked"\'; ({ a: 1 })', {})).toEqual(ok({ a: 1 }));
    });
  });

  describe('binds $ to a copy of the input', () => {
    it('leaves the caller’s input untouched when the script mutates $', () => {
      const input = { nested: { list: [1, 2, 3], x: 'original' }, top: 1 };
      const before = structuredClone(input);
      const outcome = sandbox.evaluate("$.nested.list.push(4); $.nested.x = 'changed'; delete $.top; $", input);
      expect(outcome).toEqual(ok({ nested: { list: [1, 2, 3, 4], x: 'changed' } }));
      expect(input).toEqual(before);
    });

    it('passes the input as JSON: a Date arrives as its ISO string', () => {
      expect(sandbox.evaluate('typeof $.when + " " + $.when', { when: new Date(0) })).toEqual(ok('string 1970-01-01T00:00:00.000Z'));
    });

    it.each([
      ['a bigint', { n: 1n }, 'not JSON'],
      ['a cycle', (() => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return o;
      })(), 'nested deeper'],
    ])('refuses an input holding %s', (_name, input, mention) => {
      const outcome = sandbox.evaluate('1', input);
      expect(outcome).toMatchObject({ ok: false, kind: 'runtime' });
      expect(!outcome.ok && outcome.message).toContain(mention);
    });

    it('accepts deep input up to the limit and refuses deeper', () => {
      const nest = (depth: number): Record<string, unknown> => (depth === 0 ? {} : { a: nest(depth - 1) });
      expect(sandbox.evaluate('let d = 0; for (let o = $; o.a; o = o.a) d++; d', nest(900))).toEqual(ok(900));
      expect(sandbox.evaluate('1', nest(2_000))).toMatchObject({ ok: false, kind: 'runtime' });
    });

    it('refuses an input too large for the memory limit without running it', () => {
      const outcome = roomy.evaluate('1', { blob: 'x'.repeat(3 * 1024 * 1024) });
      expect(outcome).toMatchObject({ ok: false, kind: 'memory' });
      expect(roomy.evaluate('1', { blob: 'x'.repeat(1024) })).toEqual(ok(1));
    });
  });

  describe('reports failures as values', () => {
    it.each(['(', '$.a +', 'function (', 'const x;', 'if (true) {'])('a script that does not parse (%s) is a syntax failure', (script) => {
      const outcome = sandbox.evaluate(script, { a: 1 });
      expect(outcome).toMatchObject({ ok: false, kind: 'syntax' });
      expect(!outcome.ok && outcome.message).toMatch(/^SyntaxError: .*\(line 1, column \d+\)$/);
    });

    it.each([
      ['throw new Error("x")', 'Error: x'],
      ['throw new TypeError("bad input")', 'TypeError: bad input'],
      ['$.missing.deep', 'TypeError'],
      ['JSON.parse("{")', 'SyntaxError'],
      ['throw "plain"', 'threw "plain"'],
      ['throw { code: 7 }', 'threw {"code":7}'],
      ['throw null', 'threw null'],
    ])('%s is a runtime failure', (script, mention) => {
      const outcome = sandbox.evaluate(script, {});
      expect(outcome).toMatchObject({ ok: false, kind: 'runtime' });
      expect(!outcome.ok && outcome.message).toContain(mention);
    });

    it('says where a runtime error was thrown', () => {
      const outcome = sandbox.evaluate('const a = 1;\nconst b = 2;\nthrow new Error("on line three");', {});
      expect(!outcome.ok && outcome.message).toMatch(/^Error: on line three \(line 3, column \d+\)$/);
    });
  });

  describe('limits time', () => {
    it.each([
      ['an infinite loop', 'while (true) {}'],
      ['an infinite loop that catches everything', 'while (true) { try { while (true) {} } catch (e) {} }'],
      ['infinite recursion through a getter at conversion', '({ get x() { while (true) {} } })'],
      ['a catastrophic regular expression', '/(a+)+$/.test("a".repeat(40) + "!")'],
      ['a loop in toJSON', '({ toJSON() { for (;;) {} } })'],
    ])('stops %s and stays usable', (_name, script) => {
      const outcome = tight.evaluate(script, {});
      expect(outcome).toEqual({ ok: false, kind: 'timeout', message: 'the script timed out after 100 ms' });
      expect(tight.evaluate('$.a + 1', { a: 1 })).toEqual(ok(2));
    });
  });

  describe('limits memory', () => {
    it.each([
      // Many large strings: QuickJS's own limit lets each through (the WASM memory cap is what stops them).
      ['large strings', 'const a = []; while (true) a.push("x".repeat(1e6) + a.length)'],
      ['a hundred 1 MB strings', 'const a = []; for (let i = 0; i < 100; i++) a.push("x".repeat(1e6) + i); a.length'],
      ['many small objects', 'const a = []; while (true) a.push({ i: a.length, s: "x" + a.length })'],
      // Fails with no room left for an Error: QuickJS throws a bare value, which must still read as memory.
      ['many small arrays', 'const a = []; while (true) a.push([1, 2, 3, 4, 5, 6, 7, 8])'],
      ['typed arrays', 'const a = []; while (true) a.push(new Uint8Array(1e6))'],
      ['one huge allocation', 'new ArrayBuffer(1e9)'],
      ['runaway recursion', 'function f() { return f() + 1 } f()'],
      ['string doubling', 'let s = "x"; while (true) s += s'],
    ])('stops %s and stays usable', (_name, script) => {
      const outcome = roomy.evaluate(script, {});
      expect(outcome).toMatchObject({ ok: false, kind: 'memory' });
      expect(roomy.evaluate('$.items.map((x) => x * 2)', { items: [1, 2] })).toEqual(ok([2, 4]));
    });

    it('lets a script use memory within the limit', () => {
      expect(roomy.evaluate('const a = []; for (let i = 0; i < 3; i++) a.push("x".repeat(1e6)); a.join("").length', {})).toEqual(ok(3e6));
    });

    it('survives source nested too deeply for the interpreter (a crash below QuickJS) by switching engines', async () => {
      const nested = 'eval("(".repeat(5000) + "1" + ")".repeat(5000))';
      expect(sandbox.evaluate(nested, {})).toMatchObject({ ok: false, kind: 'memory' });
      expect(sandbox.evaluate('$.a', { a: 'after one crash' })).toEqual(ok('after one crash'));
      // A second crash before the reload finished used up the spare too.
      expect(sandbox.evaluate(nested, {})).toMatchObject({ ok: false, kind: 'memory' });
      await sandbox.whenReady();
      expect(sandbox.evaluate('$.a', { a: 'after two crashes' })).toEqual(ok('after two crashes'));
      await sandbox.whenReady();
      expect(sandbox.evaluate(nested, {})).toMatchObject({ ok: false, kind: 'memory' });
      expect(sandbox.evaluate('$.a', { a: 'and a third' })).toEqual(ok('and a third'));
      await sandbox.whenReady();
    });
  });

  describe('isolates scripts', () => {
    it.each([
      'typeof require',
      'typeof process',
      'typeof module',
      'typeof globalThis.fetch',
      'typeof setTimeout',
      'typeof setInterval',
      'typeof queueMicrotask',
      'typeof console',
      'typeof std',
      'typeof os',
      'typeof WebAssembly',
      'typeof new Function("return this")().process',
    ])('%s is undefined', (script) => {
      expect(sandbox.evaluate(script, {})).toEqual(ok('undefined'));
    });

    it('keeps nothing from one evaluation to the next', () => {
      expect(sandbox.evaluate('globalThis.leak = 42; Object.prototype.polluted = 1; Array.prototype.map = null; $.secret', { secret: 's' })).toEqual(ok('s'));
      expect(sandbox.evaluate('[typeof leak, ({}).polluted, typeof [].map, $.secret]', {})).toEqual(ok(['undefined', null, 'function', null]));
    });
  });

  it('evaluates 10,000 scripts without growing', () => {
    const script = '({ sum: $.items.reduce((a, b) => a + b, 0), padding: "x".repeat(1000), at: $.i })';
    const run = (count: number) => {
      for (let i = 0; i < count; i++) {
        const outcome = sandbox.evaluate(script, { items: [1, 2, 3], i });
        if (!outcome.ok || (outcome.value as { at: number }).at !== i) throw new Error(`evaluation ${i} went wrong: ${JSON.stringify(outcome)}`);
      }
    };
    run(500);
    const before = process.memoryUsage().rss;
    run(10_000);
    // A leaked runtime or handle per evaluation would fill the engine's capped memory (every later
    // evaluation would then fail) and grow the process by well over this.
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  }, 30_000);

  it('refuses limits that are not positive numbers', async () => {
    await expect(ScriptSandbox.create({ timeoutMs: 0 })).rejects.toThrow('timeoutMs');
    await expect(ScriptSandbox.create({ memoryLimitBytes: Number.NaN })).rejects.toThrow('memoryLimitBytes');
  });
});

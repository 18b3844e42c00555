import { compileGrayRule, evaluateGrayRule, GrayEnv, GrayRule, pickGrayAlias, RillGray } from './rill-gray';
import type { DefinitionQueries, RillGrayRule } from '@app/persistence';

const env = (input: Record<string, unknown> = {}, uid: number = 0): GrayEnv => ({ uid, input });
/** A random source that always returns `r` (rand(n) is floor(r * n)). */
const fixed = (r: number) => () => r;

function compiled(source: string): GrayRule {
  const result = compileGrayRule(source);
  if (!result.ok) throw new Error(`${source} did not compile: ${JSON.stringify(result.errors)}`);
  return result.rule;
}

const holds = (source: string, input: Record<string, unknown> = {}, opts: { uid?: number; random?: number } = {}) =>
  evaluateGrayRule(compiled(source), env(input, opts.uid ?? 0), fixed(opts.random ?? 0.5));

describe('gray rules: evaluation', () => {
  // [rule, input, options, holds?]
  const scenarios: Array<[string, Record<string, unknown>, { uid?: number; random?: number }, boolean]> = [
    // The canary in Rill Flow's docs: rand(100) is floor(random * 100).
    ['rand(100) < 10', {}, { random: 0.05 }, true],
    ['rand(100) < 10', {}, { random: 0.1 }, false],
    ['rand(100) < 10', {}, { random: 0.999 }, false],
    ['rand() < 0.25', {}, { random: 0.2 }, true],
    ['rand() < 0.25', {}, { random: 0.3 }, false],
    // uid (0 without a user) and Aviator's long arithmetic: 7 / 2 is 3.
    ['uid % 100 < 10', {}, { uid: 1205 }, true],
    ['uid % 100 < 10', {}, { uid: 1250 }, false],
    ['uid == 0', {}, {}, true],
    ['7 / 2 == 3', {}, {}, true],
    ['7.0 / 2 == 3.5', {}, {}, true],
    ['-7 / 2 == -3', {}, {}, true],
    ['-7 % 3 == -1', {}, {}, true],
    ['1 + 2 * 3 - 4 == 3', {}, {}, true],
    ['math.abs(-5) == 5', {}, {}, true],
    // The submitted context, as input.
    ["input.city == 'beijing'", { city: 'beijing' }, {}, true],
    ['input.city == "beijing"', { city: 'shanghai' }, {}, false],
    ['input.user.level >= 3', { user: { level: 3 } }, {}, true],
    ['input.user.level >= 3', { user: { level: 2 } }, {}, false],
    ["input['user']['level'] > 1", { user: { level: 2 } }, {}, true],
    ['input.items[1] == "b"', { items: ['a', 'b'] }, {}, true],
    ['input.items[5] == nil', { items: ['a', 'b'] }, {}, true],
    ['input.ratio > 0.5', { ratio: 0.75 }, {}, true],
    ['long(input.id) % 10 == 3', { id: '1234567893' }, {}, true],
    ['double(input.price) >= 9.5', { price: '9.99' }, {}, true],
    ['input.vip', { vip: true }, {}, true],
    ['!input.vip', { vip: false }, {}, true],
    // Missing fields are nil; nil equals only nil and sorts below everything.
    ['input.missing == nil', {}, {}, true],
    ['input.missing != nil', {}, {}, false],
    ['input.a.b.c == nil', { a: 1 }, {}, true],
    ['input.missing < 1', {}, {}, true],
    ['input.missing > 1', {}, {}, false],
    ['input.missing == null', {}, {}, true],
    // Logic, short-circuit, conditionals and strings.
    ['input.city == "bj" && rand(100) < 50', { city: 'bj' }, { random: 0.3 }, true],
    ['input.city == "bj" && rand(100) < 50', { city: 'sh' }, { random: 0.3 }, false],
    ['input.vip || input.missing > 1', { vip: true }, {}, true],
    ['!(uid > 5)', {}, { uid: 3 }, true],
    ['input.vip ? rand(100) < 50 : rand(100) < 5', { vip: true }, { random: 0.3 }, true],
    ['input.vip ? rand(100) < 50 : rand(100) < 5', { vip: false }, { random: 0.3 }, false],
    ['"a" < "b"', {}, {}, true],
    ['"v" + 1 == "v1"', {}, {}, true],
    ['"x" + 1.5 == "x1.5"', {}, {}, true],
    ['str(uid) == "42"', {}, { uid: 42 }, true],
    ['string.startsWith(input.name, "test_")', { name: 'test_user' }, {}, true],
    ['string.contains(input.name, "bot")', { name: 'a robot' }, {}, true],
    ['string.endsWith(input.name, ".cn")', { name: 'weibo.com' }, {}, false],
    ['string.length(input.name) == 4', { name: 'rill' }, {}, true],
    ['true', {}, {}, true],
    ['false', {}, {}, false],
    // Aviator errors are rules that do not hold: a type mismatch (either way), a division by zero, a
    // non-boolean result, a bad conversion, a non-boolean operand of && or !.
    ['input.n == "1"', { n: 1 }, {}, false],
    ['input.n != "1"', { n: 1 }, {}, false],
    ['uid / input.zero == 1', { zero: 0 }, {}, false],
    ['uid % input.zero == 1', { zero: 0 }, {}, false],
    ['input.flag', { flag: 'yes' }, {}, false],
    ['input.flag', { flag: 1 }, {}, false],
    ['long(input.id) > 0', { id: 'abc' }, {}, false],
    ['input.n && true', { n: 1 }, {}, false],
    ['!input.n', { n: 1 }, {}, false],
    ['rand(input.n) < 1', { n: 0 }, {}, false],
    ['string.contains(input.missing, "a")', {}, {}, false],
    // Only own fields: nothing inherited is reachable.
    ['input.constructor != nil', {}, {}, false],
    ['input.toString == nil', {}, {}, true],
    ["input['__proto__'] == nil", {}, {}, true],
    ['input.items.length == 2', { items: ['a', 'b'] }, {}, false],
    ['input.name.length == 4', { name: 'rill' }, {}, false],
  ];

  it.each(scenarios)('%s with %j %j → %s', (rule, input, opts, expected) => {
    expect(holds(rule, input, opts)).toBe(expected);
  });

  it('does not run code hidden in the input', () => {
    const input = JSON.parse('{"__proto__": {"polluted": true}, "x": {"constructor": {"name": "Object"}}}') as Record<string, unknown>;
    expect(holds('input.polluted == true', input)).toBe(false);
    expect(holds('input.x.constructor.name == "Object"', input)).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('wraps long arithmetic at 64 bits, as Java does', () => {
    expect(holds('9223372036854775807 + 1 < 0')).toBe(true);
  });
});

describe('gray rules: what is refused when a rule is set', () => {
  // [rule, the reason (a fragment of it)]
  const refused: Array<[unknown, RegExp]> = [
    ['', /can not be empty/],
    ['   ', /can not be empty/],
    [undefined, /can not be empty/],
    ['x'.repeat(1025), /at most 1024 characters/],
    ['rand(100) <', /not an expression/],
    ['rand(100) < 10)', /not an expression/],
    ['input.name =~ /bot/', /=~\) is not supported/],
    // Not Aviator, or not a rule: code, assignment, statements, other operators.
    ['a = 1', /not an expression/],
    ['input.x; rand(100) < 10', /one expression/],
    ['new Function("return 1")()', /one expression|unknown/],
    ['this.constructor', /unsupported syntax/],
    ['[1, 2][0] == 1', /unsupported syntax/],
    ['(() => 1)()', /not an expression/],
    ['`template`', /not an expression/],
    ['1 === 1', /unsupported operator "==="/],
    ['1 !== 2', /unsupported operator "!=="/],
    ['uid | 1 == 1', /unsupported operator "\|"/],
    ['uid & 1 == 1', /unsupported operator "&"/],
    ['uid ** 2 > 1', /unsupported operator "\*\*"/],
    ['input.x ?? true', /unsupported operator "\?\?"/],
    ['~uid == 1', /unsupported operator "~"/],
    ['+uid == 1', /unsupported operator "\+"/],
    ['input?.x == 1', /optional chaining/],
    // Unknown names: variables, functions, prototype tricks.
    ['user.level > 3', /unknown variable "user"/],
    ['process.exit(1)', /unknown function process.exit/],
    ['require("fs")', /unknown function require/],
    ['eval("1") == 1', /unknown function eval/],
    ['constructor("return 1")() == 1', /unknown function/],
    ['toString() == "x"', /unknown function toString/],
    ['input.x.toString() == "1"', /unknown function input.x.toString/],
    ['input["constructor"]["constructor"]("return 1")() == 1', /unknown function/],
    ['hasOwnProperty == nil', /unknown variable "hasOwnProperty"/],
    ['rand < 10', /rand is a function/],
    ['uid.x == 1', /only input's fields/],
    ['input[uid] == 1', /must be a string or an index/],
    ['input[-1] == 1', /not an expression|must be a string or an index/],
    // Arity and kinds that can never hold.
    ['rand(1, 2) < 1', /rand takes 0 or 1 argument/],
    ['string.contains("a") ', /takes 2 arguments/],
    ['rand(0) < 1', /n > 0/],
    ['rand("10") < 1', /rand takes a number/],
    ['rand(100)', /yields a number, not true or false/],
    ['"gray"', /yields a string/],
    ['uid + 1', /yields a number/],
    ['"a" == 1', /compares a string with a number/],
    ['rand(100) < "10"', /compares a number with a string/],
    ['true > 1', /compares a boolean with a number/],
    ['!uid', /! takes a boolean, not a number/],
    ['uid && true', /&& takes a boolean, not a number/],
    ['"a" - 1 == 1', /- takes a number/],
    ['uid ? true : false', /\? : takes a boolean/],
    ['99999999999999999999 > 1', /does not fit in a long/],
    // Size: too deep, too many parts.
    [`${'-('.repeat(40)}1${')'.repeat(40)} < 0`, /nested more than 32 deep/],
    [`${'!'.repeat(40)}true`, /nested more than 32 deep/],
    [Array.from({ length: 130 }, (_, i) => `uid == ${i}`).join(' || '), /more than 256 parts|at most 1024 characters/],
    [`${'('.repeat(600)}1${')'.repeat(400)}`, /nested|not an expression/],
  ];

  it.each(refused)('%s', (source, reason) => {
    const result = compileGrayRule(source);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0].path).toBe('gray_rule');
    expect(result.errors[0].message).toMatch(reason);
  });

  it('admits rules whose kind depends on the input, and every supported form', () => {
    for (const ok of ['input.flag', 'input.a ? input.b : false', 'rand(input.n) < 5', 'long(input.x) + 1 > uid', 'double("1.5") > 1', 'str(nil) == "null"', 'nil == nil']) {
      expect(compileGrayRule(ok)).toMatchObject({ ok: true });
    }
  });
});

describe('gray rules: choosing the alias', () => {
  const rules = (...pairs: Array<[string, string]>): RillGrayRule[] => pairs.map(([alias, rule]) => ({ alias, rule }));

  it('tries aliases in code-point order, as Rill Flow sorts them, and takes the first whose rule holds', () => {
    const all = rules(['gray', 'true'], ['Beta', 'true'], ['alpha', 'true']);
    // "B" (66) sorts before "a" (97) and "g" (103).
    expect(pickGrayAlias(all, env())).toBe('Beta');
    expect(pickGrayAlias(rules(['gray', 'true'], ['alpha', 'false']), env())).toBe('gray');
  });

  it('answers undefined when no rule holds, so the caller runs release', () => {
    expect(pickGrayAlias(rules(['gray', 'rand(100) < 10']), env(), fixed(0.5))).toBeUndefined();
    expect(pickGrayAlias([], env())).toBeUndefined();
  });

  it('passes over a rule that errors, that yields no boolean, that is empty or that no longer compiles', () => {
    const all = rules(['a', 'input.n == "x"'], ['b', 'input.n'], ['c', ''], ['d', 'nonsense ==='], ['e', 'input.n == 1']);
    expect(pickGrayAlias(all, env({ n: 1 }))).toBe('e');
  });

  it('sends about the share of traffic its rand rule says', () => {
    let seed = 42;
    // A small deterministic generator (Park–Miller) stands in for Math.random.
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const all = rules(['gray', 'rand(100) < 10']);
    let gray = 0;
    for (let i = 0; i < 10_000; i++) if (pickGrayAlias(all, env(), random) === 'gray') gray++;
    expect(gray).toBeGreaterThan(850);
    expect(gray).toBeLessThan(1150);
  });

  it('RillGray reads the rules of the DAG the submit names and evaluates them on its context', async () => {
    const asked: string[] = [];
    const queries = {
      rillGrayRules: async (businessId: string, featureName: string) => {
        asked.push(`${businessId}:${featureName}`);
        return rules(['gray', 'input.city == "bj"'], ['canary', 'uid == 7']);
      },
    } as unknown as DefinitionQueries;
    const gray = new RillGray(queries);
    expect(await gray.aliasFor('biz', 'feat', { city: 'bj' })).toBe('gray');
    expect(await gray.aliasFor('biz', 'feat', { city: 'sh' }, 7)).toBe('canary');
    expect(await gray.aliasFor('biz', 'feat', { city: 'sh' })).toBeUndefined();
    expect(asked).toEqual(['biz:feat', 'biz:feat', 'biz:feat']);
  });
});

import { Injectable, Logger } from '@nestjs/common';
import { ValidationErrorItem } from '@app/contracts';
import { DefinitionQueries, RillGrayRule } from '@app/persistence';
import jsep from 'jsep';

/**
 * Rill Flow's gray (canary) rules: per alias of a DAG, an Aviator expression such as `rand(100) < 10`. A
 * submit whose descriptor id names no alias runs the version of the first alias, in alias order, whose rule
 * holds; `release` when none does (Rill Flow's DescriptorManager / DAGDescriptorService
 * `getValueFromRuleMap`). A rule sees `uid` (the caller's user id, 0 without one) and `input` (the submitted
 * context).
 *
 * Rules are never run as code: jsep parses one into an AST, `compileGrayRule` admits only the nodes,
 * operators, variables and functions below, and `evaluateGrayRule` walks what was admitted. Aviator's value
 * rules are followed where a gray rule can tell: integers are longs (bigint here: `7 / 2` is 3), a
 * decimal point makes a double, `nil` is less than anything, comparing a string with a number is an error,
 * and a rule that errors or yields something other than a boolean does not hold.
 */

/** What `rill_gray_rule.rule` holds. */
export const GRAY_RULE_MAX_LENGTH = 1024;
const MAX_DEPTH = 32;
const MAX_NODES = 256;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** What a rule can compute: Aviator's nil, boolean, long, double and string, and what `input` holds. */
type Value = null | boolean | bigint | number | string | ReadonlyArray<unknown> | { readonly [key: string]: unknown };

type Comparison = '==' | '!=' | '<' | '<=' | '>' | '>=';
type Arithmetic = '+' | '-' | '*' | '/' | '%';

/** The functions a rule may call, with how many arguments each takes. */
const FUNCTIONS = {
  rand: [0, 1],
  long: [1, 1],
  double: [1, 1],
  str: [1, 1],
  'math.abs': [1, 1],
  'string.contains': [2, 2],
  'string.startsWith': [2, 2],
  'string.endsWith': [2, 2],
  'string.length': [1, 1],
} as const satisfies Record<string, readonly [number, number]>;
type FunctionName = keyof typeof FUNCTIONS;
const isFunctionName = (name: string): name is FunctionName => Object.prototype.hasOwnProperty.call(FUNCTIONS, name);

const COMPARISONS: readonly string[] = ['==', '!=', '<', '<=', '>', '>='] satisfies Comparison[];
const ARITHMETIC: readonly string[] = ['+', '-', '*', '/', '%'] satisfies Arithmetic[];
const OPERATORS = '==, !=, <, <=, >, >=, &&, ||, !, +, -, *, /, % and ? :';

/** An admitted rule, as its evaluator walks it. */
type Node =
  | { readonly k: 'literal'; readonly value: Value }
  | { readonly k: 'uid' }
  | { readonly k: 'input'; readonly path: ReadonlyArray<string | number> }
  | { readonly k: 'call'; readonly fn: FunctionName; readonly args: readonly Node[] }
  | { readonly k: 'not' | 'negate'; readonly arg: Node }
  | { readonly k: '&&' | '||'; readonly left: Node; readonly right: Node }
  | { readonly k: 'compare'; readonly op: Comparison; readonly left: Node; readonly right: Node }
  | { readonly k: 'arithmetic'; readonly op: Arithmetic; readonly left: Node; readonly right: Node }
  | { readonly k: 'if'; readonly test: Node; readonly then: Node; readonly otherwise: Node };

/** What compile-time checking can tell of a value: `any` where it depends on the input. */
type Kind = 'boolean' | 'long' | 'double' | 'string' | 'nil' | 'any';

export interface GrayRule {
  readonly source: string;
  readonly root: Node;
}

export type GrayRuleCompilation = { readonly ok: true; readonly rule: GrayRule } | { readonly ok: false; readonly errors: ValidationErrorItem[] };

/** What a rule reads. */
export interface GrayEnv {
  readonly uid: number | bigint;
  readonly input: Record<string, unknown>;
}

/** A rule that cannot be admitted; `message` names the reason. */
class RuleRejected extends Error {}

/** A rule that failed while it was evaluated (Aviator would have thrown): it does not hold. */
class RuleFailed extends Error {}

/** Parses and checks a rule: the rule, or every reason it is refused (each with path `field`). */
export function compileGrayRule(source: unknown, field = 'gray_rule'): GrayRuleCompilation {
  const refuse = (message: string, invalidValue: unknown = source): GrayRuleCompilation => ({ ok: false, errors: [{ path: field, message, invalidValue }] });
  if (typeof source !== 'string' || !source.trim()) return refuse(`${field} can not be empty`);
  if (source.length > GRAY_RULE_MAX_LENGTH) return refuse(`${field} must be at most ${GRAY_RULE_MAX_LENGTH} characters`, `${source.slice(0, 40)}…`);
  if (/=~/.test(source)) return refuse('regular-expression matching (=~) is not supported');
  let ast: jsep.Expression;
  try {
    ast = jsep(source);
  } catch (err) {
    // jsep says where: `Unexpected "=" at character 12`. A stack overflow (nesting) lands here too.
    return refuse(err instanceof RangeError ? 'the rule is nested too deeply' : `not an expression: ${(err as Error).message}`);
  }
  try {
    const counter = { nodes: 0 };
    const root = admit(ast, 0, counter);
    const kind = kindOf(root);
    if (kind !== 'boolean' && kind !== 'any') throw new RuleRejected(`the rule yields ${describeKind(kind)}, not true or false`);
    return { ok: true, rule: { source, root } };
  } catch (err) {
    if (err instanceof RuleRejected) return refuse(err.message);
    throw err;
  }
}

/**
 * Whether a rule holds for `env`. A rule that fails (a type error, a division by zero) or yields anything
 * but a boolean does not: Rill Flow logs it and goes on to the next alias.
 */
export function evaluateGrayRule(rule: GrayRule, env: GrayEnv, random: () => number = Math.random): boolean {
  try {
    return evaluate(rule.root, { uid: typeof env.uid === 'bigint' ? env.uid : toLong(env.uid), input: env.input, random }) === true;
  } catch (err) {
    if (err instanceof RuleFailed || err instanceof RangeError) return false;
    throw err;
  }
}

/**
 * The alias whose rule holds first, the rules taken in alias order (code-point order, as Java's String
 * sort: Rill Flow's); undefined when none holds. A rule that does not compile (stored before this grammar
 * checked it) does not hold.
 */
export function pickGrayAlias(rules: readonly RillGrayRule[], env: GrayEnv, random: () => number = Math.random, compile: (source: string) => GrayRule | undefined = compiledOrUndefined): string | undefined {
  const ordered = [...rules].filter((r) => r.alias && r.rule).sort((a, b) => (a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : 0));
  for (const { alias, rule } of ordered) {
    const compiled = compile(rule);
    if (compiled && evaluateGrayRule(compiled, env, random)) return alias;
  }
  return undefined;
}

function compiledOrUndefined(source: string): GrayRule | undefined {
  const compiled = compileGrayRule(source);
  return compiled.ok ? compiled.rule : undefined;
}

/** Gray rules read from the registry and evaluated for a submit that names no alias. */
@Injectable()
export class RillGray {
  private readonly logger = new Logger(RillGray.name);
  /** Compiled rules by their text: a rule is parsed once, not at every submit. Bounded; dropped whole when full. */
  private readonly compiled = new Map<string, GrayRule | null>();

  constructor(private readonly queries: DefinitionQueries) {}

  /**
   * The alias a submit of `<business>:<feature>` runs: the first, in alias order, whose gray rule holds for
   * this context; undefined when none does (the caller runs `release`). `uid` is the caller's user id
   * (Rill Flow's authenticated user; 0 without one).
   */
  async aliasFor(businessId: string, featureName: string, context: Record<string, unknown>, uid: number = 0): Promise<string | undefined> {
    const rules = await this.queries.rillGrayRules(businessId, featureName);
    if (!rules.length) return undefined;
    return pickGrayAlias(rules, { uid, input: context ?? {} }, Math.random, (source) => this.compile(source));
  }

  private compile(source: string): GrayRule | undefined {
    const cached = this.compiled.get(source);
    if (cached !== undefined) return cached ?? undefined;
    const result = compileGrayRule(source);
    if (!result.ok) this.logger.warn(`gray rule ${JSON.stringify(source)} does not compile and never holds: ${result.errors[0].message}`);
    if (this.compiled.size >= 1000) this.compiled.clear();
    this.compiled.set(source, result.ok ? result.rule : null);
    return result.ok ? result.rule : undefined;
  }
}

// ---- admission: jsep's AST to the closed Node tree ------------------------------------------------------------

function admit(node: jsep.Expression, depth: number, counter: { nodes: number }): Node {
  if (depth > MAX_DEPTH) throw new RuleRejected(`the rule is nested more than ${MAX_DEPTH} deep`);
  if (++counter.nodes > MAX_NODES) throw new RuleRejected(`the rule has more than ${MAX_NODES} parts`);
  const next = (child: jsep.Expression) => admit(child, depth + 1, counter);
  switch (node.type) {
    case 'Literal':
      return { k: 'literal', value: literalValue(node as jsep.Literal) };
    case 'Identifier': {
      const name = (node as jsep.Identifier).name;
      if (name === 'uid') return { k: 'uid' };
      if (name === 'input') return { k: 'input', path: [] };
      if (name === 'nil') return { k: 'literal', value: null };
      if (isFunctionName(name)) throw new RuleRejected(`${name} is a function: call it, as in ${name}(…)`);
      throw new RuleRejected(`unknown variable "${name}": a rule reads uid and input.<field>`);
    }
    case 'MemberExpression': {
      const member = node as jsep.MemberExpression;
      if (member.optional) throw new RuleRejected('optional chaining (?.) is not supported: a missing field is nil already');
      const object = next(member.object);
      if (object.k !== 'input') throw new RuleRejected(`only input's fields can be read (${describe(member.object)} has none)`);
      return { k: 'input', path: [...object.path, memberKey(member)] };
    }
    case 'CallExpression': {
      const call = node as jsep.CallExpression;
      const name = calleeName(call.callee);
      if (!name || !isFunctionName(name)) throw new RuleRejected(`unknown function ${name ?? describe(call.callee)}: a rule may call ${Object.keys(FUNCTIONS).join(', ')}`);
      const fn = name;
      const [min, max] = FUNCTIONS[fn];
      if (call.arguments.length < min || call.arguments.length > max) {
        throw new RuleRejected(`${fn} takes ${min === max ? min : `${min} or ${max}`} argument${max === 1 ? '' : 's'}, not ${call.arguments.length}`);
      }
      const args = call.arguments.map(next);
      checkCall(fn, args);
      return { k: 'call', fn, args };
    }
    case 'UnaryExpression': {
      const unary = node as jsep.UnaryExpression;
      const arg = next(unary.argument);
      if (unary.operator === '!') {
        requireKind(arg, ['boolean'], '!');
        return { k: 'not', arg };
      }
      if (unary.operator === '-') {
        requireKind(arg, ['long', 'double'], 'unary -');
        return { k: 'negate', arg };
      }
      throw new RuleRejected(`unsupported operator "${unary.operator}": rules use ${OPERATORS}`);
    }
    case 'BinaryExpression': {
      const binary = node as jsep.BinaryExpression;
      const op = binary.operator;
      const left = next(binary.left);
      const right = next(binary.right);
      if (op === '&&' || op === '||') {
        requireKind(left, ['boolean'], op);
        requireKind(right, ['boolean'], op);
        return { k: op, left, right };
      }
      if (COMPARISONS.includes(op)) {
        checkComparable(left, right, op);
        return { k: 'compare', op: op as Comparison, left, right };
      }
      if (ARITHMETIC.includes(op)) {
        if (op !== '+' || (kindOf(left) !== 'string' && kindOf(right) !== 'string')) {
          requireKind(left, ['long', 'double'], op);
          requireKind(right, ['long', 'double'], op);
        }
        return { k: 'arithmetic', op: op as Arithmetic, left, right };
      }
      throw new RuleRejected(`unsupported operator "${op}": rules use ${OPERATORS}`);
    }
    case 'ConditionalExpression': {
      const conditional = node as jsep.ConditionalExpression;
      const test = next(conditional.test);
      requireKind(test, ['boolean'], '? :');
      return { k: 'if', test, then: next(conditional.consequent), otherwise: next(conditional.alternate) };
    }
    case 'Compound':
      throw new RuleRejected('a rule is one expression (no ";" and no juxtaposed terms)');
    default:
      throw new RuleRejected(`unsupported syntax (${node.type}): rules use literals, uid, input.<field>, function calls and ${OPERATORS}`);
  }
}

/** A literal as Aviator reads it: digits alone are a long, a decimal point or exponent makes a double. */
function literalValue(literal: jsep.Literal): Value {
  const { value, raw } = literal;
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (/^\d+$/.test(raw)) {
      const long = BigInt(raw);
      if (long > LONG_MAX) throw new RuleRejected(`${raw} does not fit in a long`);
      return long;
    }
    return value;
  }
  throw new RuleRejected(`unsupported literal ${raw}`);
}

function memberKey(member: jsep.MemberExpression): string | number {
  const property = member.property;
  if (!member.computed) {
    if (property.type !== 'Identifier') throw new RuleRejected('a field name must follow "."');
    return (property as jsep.Identifier).name;
  }
  if (property.type !== 'Literal') throw new RuleRejected('a field in brackets must be a string or an index, not an expression');
  const value = (property as jsep.Literal).value;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  throw new RuleRejected('a field in brackets must be a string or an index');
}

/** `rand`, or `string.contains`: a name, or a namespace and a name. */
function calleeName(callee: jsep.Expression): string | undefined {
  if (callee.type === 'Identifier') return (callee as jsep.Identifier).name;
  const member = callee as jsep.MemberExpression;
  if (callee.type === 'MemberExpression' && !member.computed && member.object.type === 'Identifier' && member.property.type === 'Identifier') {
    return `${(member.object as jsep.Identifier).name}.${(member.property as jsep.Identifier).name}`;
  }
  return undefined;
}

function checkCall(fn: FunctionName, args: readonly Node[]): void {
  switch (fn) {
    case 'rand': {
      if (!args.length) return;
      requireKind(args[0], ['long'], 'rand');
      const bound = args[0].k === 'literal' ? args[0].value : undefined;
      if (typeof bound === 'bigint' && bound <= 0n) throw new RuleRejected('rand(n) needs n > 0');
      return;
    }
    case 'math.abs':
      return requireKind(args[0], ['long', 'double'], fn);
    case 'string.contains':
    case 'string.startsWith':
    case 'string.endsWith':
      return args.forEach((a) => requireKind(a, ['string'], fn));
    case 'string.length':
      return requireKind(args[0], ['string'], fn);
    case 'long':
    case 'double':
      return requireKind(args[0], ['long', 'double', 'string'], fn);
    case 'str':
      return;
  }
}

/** Refuses an operand that can only be of another kind (one read from the input can be anything). */
function requireKind(node: Node, allowed: readonly Kind[], where: string): void {
  const kind = kindOf(node);
  if (kind !== 'any' && !allowed.includes(kind)) throw new RuleRejected(`${where} takes ${allowed.map(describeKind).join(' or ')}, not ${describeKind(kind)}`);
}

function checkComparable(left: Node, right: Node, op: string): void {
  const [a, b] = [kindOf(left), kindOf(right)].map((k) => (k === 'long' || k === 'double' ? 'number' : k));
  if (a === 'any' || b === 'any' || a === 'nil' || b === 'nil' || a === b) return;
  throw new RuleRejected(`${op} compares ${describeKind(a as Kind)} with ${describeKind(b as Kind)}: Aviator refuses that, so the rule could never hold`);
}

function kindOf(node: Node): Kind {
  switch (node.k) {
    case 'literal':
      return node.value === null ? 'nil' : typeof node.value === 'boolean' ? 'boolean' : typeof node.value === 'bigint' ? 'long' : typeof node.value === 'number' ? 'double' : 'string';
    case 'uid':
      return 'long';
    case 'input':
      return 'any';
    case 'not':
    case '&&':
    case '||':
    case 'compare':
      return 'boolean';
    case 'negate':
      return kindOf(node.arg);
    case 'call':
      switch (node.fn) {
        case 'rand':
          return node.args.length ? 'long' : 'double';
        case 'long':
        case 'string.length':
          return 'long';
        case 'double':
          return 'double';
        case 'str':
          return 'string';
        case 'math.abs':
          return kindOf(node.args[0]);
        default:
          return 'boolean';
      }
    case 'arithmetic': {
      const [l, r] = [kindOf(node.left), kindOf(node.right)];
      if (node.op === '+' && (l === 'string' || r === 'string')) return 'string';
      if (l === 'any' || r === 'any') return 'any';
      return l === 'double' || r === 'double' ? 'double' : 'long';
    }
    case 'if': {
      const [t, o] = [kindOf(node.then), kindOf(node.otherwise)];
      return t === o ? t : 'any';
    }
  }
}

function describeKind(kind: Kind | 'number'): string {
  return { boolean: 'a boolean', long: 'a number', double: 'a number', number: 'a number', string: 'a string', nil: 'nil', any: 'a value' }[kind];
}

/** A node as written, as far as a message needs it (`input.a.b`, `uid`, `"x"`). */
function describe(node: jsep.Expression): string {
  if (node.type === 'Identifier') return (node as jsep.Identifier).name;
  if (node.type === 'Literal') return String((node as jsep.Literal).raw);
  if (node.type === 'MemberExpression') {
    const member = node as jsep.MemberExpression;
    return member.computed ? `${describe(member.object)}[${describe(member.property)}]` : `${describe(member.object)}.${describe(member.property)}`;
  }
  return `a ${node.type}`;
}

// ---- evaluation ---------------------------------------------------------------------------------------------

interface Scope {
  readonly uid: bigint;
  readonly input: Record<string, unknown>;
  readonly random: () => number;
}

function evaluate(node: Node, scope: Scope): Value {
  switch (node.k) {
    case 'literal':
      return node.value;
    case 'uid':
      return scope.uid;
    case 'input':
      return read(scope.input, node.path);
    case 'not':
      return !asBoolean(evaluate(node.arg, scope), '!');
    case 'negate': {
      const v = evaluate(node.arg, scope);
      if (typeof v === 'bigint') return BigInt.asIntN(64, -v);
      if (typeof v === 'number') return -v;
      throw new RuleFailed(`unary - takes a number`);
    }
    case '&&':
      return asBoolean(evaluate(node.left, scope), '&&') && asBoolean(evaluate(node.right, scope), '&&');
    case '||':
      return asBoolean(evaluate(node.left, scope), '||') || asBoolean(evaluate(node.right, scope), '||');
    case 'compare':
      return compare(node.op, evaluate(node.left, scope), evaluate(node.right, scope));
    case 'arithmetic':
      return arithmetic(node.op, evaluate(node.left, scope), evaluate(node.right, scope));
    case 'if':
      return asBoolean(evaluate(node.test, scope), '? :') ? evaluate(node.then, scope) : evaluate(node.otherwise, scope);
    case 'call':
      return call(node.fn, node.args.map((a) => evaluate(a, scope)), scope);
  }
}

/**
 * A field of the input: only own fields of plain objects and elements of arrays, never anything inherited
 * (`constructor`, `__proto__`'s target). Missing is nil, as in Aviator; numbers become longs or doubles.
 */
function read(input: Record<string, unknown>, path: ReadonlyArray<string | number>): Value {
  let current: unknown = input;
  for (const key of path) {
    if (Array.isArray(current)) {
      const index = typeof key === 'number' ? key : /^\d+$/.test(key) ? Number(key) : -1;
      current = index >= 0 && index < current.length ? current[index] : undefined;
    } else if (isPlainObject(current) && Object.prototype.hasOwnProperty.call(current, key)) {
      current = current[String(key)];
    } else {
      return null;
    }
  }
  return fromInput(current);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!value || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function fromInput(value: unknown): Value {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean' || typeof value === 'string' || typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER ? BigInt(value) : value;
  if (Array.isArray(value) || isPlainObject(value)) return value as Value;
  return null;
}

function toLong(n: number): bigint {
  if (!Number.isFinite(n)) throw new RuleFailed('not a finite number');
  return BigInt.asIntN(64, BigInt(Math.trunc(n)));
}

function asBoolean(v: Value, where: string): boolean {
  if (typeof v !== 'boolean') throw new RuleFailed(`${where} takes booleans`);
  return v;
}

const isNumber = (v: Value): v is bigint | number => typeof v === 'bigint' || typeof v === 'number';

/** Aviator's ordering: nil below everything; numbers with numbers, strings with strings, booleans with booleans. */
function order(a: Value, b: Value): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (isNumber(a) && isNumber(b)) {
    if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
    const [x, y] = [Number(a), Number(b)];
    if (Number.isNaN(x) || Number.isNaN(y)) throw new RuleFailed('NaN does not compare');
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  throw new RuleFailed(`cannot compare ${typeof a} with ${typeof b}`);
}

function compare(op: Comparison, a: Value, b: Value): boolean {
  const c = order(a, b);
  switch (op) {
    case '==':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
  }
}

function arithmetic(op: Arithmetic, a: Value, b: Value): Value {
  if (op === '+' && (typeof a === 'string' || typeof b === 'string')) return text(a) + text(b);
  if (!isNumber(a) || !isNumber(b)) throw new RuleFailed(`${op} takes numbers`);
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    if ((op === '/' || op === '%') && b === 0n) throw new RuleFailed('division by zero');
    const r = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : op === '/' ? a / b : a % b;
    return BigInt.asIntN(64, r);
  }
  const [x, y] = [Number(a), Number(b)];
  return op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : op === '/' ? x / y : x % y;
}

/** A value as Aviator's `str` writes it (a double keeps its ".0"). */
function text(v: Value): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? `${v}.0` : String(v);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function call(fn: FunctionName, args: Value[], scope: Scope): Value {
  const [a, b] = args;
  switch (fn) {
    case 'rand': {
      if (!args.length) return scope.random();
      if (typeof a !== 'bigint' || a <= 0n || a > BigInt(Number.MAX_SAFE_INTEGER)) throw new RuleFailed('rand(n) needs a whole n > 0');
      return BigInt(Math.floor(scope.random() * Number(a)));
    }
    case 'long':
      if (typeof a === 'bigint') return a;
      if (typeof a === 'number') return toLong(a);
      if (typeof a === 'string' && /^\s*[+-]?\d+\s*$/.test(a)) {
        const v = BigInt(a.trim());
        if (v < LONG_MIN || v > LONG_MAX) throw new RuleFailed('does not fit in a long');
        return v;
      }
      throw new RuleFailed('long() takes a number or a string of digits');
    case 'double':
      if (isNumber(a)) return Number(a);
      if (typeof a === 'string' && a.trim() && Number.isFinite(Number(a))) return Number(a);
      throw new RuleFailed('double() takes a number or a numeric string');
    case 'str':
      return text(a);
    case 'math.abs':
      if (typeof a === 'bigint') return BigInt.asIntN(64, a < 0n ? -a : a);
      if (typeof a === 'number') return Math.abs(a);
      throw new RuleFailed('math.abs takes a number');
    case 'string.length':
      if (typeof a !== 'string') throw new RuleFailed(`${fn} takes a string`);
      return BigInt(a.length);
    case 'string.contains':
    case 'string.startsWith':
    case 'string.endsWith':
      if (typeof a !== 'string' || typeof b !== 'string') throw new RuleFailed(`${fn} takes strings`);
      return fn === 'string.contains' ? a.includes(b) : fn === 'string.startsWith' ? a.startsWith(b) : a.endsWith(b);
  }
}

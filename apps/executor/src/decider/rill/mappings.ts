import { parsePath, readPath } from './jsonpath';

/**
 * Rill Flow's input/output mappings (`JSONPathInputOutputMapping`), pure: no I/O, no clock, nothing thrown for
 * bad user data, inputs never mutated (every write copies the path it changes).
 *
 * A rule reads `source` over the document `{context, input, output}`, optionally runs `transform`, and writes
 * `target`. inputMappings run over `{context, input: parameters, output: {}}` and yield the input;
 * outputMappings run over `{context, input, output}` and yield the next context.
 *
 * As in Rill Flow:
 *  - a rule needs a target and a source or transform, or it is ignored (here: listed, tolerated);
 *  - `$…` sources are Jayway JSONPath: a definite path yields the value itself, a missing *last* field yields
 *    nothing (so nothing is written, whatever `tolerance` says) while a missing or non-object *parent* is an
 *    error; an indefinite path (`[*]`, filters, `..`) yields the list of matches, possibly empty;
 *  - other strings are constants: JSON objects/arrays parsed, `true`/`false` (any case) booleans, decimal
 *    numbers numbers (an integer when there is no `.`: `1e-3` is 0, Java's `longValue`), else the string;
 *  - a null result (source or transform) writes nothing;
 *  - an error is skipped when `tolerance` is absent or true, and stops the mapping when it is false.
 * Where Baton differs: missing maps are created at any depth (Rill Flow's docs say two levels; its code also
 * creates them all); a target must start with `$.context`, `$.input` or `$.output` (Rill Flow writes other roots
 * nowhere, silently); `$.input` itself may be replaced by an object; a `reference` is expanded in place (its
 * rules, then the rule's own source/target if it has a target), nested references too, cycles refused.
 */

export type JsonObject = Record<string, unknown>;

/** The fields of a Rill Flow mapping rule (`RillMapping` of the DAG model is one). */
export interface RillMappingLike {
  readonly source?: string | number | boolean | null;
  readonly target?: string;
  /** Absent or true: a failure skips the rule. False: a failure fails the task. */
  readonly tolerance?: boolean;
  /** A key of the DAG's `commonMapping`. */
  readonly reference?: string;
  /** An expression over `source`, `context`, `input`, `output` (Aviator in Rill Flow). */
  readonly transform?: string;
  /** Used by `progress.args` only; ignored here. */
  readonly variable?: string;
}

export interface MappingDocument {
  readonly context: JsonObject;
  readonly input: JsonObject;
  readonly output: JsonObject;
}

export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** A type, not an interface, so that it is assignable to `Record<string, unknown>` (a sandbox's globals). */
export type TransformVars = {
  readonly source: unknown;
  readonly context: JsonObject;
  readonly input: JsonObject;
  readonly output: JsonObject;
};

export interface MappingOptions {
  readonly commonMapping?: Readonly<Record<string, readonly RillMappingLike[]>>;
  /** Evaluates a rule's `transform`; must not mutate `vars`. */
  readonly transform?: (expression: string, vars: TransformVars) => Outcome<unknown>;
  /** The URL that completes `taskName` (`$.tasks.<taskName>.trigger_url[?query]`). */
  readonly triggerUrl?: (taskName: string, query?: string) => string;
}

export interface MappingError {
  readonly mapping: RillMappingLike;
  readonly message: string;
  /** The rule was skipped and mapping went on (the complement of `fatal`). */
  readonly tolerated: boolean;
  /** A `tolerance: false` rule failed: mapping stopped and the caller fails the task. */
  readonly fatal: boolean;
}

export interface MappingResult {
  readonly doc: MappingDocument;
  readonly errors: readonly MappingError[];
  /** Some error is fatal; `doc` is then as it was before the failed rule. */
  readonly fatal: boolean;
}

const ROOTS = ['context', 'input', 'output'];
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
const fail = (message: string): Outcome<never> => ({ ok: false, message });
const isRecord = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const isBlank = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'a list' : v === undefined ? 'missing' : `a ${typeof v}`);

/** Rill Flow's `parseSource`: a constant source string as the value it looks like. */
export function coerceConstant(source: string): unknown {
  const trimmed = source.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (typeof parsed === 'object' && parsed !== null) return parsed;
    } catch {
      // not JSON: maybe a number or a plain string
    }
  }
  const lower = trimmed.toLowerCase();
  if (lower === 'true' || lower === 'false') return lower === 'true';
  const number = DECIMAL.test(trimmed) ? Number(trimmed) : NaN;
  if (!Number.isFinite(number)) return source;
  return trimmed.includes('.') ? number : Math.trunc(number) + 0; // `+ 0` turns -0 into 0
}

/** A source's value, or why it cannot be read. A non-string source (a YAML number, boolean) is itself. */
export function readSource(source: unknown, doc: MappingDocument, opts: MappingOptions = {}): Outcome<unknown> {
  if (typeof source !== 'string') return ok(source ?? null);
  if (isBlank(source)) return ok(null);
  if (!source.startsWith('$')) return ok(coerceConstant(source));
  const parts = source.split('.');
  if (source.startsWith('$.tasks.') && parts.length > 3) {
    // As Rill Flow: `$.tasks.<name>.<key>` never reads the document; only the trigger_url key has a value.
    if (parts[3] !== 'trigger_url' && !parts[3].startsWith('trigger_url?')) return ok(null);
    if (!opts.triggerUrl) return fail(`no trigger URL for ${source}`);
    return ok(opts.triggerUrl(parts[2], source.split('?')[1] || undefined));
  }
  return readPath(source, doc);
}

/** A source's value; `undefined` when it resolves to nothing or cannot be read. */
export function resolveSource(source: unknown, doc: MappingDocument, opts: MappingOptions = {}): unknown {
  const read = readSource(source, doc, opts);
  return read.ok ? read.value : undefined;
}

/**
 * A copy of `obj` with `value` at `target` (`$.input.x`, `$.context.a.b`, `$.input['a b']`, `$.input.list[0]`),
 * missing maps created; lists are indexed only where they exist (an index equal to the length appends).
 */
export function writeTarget<T extends object>(obj: T, target: string, value: unknown): Outcome<T> {
  const parsed = parsePath(target);
  if (!parsed.ok) return parsed;
  if (parsed.rest) return fail(`unexpected "${parsed.rest}" in target ${target}`);
  const keys: (string | number)[] = [];
  for (const seg of parsed.segments) {
    if (seg.kind === 'name' && seg.names.length === 1) keys.push(seg.names[0]);
    else if (seg.kind === 'index' && seg.indexes.length === 1) keys.push(seg.indexes[0]);
    else return fail(`a target names one field: ${target}`);
  }
  if (!keys.length) return fail(`a target names a field under $: ${target}`);
  return setIn(obj, keys, value, '$') as Outcome<T>;
}

function setIn(node: unknown, keys: readonly (string | number)[], value: unknown, at: string): Outcome<unknown> {
  const [key, ...more] = keys;
  const here = typeof key === 'number' ? `${at}[${key}]` : `${at}.${key}`;
  if (typeof key === 'string') {
    if (node !== undefined && node !== null && !isRecord(node)) return fail(`cannot write ${here}: ${at} is ${describe(node)}`);
    const base: JsonObject = isRecord(node) ? node : {};
    const child = more.length ? setIn(Object.hasOwn(base, key) ? base[key] : undefined, more, value, here) : ok(value);
    if (!child.ok) return child;
    const copy = { ...base };
    // defineProperty, not assignment: a key such as `__proto__` stays an own data property.
    Object.defineProperty(copy, key, { value: child.value, enumerable: true, writable: true, configurable: true });
    return ok(copy);
  }
  if (!Array.isArray(node)) return fail(`cannot write ${here}: ${at} is ${describe(node)}, not a list`);
  const index = key < 0 ? key + node.length : key;
  if (index < 0 || index > node.length) return fail(`cannot write ${here}: the list has ${node.length} items`);
  const child = more.length ? setIn(node[index], more, value, here) : ok(value);
  if (!child.ok) return child;
  const copy = node.slice();
  copy[index] = child.value;
  return ok(copy);
}

type Step = { readonly rule: RillMappingLike; readonly problem?: string };

/** The rules to run, references expanded in place. */
function expand(rules: readonly RillMappingLike[], opts: MappingOptions, trail: readonly string[]): Step[] {
  return rules.flatMap((rule): Step[] => {
    if (isBlank(rule.reference)) return [{ rule }];
    const key = rule.reference!;
    const common = opts.commonMapping ?? {};
    const steps: Step[] = trail.includes(key)
      ? [{ rule, problem: `reference cycle: ${[...trail, key].join(' -> ')}` }]
      : Object.hasOwn(common, key)
        ? expand(common[key], opts, [...trail, key])
        : [{ rule, problem: `commonMapping has no "${key}"` }];
    return isBlank(rule.target) ? steps : [...steps, { rule }];
  });
}

function applyRule(rule: RillMappingLike, doc: MappingDocument, opts: MappingOptions): Outcome<MappingDocument> {
  const source = readSource(rule.source, doc, opts);
  if (!source.ok) return source;
  let value = source.value;
  if (!isBlank(rule.transform)) {
    if (!opts.transform) return fail('a transform needs an evaluator');
    const vars: TransformVars = { source: value ?? null, context: doc.context, input: doc.input, output: doc.output };
    const transformed = opts.transform(rule.transform!, vars);
    if (!transformed.ok) return fail(`transform failed: ${transformed.message}`);
    value = transformed.value;
  }
  if (value === undefined || value === null) return ok(doc);
  const target = rule.target!;
  const parsed = parsePath(target);
  const root = parsed.ok ? parsed.segments[0] : undefined;
  if (root?.kind !== 'name' || !ROOTS.includes(root.names[0])) return fail(`a target starts with $.context, $.input or $.output: ${target}`);
  if (parsed.ok && parsed.segments.length === 1 && !isRecord(value)) return fail(`${target} can only be replaced by an object, not ${describe(value)}`);
  return writeTarget(doc, target, value);
}

/** Runs the rules in order over `doc`; stops at the first failure of a `tolerance: false` rule. */
export function applyMappings(mappings: readonly RillMappingLike[] | undefined, doc: MappingDocument, opts: MappingOptions = {}): MappingResult {
  const errors: MappingError[] = [];
  let current = doc;
  for (const { rule, problem } of expand(mappings ?? [], opts, [])) {
    const ignored = !problem && (isBlank(rule.target) || (isBlank(rule.source) && isBlank(rule.transform)));
    if (ignored) {
      errors.push({ mapping: rule, message: 'ignored: a rule needs a target and a source or transform', tolerated: true, fatal: false });
      continue;
    }
    const applied = problem ? fail(problem) : applyRule(rule, current, opts);
    if (applied.ok) {
      current = applied.value;
      continue;
    }
    const fatal = rule.tolerance === false;
    errors.push({ mapping: rule, message: applied.message, tolerated: !fatal, fatal });
    if (fatal) return { doc: current, errors, fatal };
  }
  return { doc: current, errors, fatal: false };
}

/** A task's input: its `parameters` as defaults, its inputMappings over the context on top. */
export function inputOf(
  task: { readonly parameters?: Readonly<JsonObject>; readonly inputMappings?: readonly RillMappingLike[] },
  context: JsonObject,
  opts: MappingOptions = {},
): { readonly input: JsonObject; readonly errors: readonly MappingError[]; readonly fatal: boolean } {
  const result = applyMappings(task.inputMappings, { context, input: { ...task.parameters }, output: {} }, opts);
  return { input: result.doc.input, errors: result.errors, fatal: result.fatal };
}

/** The context once a task's outputMappings ran over its context, input and output. */
export function contextAfter(
  outputMappings: readonly RillMappingLike[] | undefined,
  doc: MappingDocument,
  opts: MappingOptions = {},
): { readonly context: JsonObject; readonly errors: readonly MappingError[]; readonly fatal: boolean } {
  const result = applyMappings(outputMappings, doc, opts);
  return { context: result.doc.context, errors: result.errors, fatal: result.fatal };
}

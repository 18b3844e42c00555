import { JSONPath } from 'jsonpath-plus';

/**
 * Rill Flow's JSONPath dialect (Jayway json-path) for conditions and mapping reads — pure, never throws.
 *
 * Rill Flow (`ConditionsUtil`, choice/switch runners) reads each condition with `AS_PATH_LIST` and
 * `SUPPRESS_EXCEPTIONS`: a condition matches when the path selects at least one node (a present `null` counts).
 * Paths are walked here, segment by segment, with Jayway's semantics, because jsonpath-plus differs where it
 * matters: Jayway applies a filter on an object to the object itself (`$.input.[?(@.num < 5)]` matches when
 * `input.num < 5`), jsonpath-plus to its children. Only the filter *expressions* go to jsonpath-plus, with its
 * safe evaluator (`eval: 'safe'`, a jsep interpreter, never `vm`/`eval`), after a whitelist pass:
 *  - allowed: `@` (the candidate), `$` (the whole document), member access, literals, `== != === !== < <= >
 *    >= && || ! + - * / % ? :`, grouping, `@.x.length()` (Jayway's function, read as `.length`);
 *  - refused, so the condition is malformed: calls, assignment, `=~`, `in`/`nin`/`size`/`empty`/`anyof`…,
 *    `@root`-style names, regex literals;
 *  - string literals travel through the sandbox (never inlined), so quotes, `)]` or `@` in them are harmless.
 * Where Baton differs from Jayway: `==` is JavaScript's loose equality (Jayway also equates `1` and `'1'`, but
 * not `0` and `''`); `== null` is strict, so a missing field is not null (as in Jayway); a bare `@.x` tests
 * truthiness, not existence; `$.context.tt==1` (a path then a comparison — Jayway reads a property named
 * `tt==1`) is a Baton extension comparing the value at the path.
 */

export interface CompiledFilter {
  readonly code: string;
  readonly strings: readonly string[];
}

export type PathSegment =
  | { readonly kind: 'name'; readonly names: readonly string[] }
  | { readonly kind: 'index'; readonly indexes: readonly number[] }
  | { readonly kind: 'slice'; readonly start?: number; readonly end?: number }
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'scan' }
  | { readonly kind: 'filter'; readonly filter: CompiledFilter }
  | { readonly kind: 'length' };

export type PathParse = { ok: true; segments: readonly PathSegment[]; rest: string } | { ok: false; message: string };
export type PathRead = { ok: true; value: unknown } | { ok: false; message: string };

const NAME_END = /[.[\s=!<>()]/;
const BLOCKED_NAMES = new Set(['constructor', '__proto__', 'prototype', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);
const OPERATORS = ['===', '!==', '==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '+', '-', '*', '/', '%', '?', ':', ','];

/** Parses `$…` up to the first character that cannot continue a path; that tail is `rest`. */
export function parsePath(text: string): PathParse {
  if (!text.startsWith('$')) return { ok: false, message: `a path starts with $: ${text}` };
  const segments: PathSegment[] = [];
  let i = 1;
  while (i < text.length) {
    if (text[i] === '[') {
      const bracket = parseBracket(text, i);
      if (typeof bracket === 'string') return { ok: false, message: `${bracket} in ${text}` };
      segments.push(bracket.segment);
      i = bracket.end;
      continue;
    }
    if (text[i] !== '.') break;
    const scan = text[i + 1] === '.';
    if (scan) segments.push({ kind: 'scan' });
    i += scan ? 2 : 1;
    if (text[i] === '[') continue; // Jayway accepts `.[…]` and `..[…]`
    if (text[i] === '*') {
      segments.push({ kind: 'wildcard' });
      i++;
      continue;
    }
    let j = i;
    while (j < text.length && !NAME_END.test(text[j])) j++;
    const name = text.slice(i, j);
    if (!name) return { ok: false, message: `empty property name at ${i} in ${text}` };
    if (text.startsWith('()', j)) {
      if (name !== 'length') return { ok: false, message: `unsupported function ${name}() in ${text}` };
      segments.push({ kind: 'length' });
      return { ok: true, segments, rest: text.slice(j + 2) };
    }
    segments.push({ kind: 'name', names: [name] });
    i = j;
  }
  return { ok: true, segments, rest: text.slice(i) };
}

function parseBracket(text: string, start: number): { segment: PathSegment; end: number } | string {
  let i = skipSpaces(text, start + 1);
  const c = text[i];
  if (c === '?') {
    const close = text[i + 1] === '(' ? matchParen(text, i + 1) : -1;
    if (close < 0) return 'a filter is [?( … )]';
    const filter = compileFilter(text.slice(i + 2, close));
    if (typeof filter === 'string') return filter;
    const end = skipSpaces(text, close + 1);
    return text[end] === ']' ? { segment: { kind: 'filter', filter }, end: end + 1 } : 'expected ] after a filter';
  }
  if (c === "'" || c === '"') {
    const names: string[] = [];
    for (;;) {
      const quoted = readQuoted(text, i);
      if (!quoted) return 'unclosed or missing quote';
      names.push(quoted.value);
      i = skipSpaces(text, quoted.end);
      if (text[i] === ']') return { segment: { kind: 'name', names }, end: i + 1 };
      if (text[i] !== ',') return 'expected , or ] after a quoted name';
      i = skipSpaces(text, i + 1);
    }
  }
  const close = text.indexOf(']', i);
  if (close < 0) return 'unclosed [';
  const body = text.slice(i, close).trim();
  const int = (s: string) => (s.trim() === '' ? undefined : Number(s));
  if (body === '*') return { segment: { kind: 'wildcard' }, end: close + 1 };
  if (/^-?\d*\s*:\s*-?\d*$/.test(body)) {
    const [from, to] = body.split(':');
    return { segment: { kind: 'slice', start: int(from), end: int(to) }, end: close + 1 };
  }
  if (/^-?\d+(\s*,\s*-?\d+)*$/.test(body)) return { segment: { kind: 'index', indexes: body.split(',').map(Number) }, end: close + 1 };
  return `unsupported selector [${body}]`;
}

const skipSpaces = (text: string, i: number): number => (/\s/.test(text[i] ?? '') ? skipSpaces(text, i + 1) : i);

/** A quoted string at `start` (backslash escapes the next character), or undefined when unclosed. */
function readQuoted(text: string, start: number): { value: string; end: number } | undefined {
  const quote = text[start];
  const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v' };
  let value = '';
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === quote) return { value, end: i + 1 };
    if (text[i] === '\\') value += escapes[text[++i]] ?? text[i] ?? '';
    else value += text[i];
  }
  return undefined;
}

function matchParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === "'" || c === '"') {
      const quoted = readQuoted(text, i);
      if (!quoted) return -1;
      i = quoted.end - 1;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

/** The whitelist pass: a Jayway filter expression to code for jsonpath-plus's safe evaluator, or why not. */
export function compileFilter(expr: string): CompiledFilter | string {
  const strings: string[] = [];
  let code = '';
  let prev: 'value' | 'dot' | 'op' = 'op';
  for (let i = 0; i < expr.length; ) {
    const c = expr[i];
    const tail = expr.slice(i);
    const word = /^[A-Za-z_]\w*/.exec(tail)?.[0];
    const bracketKey = prev === 'value' ? /^\[\s*(['"])([^'"\\@()[\]]*)\1\s*\]/.exec(tail) : null;
    if (/\s/.test(c)) {
      code += ' ';
      i++;
      continue;
    }
    if (bracketKey) {
      if (BLOCKED_NAMES.has(bracketKey[2])) return `property ${bracketKey[2]} is not allowed in a filter`;
      code += `['${bracketKey[2]}']`;
      i += bracketKey[0].length;
    } else if (c === "'" || c === '"') {
      const quoted = readQuoted(expr, i);
      if (!quoted) return 'unclosed string in a filter';
      code += `_$_s${strings.length}`;
      strings.push(quoted.value);
      i = quoted.end;
    } else if (c === '@' || c === '$') {
      if (/[\w$@]/.test(expr[i + 1] ?? '')) return `unsupported ${c}${/^.[\w$@]*/.exec(tail)?.[0].slice(1)} in a filter`;
      code += c === '@' ? '_$_v' : '_$_doc';
      i++;
    } else if (word && prev === 'dot') {
      if (BLOCKED_NAMES.has(word)) return `property ${word} is not allowed in a filter`;
      code += word;
      i += word.length;
      const call = word === 'length' ? /^\s*\(\s*\)/.exec(expr.slice(i)) : null;
      if (call) i += call[0].length; // Jayway's length() is JavaScript's .length
    } else if (word) {
      if (word !== 'true' && word !== 'false' && word !== 'null') return `unsupported name or operator "${word}" in a filter`;
      code += word;
      i += word.length;
    } else if (/\d/.test(c)) {
      const num = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(tail)![0];
      code += num;
      i += num.length;
    } else if (c === '.' || c === '(' || c === ')' || c === '[' || c === ']') {
      if (c === '.' && prev !== 'value') return 'unexpected . in a filter';
      if (c === '(' && prev === 'value') return 'function calls are not allowed in a filter';
      code += c === ')' ? ') ' : c; // `) ` keeps jsonpath-plus from ending the filter early at a `)]`
      i++;
      prev = c === '.' ? 'dot' : c === ')' || c === ']' ? 'value' : 'op';
      continue;
    } else {
      const op = OPERATORS.find((o) => tail.startsWith(o));
      if (tail.startsWith('=~')) return 'regular expression matching (=~) is not supported';
      if (c === '=' && !op) return 'assignment is not allowed in a filter';
      if (!op || tail.startsWith('++') || tail.startsWith('--')) return `unexpected "${c}" in a filter`;
      if (op === '/' && prev !== 'value') return 'regular expressions are not supported in a filter';
      const strict = (op === '==' || op === '!=') && (/^\s*null\b/.test(expr.slice(i + 2)) || /(^|[^\w$.])null\s*$/.test(code));
      code += strict ? `${op}=` : op;
      i += op.length;
      prev = 'op';
      continue;
    }
    prev = 'value';
  }
  return code.trim() ? { code, strings } : 'empty filter';
}

/** Whether `value` passes the filter; a string when the evaluator refused the expression (a syntax error). */
export function runFilter(filter: CompiledFilter, value: unknown, doc: unknown): boolean | string {
  const sandbox: Record<string, unknown> = { _$_doc: doc };
  filter.strings.forEach((s, n) => (sandbox[`_$_s${n}`] = s));
  try {
    // The d.ts says Map, but jsonpath-plus reads and writes the sandbox as a plain object (`currSandbox._$_v = …`).
    const objectSandbox = sandbox as unknown as Map<string, unknown>;
    const hits: unknown = JSONPath({ path: `$[?(${filter.code})]`, json: [value], eval: 'safe', ignoreEvalErrors: true, wrap: true, sandbox: objectSandbox });
    return Array.isArray(hits) && hits.length > 0;
  } catch (error) {
    return `invalid filter: ${error instanceof Error ? error.message : String(error)}`;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const descendants = (v: unknown): unknown[] => [v, ...(Array.isArray(v) ? v : isRecord(v) ? Object.values(v) : []).flatMap(descendants)];
const lengthOf = (v: unknown): number | undefined => (Array.isArray(v) ? v.length : isRecord(v) ? Object.keys(v).length : undefined);
export const isDefinite = (segments: readonly PathSegment[]): boolean =>
  segments.every((s) => (s.kind === 'name' && s.names.length === 1) || (s.kind === 'index' && s.indexes.length === 1) || s.kind === 'length');

/** Every node the path selects, Jayway-style: missing properties and type mismatches select nothing. */
export function select(segments: readonly PathSegment[], doc: unknown, from: unknown = doc): unknown[] {
  let nodes: unknown[] = [from];
  let afterScan = false;
  for (const seg of segments) {
    if (seg.kind === 'scan') nodes = nodes.flatMap(descendants);
    else if (seg.kind === 'length') nodes = nodes.map(lengthOf).filter((n) => n !== undefined);
    else nodes = nodes.flatMap((node) => step(seg, node, doc, afterScan));
    afterScan = seg.kind === 'scan';
  }
  return nodes;
}

function step(seg: PathSegment, node: unknown, doc: unknown, afterScan: boolean): unknown[] {
  const list = Array.isArray(node) ? node : undefined;
  switch (seg.kind) {
    case 'name':
      return isRecord(node) ? seg.names.filter((n) => Object.hasOwn(node, n)).map((n) => node[n]) : [];
    case 'index':
      return list ? seg.indexes.map((n) => (n < 0 ? n + list.length : n)).filter((n) => n >= 0 && n < list.length).map((n) => list[n]) : [];
    case 'slice':
      return list ? list.slice(seg.start, seg.end) : [];
    case 'wildcard':
      return list ?? (isRecord(node) ? Object.values(node) : []);
    case 'filter':
      if (list) return afterScan ? [] : list.filter((el) => runFilter(seg.filter, el, doc) === true);
      return (afterScan || isRecord(node)) && runFilter(seg.filter, node, doc) === true ? [node] : [];
    default:
      return [];
  }
}

/**
 * Jayway with DEFAULT_PATH_LEAF_TO_NULL, as mappings read: a missing leaf is `undefined` (unless `whole` is
 * false: the path is the definite start of a longer one), a missing parent an error.
 */
export function readDefinite(segments: readonly PathSegment[], doc: unknown, whole = true): PathRead {
  let node = doc;
  let at = '$';
  for (const [n, seg] of segments.entries()) {
    const leaf = whole && n === segments.length - 1;
    if (seg.kind === 'length') return { ok: true, value: lengthOf(node) };
    const key = seg.kind === 'name' ? seg.names[0] : seg.kind === 'index' ? seg.indexes[0] : 0;
    const container = seg.kind === 'name' ? isRecord(node) : Array.isArray(node);
    const index = typeof key === 'number' && Array.isArray(node) && key < 0 ? key + node.length : key;
    if (!container) return { ok: false, message: `${at} is not ${seg.kind === 'name' ? 'an object' : 'a list'}` };
    if (!Object.hasOwn(node as object, index)) return leaf ? { ok: true, value: undefined } : { ok: false, message: `${at} has no ${key}` };
    node = (node as Record<string | number, unknown>)[index];
    at += seg.kind === 'name' ? `.${key}` : `[${key}]`;
  }
  return { ok: true, value: node };
}

/** A mapping source: the value itself for a definite path, the list of matches otherwise (as Jayway). */
export function readPath(path: string, doc: object): PathRead {
  const parsed = parsePath(path);
  if (!parsed.ok) return parsed;
  if (parsed.rest) return { ok: false, message: `unexpected "${parsed.rest}" in ${path}` };
  const { segments } = parsed;
  if (isDefinite(segments)) return readDefinite(segments, doc);
  // As Jayway, the definite start of an indefinite path must exist: `$.output.missing[*]` is an error, not [].
  const definite = segments.findIndex((s) => !isDefinite([s]));
  const start = readDefinite(segments.slice(0, definite), doc, false);
  if (!start.ok) return start;
  const rest = segments.slice(definite);
  const last = rest[rest.length - 1];
  if (last.kind === 'length') return { ok: true, value: select(rest.slice(0, -1), doc, start.value).length };
  return { ok: true, value: select(rest, doc, start.value) };
}

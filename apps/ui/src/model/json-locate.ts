/**
 * Where things are in a JSON text: a strict JSON scanner (what `JSON.parse` accepts, nothing more) that keeps
 * every value's position, so a validation error's path (`tasks[2].taskReferenceName`) and a syntax error can
 * be shown on their line in an editor whatever the text's formatting. Lines and columns count from 1; a
 * line ends at `\n` (a textarea's value has no other line break); columns count UTF-16 code units.
 */

export interface Location {
  readonly line: number;
  readonly column: number;
}

export interface Position extends Location {
  readonly offset: number;
}

interface NodeBase {
  /** Where the value begins (its `{`, `[`, quote or first character). */
  readonly start: Position;
  /** Just past its end. */
  readonly end: Position;
}
export interface JsonEntry {
  readonly key: string;
  readonly keyStart: Position;
  readonly value: JsonNode;
}
export type JsonNode =
  | (NodeBase & { readonly kind: 'object'; readonly entries: readonly JsonEntry[] })
  | (NodeBase & { readonly kind: 'array'; readonly items: readonly JsonNode[] })
  | (NodeBase & { readonly kind: 'string' | 'number' | 'true' | 'false' | 'null' });

export interface JsonSyntaxError extends Position {
  readonly message: string;
}

export type JsonScan = { readonly ok: true; readonly root: JsonNode } | { readonly ok: false; readonly error: JsonSyntaxError };

/** One step of a path: an object's key or an array's index; `dotted` when written `.key` (which may hide a key with a dot). */
export type PathSegment = { readonly key: string; readonly dotted: boolean } | { readonly index: number };

/** Where a path's value begins; `exact` false when only an ancestor exists (a required field is absent). */
export interface PathLocation extends Location {
  readonly exact: boolean;
}

/** 1-based line and column of each offset of a text. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  get lineCount(): number {
    return this.starts.length;
  }

  at(offset: number): Position {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { offset, line: lo + 1, column: offset - this.starts[lo] + 1 };
  }

  /** The offset of a line and column (clamped to the line's start). */
  offsetOf(line: number, column: number): number {
    const l = Math.min(Math.max(1, line), this.starts.length);
    return this.starts[l - 1] + Math.max(0, column - 1);
  }
}

type Container = { kind: 'object'; start: Position; end: Position; entries: JsonEntry[] } | { kind: 'array'; start: Position; end: Position; items: JsonNode[] };
type Expect = 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'colon' | 'comma-or-close' | 'done';

class Fail extends Error {
  constructor(
    readonly at: number,
    message: string,
  ) {
    super(message);
  }
}

const WS = new Set([' ', '\t', '\n', '\r']);
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

const describe = (c: string | undefined): string => {
  if (c === undefined) return 'end of text';
  if (c === '\n') return 'line break';
  if (c < ' ') return `control character U+${c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`;
  return `'${c}'`;
};

/** Why a character cannot start a value: the mistakes people make writing JSON by hand, named. */
function unexpectedValue(text: string, i: number, afterComma: boolean): string {
  const c = text[i];
  if ((c === ']' || c === '}') && afterComma) return `Unexpected '${c}': JSON allows no comma after the last item`;
  if (c === "'") return "Unexpected \"'\": JSON strings are written in double quotes";
  if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) return "Unexpected '/': JSON has no comments";
  if (/[A-Za-z_$]/.test(c)) {
    const word = /^[A-Za-z_$][\w$]*/.exec(text.slice(i, i + 40))?.[0] ?? c;
    return `Unexpected '${word}': a string needs double quotes (true, false and null are the only bare words)`;
  }
  return `Unexpected ${describe(c)}: expected a JSON value`;
}

/**
 * Scans a JSON text. Accepts exactly what `JSON.parse` accepts; a text it refuses gives the first error's
 * position and a message naming what was wrong. A repeated key keeps its last value, as `JSON.parse` does.
 */
export function scanJson(text: string): JsonScan {
  const lines = new LineIndex(text);
  const n = text.length;
  const stack: Container[] = [];
  let root: JsonNode | undefined;
  let expect: Expect = 'value';
  let pendingKey: { key: string; keyStart: Position } | undefined;
  let lastComma = -1;
  let i = 0;

  const attach = (node: JsonNode): void => {
    const top = stack[stack.length - 1];
    if (!top) root = node;
    else if (top.kind === 'array') top.items.push(node);
    else {
      top.entries.push({ key: pendingKey!.key, keyStart: pendingKey!.keyStart, value: node });
      pendingKey = undefined;
    }
  };
  const ended = (): Expect => (stack.length ? 'comma-or-close' : 'done');
  const readString = (): string => {
    const open = i;
    let out = '';
    i++;
    while (true) {
      if (i >= n) throw new Fail(open, 'Unterminated string: its closing double quote is missing');
      const c = text[i];
      if (c === '"') {
        i++;
        return out;
      }
      if (c === '\n') throw new Fail(i, 'Unterminated string: a string cannot span lines (its closing double quote is missing, or write \\n)');
      if (c < ' ') throw new Fail(i, `Bad ${describe(c)} in a string (write it escaped)`);
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9A-Fa-f]{4}$/.test(hex)) throw new Fail(i, 'Bad unicode escape in a string: \\u takes four hex digits');
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else if (e !== undefined && e in ESCAPES) {
          out += ESCAPES[e];
          i += 2;
        } else throw new Fail(i, `Bad escape \\${e ?? ''} in a string`);
        continue;
      }
      out += c;
      i++;
    }
  };
  const readNumber = (): void => {
    const from = i;
    if (text[i] === '-') i++;
    if (text[i] === '0') {
      i++;
      if (text[i] >= '0' && text[i] <= '9') throw new Fail(from, 'Bad number: JSON numbers have no leading zeros');
    } else if (text[i] >= '1' && text[i] <= '9') while (text[i] >= '0' && text[i] <= '9') i++;
    else throw new Fail(from, 'Bad number: expected a digit');
    if (text[i] === '.') {
      i++;
      if (!(text[i] >= '0' && text[i] <= '9')) throw new Fail(from, 'Bad number: a digit must follow the decimal point');
      while (text[i] >= '0' && text[i] <= '9') i++;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (!(text[i] >= '0' && text[i] <= '9')) throw new Fail(from, 'Bad number: a digit must follow the exponent');
      while (text[i] >= '0' && text[i] <= '9') i++;
    }
  };
  const value = (afterComma: boolean): void => {
    const c = text[i];
    const start = lines.at(i);
    if (c === '{' || c === '[') {
      const node: Container = c === '{' ? { kind: 'object', start, end: start, entries: [] } : { kind: 'array', start, end: start, items: [] };
      attach(node);
      stack.push(node);
      i++;
      expect = c === '{' ? 'key-or-close' : 'value-or-close';
      return;
    }
    if (c === '"') {
      readString();
      attach({ kind: 'string', start, end: lines.at(i) });
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      readNumber();
      attach({ kind: 'number', start, end: lines.at(i) });
    } else {
      const word = (['true', 'false', 'null'] as const).find((w) => text.startsWith(w, i));
      if (!word) throw new Fail(afterComma && (c === ']' || c === '}') ? lastComma : i, unexpectedValue(text, i, afterComma));
      i += word.length;
      attach({ kind: word, start, end: lines.at(i) });
    }
    expect = ended();
  };
  const close = (): void => {
    const node = stack.pop()!;
    i++;
    node.end = lines.at(i);
    expect = ended();
  };

  try {
    while (true) {
      while (i < n && WS.has(text[i])) i++;
      const c = text[i];
      // Read through a cast: value() and close() change it, which the compiler's narrowing does not see.
      const now = expect as Expect;
      if (i >= n) {
        if (now === 'done') return { ok: true, root: root! };
        const open = stack[stack.length - 1];
        if (!open) throw new Fail(i, text.trim() ? 'Unexpected end of text: expected a JSON value' : 'The text is empty: expected a JSON value');
        const closer = open.kind === 'object' ? '}' : ']';
        throw new Fail(i, `Unexpected end of text: the '${open.kind === 'object' ? '{' : '['}' on line ${open.start.line} is never closed (a '${closer}' is missing)`);
      }
      switch (now) {
        case 'done':
          throw new Fail(i, `Unexpected ${describe(c)} after the end of the JSON value`);
        case 'value-or-close':
          if (c === ']') close();
          else value(false);
          break;
        case 'value':
          // Reached after ':' (which clears lastComma), after ',' in an array, or at the start.
          value(lastComma >= 0);
          break;
        case 'key-or-close':
        case 'key':
          if (c === '}' && now === 'key-or-close') close();
          else if (c === '}') throw new Fail(lastComma, "Unexpected '}': JSON allows no comma after the last property");
          else if (c === '"') {
            const keyStart = lines.at(i);
            pendingKey = { key: readString(), keyStart };
            expect = 'colon';
          } else if (c === "'") throw new Fail(i, "Unexpected \"'\": property names are written in double quotes");
          else if (/[A-Za-z_$]/.test(c)) throw new Fail(i, 'Expected a property name in double quotes');
          else throw new Fail(i, `Unexpected ${describe(c)}: expected a property name in double quotes`);
          break;
        case 'colon':
          if (c !== ':') throw new Fail(i, `Expected ':' after the property name "${pendingKey?.key ?? ''}", found ${describe(c)}`);
          i++;
          expect = 'value';
          lastComma = -1;
          break;
        case 'comma-or-close': {
          const top = stack[stack.length - 1];
          const closer = top.kind === 'object' ? '}' : ']';
          if (c === ',') {
            lastComma = i;
            i++;
            expect = top.kind === 'object' ? 'key' : 'value';
          } else if (c === closer) close();
          else if (c === '"' || c === '{' || c === '[' || c === '-' || (c >= '0' && c <= '9') || /[a-z]/.test(c)) {
            throw new Fail(i, `Expected ',' or '${closer}' ${top.kind === 'object' ? 'after a property' : 'after an item'}: is a comma missing before ${describe(c)}?`);
          } else throw new Fail(i, `Expected ',' or '${closer}', found ${describe(c)}`);
          break;
        }
      }
    }
  } catch (e) {
    if (!(e instanceof Fail)) throw e;
    return { ok: false, error: { ...lines.at(e.at), message: e.message } };
  }
}

/** The syntax error of a text that is not JSON, at its line and column; undefined for valid JSON. */
export function jsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const scan = scanJson(text);
  return scan.ok ? undefined : scan.error;
}

/**
 * A validation error's path as segments: `tasks[0].forkTasks[1][0].name`, `$` or `` (the root),
 * `$.timeoutSeconds`, `decisionCases["needs review"]`, `[1].retryCount` (an item of a bulk request).
 */
export function parseJsonPath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let p = path.trim();
  if (p.startsWith('$')) p = p.slice(1);
  let i = 0;
  while (i < p.length) {
    const c = p[i];
    if (c === '.') {
      i++;
      continue;
    }
    if (c === '[') {
      const q = p[i + 1];
      if (q === '"' || q === "'") {
        // A quoted key: JSON's escapes (what jsonPathProp writes), read up to the matching quote.
        let j = i + 2;
        let raw = '';
        while (j < p.length && p[j] !== q) {
          if (p[j] === '\\' && j + 1 < p.length) {
            raw += p[j] + p[j + 1];
            j += 2;
          } else raw += p[j++];
        }
        let key = raw;
        try {
          key = JSON.parse(`"${q === "'" ? raw.replace(/\\'/g, "'").replace(/"/g, '\\"') : raw}"`) as string;
        } catch {
          // not JSON's escapes: the key as written
        }
        segments.push({ key, dotted: false });
        i = p.indexOf(']', j);
        i = i === -1 ? p.length : i + 1;
        continue;
      }
      const close = p.indexOf(']', i);
      const inner = p.slice(i + 1, close === -1 ? p.length : close);
      segments.push(/^\d+$/.test(inner) ? { index: Number(inner) } : { key: inner, dotted: false });
      i = close === -1 ? p.length : close + 1;
      continue;
    }
    let j = i;
    while (j < p.length && p[j] !== '.' && p[j] !== '[') j++;
    segments.push({ key: p.slice(i, j), dotted: true });
    i = j;
  }
  return segments;
}

/** The value an object holds under a key (the last one, as JSON.parse keeps). */
const entryOf = (node: JsonNode, key: string): JsonNode | undefined => {
  if (node.kind !== 'object') return undefined;
  for (let k = node.entries.length - 1; k >= 0; k--) if (node.entries[k].key === key) return node.entries[k].value;
  return undefined;
};

/** Follows segments from a node as far as they exist: the deepest node reached and how many segments that took. */
function walk(node: JsonNode, segments: readonly PathSegment[]): { node: JsonNode; used: number } {
  let at = node;
  let used = 0;
  while (used < segments.length) {
    const seg = segments[used];
    let next: JsonNode | undefined;
    let step = 1;
    if ('index' in seg) next = at.kind === 'array' ? at.items[seg.index] : entryOf(at, String(seg.index));
    else if (at.kind === 'array' && /^\d+$/.test(seg.key)) next = at.items[Number(seg.key)];
    else {
      next = entryOf(at, seg.key);
      // `a.b.c` may name a key with dots in it (a path written without quoting it).
      let key = seg.key;
      for (let k = used + 1; !next && k < segments.length; k++) {
        const more = segments[k];
        if (!('key' in more) || !more.dotted) break;
        key = `${key}.${more.key}`;
        next = entryOf(at, key);
        step = k - used + 1;
      }
    }
    if (!next) break;
    at = next;
    used += step;
  }
  return { node: at, used };
}

/**
 * Where in a scanned document the value at `path` begins. A path that goes further than the document falls
 * back to the nearest ancestor that exists (a required field absent: the object that lacks it). A path
 * carrying a prefix the document has not (`workflowDef.tasks[0]…` of a start request, `[0].name` of a bulk
 * request) is read without it when the rest is there.
 */
export function locateIn(root: JsonNode, path: string): PathLocation {
  const segments = parseJsonPath(path);
  const full = walk(root, segments);
  if (full.used < segments.length && full.used === 0 && segments.length > 1) {
    const rest = walk(root, segments.slice(1));
    if (rest.used === segments.length - 1) return { line: rest.node.start.line, column: rest.node.start.column, exact: true };
  }
  return { line: full.node.start.line, column: full.node.start.column, exact: full.used === segments.length };
}

/**
 * Where in a JSON text (formatted any way) the value at a validation error's path begins; the nearest
 * existing ancestor when the path's leaf is absent. Undefined when the text is not JSON.
 */
export function locateJsonPath(text: string, path: string): Location | undefined {
  const scan = scanJson(text);
  if (!scan.ok) return undefined;
  const { line, column } = locateIn(scan.root, path);
  return { line, column };
}

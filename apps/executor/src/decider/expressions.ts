import { JSONPath } from 'jsonpath-plus';

/**
 * Conductor's parameter expressions (ParametersUtils): every string inside `inputParameters` (at any depth)
 * may hold `${path}` references evaluated as JSONPath against a document of the workflow and its tasks.
 *
 *  - a string that is exactly one `${…}` yields the typed value (object, number, list, null);
 *  - otherwise each reference is interpolated as text (objects as JSON);
 *  - `$${` escapes a literal `${`; references nest (`${a.${b}}` — the inner one first);
 *  - an unresolvable path yields null.
 */
export type ExpressionDocument = Record<string, unknown>;

export function resolveParameters(params: Record<string, unknown>, doc: ExpressionDocument): Record<string, unknown> {
  return resolveValue(params, doc) as Record<string, unknown>;
}

export function resolveValue(value: unknown, doc: ExpressionDocument): unknown {
  if (typeof value === 'string') return resolveString(value, doc);
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, doc));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveValue(v, doc)]));
  }
  return value;
}

type Segment = { kind: 'text'; text: string } | { kind: 'ref'; parts: Segment[] };

export function resolveString(input: string, doc: ExpressionDocument): unknown {
  if (!input.includes('${')) return input;
  const segments = parse(input);
  if (segments.length === 1 && segments[0].kind === 'ref') return evaluate(segments[0].parts, doc);
  return segments.map((s) => (s.kind === 'text' ? s.text : stringify(evaluate(s.parts, doc)))).join('');
}

function evaluate(parts: Segment[], doc: ExpressionDocument): unknown {
  const path = parts.map((p) => (p.kind === 'text' ? p.text : stringify(evaluate(p.parts, doc)))).join('').trim();
  if (!path) return '';
  return lookup(path, doc);
}

function lookup(path: string, doc: ExpressionDocument): unknown {
  try {
    const result = JSONPath({ path: path.startsWith('$') ? path : `$.${path}`, json: doc as object, wrap: false, eval: false });
    return result === undefined ? null : result;
  } catch {
    return null;
  }
}

const stringify = (v: unknown): string => (v === null || v === undefined ? 'null' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** References nested deeper than this are kept as text: it bounds recursion on hostile input. */
const MAX_NESTING = 32;

/** Splits a template into literal text and (possibly nested) `${…}` references. */
function parse(input: string): Segment[] {
  const [segments] = parseUntil(input, 0, false, 0);
  return segments;
}

function parseUntil(input: string, start: number, insideRef: boolean, depth: number): [Segment[], number] {
  const segments: Segment[] = [];
  let text = '';
  let i = start;
  const flush = () => {
    if (text) segments.push({ kind: 'text', text });
    text = '';
  };
  while (i < input.length) {
    if (input.startsWith('$${', i)) {
      text += '${';
      i += 3;
    } else if (input.startsWith('${', i) && depth < MAX_NESTING) {
      const [parts, end] = parseUntil(input, i + 2, true, depth + 1);
      if (end < 0) {
        // Unterminated reference: keep it as literal text, as the original string.
        text += input.slice(i);
        i = input.length;
      } else {
        flush();
        segments.push({ kind: 'ref', parts });
        i = end + 1;
      }
    } else if (insideRef && input[i] === '}') {
      flush();
      return [segments, i];
    } else {
      text += input[i++];
    }
  }
  flush();
  return [segments, insideRef ? -1 : i];
}

export const isJson = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

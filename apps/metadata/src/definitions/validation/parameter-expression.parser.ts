import { at, isJson, prop } from './json-path.util';

/**
 * Conductor's parameter expressions (`${workflow.input.x}`, `${ref.output.list[0]}`, nested `${a.${b}}`),
 * found in a string the way ParametersUtils finds them: `$${` is an escaped literal and an unterminated
 * `${` is plain text.
 */
export interface ParameterExpression {
  /** The whole expression, `${...}`. */
  readonly text: string;
  /** What is between the braces. */
  readonly body: string;
  /** The first path segment (`workflow`, a taskReferenceName, an environment name); undefined when computed by a nested expression. */
  readonly root: string | undefined;
  /** Whether the root is followed by a path (`.output`, `['x']`): env-style names have none. */
  readonly hasPath: boolean;
  readonly nested: readonly ParameterExpression[];
}

/** Nesting deeper than this is not looked into (no real expression nests so deep; it bounds the work). */
const MAX_NESTING = 32;

export function parseExpressions(text: string, depth = 0): ParameterExpression[] {
  const found: ParameterExpression[] = [];
  if (depth > MAX_NESTING) return found;
  const closing = matchingBraces(text);
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      i += 3;
    } else if (text.startsWith('${', i)) {
      const end = closing[i + 1];
      if (end < 0) {
        i += 2;
        continue;
      }
      found.push(expression(text.slice(i, end + 1), text.slice(i + 2, end), depth));
      i = end + 1;
    } else {
      i++;
    }
  }
  return found;
}

/** Every expression in a string, nested ones included, outermost first. */
export function allExpressions(text: string): ParameterExpression[] {
  const flat: ParameterExpression[] = [];
  const visit = (list: readonly ParameterExpression[]) =>
    list.forEach((e) => {
      flat.push(e);
      visit(e.nested);
    });
  visit(parseExpressions(text));
  return flat;
}

export const containsExpression = (value: unknown): boolean => typeof value === 'string' && parseExpressions(value).length > 0;

/** Calls `visit` for every string inside a JSON value (objects and arrays, recursively) with its JSON path. */
export function forEachString(value: unknown, path: string, visit: (text: string, path: string) => void): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((item, i) => forEachString(item, at(path, i), visit));
  else if (isJson(value)) {
    for (const [key, item] of Object.entries(value)) forEachString(item, prop(path, key), visit);
  }
}

function expression(text: string, inner: string, depth: number): ParameterExpression {
  const body = inner.trim();
  const nested = parseExpressions(body, depth + 1);
  const head = /^[^.[]*/.exec(body)?.[0] ?? '';
  const root = head && !head.includes('${') ? head.trim() : undefined;
  return { text, body, root: root || undefined, hasPath: !!root && body.length > head.length, nested };
}

/**
 * For every `{`, the index of the `}` that closes it counting nested braces (-1 when never closed), found
 * in one linear pass: scanning from each `${` separately is quadratic on input full of unclosed ones.
 */
function matchingBraces(text: string): Int32Array {
  const closing = new Int32Array(text.length).fill(-1);
  const open: number[] = [];
  for (let j = 0; j < text.length; j++) {
    if (text[j] === '{') open.push(j);
    else if (text[j] === '}' && open.length) closing[open.pop()!] = j;
  }
  return closing;
}

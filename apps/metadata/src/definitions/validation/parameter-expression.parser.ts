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

export function parseExpressions(text: string): ParameterExpression[] {
  const found: ParameterExpression[] = [];
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      i += 3;
    } else if (text.startsWith('${', i)) {
      const end = closingBrace(text, i + 1);
      if (end < 0) {
        i += 2;
        continue;
      }
      found.push(expression(text.slice(i, end + 1), text.slice(i + 2, end)));
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

function expression(text: string, inner: string): ParameterExpression {
  const body = inner.trim();
  const nested = parseExpressions(body);
  const head = /^[^.[]*/.exec(body)?.[0] ?? '';
  const root = head && !head.includes('${') ? head.trim() : undefined;
  return { text, body, root: root || undefined, hasPath: !!root && body.length > head.length, nested };
}

/** Index of the `}` closing the `{` at `open`, counting nested braces; -1 when it is never closed. */
function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let j = open; j < text.length; j++) {
    if (text[j] === '{') depth++;
    else if (text[j] === '}' && --depth === 0) return j;
  }
  return -1;
}

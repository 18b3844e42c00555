import type { ValidationErrorItem } from '@app/contracts';
import type { RillSeconds } from './rill-dag.model';
import { isRawMap, plain, RawMap, YamlNumber } from './rill-yaml.decoder';

/**
 * Value coercion: Rill Flow's Java model takes most knobs as strings (`tolerance: "true"`,
 * `timeoutInSeconds: "30"`) and Jackson converts them; `RillValueReader` accepts the same spellings and
 * returns real types. It also collects the descriptor's problems: a reader returns `undefined` (or an empty
 * list) both for an absent value and for one it reported, so the caller goes on and every problem of a
 * descriptor is reported at once, each at its JSON path (`at`, `idx`).
 */

/** `path.key`, or `path["key"]` when the key is not a plain identifier. */
export const at = (path: string, key: string) => {
  const simple = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key);
  if (!path) return simple ? key : `[${JSON.stringify(key)}]`;
  return simple ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
};
export const idx = (path: string, i: number) => `${path}[${i}]`;

/** Drops `undefined` members, so the model is the same before and after a trip through JSON. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export const isBlank = (value: string | undefined): value is undefined => value === undefined || value.trim() === '';

/** A JSONPath Rill Flow can read: its mapping root is `{context, input, output}`. */
export const DATA_PATH = /^\$\.(context|input|output)(?=$|[.[])/;
const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export class RillValueReader {
  readonly errors: ValidationErrorItem[] = [];
  readonly warnings: string[] = [];

  error(path: string, message: string, invalidValue?: unknown): void {
    this.errors.push(invalidValue === undefined ? { path, message } : { path, message, invalidValue });
  }

  warn(path: string, message: string): void {
    this.warnings.push(`${path}: ${message}`);
  }

  unknownKeys(map: RawMap, path: string, known: ReadonlySet<string>, ignored: ReadonlySet<string> = new Set()): void {
    for (const key of Object.keys(map)) {
      if (!known.has(key) && !ignored.has(key)) this.warn(at(path, key), 'unknown field, ignored');
    }
  }

  // ----- scalars -----------------------------------------------------------------------------------------

  string(value: unknown, path: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (value instanceof YamlNumber) return value.source;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    this.error(path, 'must be a string', plain(value));
    return undefined;
  }

  boolean(value: unknown, path: string): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
    this.error(path, 'must be true or false', plain(value));
    return undefined;
  }

  wholeNumber(value: unknown, path: string): number | undefined {
    const n = this.nonNegative(value, path);
    if (n === undefined || Number.isInteger(n)) return n;
    this.error(path, 'must be a whole number', plain(value));
    return undefined;
  }

  nonNegative(value: unknown, path: string): number | undefined {
    if (value === undefined || value === null) return undefined;
    const n = toNumber(value);
    if (Number.isNaN(n)) this.error(path, 'must be a number', plain(value));
    else if (n < 0) this.error(path, 'must not be negative', plain(value));
    else return n;
    return undefined;
  }

  /** A whole number (or numeric string), or a JSONPath Rill Flow evaluates when the task or DAG starts. */
  seconds(value: unknown, path: string, what = 'a whole number of seconds'): RillSeconds | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string' && value.trim().startsWith('$')) {
      const expression = value.trim();
      if (DATA_PATH.test(expression)) return expression;
      this.error(path, `must be ${what} or a JSONPath under $.context, $.input or $.output, not "${expression}"`, value);
      return undefined;
    }
    const n = toNumber(value);
    if (Number.isNaN(n)) this.error(path, `must be ${what} (a number or a numeric string) or a JSONPath, not ${JSON.stringify(plain(value))}`, plain(value));
    else if (n < 0) this.error(path, 'must not be negative', plain(value));
    else if (!Number.isInteger(n)) this.error(path, `must be ${what}`, plain(value));
    else return n;
    return undefined;
  }

  /** Epoch milliseconds as written (digits), or a JSONPath. */
  timestamp(value: unknown, path: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    const text = value instanceof YamlNumber ? value.source : typeof value === 'string' ? value.trim() : undefined;
    if (text !== undefined && (/^\d+$/.test(text) || DATA_PATH.test(text))) return text;
    this.error(path, 'must be epoch milliseconds (digits) or a JSONPath under $.context, $.input or $.output', plain(value));
    return undefined;
  }

  // ----- shapes ------------------------------------------------------------------------------------------

  stringList(value: unknown, path: string): string[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.error(path, 'must be a list of strings', plain(value));
      return [];
    }
    const out: string[] = [];
    value.forEach((item, i) => {
      const text = this.string(item, idx(path, i));
      if (isBlank(text)) {
        if (text !== undefined || item === null || item === undefined) this.error(idx(path, i), 'must not be empty');
      } else out.push(text);
    });
    return out;
  }

  /** An optional mapping. */
  map(value: unknown, path: string): RawMap | undefined {
    if (value === undefined || value === null) return undefined;
    if (isRawMap(value)) return value;
    this.error(path, 'must be a mapping', plain(value));
    return undefined;
  }

  /** A mapping that must be there: `what` names it in the error (`a task`, `a mapping ({source, target})`). */
  requiredMap(value: unknown, path: string, what: string): RawMap | undefined {
    if (isRawMap(value)) return value;
    this.error(path, `must be ${what}`, plain(value));
    return undefined;
  }

  /** An optional mapping kept as written (parameters, output, …), numbers as numbers. */
  freeForm(value: unknown, path: string): Record<string, unknown> | undefined {
    const map = this.map(value, path);
    return map ? (plain(map) as Record<string, unknown>) : undefined;
  }
}

function toNumber(value: unknown): number {
  if (value instanceof YamlNumber) return value.value;
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && NUMERIC.test(value.trim())) return Number(value.trim());
  return NaN;
}

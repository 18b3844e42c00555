import { isScalar, parseDocument } from 'yaml';
import type { ParseOptions, Tags } from 'yaml';
import type { ValidationErrorItem } from '@app/contracts';

/**
 * YAML text to plain JS for the descriptor readers: mappings become objects with string keys, and every
 * number keeps how it was spelt (`YamlNumber`), because Rill Flow's Jackson reads `version: 1.10` into a
 * string field as "1.10". Syntax errors come back as `$` items that say where they are; the YAML parser's
 * warnings come back as text for the descriptor's warnings.
 */

/**
 * A number as the YAML spelt it. String fields take the spelling (`version: 1.10` is "1.10", not "1.1";
 * `name: 007` stays "007"), as Rill Flow's Jackson does; numeric fields take the value.
 */
export class YamlNumber {
  constructor(
    readonly value: number,
    readonly source: string,
  ) {}
}

export type RawMap = Record<string, unknown>;

export const isRawMap = (value: unknown): value is RawMap =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof YamlNumber);

export type RillYamlDecoding =
  | { readonly ok: true; readonly body: unknown; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly errors: ValidationErrorItem[] };

export function decodeRillYaml(yamlText: string): RillYamlDecoding {
  const doc = parseDocument(yamlText, { customTags: keepNumberSource, merge: true, prettyErrors: true });
  if (doc.errors.length) return { ok: false, errors: doc.errors.map(syntaxError) };
  let body: unknown;
  try {
    body = fromYaml(doc.toJS({ mapAsMap: true, maxAliasCount: 100 }));
  } catch (e) {
    return { ok: false, errors: [{ path: '$', message: `YAML error: ${(e as Error).message}` }] };
  }
  return { ok: true, body, warnings: doc.warnings.map((warning) => yamlProblem('YAML warning', warning)) };
}

/** Free-form values (parameters, output, …) with numbers as numbers. */
export function plain(value: unknown): unknown {
  if (value instanceof YamlNumber) return value.value;
  if (Array.isArray(value)) return value.map(plain);
  if (isRawMap(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

const keepNumberSource = (tags: Tags): Tags =>
  tags.map((tag) => {
    if (typeof tag !== 'object' || tag.collection || !/:(int|float)$/.test(tag.tag)) return tag;
    return {
      ...tag,
      resolve: (source: string, onError: (message: string) => void, options: ParseOptions) => {
        const value = tag.resolve(source, onError, options);
        return new YamlNumber(Number(isScalar(value) ? value.value : value), source);
      },
    };
  });

/** `toJS({mapAsMap})` output to plain objects with string keys (numeric keys keep their spelling). */
function fromYaml(value: unknown, ancestors = new Set<unknown>()): unknown {
  if (!(value instanceof Map) && !Array.isArray(value)) return value;
  // An alias inside its own anchor (`a: &x [*x]`) makes a structure that contains itself.
  if (ancestors.has(value)) throw new Error('an alias refers to a node that contains it');
  ancestors.add(value);
  let out: unknown;
  if (Array.isArray(value)) out = value.map((item) => fromYaml(item, ancestors));
  else {
    const map: RawMap = {};
    for (const [key, item] of value) {
      // defineProperty, not assignment: a `__proto__` key is data here, not the object's prototype.
      Object.defineProperty(map, keyText(key), { value: fromYaml(item, ancestors), enumerable: true, writable: true, configurable: true });
    }
    out = map;
  }
  ancestors.delete(value);
  return out;
}

function keyText(key: unknown): string {
  if (typeof key === 'string') return key;
  if (key instanceof YamlNumber) return key.source;
  if (key === null || key === undefined) return '';
  if (typeof key === 'number' || typeof key === 'boolean') return String(key);
  return JSON.stringify(plain(key));
}

interface YamlProblem {
  readonly message: string;
  readonly code: string;
  readonly linePos?: readonly { line: number; col: number }[];
}

const syntaxError = (error: YamlProblem): ValidationErrorItem => ({ path: '$', message: yamlProblem('YAML syntax error', error), invalidValue: error.code });

/** `<kind> at line L, column C: <what>`, without the code frame `prettyErrors` appends. */
function yamlProblem(kind: string, problem: YamlProblem): string {
  const where = problem.linePos?.[0];
  const what = firstLine(problem.message).replace(/ at line \d+, column \d+:?$/, '');
  return where ? `${kind} at line ${where.line}, column ${where.col}: ${what}` : `${kind}: ${what}`;
}

const firstLine = (text: string) => text.split('\n')[0];

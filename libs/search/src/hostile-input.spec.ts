import { TASK_INDEX, WORKFLOW_INDEX, type SearchIndex } from './fields/search-fields';
import { compileOpenSearch } from './opensearch/opensearch.compiler';
import { WORKFLOW_OPENSEARCH_SPEC } from './opensearch/opensearch-fields';
import { parseQuery } from './query/query.parser';
import { DEFAULT_SEARCH_LIMITS as LIMITS } from './search-limits';
import { parseSearchRequest } from './search-request';
import { WORKFLOW_SQL_SPEC } from './sql/sql-columns';
import { compileSql } from './sql/sql.compiler';

const errorOf = (text: string) => {
  const result = parseQuery(text);
  if (result.ok) throw new Error(`expected ${JSON.stringify(text.slice(0, 40))} to fail`);
  return result.errors[0];
};
const parses = (text: string): boolean => parseQuery(text).ok;

describe('bounds', () => {
  it('refuses a query over the length limit before reading it', () => {
    const text = `status = "${'x'.repeat(5_000_000)}"`;
    expect(errorOf(text)).toMatchObject({ position: LIMITS.maxQueryLength, message: expect.stringContaining(`the limit is ${LIMITS.maxQueryLength}`) });
  });

  it('parses a query at the length limit in linear time', () => {
    const items = Array.from({ length: LIMITS.maxListValues }, (_, i) => `'${String(i).padStart(10, '0')}'`).join(',');
    const text = `correlationId IN (${items})`;
    expect(text.length).toBeLessThanOrEqual(LIMITS.maxQueryLength);
    const started = performance.now();
    expect(parses(text)).toBe(true);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it(`nests at most ${LIMITS.maxDepth} parentheses, and never overflows the stack`, () => {
    const nest = (n: number) => `${'('.repeat(n)}a = 1${')'.repeat(n)}`;
    expect(parses(nest(LIMITS.maxDepth))).toBe(true);
    expect(errorOf(nest(LIMITS.maxDepth + 1))).toMatchObject({ position: LIMITS.maxDepth, message: expect.stringContaining('nest deeper than 32') });
    expect(errorOf('('.repeat(LIMITS.maxQueryLength)).position).toBe(LIMITS.maxDepth);
  });

  it(`holds at most ${LIMITS.maxPredicates} comparisons`, () => {
    const chain = (n: number) => Array.from({ length: n }, () => 'a=1').join(' OR ');
    expect(parses(chain(LIMITS.maxPredicates))).toBe(true);
    expect(errorOf(chain(LIMITS.maxPredicates + 1))).toMatchObject({
      position: LIMITS.maxPredicates * 'a=1 OR '.length,
      message: expect.stringContaining(`more than ${LIMITS.maxPredicates} comparisons`),
    });
  });

  it(`lists at most ${LIMITS.maxListValues} values`, () => {
    const list = (n: number) => `a IN (${Array.from({ length: n }, () => 'x').join(',')})`;
    expect(parses(list(LIMITS.maxListValues))).toBe(true);
    expect(errorOf(list(LIMITS.maxListValues + 1))).toMatchObject({ message: expect.stringContaining(`at most ${LIMITS.maxListValues} values`) });
  });

  it('takes other limits from the caller', () => {
    expect(parseQuery('a = 1 AND b = 2', { ...LIMITS, maxPredicates: 1 }).ok).toBe(false);
    expect(parseQuery('a IN (1, 2)', { ...LIMITS, maxListValues: 1 }).ok).toBe(false);
  });
});

describe('characters no search needs', () => {
  it.each([
    ['status = "a\u0000b"', 11, 'control character U+0000 is not allowed'],
    ['status = a\u0001', 10, 'U+0001'],
    ['\u001bstatus = a', 0, 'U+001B'],
    ['status = "\u007f"', 10, 'U+007F'],
    ['status = "\ud800"', 10, 'malformed Unicode: a lone surrogate'],
    ['status = "\udc00x"', 10, 'malformed Unicode'],
    ['status = "x\ud83d"', 11, 'malformed Unicode'],
  ])('%j', (text, position, message) => {
    expect(errorOf(text)).toMatchObject({ position, message: expect.stringContaining(message) });
  });

  it.each([['status = "😀"'], ['status = "\ud83d\ude00"'], ['status\t=\r\n"tab\tand\nnewline"'], ['correlationId = 日本語'], ['status = "\u00a0\u2028\ufeff"']])(
    '%j is fine',
    (text) => {
      expect(parses(text)).toBe(true);
    },
  );

  it('names a field written in another script as unknown', () => {
    const result = parseSearchRequest(WORKFLOW_INDEX, { query: 'ѕtatus = RUNNING' }); // Cyrillic ѕ
    expect(!result.ok && result.errors[0].message).toContain("unknown field 'ѕtatus'");
  });
});

describe('injection attempts stay values', () => {
  it.each([
    [`correlationId = "'; DROP TABLE search_workflow; --"`, "'; DROP TABLE search_workflow; --"],
    [`correlationId = '"); DROP TABLE search_workflow; --'`, '"); DROP TABLE search_workflow; --'],
    [`correlationId = "x\\" OR 1=1 --"`, 'x" OR 1=1 --'],
    [`correlationId = "*:* OR status:*"`, '*:* OR status:*'],
  ])('%s', (query, value) => {
    const result = parseSearchRequest(WORKFLOW_INDEX, { query });
    if (!result.ok) throw new Error(result.errors[0].message);
    expect(compileSql(result.value, WORKFLOW_SQL_SPEC)).toMatchObject({ where: 'correlation_id = $1::text', params: [value] });
    expect(compileOpenSearch(result.value, WORKFLOW_OPENSEARCH_SPEC).query).toEqual({ bool: { filter: [{ term: { correlationId: value } }] } });
  });

  it('reads an unquoted injection attempt as a word, then an error', () => {
    expect(errorOf(`correlationId = x'; DROP TABLE search_workflow; --`)).toMatchObject({ position: 17, message: expect.stringContaining('expected AND, OR or the end of the query, found a quoted string') });
  });
});

/** A small deterministic generator (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  'status', 'workflowType', 'startTime', 'version', 'failedReferenceTaskNames', 'workflowId', 'taskType', 'queueWaitTime', 'endTime', 'nope',
  '=', '!=', '<', '>', '>=', '!', 'IN', 'in', 'BETWEEN', 'AND', 'and', 'OR', 'IS', 'NOT', 'NULL', 'STARTS_WITH',
  '(', ')', ',', "'", '"', '\\', ' ', ' ', ' ', '\t', '1', '-5', '1700000000000', '2024-01-31T10:00:00Z', 'RUNNING', 'x y', '😀', '%', '_', '$1', ';', '--',
];

describe('no input makes the parser or a compiler throw', () => {
  it('holds for 3000 random token soups: a value or errors that point inside the text', () => {
    const next = random(12);
    for (let i = 0; i < 3000; i++) {
      const text = Array.from({ length: 1 + Math.floor(next() * 14) }, () => PIECES[Math.floor(next() * PIECES.length)]).join(next() < 0.5 ? ' ' : '');
      const index: SearchIndex = next() < 0.5 ? WORKFLOW_INDEX : TASK_INDEX;
      const result = parseSearchRequest(index, { query: text, sort: next() < 0.3 ? text : undefined, freeText: next() < 0.3 ? text : undefined });
      if (result.ok) continue;
      for (const e of result.errors) {
        expect(e.position).toBeGreaterThanOrEqual(0);
        expect(e.position).toBeLessThanOrEqual(text.length);
        expect(e.message).toContain(`at position ${e.position}`);
      }
    }
  });

  it('holds for 1000 random well-formed queries: they check, and every value is a bound parameter', () => {
    const next = random(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
    const marker = (): string => `zq${Math.floor(next() * 1e9).toString(36)}${pick(["'", '"', '\\', ';', '%', '_', ' OR 1=1', '$1', '😀', ''])}`;
    const quote = (v: string): string => `'${v.replace(/[\\']/g, (m) => `\\${m}`)}'`;
    const predicate = (): string =>
      pick([
        () => `status ${pick(['=', '!=', 'STARTS_WITH'])} ${quote(marker())}`,
        () => `correlationId IN (${quote(marker())}, ${quote(marker())})`,
        () => `workflowType = ${quote(marker())}`,
        () => `startTime ${pick(['<', '>', '=', '!='])} ${Math.floor(next() * 2e12)}`,
        () => `endTime BETWEEN ${Math.floor(next() * 1e12)} AND '2030-01-01T00:00:00Z'`,
        () => `${pick(['endTime', 'correlationId', 'workflowType'])} IS ${pick(['', 'NOT '])}NULL`,
        () => `workflowId ${pick(['=', '!='])} ${pick(['8f0e7d1c-2b3a-4c5d-9e8f-0123456789ab', quote(marker())])}`,
      ])();
    const expr = (depth: number): string => {
      if (depth === 0 || next() < 0.4) return predicate();
      const clauses = Array.from({ length: 2 + Math.floor(next() * 3) }, () => expr(depth - 1));
      const joined = clauses.join(pick([' AND ', ' OR ', ' and ', '\tOR\n']));
      return next() < 0.5 ? `(${joined})` : joined;
    };
    for (let i = 0; i < 1000; i++) {
      const query = expr(3);
      const result = parseSearchRequest(WORKFLOW_INDEX, { query, freeText: next() < 0.3 ? marker() : '*', sort: pick(['', 'startTime:DESC', 'status|endTime:desc']) });
      if (!result.ok) throw new Error(`${query}: ${result.errors[0].message}`);
      const compiled = compileSql(result.value, WORKFLOW_SQL_SPEC, { firstParam: 1 + Math.floor(next() * 3) });
      const first = Number(/\$(\d+)::/.exec(compiled.where)?.[1] ?? 1);
      const placeholders = [...new Set([...compiled.where.matchAll(/\$(\d+)::/g)].map((m) => Number(m[1])))];
      expect(placeholders).toEqual(compiled.params.map((_, n) => first + n));
      for (const m of query.matchAll(/zq[0-9a-z]+/g)) expect(compiled.where).not.toContain(m[0]);
      expect(JSON.stringify(compileOpenSearch(result.value, WORKFLOW_OPENSEARCH_SPEC))).toBeDefined();
    }
  });
});

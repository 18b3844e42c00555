import { filterProblems, NO_FILTERS, queryOf } from './executions-query';

describe("the executions grid's query", () => {
  const ms = (v: string) => Date.parse(`${v}Z`);

  it('is empty without filters', () => {
    expect(queryOf(NO_FILTERS)).toBe('');
  });

  it('ANDs each filter as Conductor query text, quoting names and ids, times in epoch ms', () => {
    const q = queryOf({ ...NO_FILTERS, type: 'orders, refunds ,', version: ' 3 ', status: 'FAILED', correlationId: 'c "1"', from: '2026-01-02T03:04', to: '2026-01-03T00:00' }, ms);
    expect(q).toBe(`workflowType IN ("orders","refunds") AND version = 3 AND status IN (FAILED) AND correlationId = "c \\"1\\"" AND startTime >= ${Date.UTC(2026, 0, 2, 3, 4)} AND startTime < ${Date.UTC(2026, 0, 3, 0, 1)}`);
  });

  it('appends a typed query in parentheses, so its ORs stay inside', () => {
    expect(queryOf({ ...NO_FILTERS, status: 'RUNNING', query: 'priority > 2 OR correlationId = x' })).toBe('status IN (RUNNING) AND (priority > 2 OR correlationId = x)');
  });

  it('leaves out a query whose parentheses do not balance outside quotes: it could close the ones it is put in', () => {
    expect(queryOf({ ...NO_FILTERS, status: 'FAILED', query: 'a = 1) OR (b = 2' })).toBe('status IN (FAILED)');
    expect(filterProblems({ ...NO_FILTERS, query: 'a = 1) OR (b = 2' })).toEqual({ query: 'parentheses that do not balance' });
    expect(queryOf({ ...NO_FILTERS, query: `c = ")" AND (d = 'it\\'s (')` })).toBe(`(c = ")" AND (d = 'it\\'s ('))`);
    expect(filterProblems({ ...NO_FILTERS, query: '(a = 1' })).toEqual({ query: 'parentheses that do not balance' });
  });

  it('leaves out a version that is not a number and a time that does not read, and says why', () => {
    const f = { ...NO_FILTERS, version: 'v2', from: 'nonsense' };
    expect(queryOf(f, ms)).toBe('');
    expect(filterProblems(f)).toEqual({ version: 'a whole number' });
    expect(filterProblems({ ...NO_FILTERS, from: '2026-01-03T00:00', to: '2026-01-02T00:00' })).toEqual({ to: 'before the start of the range' });
  });
});

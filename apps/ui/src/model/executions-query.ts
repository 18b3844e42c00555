/** The executions grid's filters, as typed into the form. */
export interface ExecutionFilters {
  /** Workflow names, comma-separated. */
  readonly type: string;
  /** A whole number, or empty. */
  readonly version: string;
  readonly status: string;
  readonly correlationId: string;
  /** `datetime-local` values (local time), or empty. */
  readonly from: string;
  readonly to: string;
  readonly freeText: string;
  /** Conductor's query language, as written. */
  readonly query: string;
}

export const NO_FILTERS: ExecutionFilters = { type: '', version: '', status: '', correlationId: '', from: '', to: '', freeText: '', query: '' };

const quote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const names = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * The filters as one Conductor query (`GET /api/workflow/search?query=`): each filled filter an `AND`ed
 * clause, a typed query appended in parentheses as written. Times go as epoch milliseconds, as Conductor's
 * own UI sends them; `toMs` reads a `datetime-local` value (the browser's `Date` in the page, injectable here).
 * A typed query whose parentheses do not balance is left out (`filterProblems` says so): inside the
 * parentheses it is put in, it could otherwise close them and reach the other filters.
 */
export function queryOf(f: ExecutionFilters, toMs: (local: string) => number = (v) => new Date(v).getTime()): string {
  const time = (v: string) => {
    const ms = v ? toMs(v) : NaN;
    return Number.isFinite(ms) ? ms : undefined;
  };
  const from = time(f.from);
  const to = time(f.to);
  const types = names(f.type);
  const clauses = [
    types.length ? `workflowType IN (${types.map(quote).join(',')})` : '',
    /^\s*\d+\s*$/.test(f.version) ? `version = ${Number(f.version)}` : '',
    f.status ? `status IN (${f.status})` : '',
    f.correlationId.trim() ? `correlationId = ${quote(f.correlationId.trim())}` : '',
    from !== undefined ? `startTime >= ${from}` : '',
    // `datetime-local` is to the minute: "to 10:30" takes in what started during 10:30.
    to !== undefined ? `startTime < ${to + 60_000}` : '',
    f.query.trim() && balanced(f.query) ? `(${f.query.trim()})` : '',
  ];
  return clauses.filter(Boolean).join(' AND ');
}

/** Whether every parenthesis outside quotes closes one opened before it, and all are closed. */
export function balanced(query: string): boolean {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < query.length; i++) {
    const c = query[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/** What a filter form holds that the grid cannot search on: shown beside the field instead of sent. */
export function filterProblems(f: ExecutionFilters): Partial<Record<keyof ExecutionFilters, string>> {
  const problems: Partial<Record<keyof ExecutionFilters, string>> = {};
  if (f.version.trim() && !/^\s*\d+\s*$/.test(f.version)) problems.version = 'a whole number';
  if (f.from && f.to && new Date(f.from).getTime() > new Date(f.to).getTime()) problems.to = 'before the start of the range';
  if (f.query.trim() && !balanced(f.query)) problems.query = 'parentheses that do not balance';
  return problems;
}

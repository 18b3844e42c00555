import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, type SearchResult, type WorkflowSummary } from './api';
import { fmtDuration, fmtTime, StatusBadge } from './format';
import { Link } from './router';

const STATUSES = ['', 'RUNNING', 'COMPLETED', 'FAILED', 'TIMED_OUT', 'TERMINATED', 'PAUSED'];
const PAGE_SIZES = [15, 50, 100];

interface Filters {
  type: string;
  status: string;
  correlationId: string;
  freeText: string;
  query: string;
}
const EMPTY: Filters = { type: '', status: '', correlationId: '', freeText: '', query: '' };

/** Conductor's query language: each filter an `AND`ed clause, a typed query appended as written. */
export function queryOf(f: Filters): string {
  const quote = (v: string) => `"${v.replace(/"/g, '\\"')}"`;
  const clauses = [
    f.type && `workflowType IN (${f.type.split(',').map((s) => s.trim()).filter(Boolean).join(',')})`,
    f.status && `status IN (${f.status})`,
    f.correlationId && `correlationId = ${quote(f.correlationId)}`,
    f.query.trim() && `(${f.query.trim()})`,
  ].filter(Boolean);
  return clauses.join(' AND ');
}

const COLUMNS: { key: string; label: string; sortable: boolean }[] = [
  { key: 'startTime', label: 'Started', sortable: true },
  { key: 'workflowId', label: 'Workflow id', sortable: true },
  { key: 'workflowType', label: 'Type', sortable: true },
  { key: 'version', label: 'Ver.', sortable: false },
  { key: 'correlationId', label: 'Correlation id', sortable: true },
  { key: 'status', label: 'Status', sortable: true },
  { key: 'endTime', label: 'Ended', sortable: true },
  { key: 'executionTime', label: 'Took', sortable: false },
];

export function ExecutionsPage() {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [sort, setSort] = useState<{ key: string; dir: 'ASC' | 'DESC' }>({ key: 'startTime', dir: 'DESC' });
  const [page, setPage] = useState(0);
  const [size, setSize] = useState(PAGE_SIZES[0]);
  const [result, setResult] = useState<SearchResult<WorkflowSummary> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const res = await api.searchWorkflows({ start: page * size, size, sort: `${sort.key}:${sort.dir}`, freeText: filters.freeText || '*', query: queryOf(filters) || undefined });
      setResult(res);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  }, [filters, page, size, sort]);

  useEffect(() => {
    void load();
  }, [load]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setPage(0);
    setFilters(draft);
  };
  const toggleSort = (key: string) => setSort((s) => ({ key, dir: s.key === key && s.dir === 'DESC' ? 'ASC' : 'DESC' }));
  const total = result?.totalHits ?? 0;
  const pages = Math.max(1, Math.ceil(total / size));

  return (
    <section>
      <h1>Executions</h1>
      <form className="filters" onSubmit={submit}>
        <label>
          Type
          <input value={draft.type} placeholder="name, name2" onChange={(e) => setDraft({ ...draft, type: e.target.value })} />
        </label>
        <label>
          Status
          <select value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s || 'any'}
              </option>
            ))}
          </select>
        </label>
        <label>
          Correlation id
          <input value={draft.correlationId} onChange={(e) => setDraft({ ...draft, correlationId: e.target.value })} />
        </label>
        <label>
          Free text
          <input value={draft.freeText} placeholder="*" onChange={(e) => setDraft({ ...draft, freeText: e.target.value })} />
        </label>
        <label className="wide">
          Query
          <input value={draft.query} placeholder='e.g. startTime > 1700000000000 AND status IN (FAILED)' onChange={(e) => setDraft({ ...draft, query: e.target.value })} />
        </label>
        <div className="buttons">
          <button type="submit" className="primary">
            Search
          </button>
          <button type="button" onClick={() => { setDraft(EMPTY); setFilters(EMPTY); setPage(0); }}>
            Clear
          </button>
          <button type="button" onClick={() => void load()} disabled={loading}>
            Refresh
          </button>
        </div>
      </form>
      {error && <div className="error">{error}</div>}
      <table className="grid">
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th key={c.key} className={c.sortable ? 'sortable' : undefined} onClick={c.sortable ? () => toggleSort(c.key) : undefined}>
                {c.label}
                {sort.key === c.key ? (sort.dir === 'DESC' ? ' ▼' : ' ▲') : ''}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result?.results.map((w) => (
            <tr key={w.workflowId}>
              <td>{fmtTime(w.startTime)}</td>
              <td className="mono">
                <Link to={`/execution/${encodeURIComponent(w.workflowId)}`}>{w.workflowId}</Link>
              </td>
              <td>{w.workflowType}</td>
              <td>{w.version}</td>
              <td className="mono">{w.correlationId ?? ''}</td>
              <td>
                <StatusBadge status={w.status} />
              </td>
              <td>{fmtTime(w.endTime)}</td>
              <td>{w.endTime ? fmtDuration(w.executionTime) : '—'}</td>
            </tr>
          ))}
          {result && result.results.length === 0 && (
            <tr>
              <td colSpan={COLUMNS.length} className="empty">
                No executions match.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <div className="pager">
        <button disabled={page === 0} onClick={() => setPage(page - 1)}>
          ‹ Prev
        </button>
        <span>
          Page {page + 1} of {pages} · {total} executions
        </span>
        <button disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>
          Next ›
        </button>
        <select value={size} onChange={(e) => { setSize(Number(e.target.value)); setPage(0); }}>
          {PAGE_SIZES.map((s) => (
            <option key={s} value={s}>
              {s} / page
            </option>
          ))}
        </select>
      </div>
    </section>
  );
}

import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, call, type SearchResult, type WorkflowSummary } from './api';
import { fmtDuration, fmtTime, StatusBadge } from './format';
import { defsApi } from './definitions/definitions-api';
import { dialectsOfSummary } from './model/dialects';
import { filterProblems, NO_FILTERS, queryOf, type ExecutionFilters } from './model/executions-query';
import { Link } from './router';

const STATUSES = ['', 'RUNNING', 'COMPLETED', 'FAILED', 'TIMED_OUT', 'TERMINATED', 'PAUSED'];
const PAGE_SIZES = [15, 50, 100];

type Bulk = 'pause' | 'resume' | 'terminate' | 'retry' | 'restart';
/** Conductor's bulk endpoints (at most 1,000 ids each): each id handled as its single endpoint would be. */
const BULK: Record<Bulk, { label: string; method: string; path: (reason: string) => string }> = {
  pause: { label: 'Pause', method: 'PUT', path: () => '/api/workflow/bulk/pause' },
  resume: { label: 'Resume', method: 'PUT', path: () => '/api/workflow/bulk/resume' },
  retry: { label: 'Retry', method: 'POST', path: () => '/api/workflow/bulk/retry' },
  restart: { label: 'Restart', method: 'POST', path: () => '/api/workflow/bulk/restart' },
  terminate: { label: 'Terminate…', method: 'POST', path: (reason) => `/api/workflow/bulk/terminate${reason ? `?reason=${encodeURIComponent(reason)}` : ''}` },
};
interface BulkResponse {
  bulkSuccessfulResults: string[];
  bulkErrorResults: Record<string, string>;
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
  const [draft, setDraft] = useState<ExecutionFilters>(NO_FILTERS);
  const [filters, setFilters] = useState<ExecutionFilters>(NO_FILTERS);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [bulkNote, setBulkNote] = useState<{ text: string; errors: [string, string][] } | null>(null);
  const [busy, setBusy] = useState(false);
  // The Rill Flow DAGs' names: a row of one shows Rill Flow's status beside Conductor's (no answer: none shown).
  const [rillDags, setRillDags] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    defsApi.rillDescriptorIds().then(
      (items) => setRillDags(new Set(items.map((i) => `${i.businessId}:${i.featureId}`))),
      () => undefined,
    );
  }, []);
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
      // A selection is of rows on screen: what left the page leaves the selection.
      setSelected((sel) => new Set(res.results.map((w) => w.workflowId).filter((id) => sel.has(id))));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  }, [filters, page, size, sort]);

  useEffect(() => {
    void load();
  }, [load]);

  const problems = filterProblems(draft);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (Object.keys(problems).length) return;
    setPage(0);
    setFilters({ ...draft }); // a new object: searching again with the same filters reads again
  };
  const set = (field: keyof ExecutionFilters) => (e: { target: { value: string } }) => setDraft({ ...draft, [field]: e.target.value });
  const runBulk = async (action: Bulk) => {
    const ids = [...selected];
    let reason = '';
    if (action === 'terminate') {
      const given = window.prompt(`Terminate ${ids.length} workflow(s): reason`);
      if (given === null) return;
      reason = given;
    } else if (!window.confirm(`${BULK[action].label} ${ids.length} workflow(s)?`)) return;
    setBusy(true);
    try {
      const res = await call<BulkResponse>(BULK[action].method, BULK[action].path(reason), ids);
      const errors = Object.entries(res.bulkErrorResults ?? {});
      setBulkNote({ text: `${BULK[action].label.replace('…', '')}: ${res.bulkSuccessfulResults.length} done${errors.length ? `, ${errors.length} refused` : ''}`, errors });
      await load();
    } catch (e) {
      setBulkNote({ text: `${BULK[action].label.replace('…', '')} failed — ${(e as Error).message}`, errors: [] });
    } finally {
      setBusy(false);
    }
  };
  const onPage = result?.results.map((w) => w.workflowId) ?? [];
  const allSelected = onPage.length > 0 && onPage.every((id) => selected.has(id));
  const toggle = (id: string) => setSelected((sel) => {
    const next = new Set(sel);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  });
  const toggleSort = (key: string) => setSort((s) => ({ key, dir: s.key === key && s.dir === 'DESC' ? 'ASC' : 'DESC' }));
  const total = result?.totalHits ?? 0;
  const pages = Math.max(1, Math.ceil(total / size));

  return (
    <section>
      <h1>Executions</h1>
      <form className="filters" onSubmit={submit}>
        <label>
          Type
          <input value={draft.type} placeholder="name, name2" onChange={set('type')} />
        </label>
        <label className="narrow">
          Version
          <input value={draft.version} placeholder="any" onChange={set('version')} aria-invalid={!!problems.version} />
          {problems.version && <span className="field-error">{problems.version}</span>}
        </label>
        <label>
          Status
          <select value={draft.status} onChange={set('status')}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s || 'any'}
              </option>
            ))}
          </select>
        </label>
        <label>
          Correlation id
          <input value={draft.correlationId} onChange={set('correlationId')} />
        </label>
        <label>
          Started from
          <input type="datetime-local" value={draft.from} onChange={set('from')} />
        </label>
        <label>
          to
          <input type="datetime-local" value={draft.to} onChange={set('to')} aria-invalid={!!problems.to} />
          {problems.to && <span className="field-error">{problems.to}</span>}
        </label>
        <label>
          Free text
          <input value={draft.freeText} placeholder="*" onChange={set('freeText')} />
        </label>
        <label className="wide">
          Query
          <input value={draft.query} placeholder="e.g. priority > 2 AND status IN (FAILED, TIMED_OUT)" onChange={set('query')} aria-invalid={!!problems.query} />
          {problems.query && <span className="field-error">{problems.query}</span>}
        </label>
        <div className="buttons">
          <button type="submit" className="primary">
            Search
          </button>
          <button type="button" onClick={() => { setDraft(NO_FILTERS); setFilters(NO_FILTERS); setPage(0); }}>
            Clear
          </button>
          <button type="button" onClick={() => void load()} disabled={loading}>
            Refresh
          </button>
        </div>
      </form>
      {error && <div className="error">{error}</div>}
      <div className="bulk">
        <span className="muted">{selected.size ? `${selected.size} selected` : 'Select rows for bulk actions'}</span>
        {(Object.keys(BULK) as Bulk[]).map((a) => (
          <button key={a} disabled={!selected.size || busy} className={a === 'terminate' ? 'danger' : undefined} onClick={() => void runBulk(a)}>
            {BULK[a].label}
          </button>
        ))}
      </div>
      {bulkNote && (
        <div className="notice" onClick={() => setBulkNote(null)}>
          {bulkNote.text}
          {bulkNote.errors.length > 0 && (
            <ul className="bulk-errors">
              {bulkNote.errors.map(([id, why]) => (
                <li key={id}>
                  <span className="mono">{id}</span>: {why}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <table className="grid">
        <thead>
          <tr>
            <th className="check">
              <input type="checkbox" aria-label="Select every row on the page" checked={allSelected} onChange={() => setSelected(allSelected ? new Set() : new Set(onPage))} />
            </th>
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
            <tr key={w.workflowId} className={selected.has(w.workflowId) ? 'selected' : undefined}>
              <td className="check">
                <input type="checkbox" aria-label={`Select ${w.workflowId}`} checked={selected.has(w.workflowId)} onChange={() => toggle(w.workflowId)} />
              </td>
              <td>{fmtTime(w.startTime)}</td>
              <td className="mono">
                <Link to={`/execution/${encodeURIComponent(w.workflowId)}`}>{w.workflowId}</Link>
              </td>
              <td>{w.workflowType}</td>
              <td>{w.version}</td>
              <td className="mono">{w.correlationId ?? ''}</td>
              <td>
                <StatusBadge status={w.status} />
                {dialectsOfSummary(w, rillDags).map((d) => (
                  <span key={d.dialect} className="dialect-inline" title={`${d.dialect}: ${d.id}`}>
                    {d.dialect} {d.status}
                  </span>
                ))}
              </td>
              <td>{fmtTime(w.endTime)}</td>
              <td>{w.endTime ? fmtDuration(w.executionTime) : '—'}</td>
            </tr>
          ))}
          {result && result.results.length === 0 && (
            <tr>
              <td colSpan={COLUMNS.length + 1} className="empty">
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

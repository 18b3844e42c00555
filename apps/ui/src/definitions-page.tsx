import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError } from './api';
import { definitionRows, matchesFilter, rillRows, type DefinitionRow, type RillRow } from './definitions/definition-model';
import { defsApi } from './definitions/definitions-api';
import { fmtTime } from './format';
import { Link, navigate } from './router';
import './definitions/definitions.css';

const enc = encodeURIComponent;
type SortKey = 'name' | 'updated' | 'versions';

const COLUMNS: { key: SortKey | null; label: string }[] = [
  { key: 'name', label: 'Name' },
  { key: null, label: 'Latest' },
  { key: 'versions', label: 'Versions' },
  { key: null, label: 'Tasks' },
  { key: null, label: 'Description' },
  { key: null, label: 'Owner' },
  { key: 'updated', label: 'Updated' },
];

const compare: Record<SortKey, (a: DefinitionRow, b: DefinitionRow) => number> = {
  name: (a, b) => a.name.localeCompare(b.name),
  updated: (a, b) => (a.updated ?? 0) - (b.updated ?? 0),
  versions: (a, b) => a.versions.length - b.versions.length,
};

/**
 * The workflow definitions (`/ui/definitions`): one row per name at its latest version, filtered as you
 * type; and the Rill Flow DAGs registered through Baton's Rill Flow API, which the metadata API does not list.
 */
export function DefinitionsPage() {
  const [rows, setRows] = useState<DefinitionRow[] | null>(null);
  const [rill, setRill] = useState<RillRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [rillError, setRillError] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: 'name', dir: 1 });

  const load = useCallback(async () => {
    await Promise.all([
      Promise.all([defsApi.latest(), defsApi.namesAndVersions()]).then(
        ([latest, versions]) => {
          setRows(definitionRows(latest, versions));
          setError(null);
        },
        (e: Error) => setError(e.message),
      ),
      defsApi.rillDescriptorIds().then(
        (items) => {
          setRill(rillRows(items));
          setRillError(null);
        },
        // No Rill Flow API behind this gateway (404): nothing to list, nothing to say.
        (e: Error) => (e instanceof ApiError && e.status === 404 ? setRill([]) : setRillError(e.message)),
      ),
    ]);
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const shown = useMemo(
    () => (rows ?? []).filter((r) => matchesFilter([r.name, r.description, r.owner], filter)).sort((a, b) => sort.dir * compare[sort.key](a, b) || a.name.localeCompare(b.name)),
    [rows, filter, sort],
  );
  const shownRill = useMemo(() => (rill ?? []).filter((r) => matchesFilter([r.id, ...r.aliases.map((a) => a.alias)], filter)), [rill, filter]);
  const toggleSort = (key: SortKey) => setSort((s) => ({ key, dir: s.key === key ? (s.dir === 1 ? -1 : 1) : key === 'name' ? 1 : -1 }));

  return (
    <section>
      <h1>Workflow definitions</h1>
      <div className="defs-toolbar">
        <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="Filter by name, description or owner" aria-label="Filter" autoFocus />
        {rows && (
          <span className="count">
            {shown.length === rows.length ? `${rows.length} workflows` : `${shown.length} of ${rows.length} workflows`}
          </span>
        )}
        <div className="right">
          <button onClick={() => void load()}>Refresh</button>
          <Link to="/new-definition" className="button primary">
            New definition
          </Link>
        </div>
      </div>
      {error && <div className="error">{error}</div>}
      <table className="grid">
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th key={c.label} className={c.key ? 'sortable' : undefined} onClick={c.key ? () => toggleSort(c.key!) : undefined}>
                {c.label}
                {c.key && sort.key === c.key ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr key={r.name} className="clickable" onClick={(e) => !(e.target as HTMLElement).closest('a') && navigate(`/definitions/${enc(r.name)}`)}>
              <td className="mono">
                <Link to={`/definitions/${enc(r.name)}`}>{r.name}</Link>
              </td>
              <td className="num">v{r.latest.version ?? 1}</td>
              <td className="num">{r.versions.length}</td>
              <td className="num">{r.latest.tasks?.length ?? 0}</td>
              <td>{r.description}</td>
              <td>{r.owner}</td>
              <td>{fmtTime(r.updated)}</td>
            </tr>
          ))}
          {rows && shown.length === 0 && (
            <tr>
              <td colSpan={COLUMNS.length} className="empty">
                {rows.length === 0 ? (
                  <>
                    No workflow definitions registered. <Link to="/new-definition">Create one</Link>
                  </>
                ) : (
                  `No workflow definition matches “${filter}”.`
                )}
              </td>
            </tr>
          )}
          {!rows && !error && (
            <tr>
              <td colSpan={COLUMNS.length} className="empty">
                Loading…
              </td>
            </tr>
          )}
        </tbody>
      </table>

      {(rillError || (rill && rill.length > 0)) && (
        <div className="defs-section">
          <h2>Rill Flow DAGs</h2>
          <p className="hint">Registered through the Rill Flow API (/flow/bg/manage/descriptor); each runs as a graph-flow workflow named by its descriptor id.</p>
          {rillError && <div className="error">Rill Flow DAGs could not be listed — {rillError}</div>}
          {rill && rill.length > 0 && (
            <table className="grid">
              <thead>
                <tr>
                  <th>Descriptor id</th>
                  <th>Latest aliased</th>
                  <th>Aliases</th>
                  <th>Updated</th>
                </tr>
              </thead>
              <tbody>
                {shownRill.map((r) => (
                  <tr key={r.id} className="clickable" onClick={(e) => !(e.target as HTMLElement).closest('a') && navigate(`/definitions/${enc(r.id)}`)}>
                    <td className="mono">
                      <Link to={`/definitions/${enc(r.id)}`}>{r.id}</Link>
                    </td>
                    <td className="num">v{r.latestVersion}</td>
                    <td>
                      {r.aliases.map((a) => (
                        <Link key={a.alias} to={`/definitions/${enc(r.id)}/${a.version}`} className="badge alias">
                          {a.alias} → v{a.version}
                        </Link>
                      ))}
                    </td>
                    <td>{fmtTime(r.updated)}</td>
                  </tr>
                ))}
                {shownRill.length === 0 && (
                  <tr>
                    <td colSpan={4} className="empty">
                      No Rill Flow DAG matches “{filter}”.
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          )}
        </div>
      )}
    </section>
  );
}

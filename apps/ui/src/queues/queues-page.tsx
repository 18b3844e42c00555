import { Fragment, useCallback, useEffect, useMemo, useState } from 'react';
import { call } from '../api';
import { fmtTime } from '../format';
import { isStarved, queueRowsOf, type PollData, type QueueRow, type QueueTaskDef, type VerboseQueueSizes } from '../model/queues';

/** A queue is read again this often while the page is open (three small reads; the page can be paused). */
const REFRESH_MS = 5000;
/** Work waiting and no poll for this long: the row is flagged. */
const STALE_MS = 30_000;

const ago = (now: number, at?: number) => (at === undefined ? 'never' : now - at < 1000 ? 'just now' : `${Math.round((now - at) / 1000)} s ago`);

/** Task queues: waiting and in-flight tasks per type and domain, who polled each last, and the type's limits. */
export function QueuesPage() {
  const [rows, setRows] = useState<QueueRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  const [auto, setAuto] = useState(true);
  const [open, setOpen] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());

  const load = useCallback(async () => {
    try {
      const [sizes, polls, defs] = await Promise.all([call<VerboseQueueSizes>('GET', '/api/tasks/queue/all/verbose'), call<PollData[]>('GET', '/api/tasks/queue/polldata/all'), call<QueueTaskDef[]>('GET', '/api/metadata/taskdefs')]);
      setRows(queueRowsOf(sizes, polls, defs));
      setNow(Date.now());
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);

  useEffect(() => {
    void load();
    if (!auto) return;
    const timer = window.setInterval(() => void load(), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [load, auto]);

  const shown = useMemo(() => (rows ?? []).filter((r) => !filter || r.queueName.toLowerCase().includes(filter.toLowerCase())), [rows, filter]);
  const totals = shown.reduce((t, r) => ({ waiting: t.waiting + r.waiting, inFlight: t.inFlight + r.inFlight }), { waiting: 0, inFlight: 0 });

  return (
    <section>
      <h1>Task queues</h1>
      <div className="filters">
        <label>
          Task type or domain
          <input value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="filter" />
        </label>
        <div className="buttons">
          <button type="button" onClick={() => void load()}>
            Refresh
          </button>
          <label className="inline">
            <input type="checkbox" checked={auto} onChange={(e) => setAuto(e.target.checked)} /> every {REFRESH_MS / 1000} s
          </label>
        </div>
      </div>
      {error && <div className="error">{error}</div>}
      <table className="grid queues">
        <thead>
          <tr>
            <th>Task type</th>
            <th>Domain</th>
            <th className="num">Waiting</th>
            <th className="num">In flight</th>
            <th>Last poll</th>
            <th>Workers</th>
            <th>Limits</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <Fragment key={r.queueName}>
              <tr className={isStarved(r, now, STALE_MS) ? 'starved' : undefined}>
                <td className="mono">
                  <button className="expand" aria-expanded={open === r.queueName} aria-label={`Workers of ${r.queueName}`} onClick={() => setOpen(open === r.queueName ? null : r.queueName)}>
                    {open === r.queueName ? '▾' : '▸'}
                  </button>{' '}
                  {r.taskType}
                </td>
                <td>{r.domain ?? <span className="muted">—</span>}</td>
                <td className="num">{r.waiting}</td>
                <td className="num">{r.inFlight}</td>
                <td title={r.lastPollTime ? fmtTime(r.lastPollTime) : undefined}>
                  {ago(now, r.lastPollTime)}
                  {isStarved(r, now, STALE_MS) && <span className="badge status-FAILED">no worker polling</span>}
                </td>
                <td>{r.workers.length}</td>
                <td className="muted">{limitsOf(r.def)}</td>
              </tr>
              {open === r.queueName && (
                <tr className="detail">
                  <td colSpan={7}>
                    {r.workers.length ? (
                      <table className="workers">
                        <thead>
                          <tr>
                            <th>Worker</th>
                            <th>Last poll</th>
                          </tr>
                        </thead>
                        <tbody>
                          {r.workers.map((w) => (
                            <tr key={w.workerId}>
                              <td className="mono">{w.workerId}</td>
                              <td>
                                {fmtTime(w.lastPollTime)} ({ago(now, w.lastPollTime)})
                              </td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    ) : (
                      <span className="muted">No worker has polled {r.queueName}.</span>
                    )}
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
          {rows && shown.length === 0 && (
            <tr>
              <td colSpan={7} className="empty">
                No task queues{filter ? ' match' : ''}.
              </td>
            </tr>
          )}
        </tbody>
        {shown.length > 1 && (
          <tfoot>
            <tr>
              <td colSpan={2}>{shown.length} queues</td>
              <td className="num">{totals.waiting}</td>
              <td className="num">{totals.inFlight}</td>
              <td colSpan={3} />
            </tr>
          </tfoot>
        )}
      </table>
    </section>
  );
}

function limitsOf(def?: QueueTaskDef): string {
  if (!def) return '';
  const parts = [def.concurrentExecLimit ? `${def.concurrentExecLimit} at once` : '', def.rateLimitPerFrequency ? `${def.rateLimitPerFrequency} per ${def.rateLimitFrequencyInSeconds ?? 1} s` : ''];
  return parts.filter(Boolean).join(' · ');
}

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Task, Workflow } from '@app/contracts';
import { api, call } from './api';
import { DagView } from './dag-view';
import { fmtDuration, fmtTime, Json, StatusBadge } from './format';
import { dagOf } from './model/dag';
import { dialectsOf, rillTaskStatusOf } from './model/dialects';
import { baseRefOf, isTerminalWorkflow } from './model/execution-types';
import { timelineOf } from './model/timeline';
import { useWorkflowStream } from './live';
import { Link } from './router';
import { TimelineView } from './timeline-view';

type Tab = 'diagram' | 'tasks' | 'timeline' | 'io' | 'json';

export function ExecutionPage({ id }: { id: string }) {
  const [wf, setWf] = useState<Workflow | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [tab, setTab] = useState<Tab>('diagram');
  const [picked, setPicked] = useState<{ taskId: string; ref: string } | undefined>();
  const [busy, setBusy] = useState(false);

  const wfRef = useRef<Workflow | null>(null);
  wfRef.current = wf;
  const load = useCallback(async () => {
    try {
      setWf(await api.workflow(id));
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [id]);

  useEffect(() => {
    setWf(null);
    setPicked(undefined);
    void load();
  }, [load]);

  const running = !!wf && wf.workflowId === id && !isTerminalWorkflow(wf.status);
  const [generation, setGeneration] = useState(0);
  const live = useWorkflowStream(id, running, setWf, () => void load(), generation);

  const dag = useMemo(() => (wf ? dagOf(wf) : null), [wf]);
  const timeline = useMemo(() => (wf ? timelineOf(wf, wf.endTime || Date.now()) : null), [wf]);
  // The task picked; when it is gone (a rerun or a restart replaced the tasks), the newest task of the same reference.
  const task = wf?.tasks?.find((t) => t.taskId === picked?.taskId) ?? (picked ? newestOf(wf?.tasks ?? [], picked.ref) : undefined);
  const taskId = task?.taskId;
  const setTaskId = useCallback((id: string | undefined) => {
    const t = id ? wfRef.current?.tasks?.find((x) => x.taskId === id) : undefined;
    setPicked(t ? { taskId: t.taskId, ref: t.referenceTaskName } : undefined);
  }, []);

  const act = async (label: string, fn: () => Promise<unknown>) => {
    setBusy(true);
    try {
      const res = await fn();
      setNotice(`${label}: done${typeof res === 'string' && res && res !== id ? ` (${res})` : ''}`);
      await load();
    } catch (e) {
      setNotice(`${label} failed — ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  if (error && !wf) return <div className="error">{error}</div>;
  if (!wf || !dag || !timeline) return <div className="empty">Loading {id}…</div>;
  const status = wf.status;
  const terminal = isTerminalWorkflow(status);

  return (
    <section className="execution">
      <header className="exec-header">
        <div>
          <h1>
            <Link to={`/definitions/${encodeURIComponent(wf.workflowName)}/${wf.workflowVersion}`} className="plain">
              {wf.workflowName} <span className="muted">v{wf.workflowVersion}</span>
            </Link>{' '}
            <StatusBadge status={status} />
          </h1>
          <div className="meta">
            <span className="mono">{wf.workflowId}</span>
            {wf.correlationId && <span>correlation {wf.correlationId}</span>}
            <span>started {fmtTime(wf.startTime)}</span>
            {wf.endTime ? <span>ended {fmtTime(wf.endTime)} ({fmtDuration(wf.endTime - wf.startTime)})</span> : null}
            {dialectsOf(wf).map((d) => (
              <span key={d.dialect} className="dialect" title={`As ${d.dialect}'s API shows it`}>
                {d.dialect}: <span className="mono">{d.id}</span> <span className="badge">{d.status}</span>
              </span>
            ))}
            {wf.parentWorkflowId && (
              <span>
                parent <Link to={`/execution/${encodeURIComponent(wf.parentWorkflowId)}`}>{wf.parentWorkflowId}</Link>
              </span>
            )}
            {running && <span className={`live ${live}`}>{live === 'live' ? '● live' : live === 'reconnecting' ? '○ reconnecting…' : '○ not live: Refresh to read it again'}</span>}
          </div>
          {wf.reasonForIncompletion && <div className="error">{wf.reasonForIncompletion}</div>}
        </div>
        <div className="actions">
          {status === 'RUNNING' && <button disabled={busy} onClick={() => void act('Pause', () => api.pause(wf.workflowId))}>Pause</button>}
          {status === 'PAUSED' && <button disabled={busy} onClick={() => void act('Resume', () => api.resume(wf.workflowId))}>Resume</button>}
          {(status === 'FAILED' || status === 'TIMED_OUT' || status === 'TERMINATED') && (
            <button disabled={busy} className="primary" onClick={() => void act('Retry', () => api.retry(wf.workflowId))}>
              Retry
            </button>
          )}
          {terminal && <button disabled={busy} onClick={() => void act('Restart', () => api.restart(wf.workflowId))}>Restart</button>}
          {!terminal && (
            <button
              disabled={busy}
              className="danger"
              onClick={() => {
                const reason = window.prompt('Terminate: reason');
                if (reason !== null) void act('Terminate', () => api.terminate(wf.workflowId, reason));
              }}
            >
              Terminate…
            </button>
          )}
          <button
            disabled={busy}
            onClick={() => {
              setGeneration((g) => g + 1);
              void load();
            }}
          >
            Refresh
          </button>
        </div>
      </header>
      {notice && (
        <div className="notice" onClick={() => setNotice(null)}>
          {notice}
        </div>
      )}
      <nav className="tabs">
        {(['diagram', 'tasks', 'timeline', 'io', 'json'] as const).map((t) => (
          <button key={t} className={tab === t ? 'active' : ''} onClick={() => setTab(t)}>
            {{ diagram: 'Diagram', tasks: `Tasks (${wf.tasks?.length ?? 0})`, timeline: 'Timeline', io: 'Input / output', json: 'JSON' }[t]}
          </button>
        ))}
      </nav>
      <div className={`exec-body${task ? ' with-panel' : ''}`}>
        <div className="exec-main">
          {tab === 'diagram' && <DagView dag={dag} selected={dag.nodes.find((n) => n.taskId === taskId)?.id} onSelect={(n) => n.taskId && setTaskId(n.taskId)} />}
          {tab === 'tasks' && <TaskTable tasks={wf.tasks ?? []} rill={!!wf.workflowDefinition?.rill} selected={taskId} onSelect={setTaskId} />}
          {tab === 'timeline' && <TimelineView timeline={timeline} selected={taskId} onSelect={setTaskId} />}
          {tab === 'io' && (
            <div className="io">
              <div>
                <h3>Input</h3>
                <Json value={wf.input} />
              </div>
              <div>
                <h3>Output</h3>
                <Json value={wf.output} />
              </div>
              <div>
                <h3>Variables</h3>
                <Json value={wf.variables} />
              </div>
            </div>
          )}
          {tab === 'json' && <Json value={wf} />}
        </div>
        {task && <TaskPanel wf={wf} task={task} busy={busy} act={act} onClose={() => setTaskId(undefined)} onSelect={setTaskId} />}
      </div>
    </section>
  );
}

function TaskTable({ tasks, rill, selected, onSelect }: { tasks: Task[]; rill: boolean; selected?: string; onSelect: (id: string) => void }) {
  const phases = tasks.some((t) => t.phaseStatus);
  return (
    <table className="grid">
      <thead>
        <tr>
          <th>#</th>
          <th>Reference</th>
          <th>Type</th>
          <th>Status</th>
          {rill && <th title="The status Rill Flow's API shows">Rill Flow</th>}
          {phases && <th title="The task-phase API's last lifecycle event">Phase</th>}
          <th>Iteration</th>
          <th>Retry</th>
          <th>Scheduled</th>
          <th>Started</th>
          <th>Took</th>
          <th>Worker</th>
        </tr>
      </thead>
      <tbody>
        {[...tasks]
          .sort((a, b) => a.seq - b.seq)
          .map((t) => (
            <tr key={t.taskId} className={`clickable${t.taskId === selected ? ' selected' : ''}`} onClick={() => onSelect(t.taskId)}>
              <td>{t.seq}</td>
              <td className="mono">{t.referenceTaskName}</td>
              <td>{t.taskType}</td>
              <td>
                <StatusBadge status={t.status} />
              </td>
              {rill && <td className="muted">{rillTaskStatusOf(t.status)}</td>}
              {phases && <td className="mono">{t.phaseStatus ?? ''}</td>}
              <td>{t.iteration || ''}</td>
              <td>{t.retryCount || ''}</td>
              <td>{fmtTime(t.scheduledTime)}</td>
              <td>{fmtTime(t.startTime)}</td>
              <td>{t.startTime && t.endTime ? fmtDuration(t.endTime - t.startTime) : '—'}</td>
              <td>{t.workerId ?? ''}</td>
            </tr>
          ))}
      </tbody>
    </table>
  );
}

function newestOf(tasks: readonly Task[], ref: string): Task | undefined {
  return tasks.filter((t) => t.referenceTaskName === ref).reduce<Task | undefined>((a, t) => (!a || t.seq > a.seq ? t : a), undefined);
}

interface TaskLog {
  log: string;
  taskId: string;
  createdTime: number;
}

function TaskPanel({ wf, task, busy, act, onClose, onSelect }: { wf: Workflow; task: Task; busy: boolean; act: (label: string, fn: () => Promise<unknown>) => Promise<void>; onClose: () => void; onSelect: (id: string) => void }) {
  const [output, setOutput] = useState('{}');
  const [logs, setLogs] = useState<TaskLog[] | null>(null);
  const tasks = wf.tasks ?? [];
  // Retries of this task in its iteration; and, for a loop body task, its newest attempt in each iteration.
  const attempts = tasks.filter((t) => t.referenceTaskName === task.referenceTaskName).sort((a, b) => a.seq - b.seq);
  const base = baseRefOf(task.referenceTaskName);
  const iterations = task.iteration
    ? [...tasks.filter((t) => t.iteration && baseRefOf(t.referenceTaskName) === base).reduce((m, t) => ((m.get(t.iteration)?.seq ?? -1) < t.seq ? m.set(t.iteration, t) : m), new Map<number, Task>())].sort(([a], [b]) => a - b)
    : [];
  const waiting = (task.taskType === 'HUMAN' || task.taskType === 'WAIT') && (task.status === 'IN_PROGRESS' || task.status === 'SCHEDULED');
  const logKey = `${task.taskId}:${task.updateTime ?? ''}:${task.status}`;
  const shownFor = useRef<string | undefined>(undefined);
  useEffect(() => {
    let live = true;
    // Another task: its logs are loading. The same task changed: its logs stay on screen until the new ones come.
    if (shownFor.current !== task.taskId) setLogs(null);
    shownFor.current = task.taskId;
    call<TaskLog[] | undefined>('GET', `/api/tasks/${encodeURIComponent(task.taskId)}/log`).then(
      (l) => live && setLogs(l ?? []),
      () => live && setLogs([]),
    );
    return () => {
      live = false;
    };
    // Read again when the task changed (a worker logs as it goes).
  }, [logKey, task.taskId]);
  const complete = () => {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(output || '{}') as Record<string, unknown>;
    } catch (e) {
      window.alert(`Output is not JSON: ${(e as Error).message}`);
      return;
    }
    void act('Complete task', () => api.completeTask(wf.workflowId, task.taskId, parsed));
  };
  return (
    <aside className="panel">
      <header>
        <h2 className="mono">{task.referenceTaskName}</h2>
        <button onClick={onClose} aria-label="Close">
          ✕
        </button>
      </header>
      <div className="meta">
        <StatusBadge status={task.status} /> <span>{task.taskType}</span> <span className="mono">{task.taskId}</span>
      </div>
      {iterations.length > 1 && (
        <div className="attempts iterations">
          Iteration:{' '}
          {iterations.map(([n, t]) => (
            <button key={n} className={`${t.iteration === task.iteration ? 'active' : ''} status-${t.status}`} title={t.status} onClick={() => onSelect(t.taskId)}>
              {n}
            </button>
          ))}
        </div>
      )}
      {attempts.length > 1 && (
        <div className="attempts">
          Attempts:{' '}
          {attempts.map((a) => (
            <button key={a.taskId} className={`${a.taskId === task.taskId ? 'active' : ''} status-${a.status}`} title={a.status} onClick={() => onSelect(a.taskId)}>
              {a.retryCount}
            </button>
          ))}
        </div>
      )}
      {task.reasonForIncompletion && <div className="error">{task.reasonForIncompletion}</div>}
      <dl>
        <dt>Scheduled</dt>
        <dd>{fmtTime(task.scheduledTime)}</dd>
        <dt>Started</dt>
        <dd>{fmtTime(task.startTime)}</dd>
        <dt>Ended</dt>
        <dd>{fmtTime(task.endTime)}</dd>
        <dt>Worker</dt>
        <dd>{task.workerId ?? '—'}</dd>
        {task.domain && (
          <>
            <dt>Domain</dt>
            <dd>{task.domain}</dd>
          </>
        )}
        <dt>Poll count</dt>
        <dd>{task.pollCount}</dd>
        <dt>Retry</dt>
        <dd>
          {task.retryCount}
          {task.retried ? ' (retried: a newer attempt exists)' : ''}
        </dd>
        {task.iteration ? (
          <>
            <dt>Iteration</dt>
            <dd>{task.iteration}</dd>
          </>
        ) : null}
        {task.subWorkflowId && (
          <>
            <dt>Sub-workflow</dt>
            <dd>
              <Link to={`/execution/${encodeURIComponent(task.subWorkflowId)}`}>{task.subWorkflowId}</Link>
            </dd>
          </>
        )}
      </dl>
      <div className="actions">
        <button disabled={busy} onClick={() => window.confirm(`Rerun ${wf.workflowId} from ${task.referenceTaskName}?`) && void act('Rerun from task', () => api.rerunFrom(wf.workflowId, task.taskId))}>
          Rerun from here
        </button>
        {!isTerminalWorkflow(wf.status) && (
          <button disabled={busy} onClick={() => window.confirm(`Skip ${task.referenceTaskName}?`) && void act('Skip task', () => api.skipTask(wf.workflowId, task.referenceTaskName))}>
            Skip
          </button>
        )}
      </div>
      {waiting && (
        <div className="complete">
          <h3>Complete this {task.taskType} task</h3>
          <textarea value={output} onChange={(e) => setOutput(e.target.value)} rows={5} spellCheck={false} />
          <button className="primary" disabled={busy} onClick={complete}>
            Complete
          </button>
        </div>
      )}
      <h3>Input</h3>
      <Json value={task.inputData} />
      <h3>Output</h3>
      <Json value={task.outputData} />
      <h3>Logs</h3>
      {logs === null ? (
        <div className="muted">Loading…</div>
      ) : logs.length ? (
        <ol className="logs">
          {logs.map((l, i) => (
            <li key={i}>
              <span className="muted">{fmtTime(l.createdTime)}</span> <span className="mono">{l.log}</span>
            </li>
          ))}
        </ol>
      ) : (
        <div className="muted">No logs for this task.</div>
      )}
      {task.phaseHistory?.length ? (
        <>
          <h3>Phase history</h3>
          <table className="phases">
            <tbody>
              {task.phaseHistory.map((p, i) => (
                <tr key={i}>
                  <td className="mono">{p.event}</td>
                  <td className="muted">{fmtTime(p.time)}</td>
                  <td>{p.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </aside>
  );
}

import { useMemo, useState } from 'react';
import { DagView } from '../dag-view';
import { Json } from '../format';
import { Link } from '../router';
import { definitionDag, taskIndex } from './definition-model';

const enc = encodeURIComponent;

/** Where a task's sub-workflow definition is shown: a registered workflow, or a Rill Flow sub-flow's DAG. */
function childLinkOf(task: Record<string, unknown>): { to: string; label: string } | undefined {
  const param = task.subWorkflowParam as { name?: unknown; version?: unknown } | undefined;
  if (param && typeof param.name === 'string' && param.name) {
    const version = typeof param.version === 'number' ? param.version : undefined;
    return { to: `/definitions/${enc(param.name)}${version ? `/${version}` : ''}`, label: `${param.name}${version ? ` v${version}` : ''}` };
  }
  const sub = (task.subFlow ?? (task.rill as { subFlow?: unknown } | undefined)?.subFlow) as { descriptorId?: unknown } | undefined;
  if (sub && typeof sub.descriptorId === 'string') {
    const [business, feature, selector] = sub.descriptorId.split(':');
    const version = /^v(\d+)$/.exec(selector ?? '')?.[1];
    return { to: `/definitions/${enc(`${business}:${feature}`)}${version ? `/${version}` : ''}`, label: sub.descriptorId };
  }
  return undefined;
}

/**
 * A definition drawn as its execution graph with nothing run. A click on a task shows its definition, and
 * (when `onEdit` is given) jumps to it in the JSON editor.
 */
export function DefinitionDiagram({ def, onEdit, note, preview }: { def: unknown; onEdit?: (path: string) => void; note?: string; preview?: boolean }) {
  const dag = useMemo(() => definitionDag(def), [def]);
  const index = useMemo(() => taskIndex(def), [def]);
  const [selected, setSelected] = useState<string>();
  const entry = selected ? index.get(selected) : undefined;
  const child = entry ? childLinkOf(entry.task) : undefined;
  const tasks = index.size;
  return (
    <div>
      {note && <p className={`def-note${preview ? ' preview' : ''}`}>{note}</p>}
      {tasks === 0 && <p className="def-note">No tasks to draw.</p>}
      <div className={`exec-body def-diagram${entry ? ' with-panel' : ''}`}>
        <div className="exec-main">
          <DagView dag={dag} selected={entry ? selected : undefined} onSelect={(n) => setSelected(index.has(n.id) ? n.id : undefined)} />
        </div>
        {entry && selected && (
          <aside className="panel">
            <header>
              <h2 className="mono">{selected}</h2>
              <button onClick={() => setSelected(undefined)} aria-label="Close">
                ✕
              </button>
            </header>
            <div className="meta">
              <span>{String(entry.task.type ?? 'SIMPLE')}</span>
              {typeof entry.task.name === 'string' && entry.task.name !== selected && <span>{entry.task.name}</span>}
              <span className="mono">{entry.path}</span>
            </div>
            {typeof entry.task.description === 'string' && entry.task.description && <p>{entry.task.description}</p>}
            <div className="actions">
              {onEdit && <button onClick={() => onEdit(entry.path)}>Edit in JSON</button>}
              {child && (
                <Link to={child.to} className="button">
                  Open {child.label}
                </Link>
              )}
            </div>
            <Json value={entry.task} />
          </aside>
        )}
      </div>
    </div>
  );
}

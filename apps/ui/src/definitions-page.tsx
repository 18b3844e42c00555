import { useEffect, useState } from 'react';
import type { WorkflowDef } from '@app/contracts';
import { api } from './api';
import { fmtTime, Json } from './format';

export function DefinitionsPage() {
  const [defs, setDefs] = useState<WorkflowDef[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  useEffect(() => {
    api.definitions().then(setDefs, (e: Error) => setError(e.message));
  }, []);
  const sorted = [...(defs ?? [])].sort((a, b) => a.name.localeCompare(b.name) || (b.version ?? 0) - (a.version ?? 0));
  return (
    <section>
      <h1>Workflow definitions</h1>
      {error && <div className="error">{error}</div>}
      <table className="grid">
        <thead>
          <tr>
            <th>Name</th>
            <th>Version</th>
            <th>Tasks</th>
            <th>Description</th>
            <th>Updated</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((d) => {
            const key = `${d.name}:${d.version}`;
            return [
              <tr key={key} className="clickable" onClick={() => setOpen(open === key ? null : key)}>
                <td>{d.name}</td>
                <td>{d.version}</td>
                <td>{d.tasks?.length ?? 0}</td>
                <td>{d.description ?? ''}</td>
                <td>{fmtTime(d.updateTime ?? d.createTime)}</td>
              </tr>,
              open === key && (
                <tr key={`${key}:json`}>
                  <td colSpan={5}>
                    <Json value={d} />
                  </td>
                </tr>
              ),
            ];
          })}
          {defs && defs.length === 0 && (
            <tr>
              <td colSpan={5} className="empty">
                No workflow definitions registered.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}

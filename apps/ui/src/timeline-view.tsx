import type { Timeline } from './model/timeline';
import { fmtDuration } from './format';

/** The Gantt: one row per attempt; the light part is time in the queue, the solid part running. */
export function TimelineView({ timeline, selected, onSelect }: { timeline: Timeline; selected?: string; onSelect: (taskId: string) => void }) {
  const { bars, from, to } = timeline;
  if (!bars.length) return <div className="empty">No task has been scheduled yet.</div>;
  const span = Math.max(1, to - from);
  const pct = (t: number) => `${((t - from) / span) * 100}%`;
  const width = (a: number, b: number) => `${Math.max(0.2, ((b - a) / span) * 100)}%`;
  return (
    <div className="timeline">
      <div className="timeline-scale">
        <span>0</span>
        <span>{fmtDuration(span / 2)}</span>
        <span>{fmtDuration(span)}</span>
      </div>
      {bars.map((b) => (
        <div key={b.taskId} className={`timeline-row${b.taskId === selected ? ' selected' : ''}`} onClick={() => onSelect(b.taskId)}>
          <div className="timeline-label" title={b.label}>
            {b.label}
          </div>
          <div className="timeline-track">
            {b.started !== undefined && b.started > b.scheduled && <div className="bar queued" style={{ left: pct(b.scheduled), width: width(b.scheduled, b.started) }} title={`queued ${fmtDuration(b.started - b.scheduled)}`} />}
            <div
              className={`bar status-${b.status}${b.running ? ' running' : ''}${b.started === undefined ? ' queued' : ''}`}
              style={{ left: pct(b.started ?? b.scheduled), width: width(b.started ?? b.scheduled, b.ended) }}
              title={`${b.status} · ${fmtDuration(b.ended - (b.started ?? b.scheduled))}`}
            />
          </div>
        </div>
      ))}
    </div>
  );
}

/** Display helpers shared by the pages. */
export function fmtTime(v: number | string | undefined): string {
  if (v === undefined || v === '' || v === 0) return '—';
  const d = typeof v === 'number' ? new Date(v) : new Date(Number.isNaN(Number(v)) ? v : Number(v));
  return Number.isNaN(d.getTime()) ? String(v) : d.toLocaleString();
}

export function fmtDuration(ms: number | undefined): string {
  if (ms === undefined || ms < 0 || Number.isNaN(ms)) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} m ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} m`;
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge status-${status}`}>{status.replace(/_/g, ' ')}</span>;
}

export function Json({ value }: { value: unknown }) {
  return <pre className="json">{JSON.stringify(value ?? null, null, 2)}</pre>;
}

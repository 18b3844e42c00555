/**
 * The task-queues view: one row per task type and domain, from Conductor's verbose queue sizes
 * (`GET /api/tasks/queue/all/verbose`: `{queue: {shard: {size, uacked}}}`, the queue named `domain:type` or
 * `type`), its poll data (`GET /api/tasks/queue/polldata/all`) and the registered task definitions (a type
 * nobody queued to yet still gets its row).
 */
export type VerboseQueueSizes = Record<string, Record<string, { size: number; uacked: number }>>;

export interface PollData {
  /** The task type (Conductor's poll data calls it the queue name); the domain is apart. */
  readonly queueName: string;
  readonly domain?: string;
  readonly workerId: string;
  readonly lastPollTime: number;
}

export interface QueueTaskDef {
  readonly name: string;
  readonly concurrentExecLimit?: number;
  readonly rateLimitPerFrequency?: number;
  readonly rateLimitFrequencyInSeconds?: number;
}

export interface QueueRow {
  readonly queueName: string;
  readonly taskType: string;
  readonly domain?: string;
  /** Waiting to be polled. */
  readonly waiting: number;
  /** Handed to a worker and not yet ended (leased). */
  readonly inFlight: number;
  /** Each worker that polled the queue, the most recent first. */
  readonly workers: readonly { readonly workerId: string; readonly lastPollTime: number }[];
  readonly lastPollTime?: number;
  readonly def?: QueueTaskDef;
}

/** A queue name as Baton forms it (`queueNameFor`): `domain:type`, or the type alone. A task type has no colon. */
export function splitQueueName(queueName: string): { taskType: string; domain?: string } {
  const at = queueName.lastIndexOf(':');
  return at < 0 ? { taskType: queueName } : { taskType: queueName.slice(at + 1), domain: queueName.slice(0, at) };
}

export function queueRowsOf(sizes: VerboseQueueSizes, polls: readonly PollData[], defs: readonly QueueTaskDef[]): QueueRow[] {
  const rows = new Map<string, { waiting: number; inFlight: number; workers: Map<string, number> }>();
  const row = (queueName: string) => {
    let r = rows.get(queueName);
    if (!r) rows.set(queueName, (r = { waiting: 0, inFlight: 0, workers: new Map() }));
    return r;
  };
  for (const [queueName, shards] of Object.entries(sizes)) {
    const r = row(queueName);
    for (const shard of Object.values(shards)) {
      r.waiting += shard.size;
      r.inFlight += shard.uacked;
    }
  }
  for (const p of polls) {
    // Poll data names the task type and the domain apart (`{queueName: 'ship', domain: 'eu'}`); sizes key the queue `eu:ship`.
    const workers = row(p.domain ? `${p.domain}:${p.queueName}` : p.queueName).workers;
    workers.set(p.workerId, Math.max(workers.get(p.workerId) ?? 0, p.lastPollTime));
  }
  for (const d of defs) row(d.name);
  const byName = new Map(defs.map((d) => [d.name, d]));
  return [...rows]
    .map(([queueName, r]): QueueRow => {
      const { taskType, domain } = splitQueueName(queueName);
      const workers = [...r.workers].map(([workerId, lastPollTime]) => ({ workerId, lastPollTime })).sort((a, b) => b.lastPollTime - a.lastPollTime);
      const def = byName.get(taskType);
      return { queueName, taskType, ...(domain !== undefined ? { domain } : {}), waiting: r.waiting, inFlight: r.inFlight, workers, ...(workers.length ? { lastPollTime: workers[0].lastPollTime } : {}), ...(def ? { def } : {}) };
    })
    .sort((a, b) => a.taskType.localeCompare(b.taskType) || (a.domain ?? '').localeCompare(b.domain ?? ''));
}

/**
 * A queue that has work waiting and nobody polling it lately: tasks there wait on a worker that is gone
 * (or was never started). `staleMs` after the last poll, or never polled at all.
 */
export function isStarved(row: QueueRow, now: number, staleMs: number): boolean {
  return row.waiting > 0 && (row.lastPollTime === undefined || now - row.lastPollTime > staleMs);
}

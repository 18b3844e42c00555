import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '@app/runtime';
import { DataSource } from 'typeorm';

/** Conductor's `PollData`. */
export interface PollData {
  readonly queueName: string;
  readonly domain?: string;
  readonly workerId: string;
  readonly lastPollTime: number;
}

const FLUSH_EVERY_MS = 2000;

/**
 * When each worker last polled each queue. A poll is on the hot path, so it only notes the time in
 * memory; the notes are written every 2 s in one statement (and on shutdown), and reads merge this
 * gateway's unwritten notes over what the table holds — other gateways' polls show within 2 s.
 */
@Injectable()
export class PollDataRecorder implements OnApplicationBootstrap, OnApplicationShutdown {
  private pending = new Map<string, PollData>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  record(queueName: string, workerId: string | undefined, domain: string | undefined): void {
    const note: PollData = { queueName, workerId: workerId ?? '', lastPollTime: this.clock.now(), ...(domain ? { domain } : {}) };
    this.pending.set(`${queueName}\u0000${domain ?? ''}\u0000${note.workerId}`, note);
  }

  /** The queue's poll data (every queue's when none is named), newest notes included. */
  async of(queueName?: string): Promise<PollData[]> {
    const rows: Array<{ queue_name: string; domain: string; worker_id: string; last_poll_time: Date }> = await this.dataSource.query(
      `SELECT queue_name, domain, worker_id, last_poll_time FROM poll_data WHERE $1::varchar IS NULL OR queue_name = $1 ORDER BY queue_name, domain, worker_id`,
      [queueName ?? null],
    );
    const merged = new Map<string, PollData>();
    for (const r of rows) {
      merged.set(`${r.queue_name}\u0000${r.domain}\u0000${r.worker_id}`, { queueName: r.queue_name, workerId: r.worker_id, lastPollTime: r.last_poll_time.getTime(), ...(r.domain ? { domain: r.domain } : {}) });
    }
    for (const [key, note] of this.pending) {
      if (queueName !== undefined && note.queueName !== queueName) continue;
      if ((merged.get(key)?.lastPollTime ?? 0) < note.lastPollTime) merged.set(key, note);
    }
    return [...merged.values()];
  }

  private flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (!this.pending.size) return;
      const notes = [...this.pending.values()];
      this.pending = new Map();
      await this.dataSource
        .query(
          `INSERT INTO poll_data (queue_name, domain, worker_id, last_poll_time)
           SELECT q, d, w, to_timestamp(t / 1000.0) FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::float8[]) AS n(q, d, w, t)
           ON CONFLICT (queue_name, domain, worker_id) DO UPDATE SET last_poll_time = greatest(poll_data.last_poll_time, EXCLUDED.last_poll_time)`,
          [notes.map((n) => n.queueName), notes.map((n) => n.domain ?? ''), notes.map((n) => n.workerId), notes.map((n) => n.lastPollTime)],
        )
        .catch(() => {
          // Kept for the next flush: poll data is a view, never worth failing a poll over.
          for (const n of notes) {
            const key = `${n.queueName}\u0000${n.domain ?? ''}\u0000${n.workerId}`;
            if (!this.pending.has(key)) this.pending.set(key, n);
          }
        });
    });
    return this.flushing;
  }
}

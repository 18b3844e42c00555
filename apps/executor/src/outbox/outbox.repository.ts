import { Injectable } from '@nestjs/common';
import type { BusMessage } from '@app/bus';
import { DataSource, EntityManager } from 'typeorm';

export interface OutboxRow extends BusMessage {
  readonly id: string;
}

/** Messages that must be published because a transaction committed (the transactional outbox). */
@Injectable()
export class OutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Appends in one statement; resolves with the ids of the rows it wrote. */
  async append(m: EntityManager, producer: string, messages: readonly BusMessage[], now: number): Promise<string[]> {
    if (!messages.length) return [];
    // Ids follow the order given (the sweep publishes leftovers in id order).
    const rows: Array<{ id: string }> = await m.query(
      `INSERT INTO outbox (producer, topic, message_key, payload, created_at)
       SELECT $1, t.topic, t.message_key, t.payload, to_timestamp($5::float8 / 1000.0)
       FROM unnest($2::varchar[], $3::varchar[], $4::jsonb[]) WITH ORDINALITY AS t(topic, message_key, payload, n)
       ORDER BY t.n
       RETURNING id`,
      [producer, messages.map((msg) => msg.topic), messages.map((msg) => msg.key), messages.map((msg) => msg.value), now],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Makes this transaction the producer's only sweeper until it ends; false when another one (in this or
   * another process) holds it.
   */
  async tryBecomeSweeper(m: EntityManager, producer: string): Promise<boolean> {
    const [{ locked }]: Array<{ locked: boolean }> = await m.query('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [`outbox:${producer}`]);
    return locked;
  }

  /** The oldest messages of a producer written before `olderThanMs` ago, but for those `excluding` (still being published). */
  async leftovers(m: EntityManager, producer: string, olderThanMs: number, limit: number, excluding: readonly string[] = []): Promise<OutboxRow[]> {
    const rows: Array<{ id: string; topic: string; message_key: string; payload: unknown }> = await m.query(
      `SELECT id, topic, message_key, payload FROM outbox
       WHERE producer = $1 AND created_at < now() - $2::float8 * interval '1 millisecond' AND id <> ALL($4::bigint[])
       ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`,
      [producer, olderThanMs, limit, excluding],
    );
    return rows.map((r) => ({ id: r.id, topic: r.topic, key: r.message_key, value: r.payload }));
  }

  async delete(ids: readonly string[], m: EntityManager = this.dataSource.manager): Promise<void> {
    if (ids.length) await m.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [ids]);
  }
}

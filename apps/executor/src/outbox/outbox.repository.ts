import { Injectable } from '@nestjs/common';
import type { BusMessage } from '@app/bus';
import { EntityManager } from 'typeorm';

export interface OutboxRow extends BusMessage {
  readonly id: string;
}

/** Messages that must be published because a transaction committed (the transactional outbox). */
@Injectable()
export class OutboxRepository {
  async append(m: EntityManager, producer: string, messages: readonly BusMessage[], now: number): Promise<void> {
    if (!messages.length) return;
    const values: unknown[] = [];
    const rows = messages.map((msg, i) => {
      values.push(producer, msg.topic, msg.key, JSON.stringify(msg.value), now);
      const p = i * 5;
      return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}::jsonb, to_timestamp($${p + 5} / 1000.0))`;
    });
    await m.query(`INSERT INTO outbox (producer, topic, message_key, payload, created_at) VALUES ${rows.join(', ')}`, values);
  }

  /**
   * Makes this transaction the producer's only relay until it ends; false when another relay (in this or
   * another process) holds it. One relay at a time keeps each key's messages in commit order.
   */
  async tryBecomeRelay(m: EntityManager, producer: string): Promise<boolean> {
    const [{ locked }]: Array<{ locked: boolean }> = await m.query('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [`outbox:${producer}`]);
    return locked;
  }

  /** The oldest unsent messages of a producer, locked for this transaction. */
  async claimBatch(m: EntityManager, producer: string, limit: number): Promise<OutboxRow[]> {
    const rows: Array<{ id: string; topic: string; message_key: string; payload: unknown }> = await m.query(
      `SELECT id, topic, message_key, payload FROM outbox WHERE producer = $1 ORDER BY id LIMIT $2 FOR UPDATE`,
      [producer, limit],
    );
    return rows.map((r) => ({ id: r.id, topic: r.topic, key: r.message_key, value: r.payload }));
  }

  async delete(m: EntityManager, ids: readonly string[]): Promise<void> {
    if (ids.length) await m.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [ids]);
  }
}

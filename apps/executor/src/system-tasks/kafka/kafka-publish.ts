import { Kafka, logLevel, Producer } from 'kafkajs';
import type { SystemTaskOutcome } from '../system-task.worker';

/** Conductor's KafkaPublishTask defaults, in ms. */
const DEFAULT_REQUEST_TIMEOUT_MS = 100;
const DEFAULT_MAX_BLOCK_MS = 500;
/** Conductor's smallest request timeout is too short for a first connection here: connecting gets this much. */
const CONNECT_TIMEOUT_MS = 3000;

/** What a KAFKA_PUBLISH task asks for, read from `kafka_request` (or the same keys directly in the input). */
export interface KafkaRequest {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly key?: string;
  readonly value: string;
  readonly headers: Record<string, string>;
  readonly requestTimeoutMs: number;
  readonly maxBlockMs: number;
}

/** Reads the request, or says why it cannot be sent (Conductor's messages where it has them). */
export function parseKafkaRequest(input: Record<string, unknown>): { ok: true; request: KafkaRequest } | { ok: false; reason: string } {
  const raw = (typeof input.kafka_request === 'object' && input.kafka_request !== null ? input.kafka_request : input) as Record<string, unknown>;
  const servers = typeof raw.bootStrapServers === 'string' ? raw.bootStrapServers.split(',').map((s) => s.trim()).filter(Boolean) : [];
  if (!servers.length) return { ok: false, reason: 'No boot strap servers specified' };
  if (typeof raw.topic !== 'string' || !raw.topic.trim()) return { ok: false, reason: 'Missing Kafka topic. See documentation for KafkaTask for required input parameters' };
  if (raw.value === undefined || raw.value === null) return { ok: false, reason: 'Missing Kafka value.  See documentation for KafkaTask for required input parameters' };
  const headers: Record<string, string> = {};
  if (typeof raw.headers === 'object' && raw.headers !== null && !Array.isArray(raw.headers)) {
    for (const [name, v] of Object.entries(raw.headers)) if (v !== undefined && v !== null) headers[name] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  const ms = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback);
  return {
    ok: true,
    request: {
      brokers: servers,
      topic: raw.topic,
      ...(raw.key !== undefined && raw.key !== null ? { key: typeof raw.key === 'string' ? raw.key : JSON.stringify(raw.key) } : {}),
      // A value that is not text is sent as its JSON, as Conductor's serializer does.
      value: typeof raw.value === 'string' ? raw.value : JSON.stringify(raw.value),
      headers,
      requestTimeoutMs: ms(raw.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS),
      maxBlockMs: ms(raw.maxBlockMs, DEFAULT_MAX_BLOCK_MS),
    },
  };
}

/**
 * Publishes KAFKA_PUBLISH tasks to the cluster each names (`bootStrapServers`), keeping one connected
 * producer per cluster: the first task to a cluster pays for the connection, the rest do not.
 */
export class KafkaPublisher {
  private readonly producers = new Map<string, Promise<Producer>>();

  async publish(input: Record<string, unknown>, signal: AbortSignal): Promise<SystemTaskOutcome> {
    const parsed = parseKafkaRequest(input);
    if (!parsed.ok) return { status: 'FAILED', outputData: {}, reasonForIncompletion: parsed.reason };
    const r = parsed.request;
    try {
      const producer = await this.producerFor(r.brokers);
      signal.throwIfAborted();
      await producer.send({
        topic: r.topic,
        acks: -1,
        timeout: Math.max(r.requestTimeoutMs, r.maxBlockMs),
        messages: [{ ...(r.key !== undefined ? { key: r.key } : {}), value: r.value, headers: r.headers }],
      });
      return { status: 'COMPLETED', outputData: {} };
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      // A producer that failed may be broken: the next task connects anew.
      this.forget(r.brokers);
      return { status: 'FAILED', outputData: {}, reasonForIncompletion: `Failed to invoke kafka task due to: ${(err as Error).message}` };
    }
  }

  async close(): Promise<void> {
    const producers = [...this.producers.values()];
    this.producers.clear();
    await Promise.allSettled(producers.map(async (p) => (await p).disconnect()));
  }

  private producerFor(brokers: readonly string[]): Promise<Producer> {
    const key = [...brokers].sort().join(',');
    let producer = this.producers.get(key);
    if (!producer) {
      producer = (async () => {
        const kafka = new Kafka({ clientId: 'baton-kafka-publish', brokers: [...brokers], logLevel: logLevel.NOTHING, connectionTimeout: CONNECT_TIMEOUT_MS, retry: { retries: 2 } });
        const p = kafka.producer({ allowAutoTopicCreation: true });
        await p.connect();
        return p;
      })();
      producer.catch(() => this.forget(brokers));
      this.producers.set(key, producer);
    }
    return producer;
  }

  private forget(brokers: readonly string[]): void {
    const key = [...brokers].sort().join(',');
    const producer = this.producers.get(key);
    this.producers.delete(key);
    void producer?.then((p) => p.disconnect()).catch(() => undefined);
  }
}

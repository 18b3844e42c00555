import type { CompressionTypes, Message, Producer, ProducerBatch, ProducerRecord, RecordMetadata, TopicMessages } from 'kafkajs';

/** The produce settings that must agree for two sends to share one request. */
interface Settings {
  readonly acks?: number;
  readonly timeout?: number;
  readonly compression?: CompressionTypes;
}

interface Pending {
  readonly settings: Settings;
  readonly topicMessages: readonly TopicMessages[];
  readonly resolve: (metadata: RecordMetadata[]) => void;
  readonly reject: (err: unknown) => void;
}

const settingsKey = (s: Settings): string => `${s.acks ?? ''}|${s.timeout ?? ''}|${s.compression ?? ''}`;

/**
 * Wraps a kafkajs producer so that every `send` and `sendBatch` issued in the same turn of the event loop
 * leaves as one produce request (one `sendBatch`). Replies of a decided batch, a gateway's concurrent
 * requests and its lease notices are each a send of one message; one request apiece costs the client and,
 * more, the broker a request's worth of CPU per message. Coalescing keeps the order of the calls: messages
 * of one topic stay in call order, so per-partition (per-key) order is what it was, and the idempotent
 * producer keeps it across requests in flight. Each caller's promise settles with its own batch's outcome.
 */
export function coalescingProducer(producer: Producer): Producer {
  let pending: Pending[] = [];
  let scheduled = false;

  const flush = (): void => {
    scheduled = false;
    const taken = pending;
    pending = [];
    const groups = new Map<string, Pending[]>();
    for (const p of taken) {
      const key = settingsKey(p.settings);
      const group = groups.get(key);
      if (group) group.push(p);
      else groups.set(key, [p]);
    }
    for (const group of groups.values()) {
      const byTopic = new Map<string, Message[]>();
      for (const p of group) {
        for (const { topic, messages } of p.topicMessages) {
          const list = byTopic.get(topic);
          if (list) list.push(...messages);
          else byTopic.set(topic, [...messages]);
        }
      }
      const batch: ProducerBatch = {
        ...group[0].settings,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      };
      producer.sendBatch(batch).then(
        (metadata) => {
          for (const p of group) {
            const mine = new Set(p.topicMessages.map((t) => t.topic));
            p.resolve(metadata.filter((m) => mine.has(m.topicName)));
          }
        },
        (err: unknown) => group.forEach((p) => p.reject(err)),
      );
    }
  };

  const enqueue = (settings: Settings, topicMessages: readonly TopicMessages[]): Promise<RecordMetadata[]> =>
    new Promise<RecordMetadata[]>((resolve, reject) => {
      pending.push({ settings, topicMessages, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });

  return {
    ...producer,
    send: ({ topic, messages, acks, timeout, compression }: ProducerRecord) => enqueue({ acks, timeout, compression }, [{ topic, messages }]),
    sendBatch: ({ topicMessages = [], acks, timeout, compression }: ProducerBatch) => enqueue({ acks, timeout, compression }, topicMessages),
  };
}

import type { Producer, ProducerBatch, RecordMetadata } from 'kafkajs';
import { coalescingProducer } from './coalescing-producer';

/** A producer double that records every request it is asked to send. */
function fakeProducer(fail?: Error) {
  const batches: ProducerBatch[] = [];
  const producer = {
    sendBatch: jest.fn(async (batch: ProducerBatch): Promise<RecordMetadata[]> => {
      batches.push(batch);
      if (fail) throw fail;
      return (batch.topicMessages ?? []).map((t) => ({ topicName: t.topic, partition: 0, errorCode: 0 }));
    }),
    send: jest.fn(),
    disconnect: jest.fn(async () => undefined),
  } as unknown as Producer;
  return { producer, batches };
}

const values = (batch: ProducerBatch, topic: string) =>
  batch.topicMessages?.find((t) => t.topic === topic)?.messages.map((m) => m.value) ?? [];

describe('coalescingProducer', () => {
  it('sends everything asked for in one turn of the event loop as one request, in call order per topic', async () => {
    const { producer, batches } = fakeProducer();
    const p = coalescingProducer(producer);
    const sent = await Promise.all([
      p.send({ topic: 'a', messages: [{ key: 'k', value: '1' }] }),
      p.send({ topic: 'b', messages: [{ key: 'k', value: 'x' }] }),
      p.sendBatch({ topicMessages: [{ topic: 'a', messages: [{ key: 'k', value: '2' }, { key: 'k', value: '3' }] }] }),
      p.send({ topic: 'a', messages: [{ key: 'k', value: '4' }] }),
    ]);
    expect(batches).toHaveLength(1);
    expect(values(batches[0], 'a')).toEqual(['1', '2', '3', '4']);
    expect(values(batches[0], 'b')).toEqual(['x']);
    expect(producer.send).not.toHaveBeenCalled();
    // Each caller hears about its own topics only.
    expect(sent[0].map((m) => m.topicName)).toEqual(['a']);
    expect(sent[1].map((m) => m.topicName)).toEqual(['b']);
  });

  it('keeps sends with different produce settings in different requests', async () => {
    const { producer, batches } = fakeProducer();
    const p = coalescingProducer(producer);
    await Promise.all([
      p.send({ topic: 'a', acks: -1, messages: [{ value: '1' }] }),
      p.send({ topic: 'a', acks: 1, messages: [{ value: '2' }] }),
      p.send({ topic: 'a', acks: -1, messages: [{ value: '3' }] }),
    ]);
    expect(batches.map((b) => [b.acks, values(b, 'a')])).toEqual([
      [-1, ['1', '3']],
      [1, ['2']],
    ]);
  });

  it('starts a new request for what is asked after the previous one left', async () => {
    const { producer, batches } = fakeProducer();
    const p = coalescingProducer(producer);
    await p.send({ topic: 'a', messages: [{ value: '1' }] });
    await p.send({ topic: 'a', messages: [{ value: '2' }] });
    expect(batches.map((b) => values(b, 'a'))).toEqual([['1'], ['2']]);
  });

  it('fails every caller whose messages were in a failed request', async () => {
    const { producer } = fakeProducer(new Error('broker gone'));
    const p = coalescingProducer(producer);
    const outcomes = await Promise.allSettled([p.send({ topic: 'a', messages: [{ value: '1' }] }), p.send({ topic: 'b', messages: [{ value: '2' }] })]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  });

  it('passes everything else through to the producer', async () => {
    const { producer } = fakeProducer();
    await coalescingProducer(producer).disconnect();
    expect(producer.disconnect).toHaveBeenCalled();
  });
});

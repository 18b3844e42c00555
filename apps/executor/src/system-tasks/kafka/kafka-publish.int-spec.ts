import { Kafka, logLevel } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { testInfra } from '../../../../../test/support/infra';
import { KafkaPublisher } from './kafka-publish';

/** Reads the first message of a topic, from the beginning. */
async function firstMessageOf(brokers: string[], topic: string): Promise<{ key?: string; value?: string; headers: Record<string, string> }> {
  const consumer = new Kafka({ clientId: 'kafka-publish-test', brokers, logLevel: logLevel.NOTHING }).consumer({ groupId: `kafka-publish-test-${randomBytes(4).toString('hex')}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
          resolve({ key: message.key?.toString(), value: message.value?.toString(), headers });
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
}

describe('KafkaPublisher on a real broker', () => {
  const brokers = testInfra().kafkaBrokers.split(',');
  const publisher = new KafkaPublisher();
  afterAll(() => publisher.close());

  it('publishes the key, the value (an object as its JSON) and the headers, with acks from all replicas', async () => {
    const topic = `baton-test-kafka-publish-${randomBytes(4).toString('hex')}`;
    const outcome = await publisher.publish(
      { kafka_request: { bootStrapServers: brokers.join(','), topic, key: 'order-7', value: { id: 7 }, headers: { 'x-trace': 't-1' }, requestTimeoutMs: 5000 } },
      new AbortController().signal,
    );

    expect(outcome).toEqual({ status: 'COMPLETED', outputData: {} });
    expect(await firstMessageOf(brokers, topic)).toEqual({ key: 'order-7', value: '{"id":7}', headers: { 'x-trace': 't-1' } });
  }, 30_000);

  it('fails the task, with the reason, when the cluster cannot be reached', async () => {
    const outcome = await publisher.publish({ kafka_request: { bootStrapServers: '127.0.0.1:1', topic: 't', value: 'v' } }, new AbortController().signal);

    expect(outcome.status).toBe('FAILED');
    expect(outcome.reasonForIncompletion).toMatch(/^Failed to invoke kafka task due to: /);
  }, 30_000);
});

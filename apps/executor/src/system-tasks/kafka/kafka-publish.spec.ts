import { parseKafkaRequest } from './kafka-publish';

describe('a KAFKA_PUBLISH request', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    [
      'kafka_request, with a JSON value and headers',
      { kafka_request: { bootStrapServers: 'a:9092, b:9092', topic: 'orders', key: 'k1', value: { id: 7 }, headers: { 'x-trace': 't1', n: 5 } } },
      { brokers: ['a:9092', 'b:9092'], topic: 'orders', key: 'k1', value: '{"id":7}', headers: { 'x-trace': 't1', n: '5' }, requestTimeoutMs: 100, maxBlockMs: 500 },
    ],
    ['the same keys at the top of the input, a text value as is', { bootStrapServers: 'a:9092', topic: 't', value: 'plain' }, { brokers: ['a:9092'], topic: 't', value: 'plain', headers: {} }],
    ['a number key, as its JSON; timeouts given', { bootStrapServers: 'a:9092', topic: 't', value: 1, key: 42, requestTimeoutMs: 2000, maxBlockMs: 3000 }, { key: '42', value: '1', requestTimeoutMs: 2000, maxBlockMs: 3000 }],
  ])('reads %s', (_, input, expected) => {
    const parsed = parseKafkaRequest(input);
    expect(parsed.ok).toBe(true);
    expect(parsed.ok && parsed.request).toMatchObject(expected);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['no servers', { kafka_request: { topic: 't', value: 1 } }, /No boot strap servers specified/],
    ['no topic', { kafka_request: { bootStrapServers: 'a:1', value: 1 } }, /Missing Kafka topic/],
    ['no value', { kafka_request: { bootStrapServers: 'a:1', topic: 't' } }, /Missing Kafka value/],
  ])('refuses a request with %s', (_, input, reason) => {
    const parsed = parseKafkaRequest(input);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(reason);
  });
});

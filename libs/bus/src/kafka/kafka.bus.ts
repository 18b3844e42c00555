import { Logger } from '@nestjs/common';
import { ClientKafka, KafkaOptions, ServerKafka } from '@nestjs/microservices';
import { Consumer, Kafka, logLevel, Partitioners, Producer } from 'kafkajs';
import { lastValueFrom, timeout, TimeoutError } from 'rxjs';
import { assertWireValue, BusMessage, BusUnavailableError, MessageBus, RequestOptions } from '../message-bus';
import type { KafkaShardOwnership } from '../shard-ownership';
import { coalescingProducer } from './coalescing-producer';
import { MessagePipeline } from './message-pipeline';

/** Messages a consumer handles at once before it stops fetching more (the executor batches what is running). */
const PIPELINE_MAX_IN_FLIGHT = 2000;
/** How often a consumer commits the offsets it has handled (what a crash can make it handle again). */
const PIPELINE_COMMIT_INTERVAL_MS = 200;
/** How long a closing consumer waits for the messages it is handling. */
const PIPELINE_DRAIN_MS = 10_000;

export interface KafkaBusConfig {
  readonly brokers: readonly string[];
  /**
   * Namespace for topics and consumer groups, so several environments (or test runs) can share one
   * cluster. Handlers keep declaring the plain contract names; the adapter adds the prefix on the wire.
   */
  readonly topicPrefix?: string;
  readonly clientId: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly requestTimeoutMs: number;
}

const baseClient = (c: KafkaBusConfig, clientId: string) => ({
  clientId,
  brokers: [...c.brokers],
  logLevel: logLevel.WARN,
  retry: { initialRetryTime: 200, retries: 10 },
});

// Java-compatible murmur2 partitioning: a key lands on the same partition whichever client produced it
// (KafkaShardOwnership computes shards with the same partitioner). The idempotent producer numbers its
// batches per partition, so the broker refuses a retried batch that would overtake the next: per-key order
// holds with several requests in flight (at most 5, as Kafka's own idempotence requires).
const producerConfig = { createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 5 };

/**
 * Creates every topic the system uses, with the configured partition count, if it does not exist yet.
 * Idempotent and safe to run from every process at boot.
 */
export async function provisionTopics(c: KafkaBusConfig, contractTopics: readonly string[]): Promise<void> {
  const topics = contractTopics.map((t) => wireTopic(c, t));
  // kafkajs logs a lost creation race ("topic already exists") as an ERROR; the outcome is checked below.
  const admin = new Kafka({ ...baseClient(c, `${c.clientId}-admin`), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (!missing.length) return;
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: c.partitions, replicationFactor: c.replicationFactor })),
      });
    } catch (err) {
      // Another process may have created some of them first: only topics still missing are a failure.
      const now = new Set(await admin.listTopics());
      const stillMissing = missing.filter((t) => !now.has(t));
      if (stillMissing.length) throw new Error(`could not create Kafka topics ${stillMissing.join(', ')}: ${(err as Error).message}`);
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * The Kafka strategy for a consumer group. `fromBeginning` so a group that joins late still reads what was
 * produced before it existed; partitions are consumed concurrently, messages within one in order.
 */
export function createKafkaServer(c: KafkaBusConfig, groupId: string, ownership?: KafkaShardOwnership): ServerKafka {
  const options: KafkaOptions['options'] = {
    postfixId: '',
    client: baseClient(c, `${c.clientId}-${groupId}`),
    consumer: { groupId: wireGroup(c, groupId), allowAutoTopicCreation: false, sessionTimeout: 30000, heartbeatInterval: 3000 },
    subscribe: { fromBeginning: true },
    run: { partitionsConsumedConcurrently: Math.max(1, Math.min(c.partitions, 16)) },
    producer: producerConfig,
  };
  return new PrefixedServerKafka(options, c.topicPrefix ?? '', ownership);
}

/** The wire name of a contract topic in this deployment's namespace. */
export const wireTopic = (c: Pick<KafkaBusConfig, 'topicPrefix'>, topic: string): string => `${c.topicPrefix ?? ''}${topic}`;
const wireGroup = (c: Pick<KafkaBusConfig, 'topicPrefix'>, groupId: string): string => `${c.topicPrefix ?? ''}${groupId}`;

/**
 * Subscribes handlers, declared with contract topic names, to their namespaced wire topics, and logs
 * which partitions this member owns after every rebalance (ownership of workflows follows partitions).
 */
class PrefixedServerKafka extends ServerKafka {
  private readonly ownership = new Logger('KafkaOwnership');
  private readonly pipelineLog = new Logger('KafkaConsumer');
  private pipeline?: MessagePipeline;

  constructor(
    options: KafkaOptions['options'],
    private readonly prefix: string,
    private readonly shards?: KafkaShardOwnership,
  ) {
    super(options ?? {});
  }

  protected override registerConsumerEventListeners(): void {
    super.registerConsumerEventListeners();
    const consumer = this.consumer;
    if (!consumer) return;
    consumer.on(consumer.events.GROUP_JOIN, (e: { payload: { groupId: string; memberAssignment: Record<string, number[]> } }) => {
      const owned = Object.entries(e.payload.memberAssignment)
        .map(([topic, partitions]) => `${topic}[${[...partitions].sort((a, b) => a - b).join(',')}]`)
        .join(' ');
      this.ownership.log(`group ${e.payload.groupId} assigned: ${owned || 'no partitions'}`);
      const byTopic = new Map<string, readonly number[]>();
      for (const [topic, partitions] of Object.entries(e.payload.memberAssignment)) {
        if (topic.startsWith(this.prefix)) byTopic.set(topic.slice(this.prefix.length), [...partitions]);
      }
      this.shards?.assigned(byTopic);
    });
    // Between leaving and rejoining, this member owns nothing (its successor may already own its shards).
    for (const event of [consumer.events.STOP, consumer.events.CRASH, consumer.events.REBALANCING]) {
      consumer.on(event, () => this.shards?.revoked());
    }
  }

  /**
   * Consumes through a {@link MessagePipeline}: each fetched batch is handed over and the next fetch starts
   * while it is handled, messages of one key in order, different keys at once — so the decisions of many
   * workflows reach the executor together and share a transaction. Offsets are committed by the pipeline,
   * only once every message before them in their partition was handled, i.e. after the state it produced
   * was committed; kafkajs's own commit after every batch is off. Handlers are idempotent, so what a crash
   * or a rebalance leaves uncommitted is simply handled again.
   */
  override async bindEvents(consumer: Consumer): Promise<void> {
    // Replies to the commands of one batch leave together, as one produce request.
    if (this.producer) this.producer = coalescingProducer(this.producer);
    const pipeline = new MessagePipeline(
      (topic, partition, message) => this.handleMessage({ topic, partition, message, heartbeat: async () => undefined, pause: () => () => undefined }),
      (offsets) => consumer.commitOffsets([...offsets]),
      {
        maxInFlight: PIPELINE_MAX_IN_FLIGHT,
        commitIntervalMs: PIPELINE_COMMIT_INTERVAL_MS,
        retryDelayMs: (attempt) => Math.min(5000, 100 * 2 ** Math.min(attempt - 1, 6)),
        onHandlerError: (err, at) =>
          this.pipelineLog.warn(`handling ${at.topic}[${at.partition}]@${at.offset} failed (attempt ${at.attempt}); trying again: ${(err as Error)?.message ?? err}`),
        onCommitError: (err) => this.pipelineLog.debug(`offset commit failed, will retry: ${(err as Error)?.message ?? err}`),
      },
    );
    this.pipeline = pipeline;
    consumer.on(consumer.events.GROUP_JOIN, () => pipeline.newGeneration());
    const topics = [...this.messageHandlers.keys()];
    if (topics.length) await consumer.subscribe({ ...(this.options.subscribe ?? {}), topics });
    await consumer.run({
      ...(this.options.run ?? {}),
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch, heartbeat }) => {
        await pipeline.accept(batch.topic, batch.partition, batch.messages);
        await heartbeat();
      },
    });
  }

  /** Lets what is being handled finish and commits it before leaving the group. */
  override async close(): Promise<void> {
    await this.pipeline?.drain(PIPELINE_DRAIN_MS);
    await super.close();
  }

  override async listen(callback: (err?: unknown, ...optionalParams: unknown[]) => void): Promise<void> {
    if (this.prefix) {
      const handlers = [...this.messageHandlers];
      this.messageHandlers.clear();
      for (const [pattern, handler] of handlers) this.messageHandlers.set(`${this.prefix}${pattern}`, handler);
    }
    return super.listen(callback);
  }
}

/** `ClientKafka` whose requests (and published events) of one event-loop turn leave as one produce request. */
class CoalescingClientKafka extends ClientKafka {
  private wrapped: Producer | null = null;

  override async connect(): Promise<Producer> {
    const producer = await super.connect();
    // connect() runs again before every publish; a producer not yet wrapped is a new connection's.
    if (producer && producer !== this.wrapped) this._producer = this.wrapped = coalescingProducer(producer);
    return this.wrapped ?? producer;
  }
}

/** The Kafka adapter of the bus port (kafkajs through `ClientKafka`). */
export class KafkaMessageBus extends MessageBus {
  private readonly logger = new Logger(KafkaMessageBus.name);
  private readonly client: ClientKafka;
  /** Topics this process made sure of (or is making sure of) since it started. */
  private readonly ensured = new Map<string, Promise<void>>();

  constructor(
    private readonly config: KafkaBusConfig,
    groupId: string,
    requestTopics: readonly string[],
  ) {
    super();
    this.client = new CoalescingClientKafka({
      postfixId: '-client',
      client: baseClient(config, `${config.clientId}-${groupId}`),
      consumer: { groupId: wireGroup(config, groupId), allowAutoTopicCreation: false },
      // A reply is of use only to the process that waits for it: nothing to resume after a restart, so
      // the reply consumer commits nothing (kafkajs would otherwise commit after every fetched batch).
      run: { autoCommit: false },
      producer: producerConfig,
      producerOnlyMode: requestTopics.length === 0,
    });
    for (const topic of requestTopics) this.client.subscribeToResponseOf(wireTopic(config, topic));
  }

  get requestTimeoutMs(): number {
    return this.config.requestTimeoutMs;
  }

  async connect(): Promise<void> {
    await this.client.connect();
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  async publish(messages: readonly BusMessage[]): Promise<void> {
    messages.forEach(assertWireValue);
    const byTopic = new Map<string, BusMessage[]>();
    for (const m of messages) {
      const list = byTopic.get(m.topic);
      if (list) list.push(m);
      else byTopic.set(m.topic, [m]);
    }
    const producer = await this.client.connect();
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, ms]) => ({
        topic: wireTopic(this.config, topic),
        messages: ms.map((m) => ({ key: m.key, value: JSON.stringify(m.value), ...(m.headers ? { headers: { ...m.headers } } : {}) })),
      })),
    });
  }

  /** Provisions what this process has not yet made sure of, in one admin round; a failure is tried again next time. */
  override async ensureTopics(topics: readonly string[]): Promise<void> {
    const missing = [...new Set(topics)].filter((t) => !this.ensured.has(t));
    if (missing.length) {
      const provisioning = provisionTopics(this.config, missing);
      for (const t of missing) this.ensured.set(t, provisioning);
      provisioning.catch(() => {
        for (const t of missing) if (this.ensured.get(t) === provisioning) this.ensured.delete(t);
      });
    }
    await Promise.all(topics.map((t) => this.ensured.get(t)));
  }

  async request<TReply>(message: BusMessage, options: RequestOptions = {}): Promise<TReply> {
    const timeoutMs = options.timeoutMs ?? this.config.requestTimeoutMs;
    assertWireValue(message);
    try {
      return await lastValueFrom(
        this.client.send<TReply>(wireTopic(this.config, message.topic), { key: message.key, value: message.value }).pipe(timeout(timeoutMs)),
      );
    } catch (err) {
      if (err instanceof TimeoutError) throw new BusUnavailableError(`no reply on ${message.topic} within ${timeoutMs} ms`);
      if (err instanceof Error && /Kafka|ECONNREFUSED|broker/i.test(err.message)) {
        this.logger.warn(`request on ${message.topic} failed: ${err.message}`);
        throw new BusUnavailableError(err.message, err);
      }
      throw err;
    }
  }
}

import { Controller, INestApplication, Injectable } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, MessagePattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { Kafka, logLevel, Partitioners, PartitionMetadata } from 'kafkajs';
import { randomBytes, randomUUID } from 'node:crypto';
import { CommandReply, replyOk, replyTopicOf, Topic } from '@app/contracts';
import { testInfra } from '../../../../test/support/infra';
import { BusModule } from '../bus.module';
import { BusUnavailableError, MessageBus } from '../message-bus';
import { KafkaShardOwnership } from '../shard-ownership';
import { createKafkaServer, KafkaBusConfig, KafkaMessageBus, provisionTopics } from './kafka.bus';

// Three Nest "processes" in one jest process, over the real broker: A publishes (its bus comes from
// BusModule, as in production), B consumes and answers (a Kafka microservice from createKafkaServer),
// C sends requests (a bare KafkaMessageBus, as the gateway's). Topics and consumer groups carry a per-run
// suffix so runs never share state on the long-lived test cluster.

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const RUN = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const topicOf = (name: string) => `it.${RUN}.${name}`;
const groupOf = (name: string) => `it-${RUN}-${name}`;

const T = {
  events: topicOf('events'),
  burst: topicOf('burst'),
  commands: topicOf('commands'),
  silent: topicOf('silent'),
} as const;
const REQUEST_TOPICS = [T.commands, T.silent];
const ALL_TOPICS = [T.events, T.burst, ...REQUEST_TOPICS, ...REQUEST_TOPICS.map(replyTopicOf)];

const PARTITIONS = 4;
const config: KafkaBusConfig = {
  brokers: testInfra().kafkaBrokers.split(','),
  clientId: `it-bus-${RUN}`,
  partitions: PARTITIONS,
  replicationFactor: 1,
  requestTimeoutMs: 20_000,
};

/** Consumer-group joins and first fetches take seconds on a real broker. */
const KAFKA_TEST_TIMEOUT = 60_000;

/** Bounded wait for a condition the handlers make true (never a bare sleep). */
async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The partition Kafka's Java client (and every client using murmur2) would pick for a key. */
function javaPartitionOf(key: string): number {
  const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({ partitionId, leader: 0 }) as PartitionMetadata);
  return Partitioners.DefaultPartitioner()({ topic: T.events, partitionMetadata, message: { key, value: null } });
}

// ---------------------------------------------------------------------------------------------------------
// App B: the consumer / command handler
// ---------------------------------------------------------------------------------------------------------

interface Seen<T = unknown> {
  readonly value: T;
  readonly key: string;
  readonly partition: number;
}

type EchoCommand = { readonly workflowId: string; readonly body: unknown };

@Injectable()
class WorkerInbox {
  readonly events: Seen[] = [];
  readonly burst: Seen<{ workflowId: string; seq: number }>[] = [];
  readonly silentCommands: unknown[] = [];
  private releaseSilent!: () => void;
  readonly silentReleased = new Promise<void>((resolve) => (this.releaseSilent = resolve));

  release(): void {
    this.releaseSilent();
  }
}

const seen = <T>(value: T, ctx: KafkaContext): Seen<T> => ({
  value,
  key: String(ctx.getMessage().key),
  partition: ctx.getPartition(),
});

@Controller()
class WorkerConsumer {
  constructor(private readonly inbox: WorkerInbox) {}

  @EventPattern(T.events)
  onEvent(@Payload() value: unknown, @Ctx() ctx: KafkaContext): void {
    this.inbox.events.push(seen(value, ctx));
  }

  @EventPattern(T.burst)
  onBurst(@Payload() value: { workflowId: string; seq: number }, @Ctx() ctx: KafkaContext): void {
    this.inbox.burst.push(seen(value, ctx));
  }

  @MessagePattern(T.commands)
  echo(@Payload() command: EchoCommand): CommandReply<{ workflowId: string; echoed: unknown }> {
    return replyOk({ workflowId: command.workflowId, echoed: command.body });
  }

  /** Takes a command and never answers in time (released at the end so the consumer can stop). */
  @MessagePattern(T.silent)
  async ignore(@Payload() command: unknown): Promise<CommandReply<null>> {
    this.inbox.silentCommands.push(command);
    await this.inbox.silentReleased;
    return replyOk(null);
  }
}

// ---------------------------------------------------------------------------------------------------------

describe('KafkaMessageBus on a real broker', () => {
  let publisherApp: INestApplication; // A
  let workerApp: INestApplication; // B
  let requester: KafkaMessageBus; // C
  let publisher: MessageBus;
  let inbox: WorkerInbox;

  /** B's view of which partitions it consumes, as the executor's timer sweeper reads it. */
  const ownership = new KafkaShardOwnership(PARTITIONS);

  beforeAll(async () => {
    // A: provisions the topics at boot and publishes, exactly as a service's BusModule does.
    const publisherModule = await Test.createTestingModule({
      imports: [BusModule.forRoot({ settings: { kind: 'kafka', ...config }, groupId: groupOf('publisher'), requestTopics: [], topics: ALL_TOPICS })],
    }).compile();
    publisherApp = publisherModule.createNestApplication({ logger: ['error'] });
    await publisherApp.init();
    publisher = publisherApp.get(MessageBus);

    // B: a Kafka microservice in its own consumer group.
    const workerModule = await Test.createTestingModule({ controllers: [WorkerConsumer], providers: [WorkerInbox] }).compile();
    workerApp = workerModule.createNestApplication({ logger: ['error'] });
    workerApp.connectMicroservice({ strategy: createKafkaServer(config, groupOf('worker'), ownership) });
    await workerApp.startAllMicroservices();
    await workerApp.init();
    inbox = workerApp.get(WorkerInbox);

    // C: sends requests and listens on their reply topics.
    requester = new KafkaMessageBus(config, groupOf('gateway'), REQUEST_TOPICS);
    await requester.connect();
  }, KAFKA_TEST_TIMEOUT);

  afterAll(async () => {
    inbox?.release();
    await requester?.close();
    await workerApp?.close();
    await publisherApp?.close();
  }, KAFKA_TEST_TIMEOUT);

  it(
    'tells its owner which partitions it consumes, and computes the partition a key lands on as the producer does',
    async () => {
      // B is the only member of its group: after the join it owns every partition of its topics.
      await until(() => ownership.owned(T.events).length === PARTITIONS, KAFKA_TEST_TIMEOUT, 'the assignment');
      expect([...ownership.owned(T.events)].sort()).toEqual([0, 1, 2, 3]);

      const keys = Array.from({ length: 12 }, () => randomUUID());
      await publisher.publish(keys.map((key) => ({ topic: T.events, key, value: { workflowId: key, kind: 'shard-probe' } })));
      await until(() => keys.every((k) => inbox.events.some((e) => e.key === k)), KAFKA_TEST_TIMEOUT, 'the probes');
      for (const key of keys) {
        const landed = inbox.events.find((e) => e.key === key)!.partition;
        expect(ownership.shardOf(key)).toBe(landed);
      }
    },
    KAFKA_TEST_TIMEOUT,
  );

  it(
    'provisions every topic with the configured partitions, idempotently, even from several processes at once',
    async () => {
      // given the topics A provisioned at boot, and one nobody created yet
      const fresh = topicOf('provisioned');

      // when every process provisions again at the same time, and once more afterwards
      // (the loser of the creation race gets TOPIC_ALREADY_EXISTS, which kafkajs logs as an ERROR before
      // treating it as success: muted here, so the run's output stays readable)
      const kafkajsLog = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        await Promise.all([provisionTopics(config, [...ALL_TOPICS, fresh]), provisionTopics(config, [...ALL_TOPICS, fresh])]);
        await provisionTopics(config, [...ALL_TOPICS, fresh]);
      } finally {
        kafkajsLog.mockRestore();
      }

      // then each topic exists once, with 4 partitions
      const admin = new Kafka({ clientId: `it-bus-${RUN}-check`, brokers: [...config.brokers], logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: [...ALL_TOPICS, fresh] });
        expect(topics.map((t) => ({ name: t.name, partitions: t.partitions.length })).sort((a, b) => a.name.localeCompare(b.name))).toEqual(
          [...ALL_TOPICS, fresh].sort().map((name) => ({ name, partitions: PARTITIONS })),
        );
      } finally {
        await admin.disconnect();
      }
    },
    KAFKA_TEST_TIMEOUT,
  );

  it(
    'carries a keyed message from one app to another, keyed and partitioned by its workflow id',
    async () => {
      // given a workflow event
      expect(publisher).toBeInstanceOf(KafkaMessageBus);
      const workflowId = randomUUID();
      const event = { workflowId, type: 'workflow.started', at: '2024-05-01T12:00:00.000Z', input: { n: 1, tags: ['a'] } };

      // when A publishes it
      await publisher.publish([{ topic: T.events, key: workflowId, value: event }]);

      // then B's handler receives the value, with the workflow id as the Kafka key, on murmur2's partition
      await until(() => inbox.events.some((e) => e.key === workflowId), 30_000, 'the event at B');
      expect(inbox.events.filter((e) => e.key === workflowId)).toEqual([{ value: event, key: workflowId, partition: javaPartitionOf(workflowId) }]);
    },
    KAFKA_TEST_TIMEOUT,
  );

  it(
    'keeps per-key order under a burst, delivering every message exactly once',
    async () => {
      // given 20 workflows × 50 events each, interleaved round-robin
      const KEYS = 20;
      const PER_KEY = 50;
      const workflowIds = Array.from({ length: KEYS }, () => randomUUID());
      const burst = Array.from({ length: PER_KEY }, (_, seq) => workflowIds.map((workflowId) => ({ topic: T.burst, key: workflowId, value: { workflowId, seq } }))).flat();

      // when A publishes them in four batches
      for (let i = 0; i < burst.length; i += 250) await publisher.publish(burst.slice(i, i + 250));

      // then B sees all 1000, once each, every workflow's in publish order and from a single partition
      await until(() => inbox.burst.length >= KEYS * PER_KEY, 45_000, `${KEYS * PER_KEY} burst events at B`);
      expect(inbox.burst).toHaveLength(KEYS * PER_KEY);
      expect(new Set(inbox.burst.map((m) => `${m.key}/${m.value.seq}`)).size).toBe(KEYS * PER_KEY);
      const expectedSeqs = Array.from({ length: PER_KEY }, (_, i) => i);
      for (const workflowId of workflowIds) {
        const mine = inbox.burst.filter((m) => m.key === workflowId);
        expect({ workflowId, seqs: mine.map((m) => m.value.seq) }).toEqual({ workflowId, seqs: expectedSeqs });
        expect(new Set(mine.map((m) => m.partition))).toEqual(new Set([javaPartitionOf(workflowId)]));
      }
      // and the burst really did span several partitions, so this was not one ordered stream
      expect(new Set(inbox.burst.map((m) => m.partition)).size).toBeGreaterThan(1);
    },
    KAFKA_TEST_TIMEOUT,
  );

  it(
    "returns the handler's CommandReply to the requester, matching concurrent replies to their requests",
    async () => {
      // given ten commands for ten workflows
      const commands = Array.from({ length: 10 }, (_, i) => ({ workflowId: randomUUID(), body: { step: i, items: ['x', { deep: true }] } }));

      // when C sends them all at once
      const replies = await Promise.all(
        commands.map((command) => requester.request<CommandReply<unknown>>({ topic: T.commands, key: command.workflowId, value: command })),
      );

      // then each gets B's reply to its own command, intact
      expect(replies).toEqual(commands.map((c) => ({ ok: true, result: { workflowId: c.workflowId, echoed: c.body } })));
    },
    KAFKA_TEST_TIMEOUT,
  );

  it(
    'rejects with BusUnavailableError when the handler does not reply within timeoutMs',
    async () => {
      // given a command B takes but does not answer
      const workflowId = randomUUID();
      const startedAt = Date.now();

      // when C requests it with a short timeout
      const reply = requester.request({ topic: T.silent, key: workflowId, value: { workflowId } }, { timeoutMs: 2_000 });

      // then B did receive it, yet C gives up with a retryable error once the timeout has passed
      await expect(reply).rejects.toBeInstanceOf(BusUnavailableError);
      await expect(reply).rejects.toThrow(`no reply on ${T.silent} within 2000 ms`);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(2_000);
      await until(() => inbox.silentCommands.length > 0, 10_000, 'the silent command at B');
      expect(inbox.silentCommands).toEqual([{ workflowId }]);
    },
    KAFKA_TEST_TIMEOUT,
  );
});

// ---------------------------------------------------------------------------------------------------------
// A namespace on a shared cluster: handlers keep the contract names, the wire carries the prefix
// ---------------------------------------------------------------------------------------------------------

@Injectable()
class PrefixedInbox {
  readonly taskEvents: Array<Seen & { readonly topic: string }> = [];
}

@Controller()
class ContractNamedConsumer {
  constructor(private readonly inbox: PrefixedInbox) {}

  @EventPattern(Topic.TaskEvents)
  onTaskEvent(@Payload() value: unknown, @Ctx() ctx: KafkaContext): void {
    this.inbox.taskEvents.push({ ...seen(value, ctx), topic: ctx.getTopic() });
  }

  @MessagePattern(Topic.ExecutorCommands)
  handle(@Payload() command: EchoCommand, @Ctx() ctx: KafkaContext): CommandReply<{ topic: string; echoed: unknown }> {
    return replyOk({ topic: ctx.getTopic(), echoed: command.body });
  }
}

describe('KafkaMessageBus with a topicPrefix', () => {
  const prefixed: KafkaBusConfig = { ...config, clientId: `it-bus-${RUN}-ns`, topicPrefix: `it.${RUN}.ns.` };
  let app: INestApplication;
  let bus: KafkaMessageBus;
  let inbox: PrefixedInbox;

  beforeAll(async () => {
    await provisionTopics(prefixed, [Topic.TaskEvents, Topic.ExecutorCommands, replyTopicOf(Topic.ExecutorCommands)]);
    const moduleRef = await Test.createTestingModule({ controllers: [ContractNamedConsumer], providers: [PrefixedInbox] }).compile();
    app = moduleRef.createNestApplication({ logger: ['error'] });
    app.connectMicroservice({ strategy: createKafkaServer(prefixed, groupOf('ns-executor')) });
    await app.startAllMicroservices();
    await app.init();
    inbox = app.get(PrefixedInbox);
    bus = new KafkaMessageBus(prefixed, groupOf('ns-gateway'), [Topic.ExecutorCommands]);
    await bus.connect();
  }, KAFKA_TEST_TIMEOUT);

  afterAll(async () => {
    await bus?.close();
    await app?.close();
  }, KAFKA_TEST_TIMEOUT);

  it(
    'serves handlers declared with contract topic names from the namespaced wire topics, for events and requests',
    async () => {
      // given a workflow in a deployment namespaced by a prefix
      const workflowId = randomUUID();

      // when an event is published and a command requested under the contract names
      await bus.publish([{ topic: Topic.TaskEvents, key: workflowId, value: { workflowId, type: 'task.scheduled' } }]);
      const reply = await bus.request<CommandReply<unknown>>({ topic: Topic.ExecutorCommands, key: workflowId, value: { workflowId, body: 'ping' } });

      // then both travelled on the prefixed topics and reached the contract-named handlers
      expect(reply).toEqual({ ok: true, result: { topic: `it.${RUN}.ns.${Topic.ExecutorCommands}`, echoed: 'ping' } });
      await until(() => inbox.taskEvents.length > 0, 30_000, 'the task event');
      expect(inbox.taskEvents).toEqual([
        { value: { workflowId, type: 'task.scheduled' }, key: workflowId, partition: javaPartitionOf(workflowId), topic: `it.${RUN}.ns.${Topic.TaskEvents}` },
      ]);
    },
    KAFKA_TEST_TIMEOUT,
  );
});

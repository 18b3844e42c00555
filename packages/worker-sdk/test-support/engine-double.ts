import { randomUUID } from 'node:crypto';
import { Admin, Consumer, Kafka, logLevel, Partitioners, Producer } from 'kafkajs';
import { DEAD_LETTER_TOPIC, KafkaTaskMessage, Task, WORKER_TASK_EVENTS_TOPIC, WorkerTaskReport, workerTopicOf } from '../src/protocol';

export interface ReceivedReport {
  readonly key: string;
  readonly report: WorkerTaskReport;
}

export interface DeadLetter {
  readonly key: string;
  readonly reason: string | undefined;
  readonly value: { topic: string; reason: string; payload: string | null };
}

/**
 * Plays the engine's part of the native Kafka worker protocol in tests: creates a task type's topic,
 * produces KafkaTaskMessages on it, and reads back what workers report on the task-event topic (and what
 * they park on the dead-letter topic).
 */
export class EngineDouble {
  readonly reports: ReceivedReport[] = [];
  readonly deadLetters: DeadLetter[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private readonly producer: Producer;
  private readonly reader: Consumer;

  constructor(brokers: string[]) {
    this.kafka = new Kafka({ clientId: 'sdk-test-engine', brokers, logLevel: logLevel.NOTHING });
    this.admin = this.kafka.admin();
    this.producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    this.reader = this.kafka.consumer({ groupId: `sdk-test-engine-${randomUUID()}`, maxWaitTimeInMs: 100 });
  }

  /** Creates the type's task topic; starts reading reports and dead letters. */
  async start(taskType: string, partitions = 1): Promise<void> {
    await this.admin.connect();
    await this.admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: workerTopicOf(taskType), numPartitions: partitions }, { topic: WORKER_TASK_EVENTS_TOPIC }, { topic: DEAD_LETTER_TOPIC }],
    });
    await this.producer.connect();
    await this.reader.connect();
    await this.reader.subscribe({ topics: [WORKER_TASK_EVENTS_TOPIC, DEAD_LETTER_TOPIC], fromBeginning: true });
    await this.reader.run({
      eachMessage: async ({ topic, message }) => {
        const key = message.key?.toString('utf8') ?? '';
        const value = JSON.parse(message.value?.toString('utf8') ?? 'null') as unknown;
        if (topic === DEAD_LETTER_TOPIC) {
          this.deadLetters.push({ key, reason: message.headers?.reason?.toString(), value: value as DeadLetter['value'] });
        } else if ((value as { source?: unknown } | null)?.source === 'worker') {
          this.reports.push({ key, report: value as WorkerTaskReport });
        }
        for (const w of [...this.waiters]) w();
      },
    });
  }

  async stop(): Promise<void> {
    await this.reader.disconnect();
    await this.producer.disconnect();
    await this.admin.disconnect();
  }

  /** Queues a task for KAFKA delivery, as the engine does: keyed by taskId. */
  async produce(task: Task): Promise<void> {
    const message: KafkaTaskMessage = { type: 'produce', task, producedAt: Date.now() };
    await this.producer.send({ topic: workerTopicOf(task.taskDefName), messages: [{ key: task.taskId, value: JSON.stringify(message) }] });
  }

  async produceRaw(taskType: string, key: string, value: string): Promise<void> {
    await this.producer.send({ topic: workerTopicOf(taskType), messages: [{ key, value }] });
  }

  reportsFor(taskId: string): ReceivedReport[] {
    return this.reports.filter((r) => r.report.taskId === taskId);
  }

  /** Resolves once `count` reports for the task arrived (at once if they have). */
  waitForReports(taskId: string, count: number, match: (r: WorkerTaskReport) => boolean = () => true): Promise<ReceivedReport[]> {
    return this.until(() => {
      const found = this.reportsFor(taskId).filter((r) => match(r.report));
      return found.length >= count ? found : undefined;
    });
  }

  waitForDeadLetter(key: string): Promise<DeadLetter> {
    return this.until(() => this.deadLetters.find((d) => d.key === key));
  }

  /** The group's committed offset on partition 0 of the type's topic (-1: none). */
  async committedOffset(groupId: string, taskType: string, partition = 0): Promise<string> {
    const [topic] = await this.admin.fetchOffsets({ groupId, topics: [workerTopicOf(taskType)] });
    return topic.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
  }

  private until<T>(found: () => T | undefined): Promise<T> {
    return new Promise((resolve) => {
      const check = (): void => {
        const value = found();
        if (value === undefined) return;
        this.waiters.delete(check);
        resolve(value);
      };
      this.waiters.add(check);
      check();
    });
  }
}

import { Consumer, ConsumerConfig, EachBatchPayload, Kafka, logCreator, logLevel, Partitioners, Producer } from 'kafkajs';
import type { WorkerLogger } from '../logger';
import {
  DEAD_LETTER_TOPIC,
  parseKafkaTaskMessage,
  reportTypeOf,
  Task,
  WORKER_TASK_EVENTS_TOPIC,
  TaskResult,
  WorkerReportType,
  WorkerTaskReport,
  workerReport,
  workerTopicOf,
} from '../protocol';
import { retrying, RetryPolicy } from '../retry';
import type { Delivery, Dispatcher, Transport } from '../transport';
import { OffsetTracker } from './offset-tracker';

/** The consumer settings a worker may tune (group membership timing, fetch wait). */
export type KafkaConsumerTuning = Pick<ConsumerConfig, 'sessionTimeout' | 'rebalanceTimeout' | 'heartbeatInterval' | 'maxWaitTimeInMs' | 'maxBytesPerPartition'>;

export interface KafkaTransportSettings {
  readonly kafka: Kafka;
  readonly taskType: string;
  readonly workerId: string;
  readonly groupId: string;
  /** The engine's KAFKA_TOPIC_PREFIX: every topic name carries it. */
  readonly topicPrefix: string;
  readonly fromBeginning: boolean;
  readonly consumer: KafkaConsumerTuning;
  readonly retry: RetryPolicy;
  readonly logger: WorkerLogger;
  readonly now: () => number;
  readonly newId: () => string;
}

/** While every slot is busy, the consumer still heartbeats its group this often (kafkajs only does between batches). */
const SLOT_WAIT_HEARTBEAT_MS = 1000;

/**
 * Native Kafka delivery (the contract in protocol.ts): tasks arrive on the type's topic, one consumer
 * group per type; the worker reports `start.begin` on receipt, `monitor.success` heartbeats and the result
 * on the task-event topic, keyed by workflowId. An offset is committed only once the result report was
 * acknowledged (acks=all), and only up to the first task still in flight, so the tasks of a worker that
 * dies — or gives up at its shutdown deadline — go to the rest of the group. At least once: a task can
 * run twice after a rebalance; the engine ignores reports for a task that is already over.
 */
export class KafkaTransport implements Transport {
  private readonly topic: string;
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private readonly trackers = new Map<number, OffsetTracker>();
  private readonly commits = new Map<number, Promise<void>>();
  private readonly commitAgain = new Set<number>();
  private closed = false;

  constructor(private readonly s: KafkaTransportSettings) {
    this.topic = `${s.topicPrefix}${workerTopicOf(s.taskType)}`;
  }

  async start(d: Dispatcher): Promise<void> {
    const { kafka, logger, taskType } = this.s;
    const producer = (this.producer = kafka.producer({
      // Java-compatible murmur2, as the engine's own producers: a workflow's reports land on the
      // partition (the shard) that owns the workflow.
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 5,
      allowAutoTopicCreation: false,
    }));
    const consumer = (this.consumer = kafka.consumer({
      // kafkajs waits 5 s on an empty fetch; a stopping worker waits out the fetch in flight.
      maxWaitTimeInMs: 1000,
      ...this.s.consumer,
      groupId: this.s.groupId,
      allowAutoTopicCreation: false,
    }));

    let joined!: () => void;
    let failed!: (err: unknown) => void;
    const firstJoin = new Promise<void>((resolve, reject) => ((joined = resolve), (failed = reject)));
    firstJoin.catch(() => undefined); // awaited below; a crash before that point is not an unhandled rejection
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.onAssignment(payload.memberAssignment[this.topic] ?? []);
      joined();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      logger.error('consumer.crashed', { taskType, error: payload.error, restart: payload.restart });
      if (!payload.restart) failed(payload.error);
    });

    try {
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topic: this.topic, fromBeginning: this.s.fromBeginning }).catch((err: unknown) => {
        throw new Error(
          `cannot subscribe to ${this.topic} (${(err as Error).message}); the engine creates it when a task definition with deliveryMode KAFKA is registered`,
          { cause: err },
        );
      });
      await consumer.run({
        autoCommit: false,
        // Offsets are resolved as tasks are taken (so the next fetch moves on) and committed as results are
        // acknowledged: two separate marks.
        eachBatchAutoResolve: false,
        eachBatch: (payload) => this.eachBatch(d, payload),
      });
      // A worker told to stop while it is still joining does not wait for the join.
      await Promise.race([firstJoin, whenAborted(d.stopping)]);
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  async stopTaking(): Promise<void> {
    // eachBatch takes nothing once `stopping` aborted; pausing also spares the broker the fetches.
    try {
      this.consumer?.pause([{ topic: this.topic }]);
    } catch {
      // not running: nothing to pause
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.commits.values()]);
    await Promise.all([...this.trackers.keys()].map((p) => this.scheduleCommit(p)));
    await this.consumer?.disconnect().catch((error: unknown) => this.s.logger.warn('consumer.disconnect_failed', { error }));
    await this.producer?.disconnect().catch((error: unknown) => this.s.logger.warn('producer.disconnect_failed', { error }));
  }

  private async eachBatch(d: Dispatcher, { batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { partition } = batch;
    let tracker = this.trackers.get(partition);
    if (!tracker) this.trackers.set(partition, (tracker = new OffsetTracker()));
    const goOn = (): boolean => !d.stopping.aborted && isRunning() && !isStale();

    for (const message of batch.messages) {
      if (!goOn()) return;
      if (tracker.has(message.offset)) {
        // Handed out again after a rejoin while it is still ours (running or awaiting its commit).
        resolveOffset(message.offset);
        continue;
      }
      while (d.slots.free === 0) {
        await d.slots.waitForFree(d.stopping, SLOT_WAIT_HEARTBEAT_MS);
        if (!goOn()) return;
        await heartbeat();
      }
      resolveOffset(message.offset);
      tracker.begin(message.offset);

      const parsed = parseKafkaTaskMessage(message.value);
      if (!parsed.ok) {
        await this.deadLetter(partition, message.offset, message.key, message.value, parsed.reason);
        continue;
      }
      const { task } = parsed.message;
      const begun = this.sendReport('start.begin', task, undefined, d.abandoning).catch((error: unknown) =>
        this.s.logger.warn('report.failed', { taskType: this.s.taskType, taskId: task.taskId, type: 'start.begin', error }),
      );
      d.run(this.delivery(task, partition, message.offset, begun));
    }
  }

  private delivery(task: Task, partition: number, offset: string, begun: Promise<void>): Delivery {
    return {
      task,
      heartbeat: async (result) => {
        await begun;
        await this.send(this.report('monitor.success', task, result));
      },
      complete: async (result, { signal }) => {
        await begun;
        await this.sendReport(reportTypeOf(result.status), task, result, signal);
        this.markDone(partition, offset);
        return null;
      },
      abandon: async () => {
        this.s.logger.info('task.released', { taskType: this.s.taskType, taskId: task.taskId, partition, offset });
      },
    };
  }

  /** A message that can never be a task: parked on the dead-letter topic with the reason, then passed over. */
  private async deadLetter(partition: number, offset: string, key: Buffer | null, value: Buffer | null, reason: string): Promise<void> {
    this.s.logger.warn('message.dead_lettered', { taskType: this.s.taskType, partition, offset, reason });
    const payload = value?.toString('utf8') ?? null;
    const producer = this.producer;
    try {
      if (!producer) throw new Error('the Kafka transport is not started');
      await retrying(
        () =>
          producer.send({
            topic: `${this.s.topicPrefix}${DEAD_LETTER_TOPIC}`,
            acks: -1,
            messages: [{ key: key?.toString('utf8') || 'unknown', value: JSON.stringify({ topic: this.topic, reason, payload, partition, offset }), headers: { reason } }],
          }),
        { policy: this.s.retry, isRetryable: isRetryableKafkaError },
      );
      this.markDone(partition, offset);
    } catch (error) {
      // Left uncommitted: it comes back after a restart rather than vanishing.
      this.s.logger.error('message.dead_letter_failed', { taskType: this.s.taskType, partition, offset, error });
    }
  }

  private report(type: WorkerReportType, task: Task, result: TaskResult | undefined): WorkerTaskReport {
    return workerReport(type, task, this.s, result);
  }

  private sendReport(type: WorkerReportType, task: Task, result: TaskResult | undefined, signal: AbortSignal): Promise<void> {
    // One report (one eventId) however many attempts: the engine applies it once.
    const report = this.report(type, task, result);
    return retrying(() => this.send(report), {
      policy: this.s.retry,
      isRetryable: isRetryableKafkaError,
      signal,
      onRetry: (error, attempt, delayMs) => this.s.logger.debug('report.retry', { taskType: this.s.taskType, taskId: task.taskId, type, attempt, delayMs, error }),
    });
  }

  private async send(report: WorkerTaskReport): Promise<void> {
    if (this.closed || !this.producer) throw new Error('the Kafka transport is closed');
    await this.producer.send({ topic: `${this.s.topicPrefix}${WORKER_TASK_EVENTS_TOPIC}`, acks: -1, messages: [{ key: report.workflowId, value: JSON.stringify(report) }] });
  }

  private onAssignment(partitions: readonly number[]): void {
    for (const [p, tracker] of this.trackers) {
      if (partitions.includes(p)) continue;
      // Another member reads it now and starts from the last commit; what is in flight here still
      // reports, but its offsets are no longer ours to commit.
      this.s.logger.debug('partition.revoked', { taskType: this.s.taskType, partition: p, inFlight: tracker.inFlight });
      this.trackers.delete(p);
    }
  }

  private markDone(partition: number, offset: string): void {
    const tracker = this.trackers.get(partition);
    if (!tracker) return;
    tracker.done(offset);
    void this.scheduleCommit(partition);
  }

  /** Commits are serialised per partition (an older commit never lands after a newer one); never rejects. */
  private scheduleCommit(partition: number): Promise<void> {
    const running = this.commits.get(partition);
    if (running) {
      this.commitAgain.add(partition);
      return running;
    }
    const run = (async () => {
      do {
        this.commitAgain.delete(partition);
        await this.commitOnce(partition);
      } while (this.commitAgain.has(partition));
    })().finally(() => this.commits.delete(partition));
    this.commits.set(partition, run);
    return run;
  }

  private async commitOnce(partition: number): Promise<void> {
    const tracker = this.trackers.get(partition);
    const offset = tracker?.committable();
    if (!tracker || offset === undefined || !this.consumer) return;
    try {
      await this.consumer.commitOffsets([{ topic: this.topic, partition, offset }]);
      tracker.committedAt(offset);
      this.s.logger.debug('offset.committed', { taskType: this.s.taskType, partition, offset });
    } catch (error) {
      // The next result (or close) commits again, further on.
      this.s.logger.warn('offset.commit_failed', { taskType: this.s.taskType, partition, offset, error });
    }
  }
}

function whenAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/**
 * kafkajs retries transient failures itself and then gives up with a non-retriable wrapper; a broker that
 * is away for longer is worth our own bounded retries. Only a broker's explicit refusal (a protocol error
 * it marks not retriable: too large, not authorised) is final.
 */
export function isRetryableKafkaError(err: unknown): boolean {
  const e = err as { name?: unknown; retriable?: unknown } | null;
  return !(e && e.name === 'KafkaJSProtocolError' && e.retriable === false);
}

/** Routes kafkajs's own logging into the worker's logger: its errors as warnings (rebalances log as errors), the rest as debug. */
export function kafkaLogCreator(logger: WorkerLogger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, ...fields } = log;
      const record = { namespace, message, ...fields };
      if (level === logLevel.ERROR || level === logLevel.WARN) logger.warn('kafkajs', record);
      else logger.debug('kafkajs', record);
    };
}

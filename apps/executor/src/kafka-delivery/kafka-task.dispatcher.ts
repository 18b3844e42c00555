import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { KafkaTaskMessage, NotificationChannel, workerTopicOf } from '@app/contracts';
import { BusMessage, MessageBus } from '@app/bus';
import { LeasedTask, PgNotificationHub, TaskQueue } from '@app/persistence';
import { Clock } from '@app/runtime';
import { KAFKA_QUEUE_PREFIX, taskDefOfKafkaQueue } from '../decider/task-defs';
import { DueQueues } from './due-queues';
import { WorkerTopics } from './worker-topics';

/** Tasks handed off per lease statement (and produced per request). */
const BATCH = 100;
/** How long a queue rests after its tasks could not be produced (the broker is away), doubling up to the cap. */
const RETRY_MIN_MS = 200;
const RETRY_MAX_MS = 10_000;

/**
 * Hands the tasks of KAFKA-delivered task definitions to native workers. Such tasks wait in the task queue
 * under `kafka/<taskDefName>` (queueNameOf), a queue no HTTP poll is handed rows of; this dispatcher leases
 * its ready rows as hand-offs (`awaitingStart`: the task stays SCHEDULED until a worker's `start.begin`)
 * and produces a `KafkaTaskMessage` for each on `workerTopicOf(taskDefName)`, keyed by the task id. The
 * lease is the task's usual one — responseTimeoutSeconds, under its definition's concurrentExecLimit and
 * rate limit — so a task no worker begins times out and is retried per its definition, and is produced
 * again as the new attempt.
 *
 * Every executor runs one, over every `kafka/` queue: the lease's `FOR UPDATE SKIP LOCKED` hands each row
 * to one of them, so no row is produced twice per hand-off and nothing moves when partitions do. (Only the
 * owner of a task's shard could dispatch it instead, but a rebalance would then stall dispatch for the
 * moved shards, for no gain: the produce does not touch the workflow's state.) The cost is that every
 * executor wakes on a push to such a queue, and all but one lease nothing.
 *
 * It never polls: it wakes on the task queue's notification for a `kafka/` queue (a push, a slot freed
 * under a limit), at the time the next row of a queue becomes ready (a retry's backoff, startDelay, a
 * callback), when a rate window that held tasks back ends, and after a reconnect of the notification
 * connection (a look at which queues wait, since notifications may have been missed).
 *
 * A crash between the lease and the produce loses nothing: the hand-off runs out and the task is retried.
 * A produce that fails gives the rows back (`release`), and the queue is tried again after a pause.
 */
@Injectable()
export class KafkaTaskDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(KafkaTaskDispatcher.name);
  private readonly due = new DueQueues();
  /** Consecutive failures per queue, for the pause after a failed produce. */
  private readonly failures = new Map<string, number>();
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private offNotify?: () => void;
  private offReconnect?: () => void;

  constructor(
    private readonly queue: TaskQueue,
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(PgNotificationHub) private readonly hub: PgNotificationHub,
    private readonly topics: WorkerTopics,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.running = true;
    // Listen before looking: a push that commits while we look is heard, not missed.
    this.offNotify = await this.hub.subscribe(NotificationChannel.TaskQueue, (payload) => {
      const queueName = payload.slice(payload.indexOf(':') + 1);
      if (taskDefOfKafkaQueue(queueName) !== undefined) this.lookAt(queueName, this.clock.now());
    });
    this.offReconnect = this.hub.onReconnect(() => void this.lookAtWaiting());
    await this.lookAtWaiting();
    this.loop = this.run();
  }

  /** Before the bus closes: lets the hand-off under way be produced, then stops. */
  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.offNotify?.();
    this.offReconnect?.();
    this.poke();
    await this.loop;
  }

  private lookAt(queueName: string, at: number): void {
    if (this.due.schedule(queueName, at)) this.poke();
  }

  /** Every `kafka/` queue with rows waiting, at the time its next row is ready. */
  private async lookAtWaiting(): Promise<void> {
    try {
      const now = this.clock.now();
      for (const [queueName, ms] of await this.queue.waitingQueues(KAFKA_QUEUE_PREFIX)) this.lookAt(queueName, now + ms);
    } catch (err) {
      if (this.running) this.logger.warn(`could not look for waiting KAFKA-delivered tasks: ${(err as Error).message}`);
    }
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const queueName = this.due.takeDue(this.clock.now());
      if (queueName !== undefined) {
        await this.dispatch(queueName);
        continue;
      }
      await new Promise<void>((resolve) => {
        const next = this.due.nextAt();
        // Nothing due: sleep until the next queue is, or until told (a poke also ends a sleep with no end).
        const timer = next === undefined ? undefined : setTimeout(resolve, Math.min(Math.max(next - this.clock.now(), 0), 2_147_483_647));
        this.wake = () => {
          if (timer) clearTimeout(timer);
          resolve();
        };
        if (!this.running) this.poke();
      });
    }
  }

  /** Hands off what is ready in the queue, batch after batch, then notes when to look at it again. */
  private async dispatch(queueName: string): Promise<void> {
    const taskDefName = taskDefOfKafkaQueue(queueName)!;
    try {
      for (;;) {
        // The topic first: a task is leased only once it can be produced.
        await this.topics.ensure(taskDefName);
        const { tasks, heldBack } = await this.queue.lease(queueName, BATCH, undefined, taskDefName, { awaitingStart: true });
        if (tasks.length) await this.produce(taskDefName, tasks);
        this.failures.delete(queueName);
        if (tasks.length === BATCH && this.running) continue;
        // Held back by a concurrency limit: a slot that frees notifies the queue. By a rate window: its end.
        // Rows of another definition (a POLL type that happens to be named `kafka/…`) are never leased here: not waited for.
        const nextReady = await this.queue.msUntilNextReady(queueName, heldBack?.taskDefs, taskDefName);
        const now = this.clock.now();
        if (nextReady !== null) this.lookAt(queueName, now + nextReady);
        if (heldBack?.windowEndsInMs !== undefined) this.lookAt(queueName, now + heldBack.windowEndsInMs);
        return;
      }
    } catch (err) {
      const failures = (this.failures.get(queueName) ?? 0) + 1;
      this.failures.set(queueName, failures);
      const pauseMs = Math.min(RETRY_MIN_MS * 2 ** (failures - 1), RETRY_MAX_MS);
      if (this.running) this.logger.warn(`could not hand off the tasks of ${taskDefName} (trying again in ${pauseMs} ms): ${(err as Error).message}`);
      this.lookAt(queueName, this.clock.now() + pauseMs);
    }
  }

  /** Produces the tasks on their type's topic; a failure gives them back to the queue before it propagates. */
  private async produce(taskDefName: string, leased: readonly LeasedTask[]): Promise<void> {
    const producedAt = this.clock.now();
    const topic = workerTopicOf(taskDefName);
    // The phase a worker is to run travels in the task and, for a task with phases, as a header too.
    const messages: BusMessage<KafkaTaskMessage>[] = leased.map((l) => ({
      topic,
      key: l.taskId,
      value: { type: 'produce', task: l.task, producedAt },
      ...(l.task.phase ? { headers: { phase: l.task.phase } } : {}),
    }));
    try {
      await this.bus.publish(messages);
    } catch (err) {
      // Some may have reached the broker: a worker that begins one of those finds no lease, and its result
      // still counts (the owner takes a result for a SCHEDULED task as its start); the rest go out again.
      await this.queue.release(
        leased.map((l) => l.taskId),
        RETRY_MIN_MS,
      ).catch((e: Error) => this.logger.warn(`could not give back ${leased.length} task(s) of ${taskDefName}; their hand-offs will run out: ${e.message}`));
      throw err;
    }
  }
}

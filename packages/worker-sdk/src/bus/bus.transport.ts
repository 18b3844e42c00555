import { parseKafkaTaskMessage, reportTypeOf, WORKER_TASK_EVENTS_TOPIC, workerReport, workerTopicOf } from '../protocol';
import type { Task, TaskResult, WorkerReportType } from '../protocol';
import type { WorkerLogger } from '../logger';
import type { Delivery, Dispatcher, Transport } from '../transport';

/**
 * A message bus in the worker's own process: what the engine's embedded mode offers instead of a Kafka
 * broker (its in-process bus), so a native worker runs with `npm start` alone. The same contract as over
 * Kafka — tasks on `workerTopicOf(type)`, reports on the task-event topic — without a broker: nothing is
 * kept for a worker that is not subscribed, and a worker that stops gives its unstarted tasks back to the
 * engine's timeouts (each is retried per its task definition).
 */
export interface WorkerBus {
  /** Consumes a topic; the handler should take the message and return (it holds the topic's lane). Returns the unsubscribe. */
  subscribe(topic: string, handler: (message: { readonly key: string; readonly value: unknown }) => Promise<void> | void): () => void;
  /** Publishes one message, keyed; resolves once the bus took it. */
  publish(topic: string, key: string, value: unknown): Promise<void>;
}

export interface BusTransportSettings {
  readonly bus: WorkerBus;
  readonly taskType: string;
  readonly workerId: string;
  readonly logger: WorkerLogger;
  readonly now: () => number;
  readonly newId: () => string;
}

/**
 * Native delivery over a WorkerBus. A task that arrives while every slot is busy waits in memory, in
 * order, and is begun (`start.begin`) only when a slot takes it — so its response timeout runs from its
 * real start, as over Kafka.
 */
export class BusTransport implements Transport {
  private unsubscribe: (() => void) | undefined;
  private readonly waiting: Task[] = [];
  private dispatcher: Dispatcher | undefined;
  private taking = false;
  private awaitingSlot = false;

  constructor(private readonly s: BusTransportSettings) {}

  async start(d: Dispatcher): Promise<void> {
    this.dispatcher = d;
    this.taking = true;
    this.unsubscribe = this.s.bus.subscribe(workerTopicOf(this.s.taskType), ({ value }) => {
      const parsed = parseKafkaTaskMessage(Buffer.from(JSON.stringify(value)));
      if (!parsed.ok) return this.s.logger.warn('message.dropped', { taskType: this.s.taskType, reason: parsed.reason });
      if (!this.taking) return; // stopping: the task times out and is retried, as a Kafka worker's uncommitted one is handed on
      this.waiting.push(parsed.message.task);
      this.pump();
    });
  }

  async stopTaking(): Promise<void> {
    this.taking = false;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.waiting.length = 0;
  }

  async close(): Promise<void> {
    await this.stopTaking();
  }

  /** Begins waiting tasks while slots are free; with tasks left and no slot, waits for one to free. */
  private pump(): void {
    const d = this.dispatcher;
    if (!d) return;
    while (this.taking && !d.stopping.aborted && d.slots.free > 0 && this.waiting.length) {
      const task = this.waiting.shift() as Task;
      const begun = this.send('start.begin', task).catch((error: unknown) => this.s.logger.warn('report.failed', { taskType: this.s.taskType, taskId: task.taskId, type: 'start.begin', error }));
      d.run(this.delivery(task, begun));
    }
    if (this.waiting.length && this.taking && !this.awaitingSlot) {
      this.awaitingSlot = true;
      void d.slots.waitForFree(d.stopping).then(() => {
        this.awaitingSlot = false;
        this.pump();
      });
    }
  }

  private delivery(task: Task, begun: Promise<void>): Delivery {
    return {
      task,
      heartbeat: async (result) => {
        await begun;
        await this.send('monitor.success', task, result);
      },
      complete: async (result) => {
        await begun;
        await this.send(reportTypeOf(result.status), task, result);
        return null;
      },
      abandon: async () => {
        this.s.logger.info('task.released', { taskType: this.s.taskType, taskId: task.taskId });
      },
    };
  }

  private send(type: WorkerReportType, task: Task, result?: TaskResult): Promise<void> {
    const report = workerReport(type, task, this.s, result);
    return this.s.bus.publish(WORKER_TASK_EVENTS_TOPIC, report.workflowId, report);
  }
}

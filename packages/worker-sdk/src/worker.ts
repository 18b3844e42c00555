import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { TaskDispatcher } from './dispatcher';
import { ConductorClient } from './http/conductor.client';
import { HttpTransport } from './http/http.transport';
import { consoleLogger, WorkerLogger } from './logger';
import { workerGroupOf } from './protocol';
import { DEFAULT_RETRY_POLICY, RetryPolicy } from './retry';
import type { Transport } from './transport';
import { problemsOf, TransportOptions, WorkerConfigError, WorkerOptions } from './worker-options';

export type WorkerState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

export interface StopOptions {
  /** How long running tasks may take to finish; default the worker's shutdownTimeoutMs. 0: give them up now. */
  readonly timeoutMs?: number;
}

/** Anything that starts and stops gracefully: a Worker, a WorkerGroup. */
export interface Runnable {
  start(): Promise<void>;
  stop(options?: StopOptions): Promise<void>;
}

/**
 * Runs one task type's handler over one transport, `concurrency` tasks at a time.
 *
 * `stop()` is graceful: the worker takes no new task, lets the running ones finish and report, and
 * resolves. Tasks still running at the deadline get their AbortSignal fired and are given up — handed
 * back to the queue over HTTP, left uncommitted for the group over Kafka — so another worker takes them.
 */
export class Worker implements Runnable {
  readonly taskType: string;
  readonly workerId: string;
  private currentState: WorkerState = 'idle';
  private readonly dispatcher: TaskDispatcher;
  private readonly logger: WorkerLogger;
  private readonly shutdownTimeoutMs: number;
  private transport: Transport | undefined;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private deadline: { timer: NodeJS.Timeout; at: number } | undefined;
  private abandoning: Promise<void> | undefined;

  constructor(private readonly options: WorkerOptions) {
    const problems = problemsOf(options);
    if (problems.length) throw new WorkerConfigError(problems);
    this.taskType = options.taskType;
    this.workerId = options.workerId ?? `${hostname()}-${process.pid}`;
    this.logger = options.logger ?? consoleLogger();
    this.shutdownTimeoutMs = options.shutdownTimeoutMs ?? 30_000;
    this.dispatcher = new TaskDispatcher({
      handler: options.handler,
      workerId: this.workerId,
      concurrency: options.concurrency ?? 1,
      heartbeatEveryMs: options.heartbeatEveryMs,
      leaseExtension: options.leaseExtension ?? true,
      logger: this.logger,
      now: options.now ?? Date.now,
      onUnreportedResult: options.onUnreportedResult,
    });
  }

  get state(): WorkerState {
    return this.currentState;
  }

  /** Starts taking tasks; resolves once it does (Kafka: connected and in its group). */
  start(): Promise<void> {
    if (this.currentState !== 'idle') return Promise.reject(new Error(`the ${this.taskType} worker cannot start: it is ${this.currentState}`));
    this.currentState = 'starting';
    this.starting = this.startTransport();
    return this.starting;
  }

  /** Stops gracefully (see the class); a second call may only bring the deadline closer. */
  stop(options: StopOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? this.shutdownTimeoutMs;
    if (this.stopping) {
      this.armDeadline(timeoutMs);
      return this.stopping;
    }
    if (this.currentState === 'idle' || this.currentState === 'failed') {
      if (this.currentState === 'idle') this.currentState = 'stopped';
      return Promise.resolve();
    }
    this.stopping = this.shutdown(timeoutMs);
    return this.stopping;
  }

  private async startTransport(): Promise<void> {
    try {
      this.transport = await this.createTransport(this.options.transport);
      await this.transport.start(this.dispatcher);
    } catch (error) {
      this.currentState = 'failed';
      this.logger.error('worker.start_failed', { taskType: this.taskType, error });
      throw error;
    }
    if (this.currentState === 'starting') this.currentState = 'running';
    this.logger.info('worker.started', { taskType: this.taskType, workerId: this.workerId, transport: this.options.transport.kind });
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    this.currentState = 'stopping';
    this.dispatcher.beginStopping();
    this.armDeadline(timeoutMs);
    const started = await this.starting?.then(
      () => true,
      () => false,
    );
    let drained = true;
    if (started && this.transport) {
      await this.transport.stopTaking();
      drained = await this.dispatcher.drained();
      this.disarmDeadline();
      if (!drained) await this.abandoning;
      await this.transport.close();
    }
    this.disarmDeadline();
    this.currentState = 'stopped';
    this.logger.info('worker.stopped', { taskType: this.taskType, drained });
  }

  private armDeadline(timeoutMs: number): void {
    const at = Date.now() + timeoutMs;
    if (this.deadline && this.deadline.at <= at) return;
    if (this.deadline) clearTimeout(this.deadline.timer);
    this.deadline = { at, timer: setTimeout(() => void this.abandon(), timeoutMs) };
  }

  private disarmDeadline(): void {
    if (this.deadline) clearTimeout(this.deadline.timer);
  }

  private abandon(): Promise<void> {
    this.abandoning ??= this.dispatcher.abandonAll();
    return this.abandoning;
  }

  private async createTransport(t: TransportOptions): Promise<Transport> {
    const o = this.options;
    const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...o.retry };
    const now = o.now ?? Date.now;
    if (t.kind === 'bus') {
      const { BusTransport } = await import('./bus/bus.transport');
      return new BusTransport({ bus: t.bus, taskType: this.taskType, workerId: this.workerId, logger: this.logger, now, newId: o.newId ?? randomUUID });
    }
    if (t.kind === 'http') {
      const client = new ConductorClient({ baseUrl: t.baseUrl, headers: t.headers, requestTimeoutMs: t.requestTimeoutMs, fetch: t.fetch });
      return new HttpTransport({ client, taskType: this.taskType, workerId: this.workerId, domain: o.domain, pollTimeoutMs: o.pollTimeoutMs ?? 1000, retry, logger: this.logger, now });
    }
    // Loaded only when used: an HTTP-only worker never loads kafkajs.
    const { Kafka } = await import('kafkajs');
    const { KafkaTransport, kafkaLogCreator } = await import('./kafka/kafka.transport');
    const kafka = t.kafka ?? new Kafka({ clientId: t.clientId ?? `baton-worker-${this.taskType}`, brokers: [...(t.brokers ?? [])], logCreator: kafkaLogCreator(this.logger) });
    return new KafkaTransport({
      kafka,
      taskType: this.taskType,
      workerId: this.workerId,
      groupId: t.groupId ?? `${t.topicPrefix ?? ''}${workerGroupOf(this.taskType)}`,
      topicPrefix: t.topicPrefix ?? '',
      fromBeginning: t.fromBeginning ?? true,
      consumer: t.consumer ?? {},
      retry,
      logger: this.logger,
      now,
      newId: o.newId ?? randomUUID,
    });
  }
}

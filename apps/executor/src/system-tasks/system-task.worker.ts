import { Inject, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { hostname } from 'node:os';
import { BatonError, CommandReply, ErrorCode, NotificationChannel, Task, TaskLeasedNotice, Topic, UpdateTaskCommand, UpdateTaskReply, unwrapReply } from '@app/contracts';
import { MessageBus, ownerDeadlineMs } from '@app/bus';
import { LeaseBatch, LeasedTask, PgNotificationHub, TaskQueue } from '@app/persistence';
import { Clock, IdGenerator } from '@app/runtime';

/** What the engine's worker reports for a task it ran, as a worker's TaskResult would. */
export interface SystemTaskOutcome {
  readonly status: 'COMPLETED' | 'FAILED' | 'FAILED_WITH_TERMINAL_ERROR';
  readonly outputData: Record<string, unknown>;
  readonly reasonForIncompletion?: string;
}

/** Tasks in flight at once per executor process, per type. */
const CONCURRENCY = 32;
/** Longest wait between looks at the queue when nothing notified (a missed notification costs this much). */
const IDLE_LOOK_MS = 2000;
/** Attempts to report a result before the lease is left to run out (the task is then handed out again). */
const REPORT_ATTEMPTS = 5;
/** What a call's total deadline leaves of its lease, to report the outcome in. */
const REPORT_MARGIN_MS = 5000;

/**
 * The engine's own worker for a queued system task type (HTTP, KAFKA_PUBLISH). Such tasks wait in the task
 * queue like worker tasks; this worker leases them (as a poller would: a lease notice tells the owner, the
 * task shows IN_PROGRESS), runs them, and reports the outcome through the same command a worker's
 * `POST /api/tasks` sends. So retries, backoff and timeouts are the kernel's as for any worker task, and a
 * process that dies mid-task loses nothing: its lease runs out and the task is handed out again as a new
 * attempt. Every executor runs one per type; the queue's SKIP LOCKED leases share the work between them.
 * Each task counts against the limits of the task definition registered under its name (concurrentExecLimit
 * protects what the task calls): the queue holds tasks back that their limits do not allow yet, and the
 * worker looks again the moment a slot frees (the queue is notified) or a rate window ends.
 */
export abstract class QueuedSystemTaskWorker implements OnApplicationBootstrap, OnModuleDestroy {
  protected readonly logger = new Logger(this.constructor.name);
  /** The task type, which is also its queue's name. */
  protected abstract readonly type: string;
  /** Runs the task; `signal` aborts when the engine stops or the task's deadline passes. */
  protected abstract perform(task: Task, signal: AbortSignal): Promise<SystemTaskOutcome>;
  /** How long the task may run: inside its lease, leaving time to report. */
  protected abstract deadlineMs(task: Task): number;

  private readonly workerId = `baton-engine@${hostname()}/${process.pid}`;
  private readonly abort = new AbortController();
  private readonly calls = new Set<Promise<void>>();
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  /** A poke that came while the loop was not sleeping (it was leasing): the next sleep is skipped. */
  private poked = false;
  private unsubscribe?: () => void;

  constructor(
    private readonly queue: TaskQueue,
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(PgNotificationHub) private readonly hub: PgNotificationHub,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  /** Releases what the type holds (connections) once nothing runs any more. */
  protected async dispose(): Promise<void> {}

  async onApplicationBootstrap(): Promise<void> {
    this.running = true;
    this.unsubscribe = await this.hub.subscribe(NotificationChannel.TaskQueue, (payload) => {
      if (payload.slice(payload.indexOf(':') + 1) === this.type) this.poke();
    });
    this.loop = this.run();
  }

  async onModuleDestroy(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.poke();
    // Tasks cut short report nothing: their leases run out and the tasks are handed out again.
    this.abort.abort();
    await this.loop;
    await Promise.allSettled([...this.calls]);
    await this.dispose();
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    if (wake) wake();
    else this.poked = true;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.poked) {
        this.poked = false;
        return resolve();
      }
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      const room = CONCURRENCY - this.calls.size;
      if (room <= 0) {
        await this.sleep(IDLE_LOOK_MS);
        continue;
      }
      let batch: LeaseBatch;
      this.poked = false;
      try {
        // The queue holds tasks of many definitions (each named by its workflow task): each its own limits.
        batch = await this.queue.lease(this.type, room, this.workerId);
      } catch (err) {
        if (this.running) this.logger.warn(`could not lease ${this.type} tasks: ${(err as Error).message}`);
        await this.sleep(IDLE_LOOK_MS);
        continue;
      }
      const { tasks: leased, heldBack } = batch;
      for (const lease of leased) {
        const call = this.handle(lease).finally(() => {
          this.calls.delete(call);
          this.poke();
        });
        this.calls.add(call);
      }
      if (leased.length === room) continue;
      // Nothing (more) ready, or limits hold the rest back: sleep until notified (a push, a freed slot), until
      // a row that waits out a backoff becomes visible, or until a rate window that held tasks back ends.
      const next = await this.queue.msUntilNextReady(this.type, heldBack?.taskDefs).catch(() => null);
      const wakeAt = Math.min(next ?? IDLE_LOOK_MS, heldBack?.windowEndsInMs ?? IDLE_LOOK_MS, IDLE_LOOK_MS);
      if (this.running) await this.sleep(Math.max(wakeAt, 5));
    }
  }

  private async handle(lease: LeasedTask): Promise<void> {
    await this.notifyOwner(lease);
    // A total deadline inside the lease: a task that drags on cannot outlive it (and run twice).
    const deadlineMs = Math.max(1000, this.deadlineMs(lease.task) - REPORT_MARGIN_MS);
    const deadline = AbortSignal.timeout(deadlineMs);
    let outcome: SystemTaskOutcome;
    try {
      outcome = await this.perform(lease.task, AbortSignal.any([this.abort.signal, deadline]));
    } catch (err) {
      if (this.abort.signal.aborted) return;
      outcome = deadline.aborted
        ? { status: 'FAILED', outputData: {}, reasonForIncompletion: `${this.type} task did not finish within ${deadlineMs} ms (the task's lease)` }
        : { status: 'FAILED', outputData: {}, reasonForIncompletion: `${this.type} task failed: ${(err as Error).message}` };
    }
    if (this.abort.signal.aborted) return;
    await this.report(lease, outcome);
  }

  /** Best effort, as the gateway's: the lease is already the record. */
  private async notifyOwner(lease: LeasedTask): Promise<void> {
    const notice: TaskLeasedNotice = {
      type: 'task.leased',
      eventId: this.ids.next(),
      workflowId: lease.workflowId,
      taskId: lease.taskId,
      workerId: this.workerId,
      leasedAt: lease.leasedAt,
      pollCount: lease.pollCount,
    };
    await this.bus.publish([{ topic: Topic.ExecutorCommands, key: lease.workflowId, value: notice }]).catch((err: Error) => {
      this.logger.warn(`could not tell the owner of ${lease.workflowId} about the lease of ${lease.taskId}: ${err.message}`);
    });
  }

  private async report(lease: LeasedTask, outcome: SystemTaskOutcome): Promise<void> {
    for (let attempt = 1; attempt <= REPORT_ATTEMPTS && this.running; attempt++) {
      const command: UpdateTaskCommand = {
        type: 'task.update',
        commandId: this.ids.next(),
        issuedAt: this.clock.now(),
        deadline: this.clock.now() + ownerDeadlineMs(this.bus),
        workflowId: lease.workflowId,
        byEngine: true,
        result: {
          workflowInstanceId: lease.workflowId,
          taskId: lease.taskId,
          status: outcome.status,
          outputData: outcome.outputData,
          ...(outcome.reasonForIncompletion ? { reasonForIncompletion: outcome.reasonForIncompletion } : {}),
          workerId: this.workerId,
        },
      };
      try {
        unwrapReply(await this.bus.request<CommandReply<UpdateTaskReply>>({ topic: Topic.ExecutorCommands, key: lease.workflowId, value: command }));
        return;
      } catch (err) {
        // A domain refusal (the task moved on: timed out, the workflow ended) will not change: stop.
        if (err instanceof BatonError && err.code !== ErrorCode.Unavailable) return;
        this.logger.warn(`could not report ${this.type} task ${lease.taskId} (attempt ${attempt}): ${(err as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
      }
    }
  }
}

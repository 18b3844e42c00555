import { Injectable, Logger } from '@nestjs/common';
import { BatonError, ErrorCode, WorkflowDef } from '@app/contracts';
import { Clock } from '@app/runtime';
import { DataSource, EntityManager } from 'typeorm';
import type { Decision } from '../decider/commands';
import { decide } from '../decider/decide';
import type { DeciderEvent, WorkflowStartRequested } from '../decider/events';
import { EXECUTOR_PRODUCER, OutboxRelay } from '../outbox/outbox.relay';
import { TimerWakeup } from '../timers/timer-wakeup';
import { BatchWriter } from './batch.writer';
import { DecisionEffects, Effect } from './decision-effects';
import { RunCache } from './run-cache';
import { LoadedRun, nextVersions, RunWrite, StaleRunError, WorkflowRunRepository } from './workflow-run.repository';
import { DefinitionReader } from '../definitions/definition.reader';
import { ScriptEvaluators } from './script-evaluators';

/** Something to decide for one workflow. */
export interface DecisionJob {
  readonly workflowId: string;
  /** A start: the definition to pin and the event; nothing happens when the run already exists (a redelivery). */
  readonly start?: { readonly definition: WorkflowDef; readonly event: WorkflowStartRequested; readonly commandId?: string };
  /** For an existing run: the event (a command or a notice). */
  readonly event?: DeciderEvent;
  /**
   * For an existing run: the event, built inside a transaction around the batch (a timer is claimed there);
   * null: nothing to do. A batch with such a job is written in a transaction; others need none.
   */
  readonly eventFor?: (m: EntityManager) => Promise<DeciderEvent | null>;
  /** The run does not exist (an orphan queue row or timer): clean up, in the batch's transaction. */
  readonly onMissing?: (m: EntityManager) => Promise<void>;
}

/** The decision made for a job, or null when there was nothing to decide. */
export type JobResult = Decision | null;

interface Pending {
  readonly job: DecisionJob;
  readonly resolve: (result: JobResult) => void;
  readonly reject: (err: unknown) => void;
}

/** The most jobs one transaction takes. */
const MAX_BATCH = 256;
/**
 * Batches decided at once (each on its own connection): while one waits on PostgreSQL, the next is being
 * decided. Two keep both sides busy on a small machine; more only make each batch smaller (measured with
 * `npm run bench`: 1, 2 and 4).
 */
const MAX_IN_FLIGHT = 2;
const MAX_STALE_RETRIES = 5;

/**
 * Decides in batches (group commit). Every path that changes a run — a command, a notice, a timer, an
 * expired lease — submits a job and waits for the commit that carries it out. While one batch commits, new
 * jobs queue up; the next batch takes them all: loads the runs it does not hold in memory (two statements
 * for the whole batch), decides each job in order (jobs of one workflow in the order they came), and writes
 * every changed run, queue row, timer and outbox message in one transaction of a few multi-row statements.
 * Under light load a batch is one job, as fast as before; under heavy load a commit carries many.
 *
 * Per-workflow order is the bus's (a lane or partition hands over its next message only after the previous
 * one's commit); at-least-once is unchanged (a job is answered after its commit, so an offset is committed
 * after the state it produced). A batch whose write finds a run changed by another writer rolls back, drops
 * those runs from memory and decides again; a batch that fails otherwise is retried job by job, so one bad
 * job fails alone.
 */
@Injectable()
export class DecisionBatcher {
  private readonly logger = new Logger(DecisionBatcher.name);
  private queue: Pending[] = [];
  private inFlight = 0;
  /** Workflows with a job in a batch being decided: their next jobs wait for that batch's commit. */
  private readonly busy = new Set<string>();
  private readonly stats = new BatchStats(this.logger);

  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: WorkflowRunRepository,
    private readonly cache: RunCache,
    private readonly effects: DecisionEffects,
    private readonly writer: BatchWriter,
    private readonly relay: OutboxRelay,
    private readonly wakeup: TimerWakeup,
    private readonly clock: Clock,
    private readonly evaluators: ScriptEvaluators,
    private readonly definitions: DefinitionReader,
  ) {}

  submit(job: DecisionJob): Promise<JobResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.pump();
    });
  }

  /**
   * Starts batches while fewer than MAX_IN_FLIGHT are being decided. A batch takes the waiting jobs in order,
   * skipping every job of a workflow that is in a batch still in flight (and that workflow's later jobs), so
   * batches in flight never share a workflow and each workflow's jobs are decided in order.
   */
  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length) {
      const batch: Pending[] = [];
      const rest: Pending[] = [];
      const blocked = new Set(this.busy);
      for (const p of this.queue) {
        if (batch.length < MAX_BATCH && !blocked.has(p.job.workflowId)) batch.push(p);
        else {
          blocked.add(p.job.workflowId);
          rest.push(p);
        }
      }
      if (!batch.length) return;
      this.queue = rest;
      const ids = new Set(batch.map((p) => p.job.workflowId));
      ids.forEach((id) => this.busy.add(id));
      this.inFlight++;
      void this.run(batch).finally(() => {
        ids.forEach((id) => this.busy.delete(id));
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async run(batch: Pending[]): Promise<void> {
    const started = performance.now();
    try {
      const results = await this.decideWithRetries(batch.map((p) => p.job));
      this.stats.record(batch.length, performance.now() - started, this.queue.length);
      batch.forEach((p, i) => p.resolve(results[i]));
    } catch (err) {
      if (batch.length === 1) return batch[0].reject(err);
      this.logger.warn(`a batch of ${batch.length} failed (${(err as Error).message}); deciding its jobs one by one`);
      for (const p of batch) {
        await this.decideWithRetries([p.job]).then(([result]) => p.resolve(result), p.reject);
      }
    }
  }

  private async decideWithRetries(jobs: readonly DecisionJob[]): Promise<JobResult[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.decideOnce(jobs, attempt === 1);
      } catch (err) {
        if (!(err instanceof StaleRunError)) throw err;
        this.cache.evict(err.workflowIds);
        // Contention that outlasts the retries (a rebalance storm): the caller may try again.
        if (attempt >= MAX_STALE_RETRIES) throw new BatonError(ErrorCode.Unavailable, `${err.message}; try again`);
        this.logger.debug(`${err.message}; deciding again (attempt ${attempt + 1})`);
      }
    }
  }

  /**
   * One attempt at a batch. Most batches (commands and notices) need no transaction: the runs not in
   * memory are read, the jobs decided, and everything written in one statement whose version check makes
   * it atomic and safe. A batch with a job that must read or claim something first (a timer, an expired
   * lease) runs the same steps inside a transaction.
   */
  private async decideOnce(jobs: readonly DecisionJob[], firstAttempt: boolean): Promise<JobResult[]> {
    const transactional = jobs.some((j) => j.eventFor || j.onMissing);
    const outcome = transactional
      ? await this.dataSource.transaction((m) => this.decideAndWrite(jobs, firstAttempt, m))
      : await this.decideAndWrite(jobs, firstAttempt);
    // Written: what this process wrote (or read) is what the next decision starts from.
    for (const [id, run] of outcome.current) {
      if (run) this.cache.put(id, run);
      else this.cache.evict([id]);
    }
    for (const t of outcome.timersDue) this.wakeup.dueAt(t);
    this.relay.publishCommitted(outcome.messages, outcome.outboxIds);
    return outcome.results;
  }

  private async decideAndWrite(jobs: readonly DecisionJob[], firstAttempt: boolean, m?: EntityManager) {
    const ids = [...new Set(jobs.map((j) => j.workflowId))];
    // A start names a fresh id (the gateway's uuid): presumed new, nothing to read. A redelivered start
    // fails the insert, and the next attempt reads what is there.
    const starting = new Set(firstAttempt ? jobs.filter((j) => j.start).map((j) => j.workflowId) : []);
    const before = new Map<string, LoadedRun | null>();
    const toLoad: string[] = [];
    for (const id of ids) {
      const cached = this.cache.get(id);
      if (cached) before.set(id, cached);
      else if (starting.has(id) && jobs.find((j) => j.workflowId === id)?.start) before.set(id, null);
      else toLoad.push(id);
    }
    const loaded = await this.runs.loadMany(m ?? this.dataSource.manager, toLoad);
    for (const id of toLoad) before.set(id, loaded.get(id) ?? null);

    // Decide each job on the run as the jobs before it left it.
    const current = new Map(before);
    const taskDefs = await this.definitions.taskDefCatalog();
    const results: JobResult[] = [];
    const effects: Effect[] = [];
    const gone = new Set<string>();
    for (const job of jobs) {
      const run = gone.has(job.workflowId) ? null : (current.get(job.workflowId) ?? null);
      const now = this.clock.now();
      let decision: Decision;
      if (job.start) {
        if (run) {
          results.push(null);
          continue;
        }
        decision = decideOrExplain(job.workflowId, () => decide(job.start!.definition, null, job.start!.event, now, this.evaluators, taskDefs));
      } else {
        if (!run) {
          if (m) await job.onMissing?.(m);
          results.push(null);
          continue;
        }
        const event = job.event ?? (m && job.eventFor ? await job.eventFor(m) : null);
        if (!event) {
          results.push(null);
          continue;
        }
        decision = decideOrExplain(job.workflowId, () => decide(run.run.workflow.workflowDefinition, run.run, event, now, this.evaluators, taskDefs));
      }
      const saved = decision.state === run?.run && run ? run : nextVersions(run, decision.state);
      if (decision.state !== run?.run) current.set(job.workflowId, { run: decision.state, version: saved.version, taskVersions: saved.taskVersions });
      effects.push({ decision, saved, now });
      results.push(decision);
      if (decision.commands.some((c) => c.type === 'workflow.remove')) gone.add(job.workflowId);
    }

    // A removed run is written as it ends (its row goes in the same transaction) and forgotten: a job after
    // the removal finds no run.
    const planned = this.effects.plan(effects);
    const removed = new Set(planned.removed);
    const runs: RunWrite[] = [];
    for (const id of ids) {
      const after = current.get(id);
      const was = before.get(id) ?? null;
      if (!after || after === was) continue;
      const startCommandId = was ? undefined : jobs.find((j) => j.workflowId === id && j.start?.commandId)?.start?.commandId;
      runs.push({ before: was, after: after.run, saved: after, ...(startCommandId ? { startCommandId } : {}) });
    }
    for (const id of removed) current.set(id, null);
    const now = this.clock.now();
    const nothing = !runs.length && !planned.messages.length && !planned.queue.remove.length && !planned.queue.push.length && !planned.queue.extend.length && !planned.timers.cancel.length && !planned.timers.set.length;
    const outboxIds = nothing
      ? []
      : await this.writer.write({ runs, queue: planned.queue, timers: planned.timers, removed: planned.removed, outbox: { producer: EXECUTOR_PRODUCER, messages: planned.messages }, now }, m);
    return { results, current, messages: planned.messages, outboxIds, timersDue: planned.timers.set.map((t) => t.dueAt) };
  }
}

/**
 * The decider threw: a bug, or a run it cannot make sense of. Deciding again gives the same answer, so the
 * job is not retried: its message is parked on the dead-letter topic instead of blocking its partition.
 */
export class DecisionError extends Error {
  constructor(
    readonly workflowId: string,
    override readonly cause: unknown,
  ) {
    super(`deciding workflow ${workflowId} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'DecisionError';
  }
}

function decideOrExplain(workflowId: string, decideIt: () => Decision): Decision {
  try {
    return decideIt();
  } catch (err) {
    throw new DecisionError(workflowId, err);
  }
}

/** Batch sizes and times, logged every few seconds at debug level (LOG_LEVEL=debug) while there is work. */
class BatchStats {
  private batches = 0;
  private jobs = 0;
  private ms = 0;
  private since = Date.now();

  constructor(private readonly logger: Logger) {}

  record(jobs: number, ms: number, waiting: number): void {
    this.batches++;
    this.jobs += jobs;
    this.ms += ms;
    const elapsed = Date.now() - this.since;
    if (elapsed < 5000) return;
    this.logger.debug(
      `${(this.batches / (elapsed / 1000)).toFixed(0)} batches/s, ${(this.jobs / this.batches).toFixed(1)} jobs/batch, ${(this.ms / this.batches).toFixed(1)} ms/batch, ${waiting} waiting`,
    );
    this.batches = this.jobs = this.ms = 0;
    this.since = Date.now();
  }
}

import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { isQueuedTaskType, Topic } from '@app/contracts';
import { ShardOwnership } from '@app/bus';
import { TaskQueue } from '@app/persistence';
import { DataSource } from 'typeorm';
import { WorkflowExecutionService } from '../runs/workflow-execution.service';

/** Task rows looked at per pass: the scan walks the table by id, a window at a time, never all at once. */
const WINDOW = 1000;
const PASS_EVERY_MS = 2000;
/** Only what has been still for this long is suspect: the normal flow is not raced. */
const SETTLED_MS = 30_000;
const FIRST_ID = '00000000-0000-0000-0000-000000000000';

/**
 * Repairs what a crash, a bug or a hand in the database can leave behind, that nothing else would notice:
 * - a queued task (worker, HTTP, KAFKA_PUBLISH) SCHEDULED or IN_PROGRESS without its queue row: nobody
 *   could poll it, and no lease can expire. The owner decides the repair (`workflow.reconcile`): queued
 *   again if it was never handed out, timed out (and retried) if a worker held it — never two holders;
 * - a queue row whose task ended or is gone: removed, so no poller is handed a dead task.
 * What the rest already covers is left to it: outbox messages a crash did not publish (the relay's sweep),
 * leases that run out, an engine worker that died mid-call (its lease), timers (in the deciding transaction).
 *
 * It walks the task table by id, a window per pass (a bounded read however large the table), looking only
 * at rows still for half a minute, for the workflows of the shards this executor owns; what it finds is
 * checked again inside the owner's deciding transaction before anything changes.
 */
@Injectable()
export class Reconciler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(Reconciler.name);
  private cursor = FIRST_ID;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: TaskQueue,
    private readonly executions: WorkflowExecutionService,
    @Inject(ShardOwnership) private readonly shards: ShardOwnership,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), PASS_EVERY_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private async tick(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = this.pass()
      .then(() => undefined)
      .catch((err: Error) => this.logger.warn(`reconciliation pass failed, trying again: ${err.message}`))
      .finally(() => {
        this.running = null;
      });
    await this.running;
  }

  /** One window of the task table, then the orphaned queue rows. Returns what it repaired (for tests). */
  async pass(): Promise<{ readonly requeued: number; readonly orphansRemoved: number }> {
    const owned = new Set(this.shards.owned(Topic.ExecutorCommands));
    let requeued = 0;
    if (owned.size) {
      const { suspects, last } = await this.window();
      this.cursor = last ?? FIRST_ID;
      const missing = await this.queue.withoutRows(suspects.filter((s) => owned.has(this.shards.shardOf(s.workflowId))).map((s) => s.taskId));
      const byWorkflow = new Map<string, string[]>();
      for (const s of suspects) if (missing.has(s.taskId)) byWorkflow.set(s.workflowId, [...(byWorkflow.get(s.workflowId) ?? []), s.taskId]);
      for (const [workflowId, taskIds] of byWorkflow) {
        this.logger.warn(`workflow ${workflowId}: ${taskIds.length} queued task(s) without a queue row; repairing`);
        requeued += await this.executions.reconcile(workflowId, taskIds);
      }
    }
    const orphansRemoved = await this.queue.removeOrphans(SETTLED_MS);
    if (orphansRemoved) this.logger.warn(`removed ${orphansRemoved} queue row(s) whose task had ended or was gone`);
    return { requeued, orphansRemoved };
  }

  /** The next window of task rows by id: the queued tasks in it that are not ended and have been still a while. */
  private async window(): Promise<{ suspects: Array<{ taskId: string; workflowId: string }>; last: string | null }> {
    const rows: Array<{ task_id: string; workflow_id: string; task_type: string; status: string; settled: boolean }> = await this.dataSource.query(
      `SELECT task_id, workflow_id, task_type, status, update_time < now() - $3 * interval '1 millisecond' AS settled
       FROM task WHERE task_id > $1 ORDER BY task_id LIMIT $2`,
      [this.cursor, WINDOW, SETTLED_MS],
    );
    const suspects = rows
      .filter((r) => r.settled && (r.status === 'SCHEDULED' || r.status === 'IN_PROGRESS') && isQueuedTaskType(r.task_type))
      .map((r) => ({ taskId: r.task_id, workflowId: r.workflow_id }));
    // A short window reached the end of the table: the next pass starts over.
    return { suspects, last: rows.length === WINDOW ? rows[rows.length - 1].task_id : null };
  }
}

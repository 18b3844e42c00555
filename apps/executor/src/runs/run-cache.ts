import { Injectable } from '@nestjs/common';
import { isTerminalWorkflowStatus } from '@app/contracts';
import type { LoadedRun } from './workflow-run.repository';

/** How many runs the owner keeps in memory; the least recently decided go first. */
const CAPACITY = 20_000;

/**
 * The runs this executor decides, as it last wrote (or read) them: a decision on a cached run loads
 * nothing. Safe because every write is guarded by the workflow row's version — a run changed by another
 * writer (a rebalance moved its partition, and back) fails its write, is evicted and decided again on
 * fresh state. Ended runs are dropped: nothing more happens to them.
 */
@Injectable()
export class RunCache {
  private readonly runs = new Map<string, LoadedRun>();

  get(workflowId: string): LoadedRun | undefined {
    const run = this.runs.get(workflowId);
    if (run) {
      // Map order is insertion order: re-inserting makes this the most recently used.
      this.runs.delete(workflowId);
      this.runs.set(workflowId, run);
    }
    return run;
  }

  /** Keeps a run as just written or read; an ended run is dropped instead. */
  put(workflowId: string, run: LoadedRun): void {
    this.runs.delete(workflowId);
    if (isTerminalWorkflowStatus(run.run.workflow.status)) return;
    this.runs.set(workflowId, run);
    if (this.runs.size > CAPACITY) this.runs.delete(this.runs.keys().next().value as string);
  }

  evict(workflowIds: Iterable<string>): void {
    for (const id of workflowIds) this.runs.delete(id);
  }

  clear(): void {
    this.runs.clear();
  }

  get size(): number {
    return this.runs.size;
  }
}

import { Injectable } from '@nestjs/common';
import type { TaskEvent, WorkflowEvent } from '@app/contracts';
import { SearchProjection } from './search-projection';

/** A batch is written when it holds this many events, or this long after its first event. */
const MAX_BATCH = 500;
const MAX_WAIT_MS = 5;

interface Batch {
  readonly tasks: TaskEvent[];
  readonly workflows: WorkflowEvent[];
  readonly done: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
  timer: NodeJS.Timeout | null;
}

/**
 * Groups the events that arrive together (from concurrently consumed partitions or lanes) into one bulk
 * upsert. Each handler waits for the write that includes its event, so an event is acknowledged only
 * once it is stored, and a failed write fails (and redelivers) every event in it.
 */
@Injectable()
export class ProjectionBatcher {
  private current: Batch | null = null;

  constructor(private readonly projection: SearchProjection) {}

  addTask(event: TaskEvent): Promise<void> {
    const batch = this.open();
    batch.tasks.push(event);
    return this.settle(batch);
  }

  addWorkflow(event: WorkflowEvent): Promise<void> {
    const batch = this.open();
    batch.workflows.push(event);
    return this.settle(batch);
  }

  private open(): Batch {
    if (this.current) return this.current;
    let resolve!: () => void;
    let reject!: (err: unknown) => void;
    const done = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    const batch: Batch = { tasks: [], workflows: [], done, resolve, reject, timer: null };
    batch.timer = setTimeout(() => void this.flush(batch), MAX_WAIT_MS);
    this.current = batch;
    return batch;
  }

  private settle(batch: Batch): Promise<void> {
    if (batch.tasks.length + batch.workflows.length >= MAX_BATCH) void this.flush(batch);
    return batch.done;
  }

  private async flush(batch: Batch): Promise<void> {
    if (this.current !== batch) return;
    this.current = null;
    if (batch.timer) clearTimeout(batch.timer);
    try {
      await this.projection.write(batch.workflows, batch.tasks);
      batch.resolve();
    } catch (err) {
      batch.reject(err);
    }
  }
}

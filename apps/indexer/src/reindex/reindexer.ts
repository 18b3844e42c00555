import { TaskEvent, WorkflowEvent } from '@app/contracts';
import type { ExecutionQueries } from '@app/persistence';
import { randomUUID } from 'node:crypto';
import type { SearchProjection } from '../projection/search-projection';

/** How many workflows (with their tasks) one write carries. */
export const REINDEX_PAGE = 500;

export interface ReindexCounts {
  readonly workflows: number;
  readonly tasks: number;
}

/**
 * Rebuilds the search index from the execution store: every workflow and task, a page at a time, written
 * through the indexer's own projection as the events that made them would be — with their rows' versions,
 * so a document the live indexer has already written newer is left alone, and a reindex that runs while
 * workflows move loses nothing. Safe to run again, or to stop and start over.
 */
export async function reindex(executions: Pick<ExecutionQueries, 'indexable'>, projection: SearchProjection, onPage?: (counts: ReindexCounts) => void): Promise<ReindexCounts> {
  let after: string | null = null;
  let workflows = 0;
  let tasks = 0;
  for (;;) {
    const page = await executions.indexable(after, REINDEX_PAGE);
    if (!page.workflows.length) return { workflows, tasks };
    const now = Date.now();
    const workflowEvents: WorkflowEvent[] = page.workflows.map((w) => ({
      eventId: randomUUID(),
      type: 'workflow.updated',
      workflowId: w.workflowId,
      status: w.workflow.status,
      version: w.version,
      occurredAt: now,
      workflow: w.workflow,
    }));
    const taskEvents: TaskEvent[] = page.tasks.map((t) => ({
      eventId: randomUUID(),
      type: 'monitor.success',
      workflowId: t.workflowId,
      taskId: t.taskId,
      attempt: t.task.retryCount + 1,
      status: t.task.status,
      version: t.version,
      occurredAt: now,
      task: t.task,
    }));
    await projection.write(workflowEvents, taskEvents);
    workflows += workflowEvents.length;
    tasks += taskEvents.length;
    onPage?.({ workflows, tasks });
    after = page.workflows[page.workflows.length - 1].workflowId;
  }
}

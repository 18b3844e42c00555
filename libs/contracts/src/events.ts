import type { Task, Workflow } from './conductor/execution';
import type { DefinitionParts } from './definition-graph';
import type { TaskEventType } from './lifecycle';
import type { TaskStatus, WorkflowStatus } from './status';

/**
 * Execution events, published by the executor through its outbox after each committed state change.
 * At-least-once: consumers dedupe by eventId and order by the version fields.
 */
export interface TaskEvent {
  readonly eventId: string;
  readonly type: TaskEventType;
  readonly workflowId: string;
  readonly taskId: string;
  /** 1-based attempt number (Conductor's retryCount + 1); a retry is a new taskId with attempt + 1. */
  readonly attempt: number;
  /** Conductor status after this event (the projection from `lifecycle.ts`). */
  readonly status: TaskStatus;
  /** Monotonic per task: the indexer keeps the highest. */
  readonly version: number;
  readonly occurredAt: number;
  /** The task as it is after this event, less what its run's definition holds (workflowTask, taskDefinition). */
  readonly task: Omit<Task, DefinitionParts>;
}

export const WorkflowEventType = {
  Started: 'workflow.started',
  Updated: 'workflow.updated',
  Completed: 'workflow.completed',
  Failed: 'workflow.failed',
  Terminated: 'workflow.terminated',
  Paused: 'workflow.paused',
  Resumed: 'workflow.resumed',
  /** The workflow was removed from the execution store: a tombstone (see `archived`). */
  Removed: 'workflow.removed',
} as const;
export type WorkflowEventType = (typeof WorkflowEventType)[keyof typeof WorkflowEventType];

export interface WorkflowEvent {
  readonly eventId: string;
  readonly type: WorkflowEventType;
  readonly workflowId: string;
  readonly status: WorkflowStatus;
  /** The workflow row's version after the change: the indexer keeps the highest. */
  readonly version: number;
  readonly occurredAt: number;
  /** The workflow without its tasks (they travel as task events) and without the definition it pinned. */
  readonly workflow: Omit<Workflow, 'tasks' | 'workflowDefinition'>;
  /** On `workflow.removed`: true — kept in search as it last was (archived); false — gone from search too. */
  readonly archived?: boolean;
  /**
   * Tasks this change dropped from the run (a restart, a rerun, a DO_WHILE keeping its last iterations):
   * they are gone from the execution store, and go from search too.
   */
  readonly droppedTaskIds?: string[];
}

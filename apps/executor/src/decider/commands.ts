import type { ErrorCode, TaskEventType, WorkflowEventType } from '@app/contracts';
import type { WorkflowRun } from './workflow-run';

/** What the executor must do after a decision, in order. The decider itself does no I/O. */
export type EngineCommand =
  /** Make a worker task pollable at `visibleAt` (epoch ms). */
  | { readonly type: 'queue.push'; readonly taskId: string; readonly queueName: string; readonly visibleAt: number; readonly priority: number }
  /** Take a task out of the worker queue (claimed, finished or canceled). */
  | { readonly type: 'queue.remove'; readonly taskId: string }
  /** Publish a task lifecycle event carrying the task as it is in the new state. */
  | { readonly type: 'emit.task'; readonly eventType: TaskEventType; readonly taskId: string }
  /** Publish a workflow event carrying the workflow as it is in the new state. */
  | { readonly type: 'emit.workflow'; readonly eventType: WorkflowEventType };

export interface Rejection {
  readonly code: ErrorCode;
  readonly message: string;
}

/**
 * The outcome of one event. A rejection (say, a claim for a task that was canceled meanwhile) leaves the
 * state as it was and is reported to whoever sent the event; it may still carry clean-up commands.
 */
export interface Decision {
  readonly state: WorkflowRun;
  readonly commands: readonly EngineCommand[];
  readonly rejection?: Rejection;
}

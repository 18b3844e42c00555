import type { ErrorCode, WorkflowTestMocks, ParentLink, TaskEventType, WorkflowDef, WorkflowEventType, WorkflowStatus } from '@app/contracts';
import type { TimerKind } from './timers';
import type { WorkflowRun } from './workflow-run';

/** What the executor must do after a decision, in order. The decider itself does no I/O. */
export type EngineCommand =
  /** Make a worker task pollable at `visibleAt` (epoch ms); a lease lasts `leaseMs` (responseTimeoutSeconds). */
  | {
      readonly type: 'queue.push';
      readonly taskId: string;
      readonly queueName: string;
      /** The task's taskDefName: whose concurrentExecLimit and rate limit its leases count against. */
      readonly taskDefName: string;
      readonly visibleAt: number;
      readonly priority: number;
      readonly leaseMs: number;
      readonly pollCount: number;
    }
  /** Take a task out of the worker queue (it ended, or the workflow did). */
  | { readonly type: 'queue.remove'; readonly taskId: string }
  /** A heartbeat: the lease runs `leaseMs` from now. */
  | { readonly type: 'queue.extend'; readonly taskId: string; readonly leaseMs: number }
  /** Set (or move) a durable timer. */
  | { readonly type: 'timer.set'; readonly timerId: string; readonly kind: TimerKind; readonly taskId?: string; readonly dueAt: number }
  | { readonly type: 'timer.cancel'; readonly timerId: string }
  /** The workflow ended: none of its timers may fire. */
  | { readonly type: 'timer.cancel-all' }
  /** Start a child workflow for a SUB_WORKFLOW task (by message to the child's owner, keyed by its id). */
  | {
      readonly type: 'child.start';
      readonly childWorkflowId: string;
      readonly name: string;
      readonly version?: number;
      readonly workflowDef?: WorkflowDef;
      readonly input: Record<string, unknown>;
      readonly correlationId?: string;
      readonly priority: number;
      readonly taskToDomain?: Record<string, string>;
      /** A SUB_WORKFLOW's child: the parent is told when it ends. */
      readonly parent?: ParentLink;
      /** A START_WORKFLOW's workflow: the task is told whether it started. */
      readonly startedBy?: ParentLink;
      /** A SUB_WORKFLOW's child in a test run: its own mocks. */
      readonly testRun?: WorkflowTestMocks;
    }
  /** A failed child workflow is to be retried in place (its parent retried with resumeSubworkflowTasks). */
  | { readonly type: 'child.retry'; readonly childWorkflowId: string }
  /** A child workflow must stop (its SUB_WORKFLOW task ended without it): terminate it by message to its owner. */
  | { readonly type: 'child.terminate'; readonly childWorkflowId: string; readonly reason: string }
  /** This workflow was started by a SUB_WORKFLOW task and ended: tell the parent's owner. */
  | {
      readonly type: 'parent.notify';
      readonly parent: ParentLink;
      readonly status: WorkflowStatus;
      readonly output: Record<string, unknown>;
      readonly reasonForIncompletion?: string;
    }
  /** This workflow was started for a START_WORKFLOW task: tell that task's owner (or that it could not be). */
  | { readonly type: 'starter.notify'; readonly startedBy: ParentLink; readonly started: boolean; readonly reason?: string }
  /**
   * Publish an EVENT task's message: on Conductor's internal event queue `queue` (sink `conductor…`), or to
   * the Kafka topic `topic` (sink `kafka:<topic>`).
   */
  | { readonly type: 'event.publish'; readonly sink: 'conductor'; readonly queue: string; readonly messageId: string; readonly payload: Record<string, unknown> }
  | { readonly type: 'event.publish'; readonly sink: 'kafka'; readonly topic: string; readonly messageId: string; readonly payload: Record<string, unknown> }
  /**
   * Delete the workflow, its tasks, queue rows and timers (after this decision's other commands), and
   * tell search: `archive` keeps it findable as it last was.
   */
  | { readonly type: 'workflow.remove'; readonly archive: boolean }
  /** The workflow ended and asked to be called back (a Rill Flow submit's `callback`): POST `body` to `url`, at least once. */
  | { readonly type: 'callback.send'; readonly url: string; readonly body: Record<string, unknown> }
  /** Publish a task lifecycle event carrying the task as it is in the new state. */
  | { readonly type: 'emit.task'; readonly eventType: TaskEventType; readonly taskId: string }
  /** Publish a workflow event carrying the workflow as it is in the new state. */
  | { readonly type: 'emit.workflow'; readonly eventType: WorkflowEventType; readonly droppedTaskIds?: readonly string[] };

export type CommandOf<T extends EngineCommand['type']> = Extract<EngineCommand, { type: T }>;

export interface Rejection {
  readonly code: ErrorCode;
  readonly message: string;
}

/**
 * The outcome of one event. A rejection (say, a result for a task that does not exist) leaves the state
 * as it was and is reported to whoever sent the event; it may still carry clean-up commands.
 */
export interface Decision {
  readonly state: WorkflowRun;
  readonly commands: readonly EngineCommand[];
  readonly rejection?: Rejection;
}

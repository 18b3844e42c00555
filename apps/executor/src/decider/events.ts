import type { ChildEndedNotice, RunMode, WorkflowTestMocks, ParentLink, StartOutcomeNotice, TaskLeasedNotice, TaskResult, TerminateWorkflowNotice, UpdateVariablesNotice, WorkflowDef } from '@app/contracts';
import type { TimerKind } from './timers';

/** The inputs of the decider: everything that can happen to a workflow. */
export type DeciderEvent = WorkflowStartRequested | TaskLeased | TaskResultReported | TimerFired | LeaseExpired | ChildEnded | TerminateRequested | StartOutcome | VariablesUpdated | Reconcile | RestartRequested | RetryRequested | ResetCallbacks | DecideRequested | SkipTaskRequested | PauseRequested | ResumeRequested | RerunRequested | RemoveRequested | ChildRetry | PhaseRerunRequested | EventRaised | WakeUp;

export interface WorkflowStartRequested {
  readonly type: 'workflow.start';
  readonly workflowId: string;
  readonly input: Record<string, unknown>;
  readonly correlationId?: string;
  readonly priority: number;
  readonly taskToDomain?: Record<string, string>;
  readonly createdBy?: string;
  /** The idempotency key the workflow is started under (its id is derived from it). */
  readonly idempotencyKey?: string;
  readonly parent?: ParentLink;
  /** The START_WORKFLOW task that asked for this workflow: told, in the start's own decision, that it started. */
  readonly startedBy?: ParentLink;
  /** Someone waits on this workflow synchronously: its every change is notified for this long. */
  readonly watchMs?: number;
  /** A test run: its worker tasks take mocked results. */
  readonly testRun?: WorkflowTestMocks;
  readonly runMode?: RunMode;
}

/** A poller holds the task's queue row: the task is IN_PROGRESS from `leasedAt`. (The notice, less its envelope.) */
export type TaskLeased = Omit<TaskLeasedNotice, 'eventId' | 'workflowId'>;

export interface TaskResultReported {
  readonly type: 'task.result';
  readonly result: TaskResult;
  /** Names the task when `result.taskId` is empty: its latest attempt (a loop's last iteration). */
  readonly taskRefName?: string;
  /** The engine's own worker ran the task (see UpdateTaskCommand.byEngine). */
  readonly byEngine?: boolean;
  /** The sender waits on the workflow synchronously, or streams it: its every change is notified for this long from now. */
  readonly watchMs?: number;
}

/**
 * A durable timer came due. `lease` is the task's queue lease as the shell found it when firing (a poll
 * timeout must not time out a task a worker already holds, even if the lease notice is still on its way).
 */
export interface TimerFired {
  readonly type: 'timer.fired';
  readonly kind: TimerKind;
  readonly taskId?: string;
  readonly lease?: Omit<TaskLeased, 'type' | 'taskId'>;
}

/** A worker held a task past its lease (responseTimeoutSeconds) without reporting: a response timeout. */
export interface LeaseExpired {
  readonly type: 'task.lease-expired';
  readonly taskId: string;
  readonly lease: Omit<TaskLeased, 'type' | 'taskId'>;
}

/** The child workflow of a SUB_WORKFLOW task ended. (The notice, less its envelope.) */
export type ChildEnded = Omit<ChildEndedNotice, 'eventId' | 'workflowId'>;

/** The workflow a START_WORKFLOW task asked for started, or could not. (The notice, less its envelope.) */
export type StartOutcome = Omit<StartOutcomeNotice, 'eventId' | 'workflowId'>;

/** The workflow is to stop now (its parent's SUB_WORKFLOW task ended without it). */
export type TerminateRequested = Omit<TerminateWorkflowNotice, 'eventId' | 'workflowId' | 'reason'> & {
  /** The terminated workflow's reasonForIncompletion (none when the API's caller gave none). */
  readonly reason?: string;
  /** Start the failureWorkflow too (a terminate through the API that asks for it). */
  readonly triggerFailureWorkflow?: boolean;
  /** Refuse a workflow that has already ended (the API's terminate); a notice for one is dropped. */
  readonly refuseEnded?: boolean;
};

/**
 * The reconciler found what a run's state says should exist but does not: `missingQueueRows` are tasks of
 * the run that the shell found, in the deciding transaction, without the queue row their status implies.
 */
export interface Reconcile {
  readonly type: 'workflow.reconcile';
  readonly missingQueueRows: readonly string[];
}

/** Run an ended workflow again from the start; `definition`: the latest one, to run instead of the pinned one. */
export interface RestartRequested {
  readonly type: 'workflow.restart';
  readonly definition?: WorkflowDef;
}

/**
 * Run an ended workflow again from one of its tasks (`POST /api/workflow/{id}/rerun`), or from its start
 * without `reRunFromTaskId`; new workflow input, correlation id and the task's input when given.
 */
export interface RerunRequested {
  readonly type: 'workflow.rerun';
  readonly reRunFromTaskId?: string;
  readonly workflowInput?: Record<string, unknown>;
  readonly taskInput?: Record<string, unknown>;
  readonly correlationId?: string;
}

/**
 * Remove the workflow from the execution store (`DELETE /api/workflow/{id}/remove`, `…/terminate-remove`
 * with `terminate`). `archive`: it stays findable by search as it ended — only an ended workflow can be.
 */
export interface RemoveRequested {
  readonly type: 'workflow.remove';
  readonly archive: boolean;
  /** Terminate it first if it has not ended (terminate-remove), with this reason. */
  readonly terminate?: { readonly reason?: string };
}

/** Retry an ended workflow from its failed tasks (`POST /api/workflow/{id}/retry`). */
export interface RetryRequested {
  readonly type: 'workflow.retry';
  /** A failed SUB_WORKFLOW task is taken up again and its child retried in place (not started anew). */
  readonly resumeSubworkflowTasks?: boolean;
}

/**
 * Run a phase of a task again (SipRS's `PUT /task/{taskId}/reRun`): `start` with new `parameters` (its
 * input) for a task that failed — a debug run paused at it — or `monitor` with `outputs` (what the monitor
 * reads) for one being monitored or whose monitoring failed.
 */
export interface PhaseRerunRequested {
  readonly type: 'task.rerun-phase';
  readonly taskId: string;
  readonly phase: string;
  readonly parameters?: Record<string, unknown>;
  readonly outputs?: Record<string, unknown>;
}

/**
 * An event raised for the workflow (Dapr's raiseEvent): it completes the oldest WAIT or HUMAN task waiting
 * for that name (`inputParameters.eventName`), its data the task's output — or, with none waiting yet, is
 * kept for the first one that will.
 */
export interface EventRaised {
  readonly type: 'workflow.event';
  readonly name: string;
  readonly data: Record<string, unknown>;
}

/** Rill Flow's trigger of a suspense task (a WakeUpCommand, less its envelope). */
export interface WakeUp {
  readonly type: 'rill.wake-up';
  readonly taskRefName: string;
  readonly context: Record<string, unknown>;
}

/** The parent retried with resumeSubworkflowTasks: retry in place (a notice, less its envelope). */
export interface ChildRetry {
  readonly type: 'child.retry';
}

/** Pass over a task the flow has not reached yet (`PUT /api/workflow/{id}/skiptask/{ref}`): SKIPPED, with this input and output. */
export interface SkipTaskRequested {
  readonly type: 'workflow.skip-task';
  readonly taskReferenceName: string;
  readonly taskInput?: Record<string, unknown>;
  readonly taskOutput?: Record<string, unknown>;
}

/** Look at the workflow again now (`PUT /api/workflow/decide/{id}`): whatever can move, moves. */
export interface DecideRequested {
  readonly type: 'workflow.decide';
  /** The sender waits on the workflow synchronously, or streams it: its every change is notified for this long from now. */
  readonly watchMs?: number;
}

/**
 * Hold the workflow (`PUT /api/workflow/{id}/pause`): nothing new is scheduled and no timer acts; tasks in
 * flight run on and their results are recorded, but what would follow them waits for the resume.
 */
export interface PauseRequested {
  readonly type: 'workflow.pause';
}

/** Let a PAUSED workflow go on (`PUT /api/workflow/{id}/resume`): what it put off is done now, in order. */
export interface ResumeRequested {
  readonly type: 'workflow.resume';
}

/** Hand out now the tasks a worker asked to be called back on later (`POST /api/workflow/{id}/resetcallbacks`). */
export interface ResetCallbacks {
  readonly type: 'workflow.reset-callbacks';
}

/** Variables to merge from outside the run (an event handler's action). */
export type VariablesUpdated = Omit<UpdateVariablesNotice, 'eventId' | 'workflowId'>;

/** What a start needs besides the event: the definition to pin (resolved by the shell). */
export type StartDefinition = WorkflowDef;

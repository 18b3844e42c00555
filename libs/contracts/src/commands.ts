import type { TaskDef, WorkflowDef } from './conductor/definitions';
import type { RunMode, WorkflowTestMocks } from './conductor/execution';
import type { EventHandler } from './conductor/event-handler';
import type { BulkResponse } from './conductor/bulk';
import type { TaskResult } from './conductor/task-result';
import type { WorkflowStatus } from './status';
import type { IdempotencyStrategy } from './conductor/start-workflow-request';

/**
 * Commands are requests to the one owner of some state, sent keyed by what they concern and answered
 * with a `CommandReply` after the owner's transaction committed. Every command carries a commandId so a
 * redelivery can be recognised, and the time the gateway issued it.
 */
interface CommandBase {
  readonly commandId: string;
  readonly issuedAt: number;
  /**
   * Epoch ms after which the requester has stopped waiting. The owner refuses a command that reaches it
   * later (a backlog, a replay of old messages): the requester already answered "unavailable", so acting
   * on it now would surprise the caller (a second workflow after a retried start).
   */
  readonly deadline?: number;
}

/** True when a command reached its owner after its requester gave up. */
export const isExpired = (command: { deadline?: number } | null | undefined, now: number): boolean =>
  typeof command?.deadline === 'number' && now > command.deadline;

// ---- executor (key = workflowId) ------------------------------------------------------------------

export interface StartWorkflowCommand extends CommandBase {
  readonly type: 'workflow.start';
  /** Chosen by the gateway so a retried command starts the same workflow, not a second one. */
  readonly workflowId: string;
  readonly name: string;
  readonly version?: number;
  readonly input: Record<string, unknown>;
  readonly correlationId?: string;
  readonly priority: number;
  readonly taskToDomain?: Record<string, string>;
  readonly createdBy?: string;
  /** Run this definition instead of a registered one (an inline SUB_WORKFLOW definition). */
  readonly workflowDef?: WorkflowDef;
  /** Set when a SUB_WORKFLOW task starts this workflow: the parent is told when it ends. */
  readonly parent?: ParentLink;
  /** Set when a START_WORKFLOW task starts this workflow: that task is told whether it started. */
  readonly startedBy?: ParentLink;
  /**
   * A start under an idempotency key: `workflowId` is derived from it (idempotentWorkflowIdFor), so a
   * start that finds its workflow already there is a duplicate, answered by the strategy — unless it is
   * this very command delivered again.
   */
  readonly idempotency?: { readonly key: string; readonly strategy: IdempotencyStrategy };
  /** Notify every change of the workflow (NotificationChannel.WorkflowChanges) for this long: a caller waits on it (`execute`). */
  readonly watchMs?: number;
  /** A test run (`POST /api/workflow/test`): worker tasks take these mocked results instead of being queued. */
  readonly testRun?: WorkflowTestMocks;
  /** Debug or mock mode (Workflow.runMode). */
  readonly runMode?: RunMode;
}

/** The SUB_WORKFLOW (or START_WORKFLOW) task that started a workflow. */
export interface ParentLink {
  readonly workflowId: string;
  readonly taskId: string;
}

export interface UpdateTaskCommand extends CommandBase {
  readonly type: 'task.update';
  readonly workflowId: string;
  /** `result.taskId` names the task; when it is empty, `taskRefName` does (the latest attempt, the last loop iteration). */
  readonly result: TaskResult;
  readonly taskRefName?: string;
  /**
   * Reported by the engine's own worker for a queued system task (HTTP, KAFKA_PUBLISH): with
   * `asyncComplete`, its success only parks the task IN_PROGRESS for an external update to complete.
   */
  readonly byEngine?: boolean;
  /** Notify every change of the workflow for this long from now: the caller waits on it (`…/signal/sync`). */
  readonly watchMs?: number;
}

/** Run an ended workflow again from its first task (`POST /api/workflow/{id}/restart`). */
export interface RestartWorkflowCommand extends CommandBase {
  readonly type: 'workflow.restart';
  readonly workflowId: string;
  /** Run the latest version of its definition (with the task definitions as registered now) instead of the pinned one. */
  readonly useLatestDefinitions: boolean;
}

/** Run an ended workflow again from one of its tasks, or from its start (`POST /api/workflow/{id}/rerun`). */
export interface RerunWorkflowCommand extends CommandBase {
  readonly type: 'workflow.rerun';
  readonly workflowId: string;
  readonly reRunFromTaskId?: string;
  readonly workflowInput?: Record<string, unknown>;
  readonly taskInput?: Record<string, unknown>;
  readonly correlationId?: string;
}

/**
 * Remove a workflow from the execution store (`DELETE /api/workflow/{id}/remove`), terminating it first
 * with `terminate` (`…/terminate-remove`); `archiveWorkflow` keeps it in search as it ended.
 */
export interface RemoveWorkflowCommand extends CommandBase {
  readonly type: 'workflow.remove';
  readonly workflowId: string;
  readonly archiveWorkflow: boolean;
  readonly terminate?: { readonly reason?: string };
}

/**
 * `POST /api/admin/consistency/verifyAndRepair/{id}`: the owner checks that every queued task of the
 * workflow has its queue row, and repairs what does not (as the reconciler would); answers how many it repaired.
 */
export interface VerifyWorkflowCommand extends CommandBase {
  readonly type: 'workflow.verify';
  readonly workflowId: string;
  /** Only the tasks of this type (`POST /api/tasks/queue/requeue/{taskType}`). */
  readonly taskType?: string;
}
export interface VerifyWorkflowReply {
  readonly repaired: number;
}

/** SipRS's `PUT /task/{taskId}/reRun`: run one phase of a task again (start with new parameters, monitor with outputs). */
export interface RerunTaskPhaseCommand extends CommandBase {
  readonly type: 'task.rerun-phase';
  readonly workflowId: string;
  readonly taskId: string;
  readonly phase: string;
  readonly parameters?: Record<string, unknown>;
  readonly outputs?: Record<string, unknown>;
}

/** An event raised for a workflow (Dapr's raiseEvent): completes the WAIT or HUMAN task waiting for the name, or is kept for it. */
export interface RaiseEventCommand extends CommandBase {
  readonly type: 'workflow.raise-event';
  readonly workflowId: string;
  readonly name: string;
  readonly data: Record<string, unknown>;
}

/**
 * Rill Flow's trigger or wakeup of a `suspense` task: `context` is merged into the DAG's context (the
 * workflow's variables), and every suspense looks at its conditions again; the named one, when it has no
 * conditions, is woken by the call itself. Refused (404) when the named task is not waiting.
 */
export interface WakeUpCommand extends CommandBase {
  readonly type: 'rill.wake-up';
  readonly workflowId: string;
  readonly taskRefName: string;
  readonly context: Record<string, unknown>;
}

/** Terminate a workflow through the API (`DELETE /api/workflow/{id}`): answered, unlike the notice. */
export interface TerminateWorkflowCommand extends CommandBase {
  readonly type: 'workflow.terminate.request';
  readonly workflowId: string;
  readonly reason?: string;
  /** Start the definition's failureWorkflow, as a failure would. */
  readonly triggerFailureWorkflow: boolean;
}

/** Retry an ended workflow from its failed tasks (`POST /api/workflow/{id}/retry`). */
export interface RetryWorkflowCommand extends CommandBase {
  readonly type: 'workflow.retry';
  readonly workflowId: string;
  /** A failed SUB_WORKFLOW task is taken up again with its child retried in place, instead of a new child. */
  readonly resumeSubworkflowTasks?: boolean;
}

/**
 * An operator's word about one workflow that carries nothing else: `POST /api/workflow/{id}/resetcallbacks`
 * (tasks waiting out a callbackAfterSeconds are handed out now), `PUT /api/workflow/decide/{id}`, and
 * `PUT /api/workflow/{id}/pause` and `…/resume`.
 */
export interface WorkflowNudgeCommand extends CommandBase {
  readonly type: 'workflow.reset-callbacks' | 'workflow.decide' | 'workflow.pause' | 'workflow.resume';
  readonly workflowId: string;
  /** Notify every change of the workflow for this long from now: the sender waits on it, or streams it. */
  readonly watchMs?: number;
}

/** `PUT /api/workflow/{id}/skiptask/{ref}`: pass over a task the flow has not reached, SKIPPED with this input and output. */
export interface SkipTaskCommand extends CommandBase {
  readonly type: 'workflow.skip-task';
  readonly workflowId: string;
  readonly taskReferenceName: string;
  readonly taskInput?: Record<string, unknown>;
  readonly taskOutput?: Record<string, unknown>;
}

export type ExecutorCommand = StartWorkflowCommand | UpdateTaskCommand | RestartWorkflowCommand | RerunWorkflowCommand | RemoveWorkflowCommand | VerifyWorkflowCommand | RerunTaskPhaseCommand | RaiseEventCommand | WakeUpCommand | TerminateWorkflowCommand | RetryWorkflowCommand | WorkflowNudgeCommand | SkipTaskCommand;

/**
 * Messages for a workflow's owner that nobody waits on (no reply), on the same topic and key as the
 * commands so they are ordered with them. At-least-once: the owner's handling is idempotent.
 */
interface ExecutorNoticeBase {
  readonly eventId: string;
  readonly workflowId: string;
}

/** A poller leased a task (it is IN_PROGRESS from the lease on); the owner folds it into the run. */
export interface TaskLeasedNotice extends ExecutorNoticeBase {
  readonly type: 'task.leased';
  readonly taskId: string;
  readonly workerId?: string;
  readonly leasedAt: number;
  readonly pollCount: number;
}

/** A child workflow ended: its SUB_WORKFLOW task in the parent (`workflowId`) can complete. */
export interface ChildEndedNotice extends ExecutorNoticeBase {
  readonly type: 'child.ended';
  readonly taskId: string;
  readonly childWorkflowId: string;
  readonly status: WorkflowStatus;
  readonly output: Record<string, unknown>;
  readonly reasonForIncompletion?: string;
}

/** A child workflow to start for a SUB_WORKFLOW task (a StartWorkflowCommand with `parent`, never expiring). */
export type StartChildNotice = StartWorkflowCommand & { readonly parent: ParentLink };

/**
 * Retry this (ended) workflow in place: its parent is retried with resumeSubworkflowTasks and took its
 * SUB_WORKFLOW task up again; the parent is told when this workflow ends, as before.
 */
export interface ChildRetryNotice extends ExecutorNoticeBase {
  readonly type: 'child.retry';
}

/** Stop a workflow now: its parent's SUB_WORKFLOW task ended without it (timed out, or the parent ended). */
export interface TerminateWorkflowNotice extends ExecutorNoticeBase {
  readonly type: 'workflow.terminate';
  readonly reason: string;
}

/**
 * The workflow a START_WORKFLOW task (`workflowId`/`taskId`) asked for was started — or could not be (no
 * such definition, a type that cannot run): the task can end.
 */
export interface StartOutcomeNotice extends ExecutorNoticeBase {
  readonly type: 'start.outcome';
  readonly taskId: string;
  readonly startedWorkflowId: string;
  readonly started: boolean;
  readonly reason?: string;
}

/** Merge into the workflow's variables (an event handler's `update_workflow_variables`). */
export interface UpdateVariablesNotice extends ExecutorNoticeBase {
  readonly type: 'workflow.variables';
  readonly variables: Record<string, unknown>;
  /** A list given for a variable that holds a list is appended to it, not put in its place. */
  readonly appendArray?: boolean;
}

/** An ended workflow's HTTP callback (Topic.Callbacks): POST `body` as JSON to `url`. */
export interface CallbackMessage {
  readonly eventId: string;
  readonly workflowId: string;
  readonly url: string;
  readonly body: Record<string, unknown>;
}

export type ExecutorNotice = TaskLeasedNotice | ChildEndedNotice | ChildRetryNotice | TerminateWorkflowNotice | StartOutcomeNotice | UpdateVariablesNotice;

/**
 * A message on one of Conductor's internal event queues (`conductor:…`), as an EVENT task publishes it:
 * the task's id is the message id, its output the payload.
 */
export interface ConductorEventMessage {
  readonly messageId: string;
  /** The queue, which is also the event name handlers listen on: `conductor:<workflow>:<name>`. */
  readonly queue: string;
  readonly payload: Record<string, unknown>;
  readonly publishedAt: number;
}

/** Everything that arrives on the executor's topic. */
export type ExecutorMessage = ExecutorCommand | ExecutorNotice;

export interface StartWorkflowReply {
  readonly workflowId: string;
}
export interface UpdateTaskReply {
  readonly taskId: string;
}

export interface ExecutorReplies {
  'workflow.start': StartWorkflowReply;
  'task.update': UpdateTaskReply;
  'workflow.restart': Record<string, never>;
  'workflow.rerun': Record<string, never>;
  'workflow.remove': Record<string, never>;
  'workflow.verify': VerifyWorkflowReply;
  'task.rerun-phase': Record<string, never>;
  'workflow.raise-event': Record<string, never>;
  'rill.wake-up': Record<string, never>;
  'workflow.terminate.request': Record<string, never>;
  'workflow.retry': Record<string, never>;
  'workflow.reset-callbacks': Record<string, never>;
  'workflow.decide': Record<string, never>;
  'workflow.pause': Record<string, never>;
  'workflow.resume': Record<string, never>;
  'workflow.skip-task': Record<string, never>;
}

// ---- metadata (key = definition name) -------------------------------------------------------------

export interface RegisterTaskDefsCommand extends CommandBase {
  readonly type: 'taskdefs.register';
  readonly taskDefs: readonly TaskDef[];
  readonly createdBy?: string;
}

export interface RegisterWorkflowDefCommand extends CommandBase {
  readonly type: 'workflowdef.register';
  readonly workflowDef: WorkflowDef;
  readonly overwrite: boolean;
  readonly createdBy?: string;
}

export interface UpdateTaskDefCommand extends CommandBase {
  readonly type: 'taskdef.update';
  readonly taskDef: TaskDef;
  readonly updatedBy?: string;
}

export interface DeleteTaskDefCommand extends CommandBase {
  readonly type: 'taskdef.delete';
  readonly name: string;
}

/** `PUT /api/metadata/workflow`: create or replace many; each one stands alone (BulkResponse). */
export interface UpsertWorkflowDefsCommand extends CommandBase {
  readonly type: 'workflowdefs.upsert';
  readonly workflowDefs: readonly WorkflowDef[];
  readonly updatedBy?: string;
}

export interface DeleteWorkflowDefCommand extends CommandBase {
  readonly type: 'workflowdef.delete';
  readonly name: string;
  readonly version: number;
}

/** `POST /api/metadata/workflow/validate`: validation only, nothing is written. */
export interface ValidateWorkflowDefCommand extends CommandBase {
  readonly type: 'workflowdef.validate';
  readonly workflowDef: WorkflowDef;
}

export interface SaveEventHandlerCommand extends CommandBase {
  readonly type: 'eventhandler.add' | 'eventhandler.update';
  readonly eventHandler: EventHandler;
}

export interface DeleteEventHandlerCommand extends CommandBase {
  readonly type: 'eventhandler.delete';
  readonly name: string;
}

/** Rill Flow `add_descriptor.json`: a YAML DAG registered under business id, feature name and alias. */
export interface AddRillDescriptorCommand extends CommandBase {
  readonly type: 'rill.descriptor.add';
  readonly businessId: string;
  readonly featureName: string;
  readonly alias: string;
  readonly yaml: string;
}

/**
 * Rill Flow `modify_business.json`: a business id added to or removed from the listing (`get_business.json`).
 * Removing takes it out of the listing only, as in Rill Flow: its features and descriptors stay.
 */
export interface ModifyRillBusinessCommand extends CommandBase {
  readonly type: 'rill.business.modify';
  readonly add: boolean;
  readonly businessId: string;
}

/** Rill Flow `modify_feature.json`: a feature added (its business too) or removed from its business's listing. */
export interface ModifyRillFeatureCommand extends CommandBase {
  readonly type: 'rill.feature.modify';
  readonly add: boolean;
  readonly businessId: string;
  readonly featureName: string;
}

/**
 * Rill Flow `modify_alias.json`: an alias added (its business and feature too) or removed (its gray rule
 * with it). `version` (Baton's addition, only with `add`) points the alias at that version of the DAG; an
 * alias added without one points nowhere until a descriptor is registered under it.
 */
export interface ModifyRillAliasCommand extends CommandBase {
  readonly type: 'rill.alias.modify';
  readonly add: boolean;
  readonly businessId: string;
  readonly featureName: string;
  readonly alias: string;
  readonly version?: number;
}

/**
 * Rill Flow `modify_gray.json`: the gray (canary) rule of an alias set (the alias registered too) or
 * removed. `grayRule` is required with `add`; its grammar is checked by the gateway, which evaluates it.
 */
export interface ModifyRillGrayCommand extends CommandBase {
  readonly type: 'rill.gray.modify';
  readonly add: boolean;
  readonly businessId: string;
  readonly featureName: string;
  readonly alias: string;
  readonly grayRule?: string;
}

export type MetadataCommand =
  | RegisterTaskDefsCommand
  | UpdateTaskDefCommand
  | DeleteTaskDefCommand
  | RegisterWorkflowDefCommand
  | UpsertWorkflowDefsCommand
  | DeleteWorkflowDefCommand
  | ValidateWorkflowDefCommand
  | SaveEventHandlerCommand
  | DeleteEventHandlerCommand
  | AddRillDescriptorCommand
  | ModifyRillBusinessCommand
  | ModifyRillFeatureCommand
  | ModifyRillAliasCommand
  | ModifyRillGrayCommand;

export interface MetadataReplies {
  'taskdefs.register': { readonly names: readonly string[] };
  'taskdef.update': { readonly name: string };
  'taskdef.delete': { readonly name: string };
  'workflowdef.register': { readonly name: string; readonly version: number };
  'workflowdefs.upsert': BulkResponse<string>;
  'workflowdef.delete': { readonly name: string; readonly version: number };
  'workflowdef.validate': { readonly valid: true };
  'eventhandler.add': { readonly name: string };
  'eventhandler.update': { readonly name: string };
  'eventhandler.delete': { readonly name: string };
  'rill.descriptor.add': { readonly descriptorId: string; readonly version: number };
  /** `changed`: false when the write found things already as asked (Rill Flow answers `ret: true` either way). */
  'rill.business.modify': { readonly changed: boolean };
  'rill.feature.modify': { readonly changed: boolean };
  'rill.alias.modify': { readonly changed: boolean };
  'rill.gray.modify': { readonly changed: boolean };
}

import type { TaskStatus, WorkflowStatus } from '../status';
import type { TaskEventType, TaskPhase } from '../lifecycle';
import type { ResolvedTaskDef, WorkflowDef, WorkflowTask } from './definitions';

/**
 * Conductor's execution models as served over HTTP (`Task`, `Workflow`). Fields that are unset are
 * omitted from JSON, as Conductor's NON_NULL serialization does.
 */
export interface Task {
  taskType: string;
  status: TaskStatus;
  inputData: Record<string, unknown>;
  referenceTaskName: string;
  retryCount: number;
  seq: number;
  correlationId?: string;
  pollCount: number;
  taskDefName: string;
  scheduledTime: number;
  startTime: number;
  endTime: number;
  updateTime: number;
  startDelayInSeconds: number;
  retriedTaskId?: string;
  retried: boolean;
  executed: boolean;
  callbackFromWorker: boolean;
  responseTimeoutSeconds: number;
  workflowInstanceId: string;
  workflowType: string;
  taskId: string;
  reasonForIncompletion?: string;
  callbackAfterSeconds: number;
  workerId?: string;
  outputData: Record<string, unknown>;
  workflowTask: WorkflowTask;
  domain?: string;
  workflowPriority: number;
  iteration: number;
  queueWaitTime: number;
  /** SUB_WORKFLOW: the child workflow's id. */
  subWorkflowId?: string;
  taskDefinition?: ResolvedTaskDef;
  loopOverTask: boolean;
  /**
   * Baton's own, on a task whose definition declares phases (TaskDef.phases): the phase a worker is to run
   * (`start`, `monitor`, `rollback`, …), the last lifecycle event as SipRS names it (`phase.outcome`), and
   * every lifecycle event of the task in order. Absent on a Conductor task (no phases declared).
   */
  phase?: TaskPhase;
  phaseStatus?: TaskEventType;
  phaseHistory?: PhaseRecord[];
  /** Baton's own: attempts of the current phase beyond the first (a rollback retried per the task definition). */
  phaseRetryCount?: number;
  /**
   * Baton's own, on a task of a graph flow (a Rill Flow DAG) that chose among what follows it: the
   * references it leads to (a Rill switch's chosen branches; none after a return that stopped the flow, or
   * for a task skipped because nothing led to it). Absent: every task in its `next`.
   */
  takenNext?: string[];
  /**
   * Baton's own: where the task's executor reports its result when it answers later (a Rill Flow function
   * task's `X-Callback-Url`: `/flow/trigger.json` for this task of this execution).
   */
  callbackUrl?: string;
  /**
   * Baton's own, on a task the engine's worker calls a resource for (a Rill Flow function task): where and
   * how — leased tasks travel without their workflow task, so the call travels with the task.
   */
  call?: ResourceCall;
}

export interface ResourceCall {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  /** The resource answers at once and reports later (Rill Flow's `X-Mode: async`). */
  readonly async: boolean;
  /** How long the call may take. */
  readonly timeoutMs: number;
}

/** One lifecycle event of a task with phases: what happened and when (epoch ms), and why when it failed. */
export interface PhaseRecord {
  readonly event: TaskEventType;
  readonly time: number;
  readonly reason?: string;
}

export interface Workflow {
  workflowId: string;
  workflowName: string;
  workflowVersion: number;
  status: WorkflowStatus;
  input: Record<string, unknown>;
  output: Record<string, unknown>;
  correlationId?: string;
  reasonForIncompletion?: string;
  failedReferenceTaskNames: string[];
  failedTaskNames: string[];
  taskToDomain: Record<string, string>;
  priority: number;
  variables: Record<string, unknown>;
  createTime: number;
  updateTime?: number;
  startTime: number;
  endTime?: number;
  createdBy?: string;
  /** The key it was started under (StartWorkflowRequest.idempotencyKey). */
  idempotencyKey?: string;
  /** Set on a workflow started by a SUB_WORKFLOW task. */
  parentWorkflowId?: string;
  parentWorkflowTaskId?: string;
  workflowDefinition: WorkflowDef;
  tasks?: Task[];
  /**
   * Engine-internal, never served (see `servedWorkflow`): what the flow still owes tasks that ended, and
   * timers that came due, while the workflow was PAUSED — carried out, in order, when it resumes.
   */
  onResume?: ResumeStep[];
  /**
   * Engine-internal, never served: until then (epoch ms) every commit of this workflow is notified — someone
   * waits on it synchronously (`execute`, `signal/sync`) or streams it. It lapses by itself; whoever still
   * watches asks again.
   */
  notifyUntil?: number;
  /** Written by Baton before `notifyUntil` (a flag that never lapsed); read as nothing, never served. */
  notifyChanges?: boolean;
  /** Engine-internal, never served: a test run's mocked worker results (`POST /api/workflow/test`). */
  testRun?: WorkflowTestMocks;
  /**
   * Baton's own (WorkflowDef.rollbackOnFailure): the compensation of a failed workflow — RUNNING while its
   * completed tasks are rolled back, then COMPLETED (every rollback succeeded) or FAILED (one did not, named
   * in `failedTaskId`); the workflow's own failure is kept in `failure` and is how it ends.
   */
  compensation?: Compensation;
  /**
   * Baton's own: how the workflow runs — `debug` (a task that fails for good pauses the workflow at it, for
   * an operator to inspect, re-run a phase of, and resume; no rollback meanwhile) or `mock` (a dry run:
   * worker tasks get their `mock` phase instead of `start`, and those without one are passed over).
   */
  runMode?: RunMode;
  /**
   * Baton's own: a removal waiting on delete phases (`DELETE …/remove` of a workflow whose tasks implement
   * `delete`) — RUNNING while they clean up; FAILED when one could not (the workflow stays, the task named).
   */
  removal?: Removal;
  /**
   * Engine-internal, never served: events raised for the workflow (Dapr's raiseEvent) before a task waited
   * for them — kept, oldest first, for the WAIT or HUMAN task that names them (`inputParameters.eventName`).
   */
  raisedEvents?: RaisedEvent[];
}

export interface RaisedEvent {
  readonly name: string;
  readonly data: Record<string, unknown>;
  readonly at: number;
}

export interface Removal {
  readonly status: 'RUNNING' | 'FAILED';
  /** Kept in search once removed (`archiveWorkflow`). */
  readonly archive: boolean;
  readonly failedTaskId?: string;
  readonly reason?: string;
}

export type RunMode = 'debug' | 'mock';

export interface Compensation {
  readonly status: 'RUNNING' | 'COMPLETED' | 'FAILED';
  /** How the workflow failed: what it ends with once compensated. */
  readonly failure: {
    readonly status: WorkflowStatus;
    readonly reasonForIncompletion?: string;
    readonly failedReferenceTaskNames: string[];
    readonly failedTaskNames: string[];
    readonly failedTaskId?: string;
  };
  /** The tasks rolled back so far, in the order their rollbacks succeeded. */
  readonly rolledBack: string[];
  /** The rollback that failed for good, and why. */
  readonly failedTaskId?: string;
  readonly reason?: string;
}

/** A mocked result of one attempt of a worker task in a test run (Conductor's TaskMock). */
export interface TaskMock {
  readonly status: 'COMPLETED' | 'FAILED' | 'FAILED_WITH_TERMINAL_ERROR';
  readonly output?: Record<string, unknown>;
  /** How long the attempt is recorded to have run (ms). */
  readonly executionTime?: number;
  /** How long it is recorded to have waited in its queue (ms). */
  readonly queueWaitTime?: number;
}

/** A test run's mocks: per task reference, one result per attempt; per SUB_WORKFLOW reference, the child's mocks. */
export interface WorkflowTestMocks {
  readonly taskRefToMockOutput: Record<string, readonly TaskMock[]>;
  readonly subWorkflowTestRequest?: Record<string, WorkflowTestMocks>;
}

/**
 * A step a PAUSED workflow put off. `advance`: the task ended well, run what follows it. `failed`: the
 * task failed; `then` is what its failure was decided to lead to (a retry after `delayMs`, the flow going
 * on past a tolerated failure, or the end of the workflow). `timer`: a durable timer of the run came due.
 */
export type ResumeStep =
  | { readonly kind: 'advance'; readonly taskId: string }
  | { readonly kind: 'failed'; readonly taskId: string; readonly then: 'retry' | 'advance' | 'end'; readonly delayMs: number }
  | { readonly kind: 'timer'; readonly timerKind: string; readonly taskId?: string };

/** A workflow as the API and the events show it: without what is the engine's own. */
export function servedWorkflow<W extends Partial<Workflow>>(w: W): Omit<W, 'onResume' | 'notifyUntil' | 'notifyChanges' | 'testRun' | 'raisedEvents'> {
  if (w.onResume === undefined && w.notifyUntil === undefined && w.notifyChanges === undefined && w.testRun === undefined && w.raisedEvents === undefined) return w;
  const { onResume: _steps, notifyUntil: _until, notifyChanges: _legacy, testRun: _mocks, raisedEvents: _events, ...served } = w;
  return served;
}

import {
  ErrorCode,
  isQueuedKind,
  isTerminalTaskStatus,
  isTerminalWorkflowStatus,
  SystemTaskType,
  Task,
  TaskResultStatus,
  ResumeStep,
  TaskStatus,
  TaskResult,
  implementsPhase,
  TimeoutPolicy,
  traitsOf,
  Workflow,
  WorkflowDef,
  WorkflowStatus,
  WorkflowTimeoutPolicy,
} from '@app/contracts';
import type { Decision, Rejection } from './commands';
import type { ChildEnded, DeciderEvent, LeaseExpired, PhaseRerunRequested, Reconcile, RerunRequested, RestartRequested, SkipTaskRequested, StartOutcome, TaskLeased, TaskResultReported, TimerFired, VariablesUpdated, WorkflowStartRequested } from './events';
import { Evaluators, NO_EVALUATORS } from './evaluators';
import { handlerFor } from './handlers/registry';
import { MAX_WORKFLOW_VARIABLES_BYTES } from './handlers/set-variable.handler';
import { AfterPhase, childrenOf, Kernel } from './kernel';
import { wakeUp } from './rill/wake-up';
import { NO_TASK_DEFS, queueNameOf, TaskDefLookup, taskDefOf } from './task-defs';
import { isTimerKind, TimerKind } from './timers';
import type { WorkflowRun } from './workflow-run';

/**
 * The decider: given the definition a workflow runs, its state, an event and the time, return the new
 * state and the commands that carry it out. Pure — no I/O, no clock, no randomness, inputs untouched —
 * and total: every ending (completion, failure, timeout) is a state plus commands, never an exception.
 * Each event is applied, then the decision settles (tasks that re-evaluate run until nothing changes).
 */
export function decide(
  definition: WorkflowDef,
  state: WorkflowRun | null,
  event: DeciderEvent,
  now: number,
  evaluators: Evaluators = NO_EVALUATORS,
  taskDefs: TaskDefLookup = NO_TASK_DEFS,
): Decision {
  if (event.type === 'workflow.start') return onStart(definition, event, now, evaluators, taskDefs);
  if (!state) throw new Error(`${event.type} needs a loaded workflow`); // a shell bug, not a business outcome
  const k = new Kernel(state, state, now, evaluators, taskDefs);
  // A refusal (no such task, a restart of a running workflow…) leaves the state as it was.
  const rejection = apply(k, event);
  if (rejection) return k.finish(rejection);
  k.settle();
  return k.finish();
}

/** Applies an event other than a start to the run; a refusal, when the event cannot apply. */
function apply(k: Kernel, event: Exclude<DeciderEvent, WorkflowStartRequested>): Rejection | undefined {
  switch (event.type) {
    case 'task.leased':
      onLeased(k, event);
      break;
    case 'task.result':
      return onResult(k, event);
    case 'workflow.restart':
      return onRestart(k, event);
    case 'workflow.rerun':
      return onRerun(k, event);
    case 'workflow.remove':
      if (event.terminate && k.isActive) k.endWorkflow(WorkflowStatus.Terminated, event.terminate.reason !== undefined ? { reasonForIncompletion: event.terminate.reason } : {});
      // Conductor: an archived workflow must have ended (400).
      if (event.archive && k.isActive) return { code: ErrorCode.InvalidArgument, message: `Cannot archive workflow: ${k.workflow.workflowId} with status: ${k.workflow.status}` };
      k.removeWorkflow(event.archive);
      break;
    case 'workflow.retry':
      if (!isTerminalWorkflowStatus(k.workflow.status)) {
        // Conductor answers 404 here (NotFoundException): only an ended workflow can be retried.
        return { code: ErrorCode.WorkflowNotFound, message: `Workflow ${k.workflow.workflowId} is ${k.workflow.status}: only an ended workflow can be retried` };
      }
      if (!k.retryWorkflow(event.resumeSubworkflowTasks === true)) return { code: ErrorCode.WorkflowConflict, message: `Workflow ${k.workflow.workflowId} has no failed, timed out or cancelled task to retry` };
      break;
    case 'child.retry':
      onChildRetry(k);
      break;
    case 'task.rerun-phase':
      return onPhaseRerun(k, event);
    case 'workflow.event':
      if (!k.isActive) return { code: ErrorCode.WorkflowConflict, message: `Workflow ${k.workflow.workflowId} has ended (${k.workflow.status}): no task of it waits for event ${event.name}` };
      k.raiseEvent(event.name, event.data);
      break;
    case 'rill.wake-up':
      return wakeUp(k, event);
    case 'timer.fired':
      onTimer(k, event);
      break;
    case 'task.lease-expired':
      onLeaseExpired(k, event);
      break;
    case 'child.ended':
      onChildEnded(k, event);
      break;
    case 'start.outcome':
      onStartOutcome(k, event);
      break;
    case 'workflow.terminate':
      if (!k.isActive && event.refuseEnded) return { code: ErrorCode.WorkflowConflict, message: `Workflow ${k.workflow.workflowId} has already ended: ${k.workflow.status}` };
      k.endWorkflow(WorkflowStatus.Terminated, event.reason !== undefined ? { reasonForIncompletion: event.reason } : {}, event.triggerFailureWorkflow ? { failureWorkflow: true } : undefined);
      break;
    case 'workflow.variables':
      onVariables(k, event);
      break;
    case 'workflow.reconcile':
      onReconcile(k, event);
      break;
    case 'workflow.reset-callbacks':
      onResetCallbacks(k);
      break;
    case 'workflow.skip-task':
      return onSkipTask(k, event);
    case 'workflow.decide':
      // Nothing of its own: the settle below is the decision (a JOIN that can complete completes).
      if (event.watchMs) k.watchChanges(event.watchMs);
      break;
    case 'workflow.pause':
      if (!k.isActive) return { code: ErrorCode.WorkflowConflict, message: `Workflow ${k.workflow.workflowId} has ended (${k.workflow.status}): it cannot be paused` };
      // Pausing a paused workflow changes nothing (as Conductor).
      if (k.isRunning) k.pauseWorkflow();
      break;
    case 'workflow.resume':
      if (!k.isPaused) return { code: ErrorCode.WorkflowConflict, message: `Workflow ${k.workflow.workflowId} is ${k.workflow.status}: only a PAUSED workflow can be resumed` };
      for (const step of k.resumeWorkflow()) carryOut(k, step);
      break;
  }
  return undefined;
}

// ---- start ------------------------------------------------------------------------------------------

function onStart(def: WorkflowDef, e: WorkflowStartRequested, now: number, evaluators: Evaluators, taskDefs: TaskDefLookup): Decision {
  const workflow: Omit<Workflow, 'tasks'> = {
    workflowId: e.workflowId,
    workflowName: def.name,
    workflowVersion: def.version ?? 1,
    status: WorkflowStatus.Running,
    input: { ...(def.inputTemplate ?? {}), ...e.input },
    output: {},
    correlationId: e.correlationId,
    failedReferenceTaskNames: [],
    failedTaskNames: [],
    taskToDomain: e.taskToDomain ?? {},
    priority: e.priority,
    // A Rill Flow DAG's context is its variables: the submitted context over the DAG's defaultContext.
    variables: { ...(def.variables ?? {}), ...(def.rill ? e.input : {}) },
    createTime: now,
    updateTime: now,
    startTime: now,
    createdBy: e.createdBy,
    ...(e.idempotencyKey !== undefined ? { idempotencyKey: e.idempotencyKey } : {}),
    ...(e.watchMs ? { notifyUntil: now + e.watchMs } : {}),
    ...(e.testRun ? { testRun: e.testRun } : {}),
    ...(e.runMode ? { runMode: e.runMode } : {}),
    ...(e.parent ? { parentWorkflowId: e.parent.workflowId, parentWorkflowTaskId: e.parent.taskId } : {}),
    workflowDefinition: def,
  };
  const empty: WorkflowRun = { workflow, tasks: [] };
  const k = new Kernel(empty, empty, now, evaluators, taskDefs);
  // The START_WORKFLOW task that asked for this workflow hears that it started, with the start itself.
  if (e.startedBy) k.command({ type: 'starter.notify', startedBy: e.startedBy, started: true });
  k.startWorkflow();
  k.settle();
  return k.finish();
}

// ---- leases -----------------------------------------------------------------------------------------

/**
 * A poller leased the task: it is IN_PROGRESS from the lease on. Folding the same lease twice, or a lease
 * of a task that has moved on (its result arrived first), changes nothing.
 */
function onLeased(k: Kernel, e: Omit<TaskLeased, 'type'>): Readonly<Task> | undefined {
  const task = k.task(e.taskId);
  if (!task || task.status !== TaskStatus.Scheduled || !k.isActive) return task;
  const started = k.transition(task.taskId, 'start.begin', {
    pollCount: Math.max(task.pollCount + 1, e.pollCount),
    startTime: task.startTime || e.leasedAt,
    workerId: e.workerId ?? task.workerId,
    queueWaitTime: Math.max(0, e.leasedAt - task.scheduledTime),
  });
  const def = taskDefOf(task.workflowTask);
  // timeoutSeconds runs from the first start; a callback's re-queue does not restart it.
  if (def.timeoutSeconds > 0 && !task.startTime) k.setTimer(TimerKind.TaskTimeout, e.leasedAt + def.timeoutSeconds * 1000, task.taskId);
  if ((def.pollTimeoutSeconds ?? 0) > 0) k.cancelTimer(TimerKind.PollTimeout, task.taskId);
  return started;
}

/** The worker held the task past its lease without a word: a response timeout, retried per its definition. */
function onLeaseExpired(k: Kernel, e: LeaseExpired): void {
  const held = k.task(e.taskId);
  if (held && isAfterPhase(held.phase)) {
    if (held.phaseStatus === `${held.phase}.begin`) k.phaseFailed(held, `no word from the worker within responseTimeoutSeconds (${held.responseTimeoutSeconds})`);
    else k.command({ type: 'queue.remove', taskId: held.taskId });
    return;
  }
  const task = onLeased(k, { taskId: e.taskId, ...e.lease });
  if (!task) return;
  if (isTerminalTaskStatus(task.status) || !k.isActive) {
    k.command({ type: 'queue.remove', taskId: task.taskId });
    return;
  }
  k.failTask(task, { status: TaskStatus.TimedOut, reason: `Task ${task.taskId} timed out: no update within responseTimeoutSeconds (${task.responseTimeoutSeconds})` });
}

// ---- results ----------------------------------------------------------------------------------------

function onResult(k: Kernel, { result: r, taskRefName, byEngine, watchMs }: TaskResultReported) {
  if (watchMs) k.watchChanges(watchMs);
  const found = r.taskId ? k.task(r.taskId) : taskRefName ? k.latest(taskRefName) : undefined;
  if (!found) {
    const message = r.taskId ? `No such task found by id: ${r.taskId}` : `No task found with reference name: ${taskRefName}, workflowId: ${k.workflow.workflowId}`;
    return { code: ErrorCode.TaskNotFound, message };
  }
  // Named by reference, the task must still be pending (Conductor's update by reference name).
  if (!r.taskId && isTerminalTaskStatus(found.status)) {
    return { code: ErrorCode.TaskNotFound, message: `Found no running task ${taskRefName} of workflow ${k.workflow.workflowId} to update` };
  }
  // A result for another phase than the one the task is in now (its worker says which): too late to count.
  if (r.phase !== undefined && r.phase !== (found.phase ?? 'start')) return undefined;
  // The result of a phase the workflow called for after the task's start: a rollback, a cancel, a delete.
  if (isAfterPhase(found.phase)) return onAfterPhaseResult(k, found, r);
  // A late or repeated result for an attempt that already ended (or a workflow that already ended) is
  // acknowledged and ignored, as Conductor does: workers retry their updates, and a worker whose lease
  // ran out learns nothing from an error.
  if (isTerminalTaskStatus(found.status) || isTerminalWorkflowStatus(k.workflow.status)) return undefined;
  if (!handlerFor(found.workflowTask.type).acceptsResults) {
    return { code: ErrorCode.InvalidArgument, message: `Task ${found.taskId} is a ${found.taskType} task, which the engine completes itself` };
  }
  // A result for a task whose lease notice has not arrived (or was lost) starts it now.
  const task = onLeased(k, { taskId: found.taskId, workerId: r.workerId, leasedAt: k.now, pollCount: found.pollCount }) ?? found;
  const common: Partial<Task> = {
    outputData: { ...task.outputData, ...(r.outputData ?? {}) },
    workerId: r.workerId ?? task.workerId,
    reasonForIncompletion: r.reasonForIncompletion ?? task.reasonForIncompletion,
  };
  if (task.phase === 'monitor') return onMonitorResult(k, task, r, common);
  if (task.phase === 'mock') return onMockResult(k, task, r, common);
  switch (r.status) {
    case TaskResultStatus.InProgress:
      return inProgress(k, task, r.extendLease === true, r.callbackAfterSeconds ?? 0, common);
    case TaskResultStatus.Completed:
      // asyncComplete: the engine did its part (the call, the publish); the task waits, IN_PROGRESS and out
      // of the queue, for an external update to complete it.
      if (byEngine && task.workflowTask?.asyncComplete) {
        k.patchTask(task.taskId, common);
        k.command({ type: 'queue.remove', taskId: task.taskId });
        return undefined;
      }
      // A task whose workers implement `monitor` is not done when its start is: it is monitored next.
      if (implementsPhase(taskDefOf(task.workflowTask), 'monitor')) return beginMonitor(k, task, common);
      k.completeTask(task, common);
      return undefined;
    case TaskResultStatus.Failed:
      k.failTask(task, { status: TaskStatus.Failed, patch: common });
      return undefined;
    case TaskResultStatus.FailedWithTerminalError:
      k.failTask(task, { status: TaskStatus.FailedWithTerminalError, patch: common });
      return undefined;
    case TaskResultStatus.Canceled:
      k.failTask(task, { status: TaskStatus.Canceled, patch: common });
      return undefined;
  }
}

// ---- phases: monitor and rollback -------------------------------------------------------------------

/** Default seconds between a monitored task's monitor polls. */
const MONITOR_INTERVAL_SECONDS = 5;

/**
 * The start of a task with a `monitor` phase succeeded: the task stays IN_PROGRESS and goes back to its
 * workers as a monitor poll every monitorIntervalSeconds, until a monitor says it is done (or failed), or
 * monitorTimeoutSeconds runs out.
 */
function beginMonitor(k: Kernel, task: Readonly<Task>, common: Partial<Task>): undefined {
  const def = taskDefOf(task.workflowTask);
  k.transition(task.taskId, 'start.success', { ...common, phase: 'monitor' }, { continues: true });
  const monitored = k.transition(task.taskId, 'monitor.begin', {});
  if ((def.monitorTimeoutSeconds ?? 0) > 0) k.setTimer(TimerKind.MonitorTimeout, k.now + (def.monitorTimeoutSeconds as number) * 1000, task.taskId);
  queueAgain(k, monitored, k.now + (def.monitorIntervalSeconds ?? MONITOR_INTERVAL_SECONDS) * 1000);
  return undefined;
}

/** A monitor poll's answer: done (the task completes), failed (as a failed start would), or not yet (polled again). */
function onMonitorResult(k: Kernel, task: Readonly<Task>, r: TaskResult, common: Partial<Task>): undefined {
  const def = taskDefOf(task.workflowTask);
  switch (r.status) {
    case TaskResultStatus.Completed:
      k.completeTask(task, common, { event: 'monitor.success' });
      return undefined;
    case TaskResultStatus.InProgress:
      if (r.extendLease) {
        k.patchTask(task.taskId, common);
        k.command({ type: 'queue.extend', taskId: task.taskId, leaseMs: task.responseTimeoutSeconds * 1000 });
        return undefined;
      }
      queueAgain(k, k.patchTask(task.taskId, common), k.now + (r.callbackAfterSeconds || def.monitorIntervalSeconds || MONITOR_INTERVAL_SECONDS) * 1000);
      return undefined;
    case TaskResultStatus.Failed:
    case TaskResultStatus.Canceled:
      k.failTask(task, { status: TaskStatus.Failed, patch: common, event: 'monitor.failed' });
      return undefined;
    case TaskResultStatus.FailedWithTerminalError:
      k.failTask(task, { status: TaskStatus.FailedWithTerminalError, patch: common, event: 'monitor.failed' });
      return undefined;
  }
}

/** Statuses a task's start can be re-run from: it ended without success. */
const RERUNNABLE = new Set<string>([TaskStatus.Failed, TaskStatus.FailedWithTerminalError, TaskStatus.TimedOut, TaskStatus.Canceled]);

/**
 * SipRS's re-run of one phase of a task: `start` (a failed worker task goes back to its queue, with
 * `parameters` as its input when given — a debug run paused at it goes on when it is resumed) or
 * `monitor` (monitoring starts over, `outputs` merged into the task's output). The task keeps its id.
 */
function onPhaseRerun(k: Kernel, e: PhaseRerunRequested): Rejection | undefined {
  const task = k.task(e.taskId);
  if (!task) return { code: ErrorCode.TaskNotFound, message: `No such task found by id: ${e.taskId}` };
  if (!k.isActive) return { code: ErrorCode.WorkflowConflict, message: `Workflow ${k.workflow.workflowId} has ended (${k.workflow.status}): its tasks cannot be re-run (rerun or retry the workflow)` };
  if (traitsOf(task.workflowTask.type).kind !== 'worker') return { code: ErrorCode.InvalidArgument, message: `Task ${task.taskId} is a ${task.taskType} task: only a worker task's phases can be re-run` };
  if (k.latest(task.referenceTaskName)?.taskId !== task.taskId) return { code: ErrorCode.WorkflowConflict, message: `Task ${task.taskId} was retried as a newer attempt: re-run that one` };
  const def = taskDefOf(task.workflowTask);
  switch (e.phase) {
    case 'start':
      if (!RERUNNABLE.has(task.status)) return { code: ErrorCode.WorkflowConflict, message: `Task ${task.taskId} is ${task.status}: only a task that failed, timed out or was cancelled can run its start again` };
      k.rerunStart(task, e.parameters);
      return undefined;
    case 'monitor': {
      if (!implementsPhase(def, 'monitor')) return { code: ErrorCode.InvalidArgument, message: `Task ${task.taskId}'s definition ${task.taskDefName} implements no monitor phase` };
      const monitoring = task.phase === 'monitor' && (task.status === TaskStatus.InProgress || RERUNNABLE.has(task.status));
      if (!monitoring) return { code: ErrorCode.WorkflowConflict, message: `Task ${task.taskId} is not being monitored (${task.phaseStatus ?? task.status})` };
      const again = k.rerunMonitor(task, e.outputs);
      queueAgain(k, again, k.now);
      if ((def.monitorTimeoutSeconds ?? 0) > 0) k.setTimer(TimerKind.MonitorTimeout, k.now + (def.monitorTimeoutSeconds as number) * 1000, task.taskId);
      return undefined;
    }
    default:
      return { code: ErrorCode.InvalidArgument, message: `queueType ${e.phase}: only the start and monitor phases of a task can be re-run here` };
  }
}

const isAfterPhase = (phase: string | undefined): phase is AfterPhase => phase === 'rollback' || phase === 'cancel' || phase === 'delete';

/** A dry run's answer: the mock passed (COMPLETED, its output what a start would give) or failed. */
function onMockResult(k: Kernel, task: Readonly<Task>, r: TaskResult, common: Partial<Task>): undefined {
  switch (r.status) {
    case TaskResultStatus.Completed:
      k.completeTask(task, common, { event: 'mock.success' });
      return undefined;
    case TaskResultStatus.InProgress:
      return inProgress(k, task, r.extendLease === true, r.callbackAfterSeconds ?? 0, common);
    default:
      k.failTask(task, { status: r.status === TaskResultStatus.FailedWithTerminalError ? TaskStatus.FailedWithTerminalError : TaskStatus.Failed, patch: common, event: 'mock.failed' });
      return undefined;
  }
}

/** A worker's answer about a rollback, cancel or delete: done, failed (retried per the definition), or still at it. */
function onAfterPhaseResult(k: Kernel, task: Readonly<Task>, r: TaskResult): Rejection | undefined {
  // A late answer, once the phase is over, changes nothing.
  if (task.phaseStatus !== `${task.phase}.begin`) return undefined;
  switch (r.status) {
    case TaskResultStatus.Completed:
      k.phaseSucceeded(task);
      return undefined;
    case TaskResultStatus.InProgress:
      if (r.extendLease) k.command({ type: 'queue.extend', taskId: task.taskId, leaseMs: task.responseTimeoutSeconds * 1000 });
      else queueAgain(k, task, k.now + (r.callbackAfterSeconds ?? 0) * 1000);
      return undefined;
    default:
      k.phaseFailed(task, r.reasonForIncompletion ?? `${task.phase} ${r.status}`, r.status === TaskResultStatus.FailedWithTerminalError);
      return undefined;
  }
}

function inProgress(k: Kernel, task: Readonly<Task>, extendLease: boolean, callbackAfterSeconds: number, common: Partial<Task>): undefined {
  const kind = traitsOf(task.workflowTask.type).kind;
  if (!isQueuedKind(kind) || (kind === 'system' && task.workflowTask.asyncComplete)) {
    // An async system task completed from outside (WAIT, SUB_WORKFLOW, an asyncComplete HTTP call) reports
    // progress: record it.
    k.patchTask(task.taskId, common);
    return undefined;
  }
  if (extendLease) {
    // A heartbeat: the worker is alive and keeps the task for another responseTimeoutSeconds.
    k.patchTask(task.taskId, common);
    k.command({ type: 'queue.extend', taskId: task.taskId, leaseMs: task.responseTimeoutSeconds * 1000 });
    return undefined;
  }
  // Conductor semantics: "still working, call me back" — the task goes back to the queue (SCHEDULED) and
  // becomes pollable again after callbackAfterSeconds.
  const updated = k.transition(task.taskId, 'produce.success', { ...common, callbackAfterSeconds });
  queueAgain(k, updated, k.now + callbackAfterSeconds * 1000);
  return undefined;
}

/** Puts an existing task's queue row back (visible at `visibleAt`), with its lease — the type's own when it has one. */
function queueAgain(k: Kernel, task: Readonly<Task>, visibleAt: number): void {
  const leaseMs = handlerFor(task.workflowTask.type).leaseMsOf?.(task) ?? task.responseTimeoutSeconds * 1000;
  k.command({ type: 'queue.push', taskId: task.taskId, queueName: queueNameOf(task), taskDefName: task.taskDefName, visibleAt, priority: k.workflow.priority, leaseMs, pollCount: task.pollCount });
}

// ---- restart ----------------------------------------------------------------------------------------

/**
 * Conductor's restart: only an ended workflow (409 while it runs or is paused), and a COMPLETED one only
 * when its definition is `restartable` (404, as Conductor answers).
 */
function onRestart(k: Kernel, e: RestartRequested): Rejection | undefined {
  const w = k.workflow;
  if (!isTerminalWorkflowStatus(w.status)) return { code: ErrorCode.WorkflowConflict, message: `Workflow ${w.workflowId} is ${w.status}: only an ended workflow can be restarted` };
  if (w.status === WorkflowStatus.Completed && k.definition.restartable === false) {
    return { code: ErrorCode.WorkflowNotFound, message: `Workflow ${w.workflowId} is COMPLETED and its definition ${w.workflowName} is not restartable` };
  }
  k.restartWorkflow(e.definition);
  return undefined;
}

/** Operators a rerun can start from inside of: their branch is a plain list the flow leaves by its end. */
const RERUN_INSIDE = new Set<string>([SystemTaskType.Switch, SystemTaskType.Decision]);

/**
 * Conductor's rerun: only an ended workflow (409 otherwise, as Conductor), from a task of its own (400
 * for an unknown task, as Conductor). A task inside a FORK branch or a DO_WHILE cannot be rerun from
 * (400): its operator must run again with it — rerun from the operator instead.
 */
function onRerun(k: Kernel, e: RerunRequested): Rejection | undefined {
  const w = k.workflow;
  if (!isTerminalWorkflowStatus(w.status)) return { code: ErrorCode.WorkflowConflict, message: `Workflow: ${w.workflowName}.${w.workflowVersion}/${w.workflowId}.${w.status} is not in terminal state, unable to rerun.` };
  const from = e.reRunFromTaskId ? k.task(e.reRunFromTaskId) : undefined;
  if (e.reRunFromTaskId && !from) return { code: ErrorCode.InvalidArgument, message: `Task ${e.reRunFromTaskId} not found` };
  if (from) {
    for (let owner = k.nodeOf(from).list.owner; owner; owner = owner.list.owner) {
      if (!RERUN_INSIDE.has(owner.type)) {
        return { code: ErrorCode.InvalidArgument, message: `Task ${from.referenceTaskName} is inside ${owner.type} ${owner.ref}: rerun from ${owner.ref} instead` };
      }
    }
  }
  k.rerunWorkflow(from, e);
  return undefined;
}

/**
 * Conductor's resetcallbacks: worker tasks waiting out a `callbackAfterSeconds` (SCHEDULED, put back by an
 * IN_PROGRESS update) become pollable now.
 */
function onResetCallbacks(k: Kernel): void {
  if (!k.isActive) return;
  for (const task of k.run.tasks) {
    if (task.status !== TaskStatus.Scheduled || task.callbackAfterSeconds <= 0 || traitsOf(task.workflowTask.type).kind !== 'worker') continue;
    queueAgain(k, k.patchTask(task.taskId, { callbackAfterSeconds: 0 }), k.now);
  }
}

/**
 * Conductor's skiptask: a task of the definition that has not been scheduled yet is recorded SKIPPED now
 * (with the given input and output, which later tasks can read); when the flow reaches it, it goes on past
 * it. Only while the workflow runs, only a task that never ran, and not inside a DO_WHILE (whose tasks
 * run once per iteration).
 */
function onSkipTask(k: Kernel, e: SkipTaskRequested): Rejection | undefined {
  const w = k.workflow;
  if (!k.isRunning) return { code: ErrorCode.WorkflowConflict, message: `Cannot skip a task of workflow ${w.workflowId}: it is ${w.status}` };
  const node = k.graph.byRef.get(e.taskReferenceName);
  if (!node) return { code: ErrorCode.InvalidArgument, message: `Workflow ${w.workflowName} has no task with reference name ${e.taskReferenceName}` };
  let inLoop = false;
  for (let owner = node.list.owner; owner; owner = owner.list.owner) inLoop ||= owner.type === SystemTaskType.DoWhile;
  if (inLoop) {
    return { code: ErrorCode.InvalidArgument, message: `${e.taskReferenceName} is inside a DO_WHILE: a task that runs once per iteration cannot be skipped` };
  }
  if (k.latest(e.taskReferenceName)) return { code: ErrorCode.WorkflowConflict, message: `The task that is trying to be skipped has already started: ${e.taskReferenceName}` };
  // SKIPPED is the projection of a task passed over without running (the lifecycle's mock.passed).
  k.addTask(k.newTask(node, {}, { status: TaskStatus.Skipped, inputData: e.taskInput ?? {}, outputData: e.taskOutput ?? {}, startTime: k.now, endTime: k.now }), 'mock.passed');
  return undefined;
}

/**
 * The parent retried with resumeSubworkflowTasks and took up its SUB_WORKFLOW task again: an ended child
 * retries in place (its own sub-workflows too). One with nothing to retry tells its parent how it ended
 * again, so the parent's task ends with it; one still running tells its parent when it ends, as always.
 */
function onChildRetry(k: Kernel): void {
  if (k.isActive || k.retryWorkflow(true)) return;
  const w = k.workflow;
  if (w.parentWorkflowId && w.parentWorkflowTaskId) {
    k.command({ type: 'parent.notify', parent: { workflowId: w.parentWorkflowId, taskId: w.parentWorkflowTaskId }, status: w.status, output: w.output, reasonForIncompletion: w.reasonForIncompletion });
  }
}

// ---- pause ------------------------------------------------------------------------------------------

/** Carries out a step the workflow put off while it was paused. */
function carryOut(k: Kernel, step: ResumeStep): void {
  if (step.kind === 'timer') {
    if (isTimerKind(step.timerKind)) onTimer(k, { type: 'timer.fired', kind: step.timerKind, ...(step.taskId ? { taskId: step.taskId } : {}) });
    return;
  }
  const task = k.task(step.taskId);
  if (!task) return;
  if (step.kind === 'advance') k.advance(task);
  else k.afterFailure(task, step.then, step.delayMs);
}

// ---- repairs ------------------------------------------------------------------------------------------

/**
 * What the reconciler found missing. A queued task without its queue row: one never handed out (SCHEDULED)
 * is queued again, visible at once; one a worker held (IN_PROGRESS) lost its lease with the row, so it is
 * timed out as an expired lease would be — retried as a new attempt, never handed to a second worker while
 * the first may still be at it. Then the run settles, which completes a workflow whose tasks all ended.
 */
function onReconcile(k: Kernel, e: Reconcile): void {
  if (!k.isActive) return;
  for (const id of e.missingQueueRows) {
    const task = k.task(id);
    if (!task || isTerminalTaskStatus(task.status) || !isQueuedKind(traitsOf(task.workflowTask.type).kind)) continue;
    if (task.status === TaskStatus.Scheduled) {
      queueAgain(k, task, k.now);
    } else {
      k.failTask(task, { status: TaskStatus.TimedOut, reason: `Task ${task.taskId} lost its queue row while IN_PROGRESS (found by the reconciler); timed out to be retried` });
    }
  }
}

// ---- variables from outside --------------------------------------------------------------------------

/**
 * An event handler's `update_workflow_variables`: merged into the running workflow's variables (with
 * `appendArray`, a list given for a variable that holds a list is appended to it). Dropped, with a log
 * by the caller, when the workflow has ended or the variables would outgrow their 256 KB.
 */
function onVariables(k: Kernel, e: VariablesUpdated): void {
  if (!k.isActive) return;
  const current = k.workflow.variables ?? {};
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(e.variables ?? {})) {
    const before = current[key];
    merged[key] = e.appendArray && Array.isArray(before) ? [...before, ...(Array.isArray(value) ? value : [value])] : value;
  }
  if (Buffer.byteLength(JSON.stringify(merged)) > MAX_WORKFLOW_VARIABLES_BYTES) return;
  k.setWorkflow({ variables: merged });
}

// ---- timers -----------------------------------------------------------------------------------------

/** A timer fired. Each checks that what it guards still stands: a timer that lost its race is a no-op. */
function onTimer(k: Kernel, e: TimerFired): void {
  if (k.isPaused) {
    // A timer acts on a running workflow only: its firing waits for the resume. A lease it found is a
    // fact, recorded now.
    if (e.taskId && e.lease) onLeased(k, { taskId: e.taskId, ...e.lease });
    return k.putOff({ kind: 'timer', timerKind: e.kind, ...(e.taskId ? { taskId: e.taskId } : {}) });
  }
  if (!k.isRunning) return;
  if (e.kind === TimerKind.WorkflowTimeout) {
    const def = k.definition;
    if ((def.timeoutPolicy ?? WorkflowTimeoutPolicy.AlertOnly) === WorkflowTimeoutPolicy.TimeOutWorkflow) {
      k.endWorkflow(WorkflowStatus.TimedOut, { reasonForIncompletion: `Workflow timed out after ${def.timeoutSeconds} seconds (timeoutPolicy TIME_OUT_WF)` }, { failureWorkflow: true });
    }
    return;
  }
  let task = e.taskId ? k.task(e.taskId) : undefined;
  if (!task) return;
  if (e.kind === TimerKind.Retry) return retryNow(k, task);
  // The worker holds the task even if its lease notice is still on the way: fold the lease first.
  if (e.lease && task.status === TaskStatus.Scheduled) task = onLeased(k, { taskId: task.taskId, ...e.lease }) ?? task;
  if (isTerminalTaskStatus(task.status)) return;
  const def = taskDefOf(task.workflowTask);
  switch (e.kind) {
    case TimerKind.PollTimeout:
      if (task.status !== TaskStatus.Scheduled) return;
      return timeOut(k, task, `Task ${task.taskId} was not polled within pollTimeoutSeconds (${def.pollTimeoutSeconds}), timeoutPolicy ${def.timeoutPolicy}`);
    case TimerKind.TaskTimeout:
      return timeOut(k, task, `Task ${task.taskId} timed out after timeoutSeconds (${def.timeoutSeconds}), timeoutPolicy ${def.timeoutPolicy}`);
    case TimerKind.MonitorTimeout:
      if (task.phase !== 'monitor') return;
      return k.failTask(task, { status: TaskStatus.TimedOut, reason: `Task ${task.taskId} was still not done after monitorTimeoutSeconds (${def.monitorTimeoutSeconds})`, event: 'monitor.failed' });
    default:
      return handlerFor(task.workflowTask.type).onTimer?.(k, task, e.kind);
  }
}

/**
 * A task or poll timeout, by the task's timeoutPolicy (Conductor's timeoutTaskWithTimeoutPolicy, which
 * both go through): ALERT_ONLY changes nothing, RETRY times the attempt out to be retried, TIME_OUT_WF
 * times it out and the workflow with it.
 */
/** A system task's backoff passed: its next attempt starts, unless something moved on meanwhile. */
function retryNow(k: Kernel, failed: Readonly<Task>): void {
  if (k.latest(failed.referenceTaskName)?.taskId !== failed.taskId || !failed.retried) return;
  k.schedule(k.nodeOf(failed), { retryOf: failed });
}

function timeOut(k: Kernel, task: Readonly<Task>, reason: string): void {
  const { timeoutPolicy } = taskDefOf(task.workflowTask);
  if (timeoutPolicy === TimeoutPolicy.AlertOnly) return;
  k.failTask(task, { status: TaskStatus.TimedOut, reason, retry: timeoutPolicy === TimeoutPolicy.Retry });
}

// ---- child workflows --------------------------------------------------------------------------------

/** The workflow a START_WORKFLOW task asked for started (or could not): a repeated notice changes nothing. */
function onStartOutcome(k: Kernel, e: StartOutcome): void {
  const task = k.task(e.taskId);
  if (!task || isTerminalTaskStatus(task.status) || !k.isActive) return;
  handlerFor(task.workflowTask.type).onStartOutcome?.(k, task, e);
}

function onChildEnded(k: Kernel, e: ChildEnded): void {
  const task = k.task(e.taskId);
  // A repeated notice, or one for a task that has moved on (timed out and retried with a new child).
  if (!task || isTerminalTaskStatus(task.status) || !childrenOf(task).includes(e.childWorkflowId) || !k.isActive) return;
  k.childHasEnded(e.childWorkflowId);
  handlerFor(task.workflowTask.type).onChildEnded?.(k, task, e);
}

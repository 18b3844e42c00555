import {
  conductorTaskStatus,
  ErrorCode,
  isSuccessfulTaskStatus,
  isTerminalTaskStatus,
  isTerminalWorkflowStatus,
  StatusQualifiers,
  Task,
  TaskEventType,
  TaskResult,
  TaskResultStatus,
  TaskStatus,
  Workflow,
  WorkflowDef,
  WorkflowEventType,
  WorkflowStatus,
  WorkflowTask,
} from '@app/contracts';
import type { Decision, EngineCommand, Rejection } from './commands';
import type { DeciderEvent, TaskClaimed, TaskResultReported, WorkflowStartRequested } from './events';
import { expressionDocument } from './expression-document';
import { resolveParameters } from './expressions';
import { mapperFor, queueNameOf, retryDelayMs, taskDefOf } from './task-mappers';
import { latestByRef, taskById, WorkflowRun } from './workflow-run';

/**
 * The decider: given the definition a workflow runs, its state, an event and the time, return the new
 * state and the commands that carry it out. Pure — no I/O, no clock, no randomness, inputs untouched —
 * and total: every ending (completion, failure) is a state plus commands, never an exception.
 */
export function decide(definition: WorkflowDef, state: WorkflowRun | null, event: DeciderEvent, now: number): Decision {
  switch (event.type) {
    case 'workflow.start':
      return onStart(definition, event, now);
    case 'task.claim':
      return onClaim(requireState(state, event.type), event, now);
    case 'task.result':
      return onResult(requireState(state, event.type), event, now);
  }
}

function requireState(state: WorkflowRun | null, eventType: string): WorkflowRun {
  // A programming error in the shell, not a business outcome: the shell loads the run before deciding.
  if (!state) throw new Error(`${eventType} needs a loaded workflow`);
  return state;
}

/** Accumulates one decision: replaces objects, never mutates them. */
class Draft {
  private workflowEvent: WorkflowEventType | null = null;
  readonly commands: EngineCommand[] = [];

  constructor(
    private readonly original: WorkflowRun,
    public run: WorkflowRun,
    private readonly now: number,
  ) {}

  get workflow(): WorkflowRun['workflow'] {
    return this.run.workflow;
  }

  setWorkflow(patch: Partial<Omit<Workflow, 'tasks'>>): void {
    this.run = { ...this.run, workflow: { ...this.run.workflow, ...patch, updateTime: this.now } };
  }

  addTask(task: Task, commands: readonly EngineCommand[]): void {
    this.run = { ...this.run, tasks: [...this.run.tasks, task] };
    this.commands.push(...commands);
  }

  updateTask(taskId: string, patch: Partial<Task>): Readonly<Task> {
    let updated: Readonly<Task> | undefined;
    const tasks = this.run.tasks.map((t) => (t.taskId === taskId ? (updated = { ...t, ...patch, updateTime: this.now }) : t));
    if (!updated) throw new Error(`no task ${taskId} in ${this.run.workflow.workflowId}`);
    this.run = { ...this.run, tasks };
    return updated;
  }

  emitTask(eventType: TaskEventType, taskId: string): void {
    this.commands.push({ type: 'emit.task', eventType, taskId });
  }

  /**
   * Moves a task through a lifecycle event: its Conductor status is the event's projection
   * (`conductorTaskStatus`), the one mapping there is, and the event is emitted.
   */
  transition(taskId: string, eventType: TaskEventType, patch: Partial<Task> = {}, q: StatusQualifiers = {}): Readonly<Task> {
    const current = this.run.tasks.find((t) => t.taskId === taskId);
    const status = conductorTaskStatus(eventType, q) ?? current?.status;
    const updated = this.updateTask(taskId, { ...patch, ...(status ? { status } : {}) });
    this.emitTask(eventType, taskId);
    return updated;
  }

  endWorkflow(eventType: WorkflowEventType): void {
    this.workflowEvent = eventType;
  }

  finish(rejection?: Rejection): Decision {
    const changed = this.run.workflow !== this.original.workflow;
    const workflowEvent = this.workflowEvent ?? (changed ? 'workflow.updated' : null);
    const commands = workflowEvent ? [...this.commands, { type: 'emit.workflow' as const, eventType: workflowEvent }] : this.commands;
    return rejection ? { state: this.run, commands, rejection } : { state: this.run, commands };
  }
}

// ---- start ------------------------------------------------------------------------------------------

function onStart(def: WorkflowDef, e: WorkflowStartRequested, now: number): Decision {
  const input = { ...(def.inputTemplate ?? {}), ...e.input };
  const workflow: Omit<Workflow, 'tasks'> = {
    workflowId: e.workflowId,
    workflowName: def.name,
    workflowVersion: def.version ?? 1,
    status: WorkflowStatus.Running,
    input,
    output: {},
    correlationId: e.correlationId,
    failedReferenceTaskNames: [],
    failedTaskNames: [],
    taskToDomain: e.taskToDomain ?? {},
    priority: e.priority,
    variables: { ...(def.variables ?? {}) },
    createTime: now,
    updateTime: now,
    startTime: now,
    createdBy: e.createdBy,
    workflowDefinition: def,
  };
  const empty: WorkflowRun = { workflow, tasks: [] };
  const draft = new Draft(empty, empty, now);
  draft.endWorkflow('workflow.started');
  scheduleNext(draft, def, null, now);
  return draft.finish();
}

// ---- claim ------------------------------------------------------------------------------------------

function onClaim(state: WorkflowRun, e: TaskClaimed, now: number): Decision {
  const draft = new Draft(state, state, now);
  const task = taskById(state, e.taskId);
  if (!task) return draft.finish({ code: ErrorCode.TaskNotFound, message: `No such task found by id: ${e.taskId}` });
  if (task.status !== TaskStatus.Scheduled || isTerminalWorkflowStatus(state.workflow.status)) {
    draft.commands.push({ type: 'queue.remove', taskId: task.taskId });
    return draft.finish({ code: ErrorCode.TaskNotClaimable, message: `Task ${task.taskId} is ${task.status}, not SCHEDULED` });
  }
  draft.commands.push({ type: 'queue.remove', taskId: task.taskId });
  draft.transition(task.taskId, 'start.begin', {
    pollCount: task.pollCount + 1,
    startTime: now,
    workerId: e.workerId,
    queueWaitTime: Math.max(0, now - task.scheduledTime),
  });
  return draft.finish();
}

// ---- results ----------------------------------------------------------------------------------------

function onResult(state: WorkflowRun, e: TaskResultReported, now: number): Decision {
  const draft = new Draft(state, state, now);
  const r = e.result;
  const task = taskById(state, r.taskId);
  if (!task) return draft.finish({ code: ErrorCode.TaskNotFound, message: `No such task found by id: ${r.taskId}` });
  // A late or repeated result for an attempt that already ended (or a workflow that already ended) is
  // acknowledged and ignored, as Conductor does: workers retry their updates.
  if (isTerminalTaskStatus(task.status) || isTerminalWorkflowStatus(state.workflow.status)) return draft.finish();

  const common: Partial<Task> = {
    outputData: { ...task.outputData, ...(r.outputData ?? {}) },
    workerId: r.workerId ?? task.workerId,
    reasonForIncompletion: r.reasonForIncompletion ?? task.reasonForIncompletion,
  };
  switch (r.status) {
    case TaskResultStatus.InProgress:
      return inProgress(draft, task, r, common, now);
    case TaskResultStatus.Completed:
      draft.commands.push({ type: 'queue.remove', taskId: task.taskId });
      draft.transition(task.taskId, 'start.success', { ...common, endTime: now, executed: true });
      scheduleNext(draft, draft.workflow.workflowDefinition, task.workflowTask, now);
      return draft.finish();
    case TaskResultStatus.Failed:
    case TaskResultStatus.FailedWithTerminalError:
    case TaskResultStatus.Canceled:
      draft.commands.push({ type: 'queue.remove', taskId: task.taskId });
      onTaskFailure(draft, task, r, common, now);
      return draft.finish();
  }
}

function inProgress(draft: Draft, task: Readonly<Task>, r: TaskResult, common: Partial<Task>, now: number): Decision {
  if (r.extendLease) {
    // A heartbeat: the worker is alive and keeps the task.
    draft.transition(task.taskId, 'monitor.success');
    return draft.finish();
  }
  // Conductor semantics: "still working, call me back" — the task goes back to the queue and becomes
  // pollable again after callbackAfterSeconds.
  const callbackAfterSeconds = r.callbackAfterSeconds ?? 0;
  const updated = draft.transition(task.taskId, 'produce.success', { ...common, callbackAfterSeconds });
  draft.commands.push({
    type: 'queue.push',
    taskId: updated.taskId,
    queueName: queueNameOf(updated),
    visibleAt: now + callbackAfterSeconds * 1000,
    priority: draft.workflow.priority,
  });
  return draft.finish();
}

/**
 * Records a failed (or canceled) attempt, then retries it, tolerates it (an optional task) or fails the
 * workflow, as Conductor's decider does.
 */
function onTaskFailure(draft: Draft, task: Readonly<Task>, r: TaskResult, common: Partial<Task>, now: number): void {
  const wt = task.workflowTask;
  const def = taskDefOf(wt);
  const canceled = r.status === TaskResultStatus.Canceled;
  const nonRetriable = r.status === TaskResultStatus.FailedWithTerminalError;
  const willRetry = !canceled && !nonRetriable && task.retryCount < (wt.retryCount ?? def.retryCount);
  const tolerated = !canceled && !willRetry && !!wt.optional;
  const failed = draft.transition(
    task.taskId,
    canceled ? 'cancel.success' : 'start.failed',
    { ...common, endTime: now, executed: true, retried: willRetry },
    { nonRetriable, optional: tolerated },
  );
  if (willRetry) {
    schedule(draft, wt, now, { retryOf: failed, delayMs: retryDelayMs(def, failed.retryCount) });
  } else if (tolerated) {
    scheduleNext(draft, draft.workflow.workflowDefinition, wt, now);
  } else {
    const status = canceled ? WorkflowStatus.Terminated : failed.status === TaskStatus.TimedOut ? WorkflowStatus.TimedOut : WorkflowStatus.Failed;
    endWorkflow(draft, status, now, {
      reasonForIncompletion: failed.reasonForIncompletion ?? `Task ${failed.referenceTaskName} ended ${failed.status}`,
      failedReferenceTaskNames: [failed.referenceTaskName],
      failedTaskNames: [failed.taskDefName],
    });
  }
}

// ---- scheduling and completion ------------------------------------------------------------------------

/** Schedules what follows `after` in the definition (the first task when `after` is null), or completes. */
function scheduleNext(draft: Draft, def: WorkflowDef, after: WorkflowTask | null, now: number): void {
  const index = after ? def.tasks.findIndex((t) => t.taskReferenceName === after.taskReferenceName) : -1;
  const next = def.tasks[index + 1];
  if (next) schedule(draft, next, now, {});
  else completeIfDone(draft, def, now);
}

function schedule(draft: Draft, wt: WorkflowTask, now: number, opts: { retryOf?: Readonly<Task>; delayMs?: number }): void {
  const mapper = mapperFor(wt.type);
  if (!mapper) {
    endWorkflow(draft, WorkflowStatus.Failed, now, {
      reasonForIncompletion: `Task type ${wt.type} of ${wt.taskReferenceName} is not supported by this version of Baton`,
      failedReferenceTaskNames: [wt.taskReferenceName],
      failedTaskNames: [wt.name],
    });
    return;
  }
  const { task, commands } = mapper({ run: draft.run, workflowTask: wt, now, ...opts });
  draft.addTask(task, commands);
}

function completeIfDone(draft: Draft, def: WorkflowDef, now: number): void {
  const latest = latestByRef(draft.run.tasks);
  const done = def.tasks.every((wt) => {
    const t = latest.get(wt.taskReferenceName);
    return t && isTerminalTaskStatus(t.status) && isSuccessfulTaskStatus(t.status);
  });
  if (!done) return;
  const outputParameters = def.outputParameters ?? {};
  const lastTask = draft.run.tasks[draft.run.tasks.length - 1];
  const output = Object.keys(outputParameters).length
    ? resolveParameters(outputParameters, expressionDocument(draft.run))
    : { ...(lastTask?.outputData ?? {}) };
  endWorkflow(draft, WorkflowStatus.Completed, now, { output });
}

function endWorkflow(draft: Draft, status: WorkflowStatus, now: number, patch: Partial<Omit<Workflow, 'tasks'>>): void {
  // Nothing may keep running for a workflow that has ended.
  for (const t of draft.run.tasks) {
    if (!isTerminalTaskStatus(t.status)) {
      draft.commands.push({ type: 'queue.remove', taskId: t.taskId });
      draft.transition(t.taskId, 'cancel.success', { endTime: now });
    }
  }
  draft.setWorkflow({ ...patch, status, endTime: now });
  draft.endWorkflow(
    status === WorkflowStatus.Completed ? 'workflow.completed' : status === WorkflowStatus.Terminated ? 'workflow.terminated' : 'workflow.failed',
  );
}

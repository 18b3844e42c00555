import {
  buildDefinitionGraph,
  domainOf,
  implementsPhase,
  conductorTaskStatus,
  DefinitionGraph,
  graphOf,
  isFromDefinition,
  isQueuedKind,
  isRetriableTaskStatus,
  isSuccessfulTaskStatus,
  isTerminalTaskStatus,
  nextInList,
  ResumeStep,
  mapWorkflowTasks,
  StatusQualifiers,
  SystemTaskType,
  Task,
  TaskEventType,
  TaskList,
  TaskNode,
  TaskStatus,
  traitsOf,
  Workflow,
  Compensation,
  Removal,
  WorkflowDef,
  WorkflowEventType,
  WorkflowStatus,
  WorkflowTask,
  withoutDefinitionParts,
} from '@app/contracts';
import type { Decision, EngineCommand, Rejection } from './commands';
import type { Evaluators } from './evaluators';
import { expressionDocument } from './expression-document';
import { resolveParameters } from './expressions';
import { advanceInGraph, enterGraph, graphEnded, isGraphList } from './graph-flow';
import { handlerFor } from './handlers/registry';
import { NO_TASK_DEFS, queueNameOf, retryDelayMs, TaskDefLookup, taskDefOf } from './task-defs';
import { failureWorkflowIdFor, taskIdFor } from './task-ids';
import { TimerKind, timerIdOf } from './timers';
import { baseRefOf, latestByRef, latestTaskOf, loopRefOf, nextSeq, WorkflowRun } from './workflow-run';

/** How a workflow task is being scheduled: for the first time, or as a retry of a failed attempt. */
export interface ScheduleOptions {
  /** The attempt this one retries, if any. */
  readonly retryOf?: Readonly<Task>;
  /** Extra delay before the task may run (retry backoff), in ms. */
  readonly delayMs?: number;
  /** The task's input as given (a rerun's `taskInput`), instead of its inputParameters resolved. */
  readonly inputData?: Record<string, unknown>;
}

/** How an attempt failed, and what may follow. */
export interface Failure {
  readonly status: typeof TaskStatus.Failed | typeof TaskStatus.FailedWithTerminalError | typeof TaskStatus.TimedOut | typeof TaskStatus.Canceled;
  readonly reason?: string;
  /**
   * false: the attempt may not be retried whatever its definition says, nor tolerated as optional — it
   * ends the workflow (a TIME_OUT_WF timeout).
   */
  readonly retry?: boolean;
  /** Extra fields to record on the failed attempt (output, worker). */
  readonly patch?: Partial<Task>;
  /** The lifecycle event of the failure when it is not the start's (a task with phases failed in its monitor phase). */
  readonly event?: TaskEventType;
}

/** The statuses a workflow retry gives a new attempt (or, for a JOIN or DO_WHILE, reopens). */
const RETRIED_ON_RETRY = new Set<string>([TaskStatus.Failed, TaskStatus.FailedWithTerminalError, TaskStatus.TimedOut, TaskStatus.Canceled]);
/** Operators a retry takes up again where they stood, instead of starting them over. */
const REOPENED_ON_RETRY = new Set<string>([SystemTaskType.Join, SystemTaskType.ExclusiveJoin, SystemTaskType.DoWhile]);

/** Bounds the settle loop: each round must complete a task, so a definition this size never reaches it. */
const MAX_SETTLE_ROUNDS = 10_000;

/**
 * One decision in the making: the state so far and the commands that will carry it out, with the moves
 * every task type is made of (schedule a workflow task, complete or fail an attempt, advance the flow,
 * set a timer, end the workflow). Handlers (one module per task type) drive it; nothing here knows a
 * task type beyond its catalogue traits. Objects are replaced, never mutated: the shell writes what
 * changed by comparing identities.
 */
export class Kernel {
  private workflowEvent: WorkflowEventType | null = null;
  private readonly commandList: EngineCommand[] = [];
  private definitionGraph: DefinitionGraph;
  /** Sequence numbers of tasks dropped in this decision: new tasks number after them (their ids never come back). */
  private seqFloor = 0;
  /** Tasks this decision dropped that events had announced: the workflow event says so, for search. */
  private readonly droppedTaskIds: string[] = [];

  constructor(
    private readonly original: WorkflowRun,
    private current: WorkflowRun,
    readonly now: number,
    /** Users' scripts (JavaScript conditions, INLINE, jq), sandboxed and synchronous. */
    readonly evaluators: Evaluators,
    /** The registered task definitions, for tasks given at run time. */
    readonly taskDefs: TaskDefLookup = NO_TASK_DEFS,
  ) {
    this.definitionGraph = graphOf(current.workflow.workflowDefinition);
  }

  get run(): WorkflowRun {
    return this.current;
  }

  get workflow(): WorkflowRun['workflow'] {
    return this.current.workflow;
  }

  get graph(): DefinitionGraph {
    return this.definitionGraph;
  }

  get definition(): WorkflowDef {
    return this.current.workflow.workflowDefinition;
  }

  /** The flow moves: tasks are scheduled, timers act, the workflow can end. */
  get isRunning(): boolean {
    return this.current.workflow.status === WorkflowStatus.Running;
  }

  /** Held by an operator: what happens to tasks in flight is recorded, and what would follow waits for the resume. */
  get isPaused(): boolean {
    return this.current.workflow.status === WorkflowStatus.Paused;
  }

  /** Not ended (RUNNING or PAUSED): facts about its tasks are still recorded. */
  get isActive(): boolean {
    return this.isRunning || this.isPaused;
  }

  // ---- state ----------------------------------------------------------------------------------------

  task(taskId: string): Readonly<Task> | undefined {
    return this.current.tasks.find((t) => t.taskId === taskId);
  }

  private originalTasks?: Map<string, Readonly<Task>>;

  /** Whether this decision created or changed the attempt (state objects are replaced, never mutated). */
  changedNow(task: Readonly<Task>): boolean {
    this.originalTasks ??= new Map(this.original.tasks.map((t) => [t.taskId, t]));
    return this.originalTasks.get(task.taskId) !== task;
  }

  /**
   * The newest attempt of a reference name. A task inside a DO_WHILE is named `<ref>__<iteration>`: asked
   * for `<ref>`, this is its newest instance, i.e. the current iteration's (as Conductor's expressions and
   * joins see it).
   */
  latest(ref: string): Readonly<Task> | undefined {
    return latestTaskOf(this.current.tasks, ref);
  }

  /**
   * The definition node a task instance was scheduled from: in the run's definition, or — for a task
   * given at run time (a dynamic fork's branch) — in the graph of the WorkflowTask it carries.
   */
  nodeOf(task: Readonly<Task>): TaskNode {
    const node =
      this.graph.byRef.get(task.referenceTaskName) ??
      (task.loopOverTask ? this.graph.byRef.get(baseRefOf(task.referenceTaskName)) : undefined) ??
      this.dynamicNodes().get(task.referenceTaskName) ??
      (task.loopOverTask ? this.dynamicNodes().get(baseRefOf(task.referenceTaskName)) : undefined);
    // A run pins its definition, so every task's reference is in it; anything else is a corrupt run.
    if (!node) throw new Error(`task ${task.taskId} (${task.referenceTaskName}) is not in the definition of ${this.workflow.workflowId}`);
    return node;
  }

  private dynamic?: Map<string, TaskNode>;

  /** Nodes of the WorkflowTasks given at run time, by reference (built from the run once per decision). */
  private dynamicNodes(): Map<string, TaskNode> {
    if (this.dynamic) return this.dynamic;
    this.dynamic = new Map();
    for (const t of this.current.tasks) {
      if (!t.workflowTask || this.dynamic.has(t.workflowTask.taskReferenceName) || isFromDefinition(t, this.definition)) continue;
      this.indexDynamic(t.workflowTask, this.forkOf(t.workflowTask.taskReferenceName));
    }
    return this.dynamic;
  }

  /** The definition node of the dynamic fork that made the branch `ref` (the FORK that recorded it in `forkedTasks`). */
  private forkOf(ref: string): TaskNode | undefined {
    for (const t of this.current.tasks) {
      const forked = t.workflowTask?.type === SystemTaskType.ForkJoinDynamic ? t.inputData.forkedTasks : undefined;
      if (Array.isArray(forked) && forked.includes(ref)) return this.graph.byRef.get(t.loopOverTask ? baseRefOf(t.referenceTaskName) : t.referenceTaskName);
    }
    return undefined;
  }

  private indexDynamic(wt: WorkflowTask, fork: TaskNode | undefined): TaskNode {
    const graph = buildDefinitionGraph([wt], `dynamic(${wt.taskReferenceName})`, fork);
    for (const node of graph.all) if (node.ref && !this.dynamic!.has(node.ref)) this.dynamic!.set(node.ref, node);
    return graph.root.nodes[0];
  }

  /**
   * Schedules a WorkflowTask given at run time (a dynamic fork's branch): it runs as if the definition
   * held it, in a list of its own under the fork (what follows it is nothing; a JOIN notices its end),
   * so inside a DO_WHILE it is the current iteration's (`<ref>__<n>`).
   */
  scheduleDynamic(wt: WorkflowTask, fork: TaskNode): void {
    this.dynamicNodes();
    // As the definition's tasks got theirs at start: the task definition registered under each task's
    // name, unless it carries one. The branch's row keeps it, so its retries and timeouts stay as begun.
    const withDefs = mapWorkflowTasks({ name: '', tasks: [wt] } as WorkflowDef, (t) => {
      const registered = !t.taskDefinition && !traitsOf(t.type).controlFlow ? this.taskDefs(t.name) : undefined;
      return registered ? { ...t, taskDefinition: registered } : t;
    }).tasks[0];
    this.schedule(this.indexDynamic(withDefs, fork));
  }

  /** The DO_WHILE task instance whose current iteration a node inside its loop belongs to. */
  enclosingLoop(node: TaskNode): Readonly<Task> | undefined {
    for (let owner = node.list.owner; owner; owner = owner.list.owner) {
      if (owner.type === SystemTaskType.DoWhile && owner.ref) return this.latest(owner.ref);
    }
    return undefined;
  }

  /**
   * For `ms` from now the owner notifies each commit of this workflow (NotificationChannel.WorkflowChanges):
   * a caller waits on it (`execute`, `signal/sync`) or a change stream follows it (and asks again while it
   * does). Engine-internal, not a change of the workflow: its updateTime stays, so looking at a workflow
   * does not move it in search. A watch already running longer is kept.
   */
  watchChanges(ms: number): void {
    const until = this.now + ms;
    if ((this.current.workflow.notifyUntil ?? 0) >= until) return;
    this.current = { ...this.current, workflow: { ...this.current.workflow, notifyUntil: until } };
  }

  setWorkflow(patch: Partial<Omit<Workflow, 'tasks'>>): void {
    this.current = { ...this.current, workflow: { ...this.current.workflow, ...patch, updateTime: this.now } };
  }

  command(...commands: EngineCommand[]): void {
    this.commandList.push(...commands);
  }

  /** Adds a new task instance and emits the lifecycle event it was created with. */
  /** References of the tasks skipped ahead of time (skiptask): looked up once per decision, kept as tasks are added. */
  private skipped?: Set<string>;
  private skippedRefs(): Set<string> {
    this.skipped ??= new Set(this.current.tasks.filter((t) => t.status === TaskStatus.Skipped).map((t) => t.referenceTaskName));
    return this.skipped;
  }

  addTask(created: Task, eventType: TaskEventType): Readonly<Task> {
    const task: Task = hasPhases(created) ? { ...created, phase: created.phase ?? 'start', phaseStatus: eventType, phaseHistory: [{ event: eventType, time: this.now }] } : created;
    this.current = { ...this.current, tasks: [...this.current.tasks, task] };
    if (task.status === TaskStatus.Skipped) this.skipped?.add(task.referenceTaskName);
    this.command({ type: 'emit.task', eventType, taskId: task.taskId });
    // An asynchronous system task starts when it is scheduled (a worker task starts at its lease): its
    // timeoutSeconds runs from now.
    const timeoutSeconds = taskDefOf(task.workflowTask).timeoutSeconds;
    if (task.status === TaskStatus.InProgress && timeoutSeconds > 0 && traitsOf(task.workflowTask.type).kind === 'async') {
      this.setTimer(TimerKind.TaskTimeout, this.now + timeoutSeconds * 1000, task.taskId);
    }
    return task;
  }

  /**
   * Moves a task through a lifecycle event: its Conductor status is the event's projection
   * (`conductorTaskStatus`, the one mapping there is), and the event is emitted.
   */
  transition(taskId: string, eventType: TaskEventType, patch: Partial<Task> = {}, q: StatusQualifiers = {}, record: boolean | { readonly reason?: string } = true): Readonly<Task> {
    const current = this.task(taskId);
    if (!current) throw new Error(`no task ${taskId} in ${this.workflow.workflowId}`);
    const status = conductorTaskStatus(eventType, q) ?? current.status;
    // A task with phases keeps its lifecycle: the last event (SipRS's status) and every event in order.
    const reason = typeof record === 'object' ? record.reason : patch.reasonForIncompletion;
    const phased =
      record && hasPhases(current)
        ? { phaseStatus: eventType, phaseHistory: [...(current.phaseHistory ?? []), { event: eventType, time: this.now, ...(eventType.endsWith('.failed') && reason ? { reason } : {}) }] }
        : {};
    const updated: Task = { ...current, ...patch, ...phased, status, updateTime: this.now };
    this.current = { ...this.current, tasks: this.current.tasks.map((t) => (t.taskId === taskId ? updated : t)) };
    this.command({ type: 'emit.task', eventType, taskId });
    return updated;
  }

  /**
   * Drops ended tasks from the run (a DO_WHILE keeping only its last iterations): they leave the state,
   * and with it the database. Nothing that is still running may be dropped.
   */
  dropTasks(taskIds: ReadonlySet<string>): void {
    if (!taskIds.size) return;
    for (const t of this.current.tasks) {
      if (taskIds.has(t.taskId) && !isTerminalTaskStatus(t.status)) throw new Error(`task ${t.taskId} is ${t.status}: only ended tasks can be dropped`);
    }
    for (const t of this.current.tasks) if (taskIds.has(t.taskId)) this.seqFloor = Math.max(this.seqFloor, t.seq);
    // Tasks created and dropped within this decision were never announced: only the others leave search.
    const announced = new Set(this.original.tasks.map((t) => t.taskId));
    for (const id of taskIds) if (announced.has(id)) this.droppedTaskIds.push(id);
    this.current = { ...this.current, tasks: this.current.tasks.filter((t) => !taskIds.has(t.taskId)) };
  }

  /** Records a change that is no lifecycle step (output so far, a heartbeat's worker). */
  patchTask(taskId: string, patch: Partial<Task>): Readonly<Task> {
    // Not a lifecycle step: emitted (the indexer sees the change) but kept out of a task's phase history.
    return this.transition(taskId, 'monitor.success', patch, {}, false);
  }

  // ---- building tasks -------------------------------------------------------------------------------

  /**
   * A new task instance for a workflow task, with the fields every type shares; the handler says what
   * differs (type, status, output). Inputs are resolved against the run as it is now.
   */
  newTask(node: TaskNode, opts: ScheduleOptions, fields: Partial<Task> & Pick<Task, 'status'>): Task {
    const wt = node.task;
    const def = taskDefOf(wt);
    const seq = Math.max(nextSeq(this.current), this.seqFloor + 1);
    const kind = traitsOf(wt.type).kind;
    const worker = kind === 'worker';
    const queued = isQueuedKind(kind);
    // Inside a loop, each iteration's instance is named `<ref>__<iteration>` (Conductor's TaskUtils).
    const loop = this.enclosingLoop(node);
    return {
      taskType: worker ? wt.name : (wt.type ?? SystemTaskType.Simple),
      inputData: opts.inputData ?? this.inputsOf(wt),
      referenceTaskName: loop ? loopRefOf(wt.taskReferenceName, loop.iteration) : wt.taskReferenceName,
      retryCount: opts.retryOf ? opts.retryOf.retryCount + 1 : 0,
      seq,
      correlationId: this.workflow.correlationId,
      pollCount: 0,
      taskDefName: wt.name,
      scheduledTime: this.now,
      startTime: 0,
      endTime: 0,
      updateTime: this.now,
      startDelayInSeconds: wt.startDelay ?? 0,
      retriedTaskId: opts.retryOf?.taskId,
      retried: false,
      executed: false,
      callbackFromWorker: queued,
      responseTimeoutSeconds: def.responseTimeoutSeconds,
      workflowInstanceId: this.workflow.workflowId,
      workflowType: this.workflow.workflowName,
      taskId: taskIdFor(this.workflow.workflowId, seq),
      callbackAfterSeconds: 0,
      outputData: {},
      workflowTask: wt,
      workflowPriority: this.workflow.priority,
      iteration: loop?.iteration ?? 0,
      queueWaitTime: 0,
      loopOverTask: !!loop,
      ...(queued ? { taskDefinition: def } : {}),
      // A worker task runs in the domain the workflow's taskToDomain gives its type: polled from that domain's queue.
      ...(worker && domainOf(this.workflow.taskToDomain, wt.name) ? { domain: domainOf(this.workflow.taskToDomain, wt.name) } : {}),
      ...fields,
    };
  }

  /** Parameters resolved against the run as inputParameters are (`${…}` expressions). */
  resolveInputs(params: Record<string, unknown>): Record<string, unknown> {
    return resolveParameters(params, expressionDocument(this.current));
  }

  /** A workflow task's inputParameters resolved against the run, with its task definition's inputTemplate as defaults. */
  inputsOf(wt: WorkflowTask): Record<string, unknown> {
    const input = resolveParameters(wt.inputParameters ?? {}, expressionDocument(this.current));
    const template = wt.taskDefinition?.inputTemplate;
    for (const [k, v] of Object.entries(template ?? {})) if (input[k] === undefined || input[k] === null) input[k] = v;
    return input;
  }

  // ---- flow -----------------------------------------------------------------------------------------

  /** Schedules a workflow task through its type's handler. */
  schedule(node: TaskNode, opts: ScheduleOptions = {}): void {
    if (!this.isRunning) return;
    // A task skipped ahead of time (skiptask) is passed over: the flow goes on after it.
    const skipped = node.ref && !opts.retryOf && this.skippedRefs().has(node.ref) ? this.latest(node.ref) : undefined;
    if (skipped?.status === TaskStatus.Skipped) return this.advance(skipped);
    handlerFor(node.type).schedule(this, node, opts);
  }

  /** Schedules the first task of a list (the first tasks of a graph), or reports the (empty) list as ended. */
  enterList(list: TaskList): void {
    if (isGraphList(this, list)) return enterGraph(this);
    const first = list.nodes[0];
    if (first) this.schedule(first);
    else this.listEnded(list);
  }

  /** The task's workflow task is done (completed, skipped or tolerated): run what follows it. */
  advance(task: Readonly<Task>): void {
    if (this.isPaused) return this.putOff({ kind: 'advance', taskId: task.taskId });
    if (!this.isRunning) return;
    const node = this.nodeOf(task);
    if (isGraphList(this, node.list)) return advanceInGraph(this, node, task);
    const next = nextInList(node);
    if (next) this.schedule(next);
    else this.listEnded(node.list);
  }

  /** Every task of a list ran: its owner decides what follows (the workflow's own list ends in `settle`). */
  private listEnded(list: TaskList): void {
    if (!list.owner?.ref) return;
    const owner = this.latest(list.owner.ref);
    if (owner) handlerFor(list.owner.type).onListEnded?.(this, owner, list);
  }

  /**
   * Completes an attempt and advances the flow. `withErrors`: it completed over failures it tolerates (a
   * JOIN whose optional tasks failed) and is COMPLETED_WITH_ERRORS — the projection of a tolerated failure.
   */
  completeTask(task: Readonly<Task>, patch: Partial<Task> = {}, { withErrors = false, event }: { withErrors?: boolean; event?: TaskEventType } = {}): Readonly<Task> {
    const fields = { endTime: this.now, executed: true, ...patch };
    // What the type does with the result before it counts (a Rill task maps its output into the context);
    // a result it cannot take fails the attempt instead.
    const refused = withErrors ? undefined : handlerFor(task.workflowTask.type).onCompleting?.(this, { ...task, ...fields });
    if (refused) {
      this.failTask(task, { status: TaskStatus.Failed, reason: refused, patch: { ...patch, reasonForIncompletion: refused } });
      return this.task(task.taskId) as Readonly<Task>;
    }
    const done = event
      ? this.transition(task.taskId, event, fields, { ends: true })
      : withErrors
        ? this.transition(task.taskId, 'start.failed', fields, { optional: true })
        : this.transition(task.taskId, 'start.success', fields);
    this.release(done);
    this.advance(done);
    return done;
  }

  /**
   * Records a failed attempt, then retries it (a new attempt, after the definition's backoff), tolerates
   * it (an optional task completes with errors and the flow goes on) or ends the workflow, as Conductor's
   * decider does. Control-flow operators are never retried.
   */
  failTask(task: Readonly<Task>, failure: Failure): void {
    const node = this.nodeOf(task);
    const wt = node.task;
    const def = taskDefOf(wt);
    const canceled = failure.status === TaskStatus.Canceled;
    const delayMs = retryDelayMs(def, task.retryCount, task.taskId);
    const willRetry =
      failure.retry !== false &&
      !traitsOf(wt.type).controlFlow &&
      isRetriableTaskStatus(failure.status) &&
      task.retryCount < (wt.retryCount ?? def.retryCount) &&
      withinTotalTimeout(this.current.tasks, task, def.totalTimeoutSeconds, this.now + delayMs);
    const tolerated = !canceled && !willRetry && failure.retry !== false && !!wt.optional;
    // Permissive (not optional): the failure stands, but the flow goes on; the workflow fails at its end
    // (or at the JOIN that waits for it), as Conductor's does.
    const permitted = !canceled && !willRetry && !tolerated && failure.retry !== false && !!wt.permissive;
    const eventType: TaskEventType = failure.event ?? (canceled ? 'cancel.success' : failure.status === TaskStatus.TimedOut && !tolerated ? 'monitor.failed' : 'start.failed');
    const failed = this.transition(
      task.taskId,
      eventType,
      { endTime: this.now, executed: true, retried: willRetry, reasonForIncompletion: failure.reason ?? task.reasonForIncompletion, ...failure.patch },
      { nonRetriable: failure.status === TaskStatus.FailedWithTerminalError, optional: tolerated, reported: failure.event === 'monitor.failed' && failure.status !== TaskStatus.TimedOut },
    );
    this.release(failed);
    const then = willRetry ? 'retry' : tolerated || permitted ? 'advance' : 'end';
    // Debug mode: a task that fails for good holds the workflow at it (no rollback, no end) for an operator
    // to inspect, re-run a phase of, and resume — which carries the failure out unless the re-run mended it.
    if (then === 'end' && this.workflow.runMode === 'debug' && this.isRunning && failure.retry !== false) this.pauseWorkflow();
    // Paused: the failure is recorded; what it leads to waits for the resume.
    if (this.isPaused) return this.putOff({ kind: 'failed', taskId: failed.taskId, then, delayMs });
    this.afterFailure(failed, then, delayMs);
  }

  /** What a recorded failure leads to: its retry (after `delayMs`), the flow going on past it, or the end of the workflow. */
  afterFailure(failed: Readonly<Task>, then: 'retry' | 'advance' | 'end', delayMs: number): void {
    if (then === 'retry') {
      // A worker task waits out its backoff in the queue (the row's visibility time); a system task has no
      // queue row, so its next attempt is created when a retry timer fires.
      const node = this.nodeOf(failed);
      if (delayMs > 0 && !isQueuedKind(traitsOf(node.type).kind)) this.setTimer(TimerKind.Retry, this.now + delayMs, failed.taskId);
      else this.schedule(node, { retryOf: failed, delayMs });
    } else if (then === 'advance') {
      this.advance(failed);
    } else {
      const status = failed.status === TaskStatus.Canceled ? WorkflowStatus.Terminated : failed.status === TaskStatus.TimedOut ? WorkflowStatus.TimedOut : WorkflowStatus.Failed;
      this.endWorkflow(
        status,
        {
          reasonForIncompletion: failed.reasonForIncompletion ?? `Task ${failed.referenceTaskName} ended ${failed.status}`,
          failedReferenceTaskNames: [...new Set([...this.permissiveFailures().map((t) => t.referenceTaskName), failed.referenceTaskName])],
          failedTaskNames: [...new Set([...this.permissiveFailures().map((t) => t.taskDefName), failed.taskDefName])],
        },
        { failureWorkflow: true, failedTaskId: failed.taskId },
      );
    }
  }

  /**
   * What an ended attempt held: its queue row, its timers, and a child workflow still running (the task
   * timed out or the parent is ending; a child that ended by itself is left alone).
   */
  private release(task: Readonly<Task>, timers = true): void {
    if (isQueuedKind(traitsOf(task.workflowTask.type).kind)) this.command({ type: 'queue.remove', taskId: task.taskId });
    if (timers) for (const kind of timerKindsOf(task)) this.cancelTimer(kind, task.taskId);
    for (const child of childrenOf(task)) {
      if (!this.endedChildren.has(child)) this.command({ type: 'child.terminate', childWorkflowId: child, reason: `Parent task ${task.referenceTaskName} (${task.taskId}) ended ${task.status}` });
    }
  }

  /** Child workflows known to have ended (their notice is what is being decided): nothing to terminate. */
  private readonly endedChildren = new Set<string>();

  childHasEnded(childWorkflowId: string): void {
    this.endedChildren.add(childWorkflowId);
  }

  // ---- timers ---------------------------------------------------------------------------------------

  setTimer(kind: TimerKind, dueAt: number, taskId?: string): void {
    this.command({ type: 'timer.set', timerId: timerIdOf(kind, taskId ?? this.workflow.workflowId), kind, taskId, dueAt });
  }

  cancelTimer(kind: TimerKind, ownerId: string): void {
    this.command({ type: 'timer.cancel', timerId: timerIdOf(kind, ownerId) });
  }

  // ---- the workflow ---------------------------------------------------------------------------------

  /**
   * Runs an ended workflow again from its first task, as Conductor's restart does: its tasks are dropped
   * (new ones are numbered after them, so no task, child or message id comes back), its output, reason and
   * end cleared, its variables back to the definition's — the given one (the latest, on request), else the
   * one it pinned. Same id, input and correlation.
   */
  restartWorkflow(definition: WorkflowDef | undefined): void {
    this.dropTasks(new Set(this.current.tasks.map((t) => t.taskId)));
    const def = definition ?? this.definition;
    if (definition) this.definitionGraph = graphOf(definition);
    this.setWorkflow({
      status: WorkflowStatus.Running,
      output: {},
      reasonForIncompletion: undefined,
      endTime: undefined,
      failedReferenceTaskNames: [],
      failedTaskNames: [],
      variables: { ...(def.variables ?? {}) },
      workflowDefinition: def,
      workflowVersion: def.version ?? 1,
      startTime: this.now,
      compensation: undefined,
    });
    this.startWorkflow();
  }

  /**
   * Conductor's rerun of an ended workflow from one of its tasks: that task and every task after it are
   * dropped (new ones number after them, so no id comes back), the workflow runs again with the given
   * input and correlation id, and the task is scheduled anew — with `taskInput` as its input when given.
   * Without a task, the workflow runs again from its first task (a restart with new input).
   */
  rerunWorkflow(from: Readonly<Task> | undefined, rerun: { readonly workflowInput?: Record<string, unknown>; readonly taskInput?: Record<string, unknown>; readonly correlationId?: string }): void {
    this.setWorkflow({
      ...(rerun.workflowInput ? { input: rerun.workflowInput } : {}),
      ...(rerun.correlationId !== undefined ? { correlationId: rerun.correlationId } : {}),
    });
    if (!from) return this.restartWorkflow(undefined);
    const node = this.nodeOf(from);
    this.dropTasks(new Set(this.current.tasks.filter((t) => t.seq >= from.seq).map((t) => t.taskId)));
    this.setWorkflow({ status: WorkflowStatus.Running, output: {}, reasonForIncompletion: undefined, endTime: undefined, failedReferenceTaskNames: [], failedTaskNames: [], compensation: undefined });
    this.workflowEvent = 'workflow.updated';
    const timeoutSeconds = this.definition.timeoutSeconds ?? 0;
    if (timeoutSeconds > 0) this.setTimer(TimerKind.WorkflowTimeout, this.now + timeoutSeconds * 1000);
    this.schedule(node, rerun.taskInput ? { inputData: rerun.taskInput } : {});
  }

  /**
   * Conductor's retry of an ended workflow: the operators it ended with (a JOIN, a DO_WHILE cancelled
   * when the workflow ended) go back to IN_PROGRESS, and every other task whose last attempt ended
   * unsuccessfully — failed, timed out, cancelled — gets a new attempt (a new id, retryCount + 1); the
   * workflow runs on from there. False when there is nothing to retry.
   */
  retryWorkflow(resumeSubworkflows = false): boolean {
    const last = [...latestByRef(this.current.tasks).values()].filter((t) => RETRIED_ON_RETRY.has(t.status)).sort((a, b) => a.seq - b.seq);
    if (!last.length) return false;
    this.setWorkflow({ status: WorkflowStatus.Running, reasonForIncompletion: undefined, endTime: undefined, failedReferenceTaskNames: [], failedTaskNames: [] });
    this.workflowEvent = 'workflow.updated';
    const timeoutSeconds = this.definition.timeoutSeconds ?? 0;
    if (timeoutSeconds > 0) this.setTimer(TimerKind.WorkflowTimeout, this.now + timeoutSeconds * 1000);
    const reopened = last.filter((t) => t.status === TaskStatus.Canceled && REOPENED_ON_RETRY.has(t.workflowTask?.type ?? ''));
    for (const t of reopened) this.transition(t.taskId, 'start.begin', { endTime: 0, reasonForIncompletion: undefined });
    // resumeSubworkflowTasks: a SUB_WORKFLOW task whose child ran is taken up again, and the child retried
    // in place; it tells this task when it ends, as it did the first time.
    const resumed = resumeSubworkflows ? last.filter((t) => t.workflowTask?.type === SystemTaskType.SubWorkflow && t.subWorkflowId) : [];
    for (const t of resumed) {
      this.transition(t.taskId, 'start.begin', { endTime: 0, reasonForIncompletion: undefined });
      this.command({ type: 'child.retry', childWorkflowId: t.subWorkflowId as string });
    }
    for (const t of last) {
      if (reopened.includes(t) || resumed.includes(t)) continue;
      const retried = this.patchTask(t.taskId, { retried: true });
      this.schedule(this.nodeOf(retried), { retryOf: retried });
    }
    return true;
  }

  startWorkflow(): void {
    this.workflowEvent = 'workflow.started';
    const timeoutSeconds = this.definition.timeoutSeconds ?? 0;
    if (timeoutSeconds > 0) this.setTimer(TimerKind.WorkflowTimeout, this.now + timeoutSeconds * 1000);
    this.enterList(this.graph.root);
  }

  /**
   * Ends the workflow: everything still running is cancelled, its timers go, a parent hears of it. With
   * `failureWorkflow` (a failure, not a TERMINATE task or a terminate from outside), the definition's
   * failureWorkflow is started too, as Conductor's terminateWorkflow does.
   */
  endWorkflow(status: WorkflowStatus, patch: Partial<Omit<Workflow, 'tasks'>> = {}, failure?: { readonly failureWorkflow: true; readonly failedTaskId?: string }): void {
    if (!this.isActive) return;
    // Saga compensation: a failing workflow that asks for it rolls its completed tasks back first.
    if (failure && status !== WorkflowStatus.Completed && this.definition.rollbackOnFailure && !this.workflow.compensation && this.compensate(status, patch, failure.failedTaskId)) return;
    // Nothing may keep running for a workflow that has ended.
    for (const t of this.current.tasks) {
      if (isTerminalTaskStatus(t.status)) continue;
      // Terminated: a task a worker is at, of a definition that implements `cancel`, is told to stop — it
      // ends CANCELED when its worker says it stopped (or could not).
      if (status === WorkflowStatus.Terminated && t.status === TaskStatus.InProgress && t.phase !== 'cancel' && implementsPhase(taskDefOf(t.workflowTask), 'cancel')) {
        for (const kind of timerKindsOf(t)) this.cancelTimer(kind, t.taskId);
        this.beginPhase(t, 'cancel');
        continue;
      }
      if (t.phase === 'cancel') continue; // being cancelled by its worker
      // timer.cancel-all below takes every timer of the workflow.
      this.release(this.transition(t.taskId, 'cancel.success', { endTime: this.now }), false);
    }
    this.command({ type: 'timer.cancel-all' });
    // A workflow that ends within its first decision still announces its start.
    if (this.workflowEvent === 'workflow.started') this.command({ type: 'emit.workflow', eventType: 'workflow.started' });
    this.setWorkflow({ ...patch, status, endTime: this.now, onResume: undefined });
    if (failure && status !== WorkflowStatus.Completed) this.startFailureWorkflow(status, failure.failedTaskId);
    this.workflowEvent =
      status === WorkflowStatus.Completed ? 'workflow.completed' : status === WorkflowStatus.Terminated ? 'workflow.terminated' : 'workflow.failed';
    const w = this.current.workflow;
    if (w.parentWorkflowId && w.parentWorkflowTaskId) {
      this.command({
        type: 'parent.notify',
        parent: { workflowId: w.parentWorkflowId, taskId: w.parentWorkflowTaskId },
        status,
        output: w.output,
        reasonForIncompletion: w.reasonForIncompletion,
      });
    }
    const rill = this.definition.rill;
    if (rill?.callbackUrl) {
      const dagStatus = status === WorkflowStatus.Completed ? 'succeed' : 'failed';
      const body = { execution_id: w.correlationId ?? w.workflowId, descriptor_id: rill.descriptorId, dag_status: dagStatus, context: w.variables ?? {}, ...(w.reasonForIncompletion ? { message: w.reasonForIncompletion } : {}) };
      this.command({ type: 'callback.send', url: rill.callbackUrl, body });
    }
  }

  /**
   * Starts the definition's failureWorkflow, if it names one, with Conductor's input: the failed run's
   * input plus `workflowId`, `reason`, `failureStatus`, `failureTaskId` and `failedWorkflow` (the run as it
   * ended, its tasks included). Its id — derived from the failed run's, so a decision made again starts it
   * once — is recorded in the output as `conductor.failure_workflow`.
   */
  private startFailureWorkflow(status: WorkflowStatus, failedTaskId?: string): void {
    const name = this.definition.failureWorkflow?.trim();
    if (!name) return;
    const w = this.current.workflow;
    const failureWorkflowId = failureWorkflowIdFor(w.workflowId);
    const { workflowDefinition: _definition, ...failedWorkflow } = w;
    this.command({
      type: 'child.start',
      childWorkflowId: failureWorkflowId,
      name,
      ...(typeof this.definition.failureWorkflowVersion === 'number' ? { version: this.definition.failureWorkflowVersion } : {}),
      input: {
        ...w.input,
        workflowId: w.workflowId,
        reason: w.reasonForIncompletion,
        failureStatus: status,
        ...(failedTaskId ? { failureTaskId: failedTaskId } : {}),
        failedWorkflow: { ...failedWorkflow, tasks: this.current.tasks.map((t) => withoutDefinitionParts(t)) },
      },
      correlationId: w.correlationId,
      priority: w.priority,
      taskToDomain: w.taskToDomain,
    });
    this.setWorkflow({ output: { ...w.output, 'conductor.failure_workflow': failureWorkflowId } });
  }


  // ---- raised events (Dapr) -------------------------------------------------------------------------------

  /** The name of the event a WAIT or HUMAN task waits for (`inputParameters.eventName`), if it names one. */
  static eventNameOf(task: Readonly<Task>): string | undefined {
    const name = task.inputData?.eventName;
    return typeof name === 'string' && name ? name : undefined;
  }

  /** An event raised for the workflow: the oldest task waiting for it completes with its data; else it is kept. */
  raiseEvent(name: string, data: Record<string, unknown>): void {
    const waiting = this.current.tasks.find(
      (t) => t.status === TaskStatus.InProgress && (t.workflowTask.type === SystemTaskType.Wait || t.workflowTask.type === SystemTaskType.Human) && Kernel.eventNameOf(t) === name,
    );
    if (waiting) {
      this.completeTask(waiting, { outputData: { ...waiting.outputData, ...data } });
      return;
    }
    this.setWorkflow({ raisedEvents: [...(this.current.workflow.raisedEvents ?? []), { name, data, at: this.now }] });
  }

  /** A WAIT or HUMAN task that names an event takes one raised before it waited, if any (the oldest). */
  takeRaisedEvent(task: Readonly<Task>): boolean {
    const name = Kernel.eventNameOf(task);
    const events = this.current.workflow.raisedEvents ?? [];
    const i = name ? events.findIndex((e) => e.name === name) : -1;
    if (i < 0) return false;
    this.setWorkflow({ raisedEvents: events.length > 1 ? [...events.slice(0, i), ...events.slice(i + 1)] : undefined });
    this.completeTask(task, { outputData: { ...task.outputData, ...events[i].data } });
    return true;
  }

  // ---- re-running a phase (SipRS) ----------------------------------------------------------------------

  /**
   * A failed worker task runs its start again under the same id (with `parameters` as its input when
   * given): back to SCHEDULED and its queue. What its failure was to lead to (put off while a debug run is
   * paused) is dropped: the re-run decides anew.
   */
  rerunStart(task: Readonly<Task>, parameters?: Record<string, unknown>): void {
    this.forgetPutOff(task.taskId);
    const again = this.transition(task.taskId, 'produce.success', {
      ...(parameters ? { inputData: parameters } : {}),
      ...(hasPhases(task) ? { phase: 'start' as const } : {}),
      reasonForIncompletion: undefined,
      startTime: 0,
      endTime: 0,
      executed: false,
      retried: false,
      callbackAfterSeconds: 0,
      workerId: undefined,
    });
    const def = taskDefOf(task.workflowTask);
    this.command({ type: 'queue.push', taskId: again.taskId, queueName: queueNameOf(again), taskDefName: again.taskDefName, visibleAt: this.now, priority: this.workflow.priority, leaseMs: def.responseTimeoutSeconds * 1000, pollCount: again.pollCount });
  }

  /** A task's monitoring starts over (`outputs` merged into its output, for the monitor to read). */
  rerunMonitor(task: Readonly<Task>, outputs?: Record<string, unknown>): Readonly<Task> {
    this.forgetPutOff(task.taskId);
    return this.transition(task.taskId, 'monitor.begin', { outputData: { ...task.outputData, ...(outputs ?? {}) }, reasonForIncompletion: undefined, endTime: 0, retried: false }, { continues: true });
  }

  private forgetPutOff(taskId: string): void {
    const steps = this.current.workflow.onResume;
    if (steps?.some((s) => s.kind !== 'timer' && s.taskId === taskId)) this.setWorkflow({ onResume: steps.filter((s) => s.kind === 'timer' || s.taskId !== taskId) });
  }

  // ---- compensation (sagas) -------------------------------------------------------------------------

  get isCompensating(): boolean {
    return this.current.workflow.compensation?.status === 'RUNNING';
  }

  /**
   * A failed workflow's compensation begins: whatever still runs is cancelled, and its completed tasks
   * whose definitions implement `rollback` are rolled back — the latest to complete first, a fork's
   * branches side by side. The workflow stays RUNNING meanwhile, its compensation RUNNING; it ends as it
   * failed once every rollback has run (`finishCompensation`). False when there is nothing to roll back.
   */
  private compensate(status: WorkflowStatus, patch: Partial<Omit<Workflow, 'tasks'>>, failedTaskId: string | undefined): boolean {
    if (!this.rollbackCandidates().length) return false;
    for (const t of this.current.tasks) {
      if (isTerminalTaskStatus(t.status)) continue;
      this.release(this.transition(t.taskId, 'cancel.success', { endTime: this.now }));
    }
    this.setWorkflow({
      compensation: {
        status: 'RUNNING',
        failure: {
          status,
          ...(patch.reasonForIncompletion !== undefined ? { reasonForIncompletion: patch.reasonForIncompletion } : {}),
          failedReferenceTaskNames: patch.failedReferenceTaskNames ?? [],
          failedTaskNames: patch.failedTaskNames ?? [],
          ...(failedTaskId ? { failedTaskId } : {}),
        },
        rolledBack: [],
      },
    });
    this.rollBackWhatIsReady();
    return true;
  }

  /** The tasks a compensation rolls back: completed, and of a definition that implements `rollback`. */
  private rollbackCandidates(): Array<Readonly<Task>> {
    return this.current.tasks.filter((t) => t.status === TaskStatus.Completed && implementsPhase(taskDefOf(t.workflowTask), 'rollback'));
  }

  /** Completed after `t` — later end, or the same end and a later sequence number. */
  private completedAfter(u: Readonly<Task>, t: Readonly<Task>): boolean {
    return u.endTime > t.endTime || (u.endTime === t.endTime && u.seq > t.seq);
  }

  /** Two tasks on different branches of one fork ran side by side: their rollbacks may too. */
  private sideBySide(a: Readonly<Task>, b: Readonly<Task>): boolean {
    const lists = (t: Readonly<Task>) => {
      const chain: TaskList[] = [];
      for (let list: TaskList | undefined = this.nodeOf(t).list; list; list = list.owner?.list) chain.unshift(list);
      return chain;
    };
    const [x, y] = [lists(a), lists(b)];
    let i = 0;
    while (i < x.length && i < y.length && x[i] === y[i]) i++;
    if (i >= x.length || i >= y.length) return false;
    const owner = x[i].owner;
    return !!owner && owner === y[i].owner && (owner.type === SystemTaskType.ForkJoin || owner.type === SystemTaskType.ForkJoinDynamic);
  }

  /** Starts every rollback whose turn has come: each task completed after it, on its own line, is rolled back. */
  private rollBackWhatIsReady(): void {
    if (this.inReverse('rollback', this.rollbackCandidates())) this.finishCompensation('COMPLETED');
  }

  /**
   * Begins `phase` for each candidate whose turn has come — undoing in reverse: a task waits for every
   * candidate completed after it on its own line (a fork's branches are separate lines). True when every
   * candidate has done the phase.
   */
  private inReverse(phase: 'rollback' | 'delete', candidates: ReadonlyArray<Readonly<Task>>): boolean {
    const done = (t: Readonly<Task>) => t.phaseStatus === `${phase}.success`;
    const pending = candidates.filter((t) => !done(t));
    if (!pending.length) return true;
    for (const t of pending) {
      if (t.phaseStatus === `${phase}.begin`) continue; // under way
      const blocked = candidates.some((u) => u !== t && !done(u) && this.completedAfter(u, t) && !this.sideBySide(u, t));
      if (!blocked) this.beginPhase(t, phase);
    }
    return false;
  }

  // ---- removal with delete phases -----------------------------------------------------------------------

  /** The tasks a removal cleans up after: completed, and of a definition that implements `delete`. */
  private deleteCandidates(): Array<Readonly<Task>> {
    return this.current.tasks.filter((t) => t.status === TaskStatus.Completed && implementsPhase(taskDefOf(t.workflowTask), 'delete'));
  }

  /**
   * Removes the workflow from the execution store — once the tasks whose workers implement `delete` have
   * cleaned up after themselves (in reverse order of completion, a fork's branches side by side). A
   * workflow still running is terminated first. Until then it stays, its `removal` RUNNING.
   */
  removeWorkflow(archive: boolean): void {
    if (this.workflow.removal?.status === 'RUNNING') return;
    if (!this.deleteCandidates().some((t) => t.phaseStatus !== 'delete.success')) return this.removeNow(archive);
    if (this.isActive) this.endWorkflow(WorkflowStatus.Terminated, { reasonForIncompletion: this.workflow.reasonForIncompletion ?? 'removed' });
    this.setWorkflow({ removal: { status: 'RUNNING', archive } });
    this.deleteWhatIsLeft();
  }

  private deleteWhatIsLeft(): void {
    if (this.inReverse('delete', this.deleteCandidates())) this.finishRemoval('COMPLETED');
  }

  /** The deletes are over: the workflow goes — or, when one failed for good, stays with its removal FAILED. */
  private finishRemoval(outcome: 'COMPLETED' | 'FAILED', failed?: Readonly<Task>, reason?: string): void {
    const removal = this.workflow.removal as Removal;
    if (outcome === 'COMPLETED') return this.removeNow(removal.archive);
    for (const t of this.current.tasks) {
      if (t.taskId === failed?.taskId || t.phaseStatus !== 'delete.begin') continue;
      this.transition(t.taskId, 'delete.canceled', {});
      this.command({ type: 'queue.remove', taskId: t.taskId });
    }
    this.setWorkflow({ removal: { ...removal, status: 'FAILED', ...(failed ? { failedTaskId: failed.taskId } : {}), ...(reason ? { reason } : {}) } });
  }

  private removeNow(archive: boolean): void {
    for (const t of this.current.tasks) if (!isTerminalTaskStatus(t.status) && isQueuedKind(traitsOf(t.workflowTask.type).kind)) this.command({ type: 'queue.remove', taskId: t.taskId });
    this.command({ type: 'timer.cancel-all' }, { type: 'workflow.remove', archive });
  }

  /**
   * Hands one of a task's own phases (rollback, cancel, delete) to its workers: the task keeps its status
   * (a completed task being rolled back is still COMPLETED) and goes back to its queue with the phase.
   */
  beginPhase(task: Readonly<Task>, phase: AfterPhase, retries = 0, delayMs = 0): void {
    const begun = this.transition(task.taskId, `${phase}.begin`, { phase, phaseRetryCount: retries });
    const def = taskDefOf(task.workflowTask);
    this.command({
      type: 'queue.push',
      taskId: begun.taskId,
      queueName: queueNameOf(begun),
      taskDefName: begun.taskDefName,
      visibleAt: this.now + delayMs,
      priority: this.workflow.priority,
      leaseMs: def.responseTimeoutSeconds * 1000,
      pollCount: begun.pollCount,
    });
  }

  /** A worker did the task's phase: a cancel ends the task CANCELED; a rollback or delete lets what waits on it go on. */
  phaseSucceeded(task: Readonly<Task>): void {
    const phase = task.phase as AfterPhase;
    this.transition(task.taskId, `${phase}.success`, phase === 'cancel' ? { endTime: this.now } : {});
    this.command({ type: 'queue.remove', taskId: task.taskId });
    if (phase === 'rollback') {
      const c = this.workflow.compensation as Compensation;
      this.setWorkflow({ compensation: { ...c, rolledBack: [...c.rolledBack, task.taskId] } });
      this.rollBackWhatIsReady();
    } else if (phase === 'delete') {
      this.deleteWhatIsLeft();
    }
  }

  /**
   * A phase failed: retried per the task's definition; then a rollback fails the compensation, a delete
   * stops the removal (the workflow stays, for an operator to see), and a cancel ends the task CANCELED
   * all the same (its worker could not stop it: the failure is in its lifecycle).
   */
  phaseFailed(task: Readonly<Task>, reason: string, final = false): void {
    const phase = task.phase as AfterPhase;
    const def = taskDefOf(task.workflowTask);
    const retries = task.phaseRetryCount ?? 0;
    const retry = !final && retries < def.retryCount;
    this.transition(task.taskId, `${phase}.failed`, phase === 'cancel' && !retry ? { endTime: this.now } : {}, { ends: phase === 'cancel' && !retry }, { reason });
    this.command({ type: 'queue.remove', taskId: task.taskId });
    if (retry) return this.beginPhase(task, phase, retries + 1, retryDelayMs(def, retries, task.taskId));
    if (phase === 'rollback') this.finishCompensation('FAILED', task, reason);
    else if (phase === 'delete') this.finishRemoval('FAILED', task, reason);
  }

  /**
   * The compensation is over: the workflow ends as it failed, its compensation COMPLETED — or FAILED, with
   * the rollback that failed named (rollbacks still under way on other branches are called off; an
   * operator can run a task's rollback again).
   */
  private finishCompensation(outcome: 'COMPLETED' | 'FAILED', failed?: Readonly<Task>, reason?: string): void {
    const c = this.workflow.compensation as Compensation;
    if (failed) {
      for (const t of this.current.tasks) {
        if (t.taskId === failed.taskId || t.phaseStatus !== 'rollback.begin') continue;
        this.transition(t.taskId, 'rollback.canceled', {});
        this.command({ type: 'queue.remove', taskId: t.taskId });
      }
    }
    this.setWorkflow({ compensation: { ...c, status: outcome, ...(failed ? { failedTaskId: failed.taskId, ...(reason ? { reason } : {}) } : {}) } });
    const f = c.failure;
    const why = failed ? `${f.reasonForIncompletion ?? 'failed'}; compensation failed: the rollback of ${failed.referenceTaskName} failed: ${reason ?? 'no reason given'}` : f.reasonForIncompletion;
    this.endWorkflow(
      f.status,
      { ...(why !== undefined ? { reasonForIncompletion: why } : {}), failedReferenceTaskNames: f.failedReferenceTaskNames, failedTaskNames: f.failedTaskNames },
      { failureWorkflow: true, ...(f.failedTaskId ? { failedTaskId: f.failedTaskId } : {}) },
    );
  }

  /**
   * Conductor's pause: the workflow holds. Tasks already handed out run on (a worker may still poll one
   * already queued) and their results are recorded; everything that would follow waits for the resume.
   */
  pauseWorkflow(): void {
    this.setWorkflow({ status: WorkflowStatus.Paused });
    this.workflowEvent = 'workflow.paused';
  }

  /** The workflow runs again; returns the steps it put off while paused, to be carried out in order. */
  resumeWorkflow(): readonly ResumeStep[] {
    const steps = this.current.workflow.onResume ?? [];
    this.setWorkflow({ status: WorkflowStatus.Running, onResume: undefined });
    this.workflowEvent = 'workflow.resumed';
    return steps;
  }

  /** A step a paused workflow owes: kept on the workflow (it is durable with the decision) until the resume. */
  putOff(step: ResumeStep): void {
    this.setWorkflow({ onResume: [...(this.current.workflow.onResume ?? []), step] });
  }

  /**
   * Runs what can run without waiting for anyone — tasks that re-evaluate (JOIN) — until nothing changes,
   * then completes the workflow once its last task ran and nothing is left pending.
   */
  settle(): void {
    // While a failed workflow is being compensated, nothing of its flow moves.
    if (this.isCompensating) return;
    for (let round = 0; this.isRunning && round < MAX_SETTLE_ROUNDS; round++) {
      let changed = false;
      for (const t of this.current.tasks) {
        if (!this.isRunning) return;
        if (isTerminalTaskStatus(t.status)) continue;
        const evaluate = handlerFor(t.workflowTask.type).evaluate;
        if (evaluate && evaluate(this, this.task(t.taskId) as Readonly<Task>)) changed = true;
      }
      if (!changed) break;
    }
    if (this.isRunning && this.isDone()) this.completeWorkflow();
  }

  private isDone(): boolean {
    if (isGraphList(this, this.graph.root)) return graphEnded(this) && this.current.tasks.every((t) => isTerminalTaskStatus(t.status));
    const last = this.graph.root.nodes[this.graph.root.nodes.length - 1];
    const lastTask = last?.ref ? this.latest(last.ref) : undefined;
    if (!lastTask || !isTerminalTaskStatus(lastTask.status)) return false;
    // A failed last task has ended the workflow already — unless it was permissive (it fails it here).
    if (!isSuccessfulTaskStatus(lastTask.status) && !(lastTask.workflowTask?.permissive && !lastTask.retried)) return false;
    return this.current.tasks.every((t) => isTerminalTaskStatus(t.status));
  }

  private completeWorkflow(): void {
    const outputParameters = this.definition.outputParameters ?? {};
    const lastTask = this.current.tasks.reduce<Readonly<Task> | undefined>((a, t) => (!a || t.seq > a.seq ? t : a), undefined);
    // A Rill Flow DAG's result is its context.
    const output = this.definition.rill
      ? { ...(this.workflow.variables ?? {}) }
      : Object.keys(outputParameters).length
      ? resolveParameters(outputParameters, expressionDocument(this.current))
      : { ...(lastTask?.outputData ?? {}) };
    // A permissive task that failed lets the flow run to its end, and then fails the workflow.
    const [permitted] = this.permissiveFailures();
    if (permitted) {
      return this.endWorkflow(
        WorkflowStatus.Failed,
        {
          output,
          reasonForIncompletion: `Task ${permitted.taskId} failed with status: ${permitted.status} and reason: '${permitted.reasonForIncompletion ?? ''}'`,
          failedReferenceTaskNames: this.permissiveFailures().map((t) => t.referenceTaskName),
          failedTaskNames: this.permissiveFailures().map((t) => t.taskDefName),
        },
        { failureWorkflow: true, failedTaskId: permitted.taskId },
      );
    }
    this.endWorkflow(WorkflowStatus.Completed, { output });
  }

  /** The newest attempts of permissive tasks that failed for good: each fails the workflow in the end. */
  permissiveFailures(): Array<Readonly<Task>> {
    const failures: Array<Readonly<Task>> = [];
    for (const t of latestByRef(this.current.tasks).values()) {
      if (t.workflowTask?.permissive && !t.workflowTask.optional && isTerminalTaskStatus(t.status) && !isSuccessfulTaskStatus(t.status) && !t.retried) failures.push(t);
    }
    return failures.sort((a, b) => a.seq - b.seq);
  }

  finish(rejection?: Rejection): Decision {
    const changed = this.current.workflow !== this.original.workflow;
    const workflowEvent = this.workflowEvent ?? (changed || this.droppedTaskIds.length ? 'workflow.updated' : null);
    const dropped = this.droppedTaskIds.length ? { droppedTaskIds: [...this.droppedTaskIds] } : {};
    const commands = workflowEvent ? [...this.commandList, { type: 'emit.workflow' as const, eventType: workflowEvent, ...dropped }] : this.commandList;
    return rejection ? { state: this.current, commands, rejection } : { state: this.current, commands };
  }
}

/** The timers an attempt may hold, by its definition: what must be cancelled when it ends. */
export function timerKindsOf(task: Readonly<Task>): TimerKind[] {
  const def = taskDefOf(task.workflowTask);
  const kinds: TimerKind[] = [];
  if (def.timeoutSeconds > 0) kinds.push(TimerKind.TaskTimeout);
  if ((def.pollTimeoutSeconds ?? 0) > 0 && isQueuedKind(traitsOf(task.workflowTask.type).kind)) kinds.push(TimerKind.PollTimeout);
  if (task.workflowTask.type === SystemTaskType.Wait) kinds.push(TimerKind.Wait);
  if ((def.monitorTimeoutSeconds ?? 0) > 0 && implementsPhase(def, 'monitor')) kinds.push(TimerKind.MonitorTimeout);
  return kinds;
}

/** The phases a task runs after its start, at the workflow's call: undo it, stop it, clean up after it. */
export type AfterPhase = 'rollback' | 'cancel' | 'delete';

/** Whether the task's definition declares phases: its lifecycle is kept, and its workers are handed its phase. */
export const hasPhases = (task: Pick<Task, 'taskDefinition' | 'workflowTask'>): boolean => !!(task.taskDefinition ?? task.workflowTask?.taskDefinition)?.phases?.length;

/** The latest attempt of each reference (re-exported for handlers). */
export { latestByRef };

/**
 * Whether a retry that would start at `retryAt` is still within the task definition's totalTimeoutSeconds,
 * the budget of all its attempts from the first one's scheduling, retry delays included (0: no budget).
 */
function withinTotalTimeout(tasks: readonly Readonly<Task>[], failed: Readonly<Task>, totalTimeoutSeconds: number | undefined, retryAt: number): boolean {
  if (!totalTimeoutSeconds || totalTimeoutSeconds <= 0) return true;
  let first = failed;
  for (let t: Readonly<Task> | undefined = failed; t; t = t.retriedTaskId ? tasks.find((x) => x.taskId === t!.retriedTaskId) : undefined) first = t;
  return retryAt < first.scheduledTime + totalTimeoutSeconds * 1000;
}

/** The child workflows a task waits on: its type's say (a fan-out's branches), else its one sub-workflow. */
export function childrenOf(task: Readonly<Task>): string[] {
  const children = handlerFor(task.workflowTask.type).childrenOf;
  if (children) return children(task);
  return task.subWorkflowId ? [task.subWorkflowId] : [];
}

import { TaskStatus, WorkflowDef, WorkflowStatus, WorkflowTask } from '@app/contracts';
import { decide } from '../decide';
import type { DeciderEvent } from '../events';
import { childWorkflowIdFor } from '../task-ids';
import type { WorkflowRun } from '../workflow-run';
import { aDefinition, aSimpleTask, aTask, byRef, childEnded, commandsOf, completes, fails, run, shorthand, started, statuses, T0, taskOf, WF_ID, timerFired
} from '../testing/builders';

const aSubWorkflow = (subWorkflowParam: Record<string, unknown>, extra: Partial<WorkflowTask> = {}): WorkflowTask =>
  aTask('SUB_WORKFLOW', 'child', { subWorkflowParam: subWorkflowParam as unknown as WorkflowTask['subWorkflowParam'], inputParameters: { amount: '${workflow.input.amount}', fixed: 'x' }, ...extra });

const byName = aDefinition([
  aSubWorkflow({ name: '${workflow.input.childName}', version: '${workflow.input.childVersion}' }),
  aSimpleTask('after', { receipt: '${child.output.receipt}', childId: '${child.output.subWorkflowId}' }),
]);
const input = { childName: 'payments', childVersion: 3, amount: 12.5 };
const startedWithInput = [T0, started(input, { correlationId: 'order-7', taskToDomain: { charge: 'eu' } })] as const;

/** A child ended, for the newest attempt of `child`: its own child id unless told otherwise. */
const childOf = (status: WorkflowStatus, output: Record<string, unknown> = {}, reason?: string, childId?: string) =>
  byRef('child', (taskId, t) => childEnded(taskId, childId ?? (t.subWorkflowId as string), status, output, reason));

describe('SUB_WORKFLOW', () => {
  it('starts the child with a deterministic id, its name and version resolved, the resolved inputs and a link back', () => {
    const { state, last } = run(byName, [startedWithInput]);

    const task = taskOf(state, 'child');
    const childWorkflowId = childWorkflowIdFor(task.taskId);
    expect(last).toEqual([
      { type: 'emit.task', eventType: 'start.begin', taskId: task.taskId },
      {
        type: 'child.start',
        childWorkflowId,
        name: 'payments',
        version: 3,
        workflowDef: undefined,
        input: { amount: 12.5, fixed: 'x' },
        correlationId: 'order-7',
        priority: 0,
        taskToDomain: { charge: 'eu' },
        parent: { workflowId: WF_ID, taskId: task.taskId },
      },
      { type: 'emit.workflow', eventType: 'workflow.started' },
    ]);
  });

  it('is IN_PROGRESS with the child id as subWorkflowId and in its output', () => {
    const { state } = run(byName, [startedWithInput]);

    const task = taskOf(state, 'child');
    expect(task).toMatchObject({
      taskType: 'SUB_WORKFLOW',
      status: TaskStatus.InProgress,
      startTime: T0,
      subWorkflowId: childWorkflowIdFor(task.taskId),
      outputData: { subWorkflowId: childWorkflowIdFor(task.taskId) },
      inputData: { amount: 12.5, fixed: 'x' },
    });
  });

  it('starts the same child when the same start is decided again', () => {
    const a = decide(byName, null, started(input), T0);
    const b = decide(byName, null, started(input), T0);

    expect(commandsOf(a.commands, 'child.start')[0].childWorkflowId).toBe(commandsOf(b.commands, 'child.start')[0].childWorkflowId);
  });

  it('passes an inline workflowDefinition as it is: its expressions belong to the child', () => {
    const inline: WorkflowDef = { name: 'inline_child', version: 1, tasks: [aSimpleTask('inner', { who: '${workflow.input.amount}', parent: '${workflow.parentWorkflowId}' })] };
    const def = aDefinition([aSubWorkflow({ name: 'ignored_when_inline', workflowDefinition: inline })]);

    const { last } = run(def, [[T0, started({ amount: 3 })]]);

    const [start] = commandsOf(last, 'child.start');
    expect(start).toMatchObject({ name: 'inline_child', input: { amount: 3, fixed: 'x' } });
    expect(start.workflowDef).toEqual(inline);
  });

  it('takes an inline workflowDefinition from an expression', () => {
    const inline: WorkflowDef = { name: 'from_input', version: 2, tasks: [aSimpleTask('inner')] };
    const def = aDefinition([aSubWorkflow({ workflowDefinition: '${workflow.input.childDef}' })]);

    const { last } = run(def, [[T0, started({ childDef: inline })]]);

    expect(commandsOf(last, 'child.start')[0]).toMatchObject({ name: 'from_input', workflowDef: inline });
  });

  it('fails with a terminal error when the name resolves to nothing', () => {
    const { state, last } = run(byName, [[T0, started({})]]);

    expect(statuses(state)).toEqual([['child', TaskStatus.FailedWithTerminalError]]);
    expect(state.workflow.status).toBe(WorkflowStatus.Failed);
    expect(commandsOf(last, 'child.start')).toEqual([]);
  });

  it("completes with the child's output and its id when the child completes, and the flow goes on", () => {
    const { state, last } = run(byName, [startedWithInput, [T0 + 5000, childOf(WorkflowStatus.Completed, { receipt: 'r-1' })]]);

    const task = taskOf(state, 'child');
    const childId = childWorkflowIdFor(task.taskId);
    expect(task).toMatchObject({ status: TaskStatus.Completed, endTime: T0 + 5000, outputData: { receipt: 'r-1', subWorkflowId: childId } });
    expect(taskOf(state, 'after')).toMatchObject({ status: TaskStatus.Scheduled, inputData: { receipt: 'r-1', childId } });
    expect(shorthand(state, last)).toEqual(['start.success:child#0', 'produce.success:after#0', 'queue.push:after#0']);
  });

  it('fails the workflow when the child fails and the task has no retries (a system task has none by default)', () => {
    const { state } = run(byName, [startedWithInput, [T0 + 5000, childOf(WorkflowStatus.Failed, {}, 'card declined')]]);

    expect(statuses(state)).toEqual([['child', TaskStatus.Failed]]);
    expect(state.workflow).toMatchObject({ status: WorkflowStatus.Failed, reasonForIncompletion: 'card declined', failedReferenceTaskNames: ['child'] });
  });

  it('retries a failed child per retryCount after the retry delay, as a new attempt that starts a new child', () => {
    const def = aDefinition([aSubWorkflow({ name: 'payments' }, { retryCount: 1 })]);

    // The backoff (retryDelaySeconds, 60 by default) is a retry timer: a system task has no queue to wait in.
    const failedOnly = run(def, [
      [T0, started({ amount: 1 })],
      [T0 + 5000, childOf(WorkflowStatus.Failed, { partial: true }, 'card declined')],
    ]);
    expect(failedOnly.state.tasks).toHaveLength(1);
    expect(commandsOf(failedOnly.last, 'timer.set')).toEqual([expect.objectContaining({ kind: 'task.retry', dueAt: T0 + 5000 + 60_000, taskId: failedOnly.state.tasks[0].taskId })]);
    expect(commandsOf(failedOnly.last, 'child.start')).toEqual([]);

    const { state, last } = run(def, [
      [T0, started({ amount: 1 })],
      [T0 + 5000, childOf(WorkflowStatus.Failed, { partial: true }, 'card declined')],
      [T0 + 65_000, (s) => timerFired('task.retry', s.tasks[0].taskId)],
    ]);

    const [first, retry] = state.tasks;
    expect(first).toMatchObject({ status: TaskStatus.Failed, retried: true, reasonForIncompletion: 'card declined', outputData: { partial: true, subWorkflowId: childWorkflowIdFor(first.taskId) } });
    expect(retry).toMatchObject({ referenceTaskName: 'child', status: TaskStatus.InProgress, retryCount: 1, retriedTaskId: first.taskId, subWorkflowId: childWorkflowIdFor(retry.taskId) });
    expect(retry.subWorkflowId).not.toBe(first.subWorkflowId);
    expect(commandsOf(last, 'child.start')).toEqual([expect.objectContaining({ childWorkflowId: retry.subWorkflowId, parent: { workflowId: WF_ID, taskId: retry.taskId } })]);
    expect(state.workflow.status).toBe(WorkflowStatus.Running);

    const exhausted = run(def, [
      [T0, started({ amount: 1 })],
      [T0 + 5000, childOf(WorkflowStatus.Failed)],
      [T0 + 65_000, (s) => timerFired('task.retry', s.tasks[0].taskId)],
      [T0 + 69_000, childOf(WorkflowStatus.Failed)],
    ]);
    expect(statuses(exhausted.state)).toEqual([
      ['child', TaskStatus.Failed],
      ['child', TaskStatus.Failed],
    ]);
    expect(exhausted.state.workflow.status).toBe(WorkflowStatus.Failed);
  });

  it.each<[WorkflowStatus, string, WorkflowStatus]>([
    [WorkflowStatus.Terminated, TaskStatus.Canceled, WorkflowStatus.Terminated],
    [WorkflowStatus.TimedOut, TaskStatus.TimedOut, WorkflowStatus.TimedOut],
  ])('maps a child that ended %s to a %s task, and the workflow ends %s', (childStatus, taskStatus, workflowStatus) => {
    const { state } = run(byName, [startedWithInput, [T0 + 5000, childOf(childStatus)]]);

    expect(statuses(state)).toEqual([['child', taskStatus]]);
    expect(state.workflow.status).toBe(workflowStatus);
  });

  it.each<[string, ReadonlyArray<readonly [number, (s: WorkflowRun) => DeciderEvent]>, (s: WorkflowRun) => DeciderEvent]>([
    ['for another child id', [], childOf(WorkflowStatus.Completed, { x: 1 }, undefined, 'some-other-child')],
    ['repeated after the task completed', [[T0 + 1000, childOf(WorkflowStatus.Completed, { receipt: 'r' })]], childOf(WorkflowStatus.Failed)],
  ])('ignores a stale child.ended (%s)', (_, before, stale) => {
    const given = run(byName, [startedWithInput, ...before]);

    const decision = decide(byName, given.state, stale(given.state), T0 + 2000);

    expect(decision.state).toBe(given.state);
    expect(decision.commands).toEqual([]);
  });

  it("ignores the first child's late end once its attempt was retried", () => {
    const def = aDefinition([aSubWorkflow({ name: 'payments' }, { retryCount: 1 })]);
    const given = run(def, [
      [T0, started()],
      [T0 + 1000, childOf(WorkflowStatus.Failed)],
    ]);
    const [first] = given.state.tasks;

    const decision = decide(def, given.state, childEnded(first.taskId, first.subWorkflowId as string, WorkflowStatus.Completed, {}), T0 + 2000);

    expect(decision.state).toBe(given.state);
  });

  it('can be completed from outside through the task API', () => {
    const { state } = run(byName, [startedWithInput, [T0 + 1000, completes('child', { receipt: 'manual' })]]);

    expect(taskOf(state, 'child').status).toBe(TaskStatus.Completed);
    expect(taskOf(state, 'after').inputData).toMatchObject({ receipt: 'manual' });
  });
});

describe('a child workflow (started by a SUB_WORKFLOW task)', () => {
  const parent = { workflowId: 'parent-wf', taskId: 'parent-task' };
  const childDef = aDefinition([aSimpleTask('work', {}, { retryCount: 0 })], { outputParameters: { receipt: '${work.output.receipt}' } });

  it('records its parent', () => {
    const { state } = run(childDef, [[T0, started({}, { parent })]]);

    expect(state.workflow).toMatchObject({ parentWorkflowId: 'parent-wf', parentWorkflowTaskId: 'parent-task' });
  });

  it('notifies its parent with its output when it completes', () => {
    const { state, last } = run(childDef, [
      [T0, started({}, { parent })],
      [T0 + 1, completes('work', { receipt: 'r-9' })],
    ]);

    expect(state.workflow.status).toBe(WorkflowStatus.Completed);
    expect(commandsOf(last, 'parent.notify')).toEqual([{ type: 'parent.notify', parent, status: WorkflowStatus.Completed, output: { receipt: 'r-9' }, reasonForIncompletion: undefined }]);
  });

  it('notifies its parent with the reason when it fails', () => {
    const { last } = run(childDef, [
      [T0, started({}, { parent })],
      [T0 + 1, fails('work', 'FAILED', 'no stock')],
    ]);

    expect(commandsOf(last, 'parent.notify')).toEqual([{ type: 'parent.notify', parent, status: WorkflowStatus.Failed, output: {}, reasonForIncompletion: 'no stock' }]);
  });

  it('does not notify anyone when it has no parent', () => {
    const { commands } = run(childDef, [
      [T0, started()],
      [T0 + 1, completes('work')],
    ]);

    expect(commandsOf(commands, 'parent.notify')).toEqual([]);
  });
});

describe('a child workflow that must stop', () => {
  it('is terminated when its SUB_WORKFLOW task times out (timeoutSeconds, TIME_OUT_WF), and the parent times out', () => {
    const def = aDefinition([aSubWorkflow({ name: 'payments' }, { taskDefinition: { name: 'child', timeoutSeconds: 30, timeoutPolicy: 'TIME_OUT_WF', responseTimeoutSeconds: 1 } })]);

    const atStart = run(def, [[T0, started({ amount: 1 })]]);
    const child = taskOf(atStart.state, 'child');
    expect(commandsOf(atStart.last, 'timer.set')).toEqual([expect.objectContaining({ kind: 'task.timeout', taskId: child.taskId, dueAt: T0 + 30_000 })]);

    const { state, last } = run(def, [
      [T0, started({ amount: 1 })],
      [T0 + 30_000, (s) => timerFired('task.timeout', taskOf(s, 'child').taskId)],
    ]);
    expect(statuses(state)).toEqual([['child', TaskStatus.TimedOut]]);
    expect(state.workflow.status).toBe(WorkflowStatus.TimedOut);
    expect(commandsOf(last, 'child.terminate')).toEqual([{ type: 'child.terminate', childWorkflowId: child.subWorkflowId, reason: expect.stringContaining('TIMED_OUT') }]);
  });

  it('is terminated when the parent ends while it runs (the parent timed out)', () => {
    const def = aDefinition([aSubWorkflow({ name: 'payments' })], { timeoutSeconds: 10, timeoutPolicy: 'TIME_OUT_WF' });

    const { state, last } = run(def, [
      [T0, started({ amount: 1 })],
      [T0 + 10_000, timerFired('workflow.timeout')],
    ]);

    expect(state.workflow.status).toBe(WorkflowStatus.TimedOut);
    expect(commandsOf(last, 'child.terminate')).toEqual([expect.objectContaining({ childWorkflowId: taskOf(state, 'child').subWorkflowId })]);
  });

  it('is not terminated when it ended by itself (its notice is what completes the task)', () => {
    const { last } = run(byName, [startedWithInput, [T0 + 5000, childOf(WorkflowStatus.Failed, {}, 'card declined')]]);
    expect(commandsOf(last, 'child.terminate')).toEqual([]);
  });

  it('ends TERMINATED, with the reason, when told to terminate — and terminates its own children in turn', () => {
    const { state, last } = run(byName, [startedWithInput, [T0 + 1000, { type: 'workflow.terminate', reason: 'Parent task sub ended TIMED_OUT' }]]);

    expect(state.workflow).toMatchObject({ status: WorkflowStatus.Terminated, reasonForIncompletion: 'Parent task sub ended TIMED_OUT', endTime: T0 + 1000 });
    expect(statuses(state)).toEqual([['child', TaskStatus.Canceled]]);
    expect(commandsOf(last, 'child.terminate')).toEqual([expect.objectContaining({ childWorkflowId: taskOf(state, 'child').subWorkflowId })]);
  });

  it('ignores a terminate that arrives after it ended', () => {
    const ended = run(byName, [startedWithInput, [T0 + 1000, { type: 'workflow.terminate', reason: 'first' }]]).state;
    const { state, commands } = decide(byName, ended, { type: 'workflow.terminate', reason: 'again' }, T0 + 2000);
    expect(state).toBe(ended);
    expect(commands).toEqual([]);
  });
});

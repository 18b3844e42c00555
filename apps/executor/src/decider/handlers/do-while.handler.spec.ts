import { ErrorCode, TaskStatus, WorkflowStatus, WorkflowTask } from '@app/contracts';
import { decide } from '../decide';
import { loadTestEvaluators } from '../testing/evaluators';
import type { DeciderEvent } from '../events';
import { WF_ID, aDefinition, aSimpleTask, aTask, byRef, commandsOf, completes, fails, reported, run, started, statuses, T0, taskOf, useEvaluators } from '../testing/builders';

beforeAll(async () => useEvaluators(await loadTestEvaluators()));

const aLoop = (ref: string, loopOver: WorkflowTask[], extra: Partial<WorkflowTask> = {}): WorkflowTask => aTask('DO_WHILE', ref, { loopOver, ...extra });

/** Three iterations of `work`, counted by the loop's own output. */
const threeTimes = aDefinition([
  aLoop('loop', [aSimpleTask('work', { n: '${loop.output.iteration}', prev: '${work.output.value}' })], { loopCondition: '$.loop.iteration < 3' }),
  aSimpleTask('after', { last: '${loop.output}' }),
]);

const completeRef = (ref: string, outputData: Record<string, unknown>) => byRef(ref, (id) => reported(id, 'COMPLETED', { outputData }));

describe('DO_WHILE with a loopCondition', () => {
  it('starts IN_PROGRESS at iteration 1 and schedules the first loop task as <ref>__1', () => {
    const { state, last } = run(threeTimes, [[T0, started()]]);

    expect(statuses(state)).toEqual([
      ['loop', TaskStatus.InProgress],
      ['work__1', TaskStatus.Scheduled],
    ]);
    expect(taskOf(state, 'loop')).toMatchObject({ taskType: 'DO_WHILE', iteration: 1, outputData: { iteration: 1 } });
    expect(taskOf(state, 'work__1')).toMatchObject({ iteration: 1, loopOverTask: true, taskType: 'work_task', inputData: { n: 1, prev: null } });
    expect(commandsOf(last, 'queue.push')).toHaveLength(1);
  });

  it('runs the list again while the condition holds, each iteration seeing the one before, then completes and goes on', () => {
    const { state } = run(threeTimes, [
      [T0, started()],
      [T0 + 1, completeRef('work__1', { value: 'a' })],
      [T0 + 2, completeRef('work__2', { value: 'b' })],
      [T0 + 3, completeRef('work__3', { value: 'c' })],
    ]);

    expect(statuses(state)).toEqual([
      ['loop', TaskStatus.Completed],
      ['work__1', TaskStatus.Completed],
      ['work__2', TaskStatus.Completed],
      ['work__3', TaskStatus.Completed],
      ['after', TaskStatus.Scheduled],
    ]);
    expect(taskOf(state, 'work__2').inputData).toEqual({ n: 2, prev: 'a' });
    expect(taskOf(state, 'work__3').inputData).toEqual({ n: 3, prev: 'b' });
    const output = { iteration: 3, '1': { work: { value: 'a' } }, '2': { work: { value: 'b' } }, '3': { work: { value: 'c' } } };
    expect(taskOf(state, 'loop')).toMatchObject({ iteration: 3, outputData: output });
    expect(taskOf(state, 'after').inputData).toEqual({ last: output });
  });

  it('exposes each loop task to the condition by its reference', () => {
    const def = aDefinition([aLoop('poll', [aSimpleTask('check')], { loopCondition: "$.check.state !== 'done'" })]);
    const { state } = run(def, [
      [T0, started()],
      [T0 + 1, completeRef('check__1', { state: 'pending' })],
      [T0 + 2, completeRef('check__2', { state: 'done' })],
    ]);

    expect(state.workflow.status).toBe(WorkflowStatus.Completed);
    expect(taskOf(state, 'poll').outputData.iteration).toBe(2);
  });

  it('runs several tasks per iteration, in order, named for the iteration', () => {
    const def = aDefinition([aLoop('loop', [aSimpleTask('a'), aSimpleTask('b')], { loopCondition: '$.loop.iteration < 2' })]);
    const { state } = run(def, [
      [T0, started()],
      [T0 + 1, completes('a__1')],
      [T0 + 2, completes('b__1')],
      [T0 + 3, completes('a__2')],
    ]);

    expect(statuses(state)).toEqual([
      ['loop', TaskStatus.InProgress],
      ['a__1', TaskStatus.Completed],
      ['b__1', TaskStatus.Completed],
      ['a__2', TaskStatus.Completed],
      ['b__2', TaskStatus.Scheduled],
    ]);
  });

  it('reads a value-param condition from its input', () => {
    const def = aDefinition([aLoop('loop', [aSimpleTask('work')], { evaluatorType: 'value-param', loopCondition: 'again', inputParameters: { again: '${work.output.again}' } })]);
    const { state } = run(def, [
      [T0, started()],
      [T0 + 1, completeRef('work__1', { again: true })],
      [T0 + 2, completeRef('work__2', { again: false })],
    ]);

    expect(state.workflow.status).toBe(WorkflowStatus.Completed);
    expect(taskOf(state, 'loop').outputData.iteration).toBe(2);
  });

  it.each<[string, string]>([
    ['a script that throws', "throw new Error('no way')"],
    ['a syntax error', '$.loop.iteration <'],
  ])('fails with a terminal error on %s, and the workflow fails', (_, loopCondition) => {
    const def = aDefinition([aLoop('loop', [aSimpleTask('work')], { loopCondition })]);
    const { state } = run(def, [
      [T0, started()],
      [T0 + 1, completes('work__1')],
    ]);

    expect(taskOf(state, 'loop').status).toBe(TaskStatus.FailedWithTerminalError);
    expect(taskOf(state, 'loop').reasonForIncompletion).toMatch(/^Unable to evaluate loopCondition of loop: /);
    expect(state.workflow.status).toBe(WorkflowStatus.Failed);
  });

  it('keeps only the last keepLastN iterations, in its output and in the run', () => {
    const def = aDefinition([aLoop('loop', [aSimpleTask('work')], { loopCondition: '$.loop.iteration < 4', inputParameters: { keepLastN: 2 } })]);
    const { state } = run(def, [
      [T0, started()],
      [T0 + 1, completeRef('work__1', { v: 1 })],
      [T0 + 2, completeRef('work__2', { v: 2 })],
      [T0 + 3, completeRef('work__3', { v: 3 })],
      [T0 + 4, completeRef('work__4', { v: 4 })],
    ]);

    expect(taskOf(state, 'loop').outputData).toEqual({ iteration: 4, '3': { work: { v: 3 } }, '4': { work: { v: 4 } } });
    // Older iterations' tasks leave the run as well.
    expect(statuses(state)).toEqual([
      ['loop', TaskStatus.Completed],
      ['work__3', TaskStatus.Completed],
      ['work__4', TaskStatus.Completed],
    ]);
  });

  it('retries a failed loop task within its iteration, under the same name', () => {
    const def = aDefinition([aLoop('loop', [aSimpleTask('work', {}, { taskDefinition: { name: 'work', retryCount: 1, retryDelaySeconds: 0 } })], { loopCondition: '$.loop.iteration < 2' })]);
    const { state } = run(def, [
      [T0, started()],
      [T0 + 1, fails('work__1')],
      [T0 + 2, completes('work__1')],
    ]);

    expect(statuses(state)).toEqual([
      ['loop', TaskStatus.InProgress],
      ['work__1', TaskStatus.Failed],
      ['work__1', TaskStatus.Completed],
      ['work__2', TaskStatus.Scheduled],
    ]);
  });

  it('fails the workflow when a loop task fails for good', () => {
    const def = aDefinition([aLoop('loop', [aSimpleTask('work', {}, { retryCount: 0 })], { loopCondition: 'true' })]);
    const { state } = run(def, [
      [T0, started()],
      [T0 + 1, fails('work__1', 'FAILED', 'broken')],
    ]);

    expect(state.workflow).toMatchObject({ status: WorkflowStatus.Failed, reasonForIncompletion: 'broken', failedReferenceTaskNames: ['work__1'] });
  });
});

describe('DO_WHILE over a list of items', () => {
  const overItems = (extra: Partial<WorkflowTask> = {}) =>
    aDefinition([aLoop('each', [aSimpleTask('ship', { item: '${each.output.loopItem}', index: '${each.output.loopIndex}' })], { inputParameters: { items: '${workflow.input.orders}' }, ...extra })]);

  it('runs once per item with loopItem and loopIndex, and stops at the end of the list', () => {
    const { state } = run(overItems(), [
      [T0, started({ orders: ['a', 'b'] })],
      [T0 + 1, completes('ship__1', { shipped: 'a' })],
      [T0 + 2, completes('ship__2', { shipped: 'b' })],
    ]);

    expect(taskOf(state, 'ship__1').inputData).toEqual({ item: 'a', index: 0 });
    expect(taskOf(state, 'ship__2').inputData).toEqual({ item: 'b', index: 1 });
    expect(state.workflow.status).toBe(WorkflowStatus.Completed);
    expect(taskOf(state, 'each').outputData).toMatchObject({ iteration: 2, '1': { ship: { shipped: 'a' } }, '2': { ship: { shipped: 'b' } } });
  });

  it('completes at once over an empty list, running nothing', () => {
    const { state } = run(overItems(), [[T0, started({ orders: [] })]]);

    expect(statuses(state)).toEqual([['each', TaskStatus.Completed]]);
    expect(taskOf(state, 'each').outputData).toEqual({ iteration: 0 });
    expect(state.workflow.status).toBe(WorkflowStatus.Completed);
  });

  it('stops early when its condition turns false', () => {
    const { state } = run(overItems({ loopCondition: "$.ship.shipped !== 'stop'" }), [
      [T0, started({ orders: ['a', 'b', 'c'] })],
      [T0 + 1, completes('ship__1', { shipped: 'stop' })],
    ]);

    expect(state.workflow.status).toBe(WorkflowStatus.Completed);
    expect(taskOf(state, 'each').outputData.iteration).toBe(1);
  });

  it('fails with a terminal error when items is not a list', () => {
    const { state } = run(overItems(), [[T0, started({ orders: 'nope' })]]);

    expect(taskOf(state, 'each')).toMatchObject({ status: TaskStatus.FailedWithTerminalError, reasonForIncompletion: 'items of DO_WHILE each must resolve to a list' });
  });
});

describe('DO_WHILE with control flow inside', () => {
  it('runs a fork and its join in every iteration', () => {
    const def = aDefinition([
      aLoop(
        'loop',
        [aTask('FORK_JOIN', 'fork', { forkTasks: [[aSimpleTask('left')], [aSimpleTask('right')]] }), aTask('JOIN', 'join', { joinOn: ['left', 'right'] })],
        { loopCondition: '$.loop.iteration < 2' },
      ),
    ]);
    const { state } = run(def, [
      [T0, started()],
      [T0 + 1, completes('left__1', { l: 1 })],
      [T0 + 2, completes('right__1', { r: 1 })],
      [T0 + 3, completes('left__2', { l: 2 })],
      [T0 + 4, completes('right__2', { r: 2 })],
    ]);

    expect(state.workflow.status).toBe(WorkflowStatus.Completed);
    expect(taskOf(state, 'join__2')).toMatchObject({ status: TaskStatus.Completed, outputData: { left: { l: 2 }, right: { r: 2 } } });
    expect(taskOf(state, 'loop').outputData['2']).toMatchObject({ join: { left: { l: 2 }, right: { r: 2 } } });
  });

  it('runs a nested loop to its end in each outer iteration', () => {
    const def = aDefinition([
      aLoop('outer', [aLoop('inner', [aSimpleTask('step')], { loopCondition: '$.inner.iteration < 2' })], { loopCondition: '$.outer.iteration < 2' }),
    ]);
    const { state } = run(def, [
      [T0, started()],
      [T0 + 1, completes('step__1')],
      [T0 + 2, completes('step__2')],
      [T0 + 3, (s) => reported(s.tasks.filter((t) => t.referenceTaskName === 'step__1').pop()!.taskId, 'COMPLETED')],
      [T0 + 4, (s) => reported(s.tasks.filter((t) => t.referenceTaskName === 'step__2').pop()!.taskId, 'COMPLETED')],
    ]);

    expect(state.workflow.status).toBe(WorkflowStatus.Completed);
    expect(statuses(state).filter(([ref]) => ref.startsWith('inner'))).toEqual([
      ['inner__1', TaskStatus.Completed],
      ['inner__2', TaskStatus.Completed],
    ]);
    expect(state.tasks.filter((t) => t.referenceTaskName.startsWith('step'))).toHaveLength(4);
  });
});

describe('a result named by reference (an event action, a by-reference update)', () => {
  const byName = (ref: string, outputData: Record<string, unknown>): DeciderEvent => ({ type: 'task.result', result: { workflowInstanceId: WF_ID, taskId: '', status: 'COMPLETED', outputData }, taskRefName: ref });

  it("reaches the loop task's current iteration by its ref without the suffix", () => {
    const { state } = run(threeTimes, [
      [T0, started()],
      [T0 + 1, byName('work', { value: 'a' })],
      [T0 + 2, byName('work', { value: 'b' })],
    ]);

    expect(statuses(state)).toEqual([
      ['loop', TaskStatus.InProgress],
      ['work__1', TaskStatus.Completed],
      ['work__2', TaskStatus.Completed],
      ['work__3', TaskStatus.Scheduled],
    ]);
    expect(taskOf(state, 'work__2').outputData).toEqual({ value: 'b' });
  });

  it('is refused when no task has the name', () => {
    const { state } = run(threeTimes, [[T0, started()]]);
    const decision = decide(threeTimes, state, byName('nope', {}), T0 + 1);
    expect(decision.rejection).toEqual({ code: ErrorCode.TaskNotFound, message: `No task found with reference name: nope, workflowId: ${WF_ID}` });
  });
});

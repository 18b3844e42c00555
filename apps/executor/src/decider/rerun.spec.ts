import { ErrorCode, TaskStatus, WorkflowStatus, WorkflowTask } from '@app/contracts';
import { decide } from './decide';
import { loadTestEvaluators } from './testing/evaluators';
import { aDefinition, aSimpleTask, aTask, commandsOf, completes, run, started, statuses, T0, taskOf, useEvaluators } from './testing/builders';

beforeAll(async () => useEvaluators(await loadTestEvaluators()));

describe('rerun an ended workflow', () => {
  const three = aDefinition([aSimpleTask('a', { x: '${workflow.input.x}' }), aSimpleTask('b', { y: '${a.output.y}' }), aSimpleTask('c', { z: '${b.output.z}' })]);
  const completed = () =>
    run(three, [
      [T0, started({ x: 1 })],
      [T0 + 1, completes('a', { y: 2 })],
      [T0 + 2, completes('b', { z: 3 })],
      [T0 + 3, completes('c', { done: true })],
    ]);

  it('runs again from a task: it and what followed are replaced by new attempts; what came before stays', () => {
    const done = completed();
    expect(done.state.workflow.status).toBe(WorkflowStatus.Completed);
    const b = taskOf(done.state, 'b');
    const rerun = decide(three, done.state, { type: 'workflow.rerun', reRunFromTaskId: b.taskId, taskInput: { y: 'given' } }, T0 + 10);
    expect(rerun.rejection).toBeUndefined();
    expect(rerun.state.workflow).toMatchObject({ status: WorkflowStatus.Running, output: {} });
    expect(rerun.state.workflow.endTime).toBeUndefined();
    expect(statuses(rerun.state)).toEqual([
      ['a', TaskStatus.Completed],
      ['b', TaskStatus.Scheduled],
    ]);
    const fresh = taskOf(rerun.state, 'b');
    expect(fresh.taskId).not.toBe(b.taskId);
    expect(fresh.taskId).not.toBe(taskOf(done.state, 'c').taskId);
    expect(fresh.inputData).toEqual({ y: 'given' });
    expect(commandsOf([...rerun.commands], 'queue.push')).toEqual([expect.objectContaining({ taskId: fresh.taskId })]);
    // The replaced attempts leave search with the workflow event that announces the rerun.
    const [announced] = commandsOf([...rerun.commands], 'emit.workflow');
    expect([...(announced.droppedTaskIds ?? [])].sort()).toEqual([b.taskId, taskOf(done.state, 'c').taskId].sort());

    const again = decide(three, rerun.state, { type: 'task.result', result: { workflowInstanceId: rerun.state.workflow.workflowId, taskId: fresh.taskId, status: 'COMPLETED', outputData: { z: 30 } } }, T0 + 11);
    expect(taskOf(again.state, 'c').inputData).toEqual({ z: 30 });
  });

  it('takes new workflow input and correlation id; without a task it runs again from the start', () => {
    const done = completed();
    const rerun = decide(three, done.state, { type: 'workflow.rerun', workflowInput: { x: 7 }, correlationId: 'again' }, T0 + 10);
    expect(rerun.state.workflow).toMatchObject({ status: WorkflowStatus.Running, input: { x: 7 }, correlationId: 'again' });
    expect(statuses(rerun.state)).toEqual([['a', TaskStatus.Scheduled]]);
    expect(taskOf(rerun.state, 'a').inputData).toEqual({ x: 7 });
  });

  it('refuses a running workflow (409) and a task it does not have (400), as Conductor', () => {
    const running = run(three, [[T0, started()]]);
    expect(decide(three, running.state, { type: 'workflow.rerun' }, T0 + 1).rejection).toMatchObject({ code: ErrorCode.WorkflowConflict });
    const done = completed();
    expect(decide(three, done.state, { type: 'workflow.rerun', reRunFromTaskId: 'nope' }, T0 + 10).rejection).toMatchObject({ code: ErrorCode.InvalidArgument, message: 'Task nope not found' });
  });

  it('reruns from a task inside a SWITCH case, and refuses one inside a FORK branch (rerun from the fork)', () => {
    const switched = aDefinition([
      aTask('SWITCH', 'route', { evaluatorType: 'value-param', expression: 'k', inputParameters: { k: 'go' }, decisionCases: { go: [aSimpleTask('inner')] } as Record<string, WorkflowTask[]> }),
      aSimpleTask('after'),
    ]);
    const done = run(switched, [
      [T0, started()],
      [T0 + 1, completes('inner')],
      [T0 + 2, completes('after')],
    ]);
    expect(done.state.workflow.status).toBe(WorkflowStatus.Completed);
    const rerun = decide(switched, done.state, { type: 'workflow.rerun', reRunFromTaskId: taskOf(done.state, 'inner').taskId }, T0 + 3);
    expect(statuses(rerun.state)).toEqual([
      ['route', TaskStatus.Completed],
      ['inner', TaskStatus.Scheduled],
    ]);
    const next = decide(switched, rerun.state, { type: 'task.result', result: { workflowInstanceId: rerun.state.workflow.workflowId, taskId: taskOf(rerun.state, 'inner').taskId, status: 'COMPLETED' } }, T0 + 4);
    expect(statuses(next.state)).toEqual([
      ['route', TaskStatus.Completed],
      ['inner', TaskStatus.Completed],
      ['after', TaskStatus.Scheduled],
    ]);

    const forked = aDefinition([aTask('FORK_JOIN', 'fork', { forkTasks: [[aSimpleTask('x')], [aSimpleTask('y')]] as WorkflowTask[][] }), aTask('JOIN', 'join', { joinOn: ['x', 'y'] })]);
    const joined = run(forked, [
      [T0, started()],
      [T0 + 1, completes('x')],
      [T0 + 2, completes('y')],
    ]);
    expect(joined.state.workflow.status).toBe(WorkflowStatus.Completed);
    expect(decide(forked, joined.state, { type: 'workflow.rerun', reRunFromTaskId: taskOf(joined.state, 'x').taskId }, T0 + 3).rejection).toMatchObject({
      code: ErrorCode.InvalidArgument,
      message: expect.stringContaining('rerun from fork'),
    });
    const fromFork = decide(forked, joined.state, { type: 'workflow.rerun', reRunFromTaskId: taskOf(joined.state, 'fork').taskId }, T0 + 3);
    expect(fromFork.rejection).toBeUndefined();
    expect(statuses(fromFork.state).map(([ref]) => ref).sort()).toEqual(['fork', 'join', 'x', 'y']);
    expect(taskOf(fromFork.state, 'x').status).toBe(TaskStatus.Scheduled);
  });
});

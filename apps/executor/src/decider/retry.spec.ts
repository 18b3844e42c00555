import { ErrorCode, TaskStatus, WorkflowStatus, WorkflowTask } from '@app/contracts';
import { decide } from './decide';
import { loadTestEvaluators } from './testing/evaluators';
import { aDefinition, aSimpleTask, aTask, commandsOf, completes, fails, run, started, statuses, T0, taskOf, useEvaluators } from './testing/builders';

beforeAll(async () => useEvaluators(await loadTestEvaluators()));

describe('retry an ended workflow', () => {
  const linear = aDefinition([aSimpleTask('first', {}, { retryCount: 0 }), aSimpleTask('second', {}, { retryCount: 0 })]);

  it('gives the failed task a new attempt and runs on from there; what completed stays', () => {
    const failed = run(linear, [
      [T0, started()],
      [T0 + 1, completes('first', { x: 1 })],
      [T0 + 2, fails('second', 'FAILED_WITH_TERMINAL_ERROR', 'boom')],
    ]);
    expect(failed.state.workflow.status).toBe(WorkflowStatus.Failed);

    const retried = decide(linear, failed.state, { type: 'workflow.retry' }, T0 + 10);
    expect(retried.rejection).toBeUndefined();
    expect(retried.state.workflow).toMatchObject({ status: WorkflowStatus.Running, failedReferenceTaskNames: [] });
    expect(retried.state.workflow.reasonForIncompletion).toBeUndefined();
    expect(statuses(retried.state)).toEqual([
      ['first', TaskStatus.Completed],
      ['second', TaskStatus.FailedWithTerminalError],
      ['second', TaskStatus.Scheduled],
    ]);
    const [old, fresh] = retried.state.tasks.filter((t) => t.referenceTaskName === 'second');
    expect(old.retried).toBe(true);
    expect(fresh).toMatchObject({ retryCount: 1, retriedTaskId: old.taskId });
    expect(commandsOf([...retried.commands], 'queue.push')).toEqual([expect.objectContaining({ taskId: fresh.taskId })]);
  });

  it('reopens the JOIN a failed branch ended, and retries the branch', () => {
    const forked = aDefinition([
      aTask('FORK_JOIN', 'fork', { forkTasks: [[aSimpleTask('a', {}, { retryCount: 0 })], [aSimpleTask('b', {}, { retryCount: 0 })]] as WorkflowTask[][] }),
      aTask('JOIN', 'join', { joinOn: ['a', 'b'] }),
    ]);
    const failed = run(forked, [
      [T0, started()],
      [T0 + 1, completes('a')],
      [T0 + 2, fails('b')],
    ]);
    expect(taskOf(failed.state, 'join').status).toBe(TaskStatus.Canceled);
    const retried = decide(forked, failed.state, { type: 'workflow.retry' }, T0 + 3);
    expect(statuses(retried.state).filter(([ref]) => ref !== 'fork')).toEqual([
      ['a', TaskStatus.Completed],
      ['b', TaskStatus.Failed],
      ['join', TaskStatus.InProgress],
      ['b', TaskStatus.Scheduled],
    ]);
    const done = decide(forked, retried.state, { type: 'task.result', result: { workflowInstanceId: retried.state.workflow.workflowId, taskId: retried.state.tasks[retried.state.tasks.length - 1].taskId, status: 'COMPLETED' } }, T0 + 4);
    expect(done.state.workflow.status).toBe(WorkflowStatus.Completed);
  });

  it('answers 404 while the workflow runs (as Conductor) and 409 when nothing failed', () => {
    const running = run(linear, [[T0, started()]]);
    expect(decide(linear, running.state, { type: 'workflow.retry' }, T0 + 1).rejection).toMatchObject({ code: ErrorCode.WorkflowNotFound });
    const done = run(linear, [
      [T0, started()],
      [T0 + 1, completes('first')],
      [T0 + 2, completes('second')],
    ]);
    expect(decide(linear, done.state, { type: 'workflow.retry' }, T0 + 3).rejection).toMatchObject({ code: ErrorCode.WorkflowConflict });
  });

  it('takes a DO_WHILE up again at the iteration it failed in', () => {
    const looped = aDefinition([aTask('DO_WHILE', 'loop', { loopCondition: '$.loop.iteration < 3', loopOver: [aSimpleTask('work', {}, { retryCount: 0 })] }), aSimpleTask('after')]);
    const failed = run(looped, [
      [T0, started()],
      [T0 + 1, completes('work__1')],
      [T0 + 2, fails('work__2')],
    ]);
    expect(failed.state.workflow.status).toBe(WorkflowStatus.Failed);
    const retried = decide(looped, failed.state, { type: 'workflow.retry' }, T0 + 3);
    expect(statuses(retried.state)).toEqual([
      ['loop', TaskStatus.InProgress],
      ['work__1', TaskStatus.Completed],
      ['work__2', TaskStatus.Failed],
      ['work__2', TaskStatus.Scheduled],
    ]);
    const { state } = run(looped, [
      [T0, started()],
      [T0 + 1, completes('work__1')],
      [T0 + 2, fails('work__2')],
      [T0 + 3, { type: 'workflow.retry' }],
      [T0 + 4, (s) => ({ type: 'task.result', result: { workflowInstanceId: s.workflow.workflowId, taskId: s.tasks[s.tasks.length - 1].taskId, status: 'COMPLETED' } })],
      [T0 + 5, completes('work__3')],
    ]);
    expect(taskOf(state, 'loop')).toMatchObject({ status: TaskStatus.Completed, iteration: 3 });
    expect(taskOf(state, 'after').status).toBe(TaskStatus.Scheduled);
  });
});

describe('retry with resumeSubworkflowTasks', () => {
  const parent = aDefinition([aTask('SUB_WORKFLOW', 'child', { subWorkflowParam: { name: 'inner', version: 1 } })]);

  it('takes the failed SUB_WORKFLOW task up again and retries its child in place, instead of starting a new one', () => {
    const s = run(parent, [[T0, started()]]);
    const task = taskOf(s.state, 'child');
    const childId = task.subWorkflowId as string;
    const failed = decide(parent, s.state, { type: 'child.ended', taskId: task.taskId, childWorkflowId: childId, status: WorkflowStatus.Failed, output: {}, reasonForIncompletion: 'boom' }, T0 + 1);
    expect(failed.state.workflow.status).toBe(WorkflowStatus.Failed);

    const resumed = decide(parent, failed.state, { type: 'workflow.retry', resumeSubworkflowTasks: true }, T0 + 2);
    expect(resumed.rejection).toBeUndefined();
    expect(statuses(resumed.state)).toEqual([['child', TaskStatus.InProgress]]);
    expect(commandsOf([...resumed.commands], 'child.retry')).toEqual([{ type: 'child.retry', childWorkflowId: childId }]);
    expect(commandsOf([...resumed.commands], 'child.start')).toEqual([]);

    const done = decide(parent, resumed.state, { type: 'child.ended', taskId: task.taskId, childWorkflowId: childId, status: WorkflowStatus.Completed, output: { x: 1 } }, T0 + 3);
    expect(done.state.workflow).toMatchObject({ status: WorkflowStatus.Completed, output: { x: 1, subWorkflowId: childId } });
  });

  it('a child told to retry that has nothing to retry tells its parent how it ended', () => {
    const inner = aDefinition([aSimpleTask('x')], { name: 'inner' });
    const child = run(inner, [
      [T0, started({}, { parent: { workflowId: 'parent-1', taskId: 'task-1' } })],
      [T0 + 1, completes('x', { y: 2 })],
    ]);
    expect(child.state.workflow.status).toBe(WorkflowStatus.Completed);
    const told = decide(inner, child.state, { type: 'child.retry' }, T0 + 2);
    expect(commandsOf([...told.commands], 'parent.notify')).toEqual([expect.objectContaining({ status: WorkflowStatus.Completed, output: { y: 2 }, parent: { workflowId: 'parent-1', taskId: 'task-1' } })]);
  });
});

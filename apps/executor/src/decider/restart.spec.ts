import { ErrorCode, TaskStatus, WorkflowStatus } from '@app/contracts';
import { decide } from './decide';
import { aDefinition, aSimpleTask, commandsOf, completes, fails, run, started, statuses, T0, taskOf } from './testing/builders';

const def = aDefinition([aSimpleTask('first', {}, { retryCount: 0 }), aSimpleTask('second', {}, { retryCount: 0 })], { variables: { tries: 0 } });

describe('restart', () => {
  it('runs a failed workflow again from its first task: old tasks dropped, new ids numbered after them, output and reason cleared', () => {
    const failed = run(def, [
      [T0, started({ order: 1 })],
      [T0 + 1, completes('first', { x: 1 })],
      [T0 + 2, fails('second', 'FAILED', 'boom')],
    ]);
    expect(failed.state.workflow.status).toBe(WorkflowStatus.Failed);
    const oldIds = failed.state.tasks.map((t) => t.taskId);

    const restarted = decide(def, failed.state, { type: 'workflow.restart' }, T0 + 10);
    expect(restarted.rejection).toBeUndefined();
    expect(restarted.state.workflow).toMatchObject({ status: WorkflowStatus.Running, output: {}, input: { order: 1 }, variables: { tries: 0 }, startTime: T0 + 10 });
    expect(restarted.state.workflow.reasonForIncompletion).toBeUndefined();
    expect(restarted.state.workflow.endTime).toBeUndefined();
    expect(statuses(restarted.state)).toEqual([['first', TaskStatus.Scheduled]]);
    const first = taskOf(restarted.state, 'first');
    expect(oldIds).not.toContain(first.taskId);
    expect(first.seq).toBe(3);
    expect(commandsOf([...restarted.commands], 'queue.push')).toEqual([expect.objectContaining({ taskId: first.taskId })]);
    // The old attempts leave search with the event that announces the restart.
    expect(commandsOf([...restarted.commands], 'emit.workflow')).toEqual([{ type: 'emit.workflow', eventType: 'workflow.started', droppedTaskIds: oldIds }]);
  });

  it('is refused while the workflow runs (409) and for a COMPLETED one whose definition is not restartable (404)', () => {
    const running = run(def, [[T0, started()]]);
    expect(decide(def, running.state, { type: 'workflow.restart' }, T0 + 1).rejection).toMatchObject({ code: ErrorCode.WorkflowConflict });

    const once = { ...def, restartable: false };
    const done = run(once, [
      [T0, started()],
      [T0 + 1, completes('first')],
      [T0 + 2, completes('second')],
    ]);
    expect(done.state.workflow.status).toBe(WorkflowStatus.Completed);
    expect(decide(once, done.state, { type: 'workflow.restart' }, T0 + 3).rejection).toMatchObject({ code: ErrorCode.WorkflowNotFound });
    // Not restartable only guards a COMPLETED run: a failed one may run again.
    const failed = run(once, [
      [T0, started()],
      [T0 + 1, fails('first', 'FAILED')],
    ]);
    expect(decide(once, failed.state, { type: 'workflow.restart' }, T0 + 3).state.workflow.status).toBe(WorkflowStatus.Running);
  });

  it('runs the latest definition when given one, and pins it', () => {
    const done = run(def, [
      [T0, started()],
      [T0 + 1, completes('first')],
      [T0 + 2, completes('second')],
    ]);
    const latest = aDefinition([aSimpleTask('only')], { version: 2 });
    const restarted = decide(def, done.state, { type: 'workflow.restart', definition: latest }, T0 + 3);
    expect(restarted.state.workflow).toMatchObject({ workflowVersion: 2, workflowDefinition: latest });
    expect(statuses(restarted.state)).toEqual([['only', TaskStatus.Scheduled]]);
  });
});

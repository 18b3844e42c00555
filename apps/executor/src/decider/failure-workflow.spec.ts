import { TaskStatus, WorkflowStatus } from '@app/contracts';
import { TimerKind } from './timers';
import { failureWorkflowIdFor } from './task-ids';
import { aDefinition, aSimpleTask, aTask, commandsOf, fails, run, started, T0, taskOf, timerFired, WF_ID } from './testing/builders';

const withFailureWorkflow = (tasks = [aSimpleTask('work', {}, { retryCount: 0 })], extra = {}) => aDefinition(tasks, { failureWorkflow: 'cleanup', failureWorkflowVersion: 3, ...extra });

describe('failureWorkflow', () => {
  it("starts when a task fails the run, with Conductor's input, and its id is in the output", () => {
    const { state, last } = run(withFailureWorkflow(), [
      [T0, started({ order: 7 })],
      [T0 + 1, fails('work', 'FAILED', 'card declined')],
    ]);

    const failureWorkflowId = failureWorkflowIdFor(WF_ID);
    expect(state.workflow).toMatchObject({ status: WorkflowStatus.Failed, output: { 'conductor.failure_workflow': failureWorkflowId } });
    const [start] = commandsOf(last, 'child.start');
    expect(start).toMatchObject({
      childWorkflowId: failureWorkflowId,
      name: 'cleanup',
      version: 3,
      input: { order: 7, workflowId: WF_ID, reason: 'card declined', failureStatus: 'FAILED', failureTaskId: taskOf(state, 'work').taskId },
    });
    expect(start.parent).toBeUndefined();
    const failed = start.input.failedWorkflow as { workflowId: string; status: string; tasks: Array<{ referenceTaskName: string; workflowTask?: unknown }> };
    expect(failed).toMatchObject({ workflowId: WF_ID, status: 'FAILED' });
    expect(failed.tasks.map((t) => t.referenceTaskName)).toEqual(['work']);
    expect(failed.tasks[0].workflowTask).toBeUndefined();
    expect('workflowDefinition' in failed).toBe(false);
  });

  it('starts when the workflow times out (TIME_OUT_WF), with failureStatus TIMED_OUT', () => {
    const { last } = run(withFailureWorkflow(undefined, { timeoutSeconds: 5, timeoutPolicy: 'TIME_OUT_WF' }), [
      [T0, started()],
      [T0 + 5000, timerFired(TimerKind.WorkflowTimeout)],
    ]);

    expect(commandsOf(last, 'child.start')[0].input).toMatchObject({ failureStatus: 'TIMED_OUT' });
    expect(commandsOf(last, 'child.start')[0].input.failureTaskId).toBeUndefined();
  });

  it('starts when a TERMINATE task fails the run, naming that task', () => {
    const def = withFailureWorkflow([aTask('TERMINATE', 'stop', { inputParameters: { terminationStatus: 'FAILED' } })]);
    const { state, last } = run(def, [[T0, started()]]);

    expect(commandsOf(last, 'child.start')[0].input).toMatchObject({ failureStatus: 'FAILED', failureTaskId: taskOf(state, 'stop').taskId });
  });

  it.each<[string, Parameters<typeof run>[1]]>([
    ['a run that completes', [[T0, started()], [T0 + 1, (s) => ({ type: 'task.result', result: { workflowInstanceId: WF_ID, taskId: taskOf(s, 'work').taskId, status: 'COMPLETED' } })]]],
    ['a TERMINATE that completes the run', []],
    ['a terminate from outside (its parent ended)', [[T0, started()], [T0 + 1, { type: 'workflow.terminate', reason: 'parent gone' }]]],
  ])('does not start for %s', (name, steps) => {
    const def = name.startsWith('a TERMINATE') ? withFailureWorkflow([aTask('TERMINATE', 'stop', { inputParameters: { terminationStatus: 'COMPLETED' } })]) : withFailureWorkflow();
    const { state, commands } = run(def, steps.length ? steps : [[T0, started()]]);

    expect(commandsOf(commands, 'child.start')).toEqual([]);
    expect(state.workflow.output['conductor.failure_workflow']).toBeUndefined();
  });

  it('does nothing without a failureWorkflow', () => {
    const { state, commands } = run(aDefinition([aSimpleTask('work', {}, { retryCount: 0 })]), [
      [T0, started()],
      [T0 + 1, fails('work')],
    ]);

    expect(taskOf(state, 'work').status).toBe(TaskStatus.Failed);
    expect(commandsOf(commands, 'child.start')).toEqual([]);
  });
});

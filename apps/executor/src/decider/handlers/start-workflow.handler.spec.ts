import { TaskStatus, WorkflowStatus } from '@app/contracts';
import { decide } from '../decide';
import { childWorkflowIdFor } from '../task-ids';
import { aDefinition, aSimpleTask, aTask, commandsOf, run, shorthand, started, statuses, T0, taskOf, WF_ID } from '../testing/builders';

const starts = (startWorkflow: unknown) => aDefinition([aTask('START_WORKFLOW', 'kick', { inputParameters: { startWorkflow } }), aSimpleTask('after', { id: '${kick.output.workflowId}' })]);

const outcome = (taskId: string, started: boolean, reason?: string) =>
  ({ type: 'start.outcome', taskId, startedWorkflowId: childWorkflowIdFor(taskId), started, ...(reason ? { reason } : {}) }) as const;

describe('START_WORKFLOW', () => {
  it('asks for the workflow to start, with an id derived from the task, and waits IN_PROGRESS for the answer', () => {
    const { state, last } = run(starts({ name: 'billing', version: 2, input: { order: '${workflow.input.order}' }, correlationId: 'c-1', priority: 5 }), [[T0, started({ order: 7 })]]);

    const kick = taskOf(state, 'kick');
    expect(kick).toMatchObject({ status: TaskStatus.InProgress, outputData: { workflowId: childWorkflowIdFor(kick.taskId) } });
    expect(commandsOf(last, 'child.start')).toEqual([
      {
        type: 'child.start',
        childWorkflowId: childWorkflowIdFor(kick.taskId),
        name: 'billing',
        version: 2,
        input: { order: 7 },
        correlationId: 'c-1',
        priority: 5,
        startedBy: { workflowId: WF_ID, taskId: kick.taskId },
      },
    ]);
  });

  it('completes with the workflowId once the start is confirmed, and the flow goes on', () => {
    const { state } = run(starts({ name: 'billing' }), [
      [T0, started()],
      [T0 + 1, (s) => outcome(taskOf(s, 'kick').taskId, true)],
    ]);

    expect(statuses(state)).toEqual([
      ['kick', TaskStatus.Completed],
      ['after', TaskStatus.Scheduled],
    ]);
    expect(taskOf(state, 'after').inputData).toEqual({ id: childWorkflowIdFor(taskOf(state, 'kick').taskId) });
  });

  it('fails when the workflow could not be started, with the reason', () => {
    const { state } = run(starts({ name: 'nope' }), [
      [T0, started()],
      [T0 + 1, (s) => outcome(taskOf(s, 'kick').taskId, false, 'No such workflow found by name: nope, version: null')],
    ]);

    expect(taskOf(state, 'kick')).toMatchObject({ status: TaskStatus.Failed, reasonForIncompletion: 'No such workflow found by name: nope, version: null' });
    expect(state.workflow.status).toBe(WorkflowStatus.Failed);
  });

  it('takes an inline workflowDef as written: its expressions belong to the started workflow', () => {
    const inline = { name: 'inline_wf', version: 1, tasks: [aSimpleTask('t', { v: '${workflow.input.v}' })] };
    const { last } = run(starts({ workflowDef: inline, input: { v: 1 } }), [[T0, started()]]);

    expect(commandsOf(last, 'child.start')[0]).toMatchObject({ name: 'inline_wf', workflowDef: inline, input: { v: 1 } });
  });

  it.each<[string, unknown, RegExp]>([
    ['not an object', 'billing', /must be a StartWorkflowRequest object/],
    ['no name', { input: {} }, /name .* is required/],
    ['a bad version', { name: 'b', version: 'two' }, /version must be a positive integer/],
    ['input that is not an object', { name: 'b', input: [1] }, /input must be an object/],
    ['a priority out of range', { name: 'b', priority: 100 }, /priority must be an integer from 0 to 99/],
  ])('fails with a terminal error on a request with %s, starting nothing', (_, request, reason) => {
    const { state, commands } = run(starts(request), [[T0, started()]]);

    expect(taskOf(state, 'kick').status).toBe(TaskStatus.FailedWithTerminalError);
    expect(taskOf(state, 'kick').reasonForIncompletion).toMatch(reason);
    expect(commandsOf(commands, 'child.start')).toEqual([]);
  });

  it('is answered by the started workflow in its own first decision', () => {
    const startedBy = { workflowId: WF_ID, taskId: 'kick-task' };
    const decision = decide(aDefinition([aSimpleTask('first')]), null, { type: 'workflow.start', workflowId: 'w-2', input: {}, priority: 0, startedBy }, T0);

    expect(commandsOf(decision.commands, 'starter.notify')).toEqual([{ type: 'starter.notify', startedBy, started: true }]);
    expect(shorthand(decision.state, decision.commands)[0]).toBe('starter.notify:true');
  });
});

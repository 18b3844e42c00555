import { TaskStatus, WorkflowStatus, WorkflowTask } from '@app/contracts';
import { aDefinition, aSimpleTask, aTask, commandsOf, run, started, statuses, T0, taskOf } from '../testing/builders';

const aTerminate = (ref: string, inputParameters: Record<string, unknown>): WorkflowTask => aTask('TERMINATE', ref, { inputParameters });

describe('TERMINATE', () => {
  it.each<[string, string, WorkflowStatus, string]>([
    ['COMPLETED, with the default reason', 'COMPLETED', WorkflowStatus.Completed, 'Workflow is COMPLETED by TERMINATE task: '],
    ['FAILED, with the default reason', 'FAILED', WorkflowStatus.Failed, 'Workflow is FAILED by TERMINATE task: '],
    ['TERMINATED, with the default reason', 'TERMINATED', WorkflowStatus.Terminated, 'Workflow is TERMINATED by TERMINATE task: '],
  ])('ends the workflow %s, with its workflowOutput, and nothing after it runs', (_, terminationStatus, status, reason) => {
    const def = aDefinition([aTerminate('stop', { terminationStatus, workflowOutput: { code: '${workflow.input.code}' } }), aSimpleTask('never')]);
    const { state } = run(def, [[T0, started({ code: 7 })]]);

    expect(state.workflow.status).toBe(status);
    expect(state.workflow.output).toEqual({ code: 7 });
    expect(statuses(state)).toEqual([['stop', TaskStatus.Completed]]);
    expect(taskOf(state, 'stop').outputData).toEqual({ code: 7 });
    expect(state.workflow.reasonForIncompletion).toBe(reason + taskOf(state, 'stop').taskId);
  });

  it("hands the workflow its own output even where the definition has outputParameters (Conductor's order)", () => {
    const def = aDefinition([aTerminate('stop', { terminationStatus: 'COMPLETED', workflowOutput: 'just a string' })], { outputParameters: { fromParams: 'yes' } });
    const { state } = run(def, [[T0, started()]]);

    expect(state.workflow.output).toEqual({ output: 'just a string' });
  });

  it('takes terminationReason when given', () => {
    const { state } = run(aDefinition([aTerminate('stop', { terminationStatus: 'FAILED', terminationReason: 'out of stock' })]), [[T0, started()]]);

    expect(state.workflow).toMatchObject({ status: WorkflowStatus.Failed, reasonForIncompletion: 'out of stock' });
  });

  it.each<[string, unknown, Record<string, unknown>]>([
    ['an object: itself', { a: 1 }, { a: 1 }],
    ['a string: under `output`', 'done', { output: 'done' }],
    ['a list: under `output`', [1, 2], { output: [1, 2] }],
    ['absent: nothing', undefined, {}],
  ])('hands the workflow its workflowOutput — %s', (_, workflowOutput, expected) => {
    const input = workflowOutput === undefined ? { terminationStatus: 'COMPLETED' } : { terminationStatus: 'COMPLETED', workflowOutput };
    const { state } = run(aDefinition([aTerminate('stop', input)]), [[T0, started()]]);

    expect(state.workflow.output).toEqual(expected);
  });

  it('cancels what still runs beside it: a fork branch, its timers', () => {
    const def = aDefinition([
      aTask('FORK_JOIN', 'fork', {
        forkTasks: [[aSimpleTask('slow', {}, { taskDefinition: { name: 'slow', responseTimeoutSeconds: 60, timeoutSeconds: 120 } })], [aTerminate('stop', { terminationStatus: 'TERMINATED' })]],
      }),
      aTask('JOIN', 'join', { joinOn: ['slow', 'stop'] }),
    ]);
    const { state, last } = run(def, [[T0, started()]]);

    expect(state.workflow.status).toBe(WorkflowStatus.Terminated);
    expect(taskOf(state, 'slow').status).toBe(TaskStatus.Canceled);
    expect(commandsOf(last, 'queue.remove').map((c) => c.taskId)).toContain(taskOf(state, 'slow').taskId);
    expect(commandsOf(last, 'timer.cancel-all')).toHaveLength(1);
  });

  it('fails the workflow when terminationStatus is none of COMPLETED, FAILED, TERMINATED', () => {
    const { state } = run(aDefinition([aTerminate('stop', { terminationStatus: 'PAUSED' }), aSimpleTask('never')]), [[T0, started()]]);

    expect(taskOf(state, 'stop')).toMatchObject({ status: TaskStatus.Failed, reasonForIncompletion: 'given termination status is not valid' });
    expect(state.workflow.status).toBe(WorkflowStatus.Failed);
    expect(statuses(state)).toEqual([['stop', TaskStatus.Failed]]);
  });
});

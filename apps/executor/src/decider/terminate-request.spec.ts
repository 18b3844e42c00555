import { ErrorCode, TaskStatus, WorkflowStatus } from '@app/contracts';
import { decide } from './decide';
import { failureWorkflowIdFor } from './task-ids';
import { aDefinition, aSimpleTask, commandsOf, completes, run, started, statuses, T0, WF_ID } from './testing/builders';

const def = aDefinition([aSimpleTask('work')], { failureWorkflow: 'cleanup' });

describe('terminate through the API', () => {
  it('cancels what is in flight and ends TERMINATED with the reason; no failureWorkflow unless asked', () => {
    const { state } = run(def, [[T0, started()]]);
    const d = decide(def, state, { type: 'workflow.terminate', reason: 'operator said so', refuseEnded: true }, T0 + 1);
    expect(d.rejection).toBeUndefined();
    expect(d.state.workflow).toMatchObject({ status: WorkflowStatus.Terminated, reasonForIncompletion: 'operator said so' });
    expect(statuses(d.state)).toEqual([['work', TaskStatus.Canceled]]);
    expect(commandsOf([...d.commands], 'child.start')).toEqual([]);
  });

  it('starts the failureWorkflow when asked (triggerFailureWorkflow)', () => {
    const { state } = run(def, [[T0, started()]]);
    const d = decide(def, state, { type: 'workflow.terminate', triggerFailureWorkflow: true, refuseEnded: true }, T0 + 1);
    expect(commandsOf([...d.commands], 'child.start')).toEqual([expect.objectContaining({ childWorkflowId: failureWorkflowIdFor(WF_ID), name: 'cleanup' })]);
  });

  it('409s a workflow that has already ended; a notice for one is dropped', () => {
    const { state } = run(def, [
      [T0, started()],
      [T0 + 1, completes('work')],
    ]);
    expect(decide(def, state, { type: 'workflow.terminate', refuseEnded: true }, T0 + 2).rejection).toMatchObject({ code: ErrorCode.WorkflowConflict });
    const dropped = decide(def, state, { type: 'workflow.terminate', reason: 'late' }, T0 + 2);
    expect(dropped.rejection).toBeUndefined();
    expect(dropped.state.workflow.status).toBe(WorkflowStatus.Completed);
  });
});

import { ErrorCode, WorkflowStatus } from '@app/contracts';
import { decide } from './decide';
import { aDefinition, aSimpleTask, commandsOf, completes, run, shorthand, started, T0, taskOf } from './testing/builders';

describe('remove a workflow', () => {
  const one = aDefinition([aSimpleTask('only')]);

  it('removes an ended workflow, archived: the shell deletes it and search keeps it', () => {
    const done = run(one, [
      [T0, started()],
      [T0 + 1, completes('only')],
    ]);
    const removed = decide(one, done.state, { type: 'workflow.remove', archive: true }, T0 + 2);
    expect(removed.rejection).toBeUndefined();
    expect(shorthand(removed.state, removed.commands)).toEqual(['timer.cancel-all', 'workflow.remove:archive']);
  });

  it('refuses to archive a workflow that has not ended (400, as Conductor), and changes nothing', () => {
    const running = run(one, [[T0, started()]]);
    const refused = decide(one, running.state, { type: 'workflow.remove', archive: true }, T0 + 1);
    expect(refused.rejection).toMatchObject({ code: ErrorCode.InvalidArgument, message: `Cannot archive workflow: ${running.state.workflow.workflowId} with status: RUNNING` });
    expect(refused.state).toBe(running.state);
  });

  it('removes a running workflow without archiving: its queue rows and timers go with it', () => {
    const running = run(one, [[T0, started()]]);
    const removed = decide(one, running.state, { type: 'workflow.remove', archive: false }, T0 + 1);
    expect(removed.rejection).toBeUndefined();
    expect(commandsOf([...removed.commands], 'queue.remove')).toEqual([{ type: 'queue.remove', taskId: taskOf(running.state, 'only').taskId }]);
    expect(commandsOf([...removed.commands], 'workflow.remove')).toEqual([{ type: 'workflow.remove', archive: false }]);
  });

  it('terminate-remove terminates a running workflow first, so it can be archived as it ended', () => {
    const running = run(one, [[T0, started()]]);
    const removed = decide(one, running.state, { type: 'workflow.remove', archive: true, terminate: { reason: 'cleanup' } }, T0 + 1);
    expect(removed.rejection).toBeUndefined();
    expect(removed.state.workflow).toMatchObject({ status: WorkflowStatus.Terminated, reasonForIncompletion: 'cleanup' });
    expect(commandsOf([...removed.commands], 'emit.workflow')).toEqual([{ type: 'emit.workflow', eventType: 'workflow.terminated' }]);
    expect(commandsOf([...removed.commands], 'workflow.remove')).toEqual([{ type: 'workflow.remove', archive: true }]);
  });
});

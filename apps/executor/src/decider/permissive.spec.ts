import { TaskStatus, WorkflowStatus } from '@app/contracts';
import { aDefinition, aSimpleTask, aTask, completes, fails, run, started, statuses, T0, taskOf } from './testing/builders';

const permissive = (ref: string) => aSimpleTask(ref, {}, { permissive: true, retryCount: 0 });

describe('permissive tasks (as Conductor 3.32.1 runs them)', () => {
  it('let the flow go on after they fail, and fail the workflow at its end', () => {
    const def = aDefinition([permissive('lenient'), aSimpleTask('after')]);
    const { state } = run(def, [
      [T0, started()],
      [T0 + 1, fails('lenient', 'FAILED', 'soft error')],
      [T0 + 2, completes('after', { r: 2 })],
    ]);

    expect(statuses(state)).toEqual([
      ['lenient', TaskStatus.Failed],
      ['after', TaskStatus.Completed],
    ]);
    expect(state.workflow).toMatchObject({
      status: WorkflowStatus.Failed,
      reasonForIncompletion: `Task ${taskOf(state, 'lenient').taskId} failed with status: FAILED and reason: 'soft error'`,
      failedReferenceTaskNames: ['lenient'],
      output: { r: 2 },
    });
  });

  it('fail the workflow at once when they are its last task', () => {
    const { state } = run(aDefinition([aSimpleTask('first'), permissive('last')]), [
      [T0, started()],
      [T0 + 1, completes('first')],
      [T0 + 2, fails('last')],
    ]);

    expect(state.workflow.status).toBe(WorkflowStatus.Failed);
  });

  it('let the other fork branches finish; the JOIN then fails on them, and the workflow with it', () => {
    const def = aDefinition([
      aTask('FORK_JOIN', 'fork', { forkTasks: [[permissive('bad')], [aSimpleTask('slow'), aSimpleTask('good')]] }),
      aTask('JOIN', 'join', { joinOn: ['bad', 'good'] }),
      aSimpleTask('after'),
    ]);
    const { state } = run(def, [
      [T0, started()],
      [T0 + 1, fails('bad', 'FAILED', 'p')],
      [T0 + 2, completes('slow')],
      [T0 + 3, completes('good', { ok: 1 })],
    ]);

    expect(statuses(state)).toEqual([
      ['fork', TaskStatus.Completed],
      ['bad', TaskStatus.Failed],
      ['slow', TaskStatus.Completed],
      ['join', TaskStatus.Failed],
      ['good', TaskStatus.Completed],
    ]);
    expect(taskOf(state, 'join')).toMatchObject({ reasonForIncompletion: 'p', outputData: { bad: {} } });
    expect(state.workflow).toMatchObject({ status: WorkflowStatus.Failed, failedReferenceTaskNames: ['bad', 'join'] });
  });

  it('are retried first, like any task', () => {
    const def = aDefinition([aSimpleTask('lenient', {}, { permissive: true, retryCount: 1, taskDefinition: { name: 'lenient_task', retryCount: 1, retryDelaySeconds: 0 } }), aSimpleTask('after')]);
    const { state } = run(def, [
      [T0, started()],
      [T0 + 1, fails('lenient')],
      [T0 + 2, completes('lenient')],
      [T0 + 3, completes('after')],
    ]);

    expect(state.workflow.status).toBe(WorkflowStatus.Completed);
  });
});

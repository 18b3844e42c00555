import { TaskStatus, WorkflowStatus } from '@app/contracts';
import type { DeciderEvent } from './events';
import { aDefinition, aSimpleTask, aTask, commandsOf, leased, run, started, statuses, T0, taskOf, withTaskDef } from './testing/builders';
import type { WorkflowRun } from './workflow-run';

const reconcile = (...refs: string[]) => (s: WorkflowRun): DeciderEvent => ({ type: 'workflow.reconcile', missingQueueRows: refs.map((r) => taskOf(s, r).taskId) });

describe('reconcile: a queue row the run needs is missing', () => {
  const def = aDefinition([withTaskDef(aSimpleTask('work'), { retryCount: 1, retryDelaySeconds: 0, responseTimeoutSeconds: 60 })]);

  it('queues a SCHEDULED task again, visible at once, with its lease', () => {
    const { state, last } = run(def, [
      [T0, started()],
      [T0 + 5000, reconcile('work')],
    ]);
    expect(statuses(state)).toEqual([['work', TaskStatus.Scheduled]]);
    expect(commandsOf(last, 'queue.push')).toEqual([expect.objectContaining({ taskId: taskOf(state, 'work').taskId, queueName: 'work_task', visibleAt: T0 + 5000, leaseMs: 60_000 })]);
  });

  it('times out an IN_PROGRESS task whose lease went with its row, and retries it as a new attempt', () => {
    const { state, last } = run(def, [
      [T0, started()],
      [T0 + 1, (s) => leased(taskOf(s, 'work').taskId, T0 + 1)],
      [T0 + 5000, reconcile('work')],
    ]);
    expect(statuses(state)).toEqual([
      ['work', TaskStatus.TimedOut],
      ['work', TaskStatus.Scheduled],
    ]);
    expect(commandsOf(last, 'queue.push')).toHaveLength(1);
  });

  it('leaves ended tasks, tasks that are not queued, and ended workflows alone', () => {
    const withWait = aDefinition([aTask('HUMAN', 'approve'), aSimpleTask('work')]);
    const { last } = run(withWait, [
      [T0, started()],
      [T0 + 1, reconcile('approve')],
    ]);
    expect(last).toEqual([]);

    const ended = run(aDefinition([aTask('TERMINATE', 'stop', { inputParameters: { terminationStatus: 'COMPLETED' } })]), [
      [T0, started()],
      [T0 + 1, reconcile('stop')],
    ]);
    expect(ended.state.workflow.status).toBe(WorkflowStatus.Completed);
    expect(ended.last).toEqual([]);
  });

  it('queues an HTTP task again with the lease its call needs', () => {
    const http = aDefinition([aTask('HTTP', 'call', { inputParameters: { http_request: { uri: 'http://x', method: 'GET', readTimeOut: 10_000 } } })]);
    const { last } = run(http, [
      [T0, started()],
      [T0 + 1, reconcile('call')],
    ]);
    expect(commandsOf(last, 'queue.push')).toEqual([expect.objectContaining({ queueName: 'HTTP', leaseMs: 43_000 })]);
  });
});

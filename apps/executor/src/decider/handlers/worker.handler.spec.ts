import { TaskStatus, WorkflowTask } from '@app/contracts';
import { aDefinition, aSimpleTask, commandsOf, run, started, T0, taskOf, withTaskDef } from '../testing/builders';

describe('worker tasks (SIMPLE and every non-built-in type)', () => {
  it.each<[string, WorkflowTask, string]>([
    ['SIMPLE: the queue of its name', aSimpleTask('fetch'), 'fetch_task'],
    ['a type that is not a built-in (Conductor USER_DEFINED): the queue of its name', { name: 'resize', taskReferenceName: 'fetch', type: 'IMAGE_RESIZE' }, 'resize'],
  ])('%s', (_, wt, queueName) => {
    const { state, last } = run(aDefinition([wt]), [[T0, started({}, { priority: 7 })]]);

    const task = taskOf(state, 'fetch');
    expect(task).toMatchObject({ taskType: queueName, status: TaskStatus.Scheduled, callbackFromWorker: true, workflowPriority: 7, pollCount: 0 });
    expect(commandsOf(last, 'queue.push')).toEqual([{ type: 'queue.push', taskId: task.taskId, queueName, taskDefName: queueName, visibleAt: T0, priority: 7, leaseMs: 3_600_000, pollCount: 0 }]);
  });

  it('runs with its task definition: the lease is its responseTimeoutSeconds, and the definition travels with the task', () => {
    const { state, last } = run(aDefinition([withTaskDef(aSimpleTask('fetch'), { responseTimeoutSeconds: 45, retryCount: 1 })]), [[T0, started()]]);

    const task = taskOf(state, 'fetch');
    expect(task).toMatchObject({ responseTimeoutSeconds: 45, taskDefinition: { name: 'fetch_task', responseTimeoutSeconds: 45, retryCount: 1, timeoutPolicy: 'TIME_OUT_WF' } });
    expect(commandsOf(last, 'queue.push')[0].leaseMs).toBe(45_000);
  });

  it("fills inputs that resolve to nothing from its definition's inputTemplate", () => {
    const def = aDefinition([withTaskDef(aSimpleTask('fetch', { url: '${workflow.input.url}', method: 'GET' }), { inputTemplate: { url: 'https://default.test', method: 'POST', retries: 2 } })]);

    const { state } = run(def, [[T0, started({}, { correlationId: 'c-1' })]]);

    expect(taskOf(state, 'fetch')).toMatchObject({ inputData: { url: 'https://default.test', method: 'GET', retries: 2 }, correlationId: 'c-1' });
  });
});

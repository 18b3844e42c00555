import { SystemTaskType } from '@app/contracts';
import { aDefinition, aSimpleTask, aTask, byRef, commandsOf, leased, reported, run, started, T0, taskOf, withTaskDef } from '../decider/testing/builders';
import { kafkaQueueOf, queueNameOf, taskDefOfKafkaQueue } from '../decider/task-defs';

describe('the queue of a KAFKA-delivered task definition', () => {
  it('is kafka/<taskDefName> for a worker task whose definition says deliveryMode KAFKA; POLL (or nothing) keeps its type', () => {
    const def = aDefinition([withTaskDef(aSimpleTask('k'), { deliveryMode: 'KAFKA', responseTimeoutSeconds: 30 }), withTaskDef(aSimpleTask('p'), { deliveryMode: 'POLL' }), aSimpleTask('plain')]);

    const { state, last } = run(def, [[T0, started()]]);

    const pushed = commandsOf(last, 'queue.push');
    expect(pushed).toEqual([expect.objectContaining({ taskId: taskOf(state, 'k').taskId, queueName: 'kafka/k_task', taskDefName: 'k_task', leaseMs: 30_000 })]);
    expect(taskOf(state, 'k')).toMatchObject({ taskType: 'k_task', status: 'SCHEDULED' });
    expect(queueNameOf(taskOf(state, 'k'))).toBe('kafka/k_task');
    expect(queueNameOf({ ...taskOf(state, 'k'), taskDefinition: { ...taskOf(state, 'k').taskDefinition!, deliveryMode: 'POLL' } })).toBe('k_task');
  });

  it('stays kafka/ for the same task queued again: a callback, and the retry of a failure', () => {
    const def = aDefinition([withTaskDef(aSimpleTask('k'), { deliveryMode: 'KAFKA', retryCount: 1, retryDelaySeconds: 0 })]);

    const callback = run(def, [
      [T0, started()],
      [T0 + 1, byRef('k', (id) => leased(id, T0 + 1))],
      [T0 + 2, byRef('k', (id) => reported(id, 'IN_PROGRESS', { callbackAfterSeconds: 5 }))],
    ]);
    expect(commandsOf(callback.last, 'queue.push')).toEqual([expect.objectContaining({ queueName: 'kafka/k_task', visibleAt: T0 + 2 + 5000 })]);

    const retry = run(def, [
      [T0, started()],
      [T0 + 1, byRef('k', (id) => reported(id, 'FAILED'))],
    ]);
    expect(commandsOf(retry.last, 'queue.push')).toEqual([expect.objectContaining({ queueName: 'kafka/k_task' })]);
    expect(taskOf(retry.state, 'k').retryCount).toBe(1);
  });

  it("leaves the engine's own queued system tasks on their queues whatever their definition says", () => {
    const def = aDefinition([withTaskDef(aTask(SystemTaskType.Http, 'call', { inputParameters: { http_request: { uri: 'http://x.test', method: 'GET' } } }), { deliveryMode: 'KAFKA' })]);

    const { last } = run(def, [[T0, started()]]);

    expect(commandsOf(last, 'queue.push').map((c) => c.queueName)).toEqual([SystemTaskType.Http]);
  });

  it('names its definition back, and no other queue', () => {
    expect(taskDefOfKafkaQueue(kafkaQueueOf('mail.send'))).toBe('mail.send');
    expect(taskDefOfKafkaQueue('mail.send')).toBeUndefined();
  });
});

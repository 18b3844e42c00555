import { TaskStatus, WorkflowStatus } from '@app/contracts';
import type { DeciderEvent, TaskResultReported } from '../events';
import { aDefinition, aSimpleTask, aTask, byRef, commandsOf, leased, reported, run, started, statuses, T0, taskOf } from '../testing/builders';

const call = (inputParameters: Record<string, unknown>, extra = {}) =>
  aDefinition([aTask('HTTP', 'call', { name: 'get_weather', inputParameters, ...extra }), aSimpleTask('after', { temp: '${call.output.response.body.temp}' })]);

describe('HTTP', () => {
  it("is queued under HTTP for the engine's worker, as a task of type HTTP", () => {
    const { state, last } = run(call({ http_request: { uri: 'http://127.0.0.1/w', method: 'GET' } }), [[T0, started()]]);

    expect(taskOf(state, 'call')).toMatchObject({ taskType: 'HTTP', taskDefName: 'get_weather', status: TaskStatus.Scheduled, inputData: { http_request: { uri: 'http://127.0.0.1/w', method: 'GET' } } });
    expect(commandsOf(last, 'queue.push')).toEqual([expect.objectContaining({ queueName: 'HTTP', leaseMs: 36_000 })]);
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>, number]>([
    ['its own timeouts plus a margin', { http_request: { uri: 'http://x', method: 'GET', connectionTimeOut: 1000, readTimeOut: 20_000 } }, {}, 51_000],
    ['the keys at the top level of its input', { uri: 'http://x', method: 'GET', readTimeOut: 10_000 }, {}, 43_000],
    ['no longer than its responseTimeoutSeconds', { uri: 'http://x', method: 'GET' }, { taskDefinition: { name: 'get_weather', responseTimeoutSeconds: 10 } }, 10_000],
  ])('holds a lease of %s', (_, inputParameters, extra, leaseMs) => {
    const { last } = run(call(inputParameters, extra), [[T0, started()]]);

    expect(commandsOf(last, 'queue.push')[0].leaseMs).toBe(leaseMs);
  });

  it("completes with the worker's response, and the flow goes on with it", () => {
    const { state } = run(call({ http_request: { uri: 'http://x', method: 'GET' } }), [
      [T0, started()],
      [T0 + 1, byRef('call', (id) => leased(id, T0 + 1, 'baton-engine'))],
      [T0 + 2, byRef('call', (id) => reported(id, 'COMPLETED', { outputData: { response: { statusCode: 200, body: { temp: 21 } } } }))],
    ]);

    expect(statuses(state)).toEqual([
      ['call', TaskStatus.Completed],
      ['after', TaskStatus.Scheduled],
    ]);
    expect(taskOf(state, 'after').inputData).toEqual({ temp: 21 });
  });

  it('is retried per its task definition when the call failed, as a new attempt in the queue', () => {
    const def = call({ http_request: { uri: 'http://x', method: 'GET' } }, { taskDefinition: { name: 'get_weather', retryCount: 1, retryDelaySeconds: 2 } });
    const { state, last } = run(def, [
      [T0, started()],
      [T0 + 1, byRef('call', (id) => reported(id, 'FAILED', { reasonForIncompletion: 'status 500' }))],
    ]);

    expect(statuses(state)).toEqual([
      ['call', TaskStatus.Failed],
      ['call', TaskStatus.Scheduled],
    ]);
    expect(commandsOf(last, 'queue.push')).toEqual([expect.objectContaining({ queueName: 'HTTP', visibleAt: T0 + 1 + 2000 })]);
    expect(state.workflow.status).toBe(WorkflowStatus.Running);
  });

  describe('asyncComplete', () => {
    const asyncCall = () => call({ http_request: { uri: 'http://x', method: 'POST' } }, { asyncComplete: true });
    const engineDone = (id: string): DeciderEvent => ({ ...(reported(id, 'COMPLETED', { outputData: { response: { statusCode: 202 } } }) as TaskResultReported), byEngine: true });

    it("parks the task IN_PROGRESS, out of the queue, once the engine's call succeeded; an external update completes it", () => {
      const parked = run(asyncCall(), [
        [T0, started()],
        [T0 + 1, byRef('call', (id) => leased(id, T0 + 1, 'baton-engine'))],
        [T0 + 2, byRef('call', engineDone)],
      ]);
      expect(statuses(parked.state)).toEqual([['call', TaskStatus.InProgress]]);
      expect(taskOf(parked.state, 'call').outputData).toEqual({ response: { statusCode: 202 } });
      expect(commandsOf(parked.last, 'queue.remove')).toEqual([{ type: 'queue.remove', taskId: taskOf(parked.state, 'call').taskId }]);

      const done = run(asyncCall(), [
        [T0, started()],
        [T0 + 2, byRef('call', engineDone)],
        [T0 + 3, byRef('call', (id) => reported(id, 'IN_PROGRESS', { outputData: { progress: 50 } }))],
        [T0 + 9, byRef('call', (id) => reported(id, 'COMPLETED', { outputData: { body: { temp: 3 } } }))],
      ]);
      expect(statuses(done.state)).toEqual([
        ['call', TaskStatus.Completed],
        ['after', TaskStatus.Scheduled],
      ]);
      // The external progress report did not put the call back in the queue to be made again.
      expect(taskOf(done.state, 'call').outputData).toEqual({ response: { statusCode: 202 }, progress: 50, body: { temp: 3 } });
    });

    it('still fails (and retries) a call that failed', () => {
      const def = call({ http_request: { uri: 'http://x', method: 'GET' } }, { asyncComplete: true, taskDefinition: { name: 'get_weather', retryCount: 1, retryDelaySeconds: 0 } });
      const { state } = run(def, [
        [T0, started()],
        [T0 + 1, byRef('call', (id) => ({ ...(reported(id, 'FAILED', { reasonForIncompletion: '503' }) as TaskResultReported), byEngine: true }))],
      ]);
      expect(statuses(state)).toEqual([
        ['call', TaskStatus.Failed],
        ['call', TaskStatus.Scheduled],
      ]);
    });

    it('completes at once without asyncComplete, whoever reports', () => {
      const { state } = run(call({ http_request: { uri: 'http://x', method: 'GET' } }), [
        [T0, started()],
        [T0 + 1, byRef('call', engineDone)],
      ]);
      expect(taskOf(state, 'call').status).toBe(TaskStatus.Completed);
    });
  });
});

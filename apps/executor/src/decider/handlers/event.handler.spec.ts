import { TaskStatus, WorkflowStatus } from '@app/contracts';
import { aDefinition, aSimpleTask, aTask, byRef, commandsOf, reported, run, started, statuses, T0, taskOf, WF_ID } from '../testing/builders';
import { eventSinkOf } from './event.handler';

const publishing = (sink: string, extra = {}) =>
  aDefinition([aTask('EVENT', 'notify', { sink, inputParameters: { orderId: '${workflow.input.orderId}' }, ...extra }), aSimpleTask('after', { queue: '${notify.output.event_produced}' })], { name: 'orders' });

describe('EVENT', () => {
  it.each<[string, unknown, string | undefined, string | undefined]>([
    ['conductor: the workflow and task name the queue', 'conductor', 'conductor:orders:notify', undefined],
    ['conductor:<name>: the workflow and that name', 'conductor:shipped', 'conductor:orders:shipped', undefined],
    ['kafka:<topic>: that topic', 'kafka:audit', 'kafka:audit', undefined],
    ['no sink', undefined, undefined, 'No sink specified in task'],
    ['conductorX: not a conductor queue', 'conductorX', undefined, 'Invalid / Unsupported sink specified: conductorX'],
    ['a provider Baton does not have', 'sqs:orders', undefined, 'Baton has no event queue of type sqs'],
  ])('sink %s', (_, sink, queue, error) => {
    const found = eventSinkOf(sink, 'orders', 'notify');
    if (queue) expect(found).toMatchObject({ queue });
    else expect((found as { error: string }).error).toContain(error);
  });

  it('publishes its input with the workflow fields, completes with that payload as output, and the flow goes on', () => {
    const { state, last } = run(publishing('conductor:shipped'), [[T0, started({ orderId: 42 }, { correlationId: 'c-1' })]]);
    const task = taskOf(state, 'notify');
    const payload = {
      orderId: 42,
      sink: 'conductor:shipped',
      asyncComplete: false,
      workflowInstanceId: WF_ID,
      workflowType: 'orders',
      workflowVersion: 1,
      correlationId: 'c-1',
      event_produced: 'conductor:orders:shipped',
    };

    expect(task).toMatchObject({ taskType: 'EVENT', status: TaskStatus.Completed, outputData: payload });
    expect(commandsOf(last, 'event.publish')).toEqual([{ type: 'event.publish', sink: 'conductor', queue: 'conductor:orders:shipped', messageId: task.taskId, payload }]);
    expect(taskOf(state, 'after').inputData).toEqual({ queue: 'conductor:orders:shipped' });
  });

  it('publishes a kafka: sink to that topic', () => {
    const { last } = run(publishing('kafka:audit'), [[T0, started({ orderId: 1 })]]);
    expect(commandsOf(last, 'event.publish')).toEqual([expect.objectContaining({ sink: 'kafka', topic: 'audit' })]);
  });

  it('resolves a sink given as an expression', () => {
    const { last } = run(publishing('${workflow.input.sink}'), [[T0, started({ orderId: 1, sink: 'conductor:late' })]]);
    expect(commandsOf(last, 'event.publish')).toEqual([expect.objectContaining({ queue: 'conductor:orders:late' })]);
  });

  it('with asyncComplete, publishes and waits IN_PROGRESS for an update to complete it', () => {
    const { state } = run(publishing('conductor', { asyncComplete: true }), [
      [T0, started({ orderId: 1 })],
      [T0 + 5, byRef('notify', (id) => reported(id, 'COMPLETED', { outputData: { ack: true } }))],
    ]);
    expect(statuses(state)).toEqual([
      ['notify', TaskStatus.Completed],
      ['after', TaskStatus.Scheduled],
    ]);
    expect(taskOf(state, 'notify').outputData).toMatchObject({ event_produced: 'conductor:orders:notify', ack: true });
  });

  it('fails (and with it the workflow) on a sink Baton has no queue for, publishing nothing', () => {
    const { state, commands } = run(publishing('nats:orders'), [[T0, started({ orderId: 1 })]]);
    expect(taskOf(state, 'notify').status).toBe(TaskStatus.Failed);
    expect(state.workflow.status).toBe(WorkflowStatus.Failed);
    expect(commandsOf(commands, 'event.publish')).toEqual([]);
  });
});

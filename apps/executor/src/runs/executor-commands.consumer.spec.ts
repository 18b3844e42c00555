import { BatonError, ErrorCode, ExecutorNotice, Topic } from '@app/contracts';
import type { BusMessage, MessageBus } from '@app/bus';
import { Clock } from '@app/runtime';
import { DecisionError } from './decision-batcher';
import { ExecutorCommandsConsumer } from './executor-commands.consumer';
import type { WorkflowExecutionService } from './workflow-execution.service';

const notice: ExecutorNotice = { type: 'task.leased', eventId: 'e-1', workflowId: 'wf-1', taskId: 't-1', leasedAt: 1, pollCount: 1 };

/** The consumer over fakes: what it does with a notice whose handling fails, by kind of failure. */
function consumerFailingWith(err: unknown) {
  const published: BusMessage[] = [];
  const bus = { publish: async (messages: readonly BusMessage[]) => void published.push(...messages) } as unknown as MessageBus;
  const executions = { notice: async () => Promise.reject(err), start: async () => Promise.reject(err) } as unknown as WorkflowExecutionService;
  return { consumer: new ExecutorCommandsConsumer(executions, bus, new Clock()), published };
}

describe('ExecutorCommandsConsumer: messages nobody waits on that cannot be handled', () => {
  it.each([
    ['a decision that throws', new DecisionError('wf-1', new Error('no handler for task type DO_WHILE'))],
    ['a domain error', new BatonError(ErrorCode.WorkflowDefNotFound, 'No such workflow found by name: x, version: null')],
  ])('parks %s on the dead-letter topic with the reason, and takes the next message', async (_, err) => {
    const { consumer, published } = consumerFailingWith(err);

    await expect(consumer.handle(notice)).resolves.toBeUndefined();

    expect(published).toEqual([{ topic: Topic.DeadLetter, key: 'wf-1', value: { topic: Topic.ExecutorCommands, reason: (err as Error).message, payload: notice } }]);
  });

  it.each([
    ['the database is away', new Error('Connection terminated unexpectedly')],
    ['the owner is busy (a rebalance)', new BatonError(ErrorCode.Unavailable, 'workflow wf-1 was changed by another writer; try again')],
  ])('lets the bus redeliver when %s', async (_, err) => {
    const { consumer, published } = consumerFailingWith(err);

    await expect(consumer.handle(notice)).rejects.toBe(err);
    expect(published).toEqual([]);
  });

  it('parks a child start that can never start the same way', async () => {
    const err = new DecisionError('child-1', new Error('corrupt'));
    const { consumer, published } = consumerFailingWith(err);
    const start = { type: 'workflow.start' as const, commandId: 'c', issuedAt: 0, workflowId: 'child-1', name: 'x', input: {}, priority: 0, parent: { workflowId: 'p', taskId: 't' } };

    await expect(consumer.handle(start)).resolves.toBeUndefined();
    expect(published.map((m) => m.topic)).toEqual([Topic.DeadLetter]);
  });
});

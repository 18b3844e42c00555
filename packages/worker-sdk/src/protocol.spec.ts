import { aTask } from '../test-support/fixtures';
import { parseKafkaTaskMessage, reportTypeOf, workerGroupOf, workerTopicOf } from './protocol';

describe('the worker protocol mirror', () => {
  it('names topics and groups as the engine does', () => {
    expect(workerTopicOf('greet')).toBe('baton.worker.tasks.greet.v1');
    expect(workerGroupOf('greet')).toBe('baton.workers.greet');
  });

  it.each([
    ['COMPLETED', 'start.success'],
    ['FAILED', 'start.failed'],
    ['FAILED_WITH_TERMINAL_ERROR', 'start.failed'],
    ['CANCELED', 'start.failed'],
    ['IN_PROGRESS', 'monitor.success'],
  ] as const)('a %s result goes out as %s', (status, type) => {
    expect(reportTypeOf(status)).toBe(type);
  });

  it('parses a task message', () => {
    const task = aTask();
    const parsed = parseKafkaTaskMessage(Buffer.from(JSON.stringify({ type: 'produce', task, producedAt: 1 })));
    expect(parsed).toEqual({ ok: true, message: { type: 'produce', task, producedAt: 1 } });
  });

  it.each([
    ['empty', null, 'empty message'],
    ['not JSON', Buffer.from('{'), expect.stringMatching(/^not JSON/)],
    ['another type', Buffer.from('{"type":"x"}'), 'unknown message type "x"'],
    ['no taskId', Buffer.from('{"type":"produce","task":{"workflowInstanceId":"w"}}'), 'task without a taskId'],
  ])('gives the reason a message can never be a task: %s', (_name, value, reason) => {
    expect(parseKafkaTaskMessage(value)).toEqual({ ok: false, reason });
  });
});

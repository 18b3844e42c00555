import { aTask } from '../test-support/fixtures';
import { resultOf, TaskOutcome, TerminalError } from './task-outcome';

describe('resultOf', () => {
  const task = aTask({ taskId: 't1', workflowInstanceId: 'wf1' });
  const base = { taskId: 't1', workflowInstanceId: 'wf1', workerId: 'w1' };

  it.each<[string, Parameters<typeof resultOf>[2], object]>([
    ['an output', { ok: true, value: { a: 1 } }, { status: 'COMPLETED', outputData: { a: 1 } }],
    ['nothing', { ok: true, value: undefined }, { status: 'COMPLETED', outputData: {} }],
    ['an output with a status key stays an output', { ok: true, value: { status: 'FAILED' } }, { status: 'COMPLETED', outputData: { status: 'FAILED' } }],
    ['an array', { ok: true, value: [1, 2] }, { status: 'COMPLETED', outputData: { result: [1, 2] } }],
    ['completed', { ok: true, value: TaskOutcome.completed({ b: 2 }) }, { status: 'COMPLETED', outputData: { b: 2 } }],
    ['failed terminal', { ok: true, value: TaskOutcome.failedTerminal('no such user') }, { status: 'FAILED_WITH_TERMINAL_ERROR', reasonForIncompletion: 'no such user' }],
    ['in progress', { ok: true, value: TaskOutcome.inProgress(0) }, { status: 'IN_PROGRESS', callbackAfterSeconds: 0 }],
    ['a thrown string', { ok: false, error: 'nope' }, { status: 'FAILED', reasonForIncompletion: 'nope' }],
  ])('%s', (_name, settled, expected) => {
    expect(resultOf(task, 'w1', settled)).toEqual({ ...base, ...expected });
  });

  it('a thrown error carries its message as the reason and its stack as a log line', () => {
    const err = new TerminalError('bad input');
    const result = resultOf(task, 'w1', { ok: false, error: err }, [{ log: 'before', taskId: 't1', createdTime: 1 }], 2);
    expect(result).toEqual({
      ...base,
      status: 'FAILED_WITH_TERMINAL_ERROR',
      reasonForIncompletion: 'bad input',
      logs: [
        { log: 'before', taskId: 't1', createdTime: 1 },
        { log: expect.stringContaining('TerminalError: bad input'), taskId: 't1', createdTime: 2 },
      ],
    });
  });

  it('refuses a callback that is not a whole number of seconds', () => {
    expect(() => TaskOutcome.inProgress(1.5)).toThrow(RangeError);
    expect(() => TaskOutcome.inProgress(-1)).toThrow(RangeError);
  });
});

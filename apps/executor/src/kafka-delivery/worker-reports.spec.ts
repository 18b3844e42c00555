import { TaskResultStatus, WorkerTaskReport } from '@app/contracts';
import { actionOf } from './worker-reports';

const WF = '00000000-0000-4000-8000-0000000000aa';
const TASK = '00000000-0000-4000-8000-0000000000bb';

const aReport = (type: WorkerTaskReport['type'], extra: Partial<WorkerTaskReport> = {}): WorkerTaskReport => ({
  source: 'worker',
  eventId: 'e-1',
  type,
  workflowId: WF,
  taskId: TASK,
  workerId: 'w-1',
  occurredAt: 0,
  ...extra,
});

describe("actionOf (what a native worker's report asks of the engine)", () => {
  it('start.begin: the worker begins the task', () => {
    expect(actionOf(aReport('start.begin'))).toEqual({ kind: 'begin', workflowId: WF, taskId: TASK, workerId: 'w-1', eventId: 'e-1' });
  });

  it.each<[WorkerTaskReport['type'], TaskResultStatus | undefined, TaskResultStatus]>([
    ['monitor.success', undefined, 'IN_PROGRESS'],
    ['monitor.success', 'COMPLETED', 'IN_PROGRESS'],
    ['start.success', undefined, 'COMPLETED'],
    ['start.success', 'FAILED', 'COMPLETED'],
    ['start.failed', undefined, 'FAILED'],
    ['start.failed', 'FAILED_WITH_TERMINAL_ERROR', 'FAILED_WITH_TERMINAL_ERROR'],
    ['start.failed', 'COMPLETED', 'FAILED'],
  ])('%s with result status %s: a task update with status %s', (type, given, status) => {
    const action = actionOf(aReport(type, { result: { workflowInstanceId: WF, taskId: TASK, status: given as TaskResultStatus, outputData: { n: 1 } } }));

    expect(action).toEqual({ kind: 'update', workflowId: WF, eventId: 'e-1', result: { workflowInstanceId: WF, taskId: TASK, workerId: 'w-1', status, outputData: { n: 1 } } });
  });

  it("keeps a heartbeat's extendLease and a callback's callbackAfterSeconds; the envelope names the task", () => {
    const action = actionOf(
      aReport('monitor.success', { result: { workflowInstanceId: 'other', taskId: 'other', status: 'IN_PROGRESS', extendLease: true, callbackAfterSeconds: 5, workerId: 'someone' } }),
    );

    expect(action).toMatchObject({ kind: 'update', result: { workflowInstanceId: WF, taskId: TASK, workerId: 'w-1', extendLease: true, callbackAfterSeconds: 5 } });
  });

  it('takes a result-less success as a result with nothing in it', () => {
    expect(actionOf(aReport('start.success'))).toMatchObject({ kind: 'update', result: { status: 'COMPLETED', taskId: TASK } });
  });

  it.each<[string, Partial<WorkerTaskReport> | Record<string, unknown>, RegExp]>([
    ['a workflowId that is no uuid', { workflowId: 'wf-1' }, /workflowId \(a uuid\)/],
    ['no taskId', { taskId: undefined }, /taskId \(a uuid\)/],
    ['an unknown type', { type: 'start.whatever' }, /unknown worker report type "start.whatever"/],
    ['a result that is not an object', { type: 'start.success', result: 'done' }, /result must be a TaskResult object/],
    ['a result that breaks TaskResult', { type: 'start.failed', result: { callbackAfterSeconds: -1 } }, /result.callbackAfterSeconds: Callback after seconds must be positive/],
    ['a workerId that is not text', { workerId: 7 }, /workerId must be text/],
  ])('refuses %s (a poison message)', (_what, extra, reason) => {
    expect(actionOf({ ...aReport('start.begin'), ...extra } as WorkerTaskReport)).toEqual({ kind: 'invalid', reason: expect.stringMatching(reason) });
  });
});

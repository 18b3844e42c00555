import {
  conductorTaskStatus,
  TASK_EVENT_STATUS,
  TASK_EVENT_TYPES,
  TaskPhase,
  taskEventTypeForResult,
} from './lifecycle';
import { TASK_STATUS_TRAITS, TaskResultStatus, TaskStatus } from './status';

describe('the task lifecycle and its projection onto Conductor statuses', () => {
  it('has an event type for every phase × outcome, and passed only for mock', () => {
    for (const phase of Object.values(TaskPhase)) {
      for (const outcome of ['begin', 'success', 'failed', 'canceled']) expect(TASK_EVENT_TYPES).toContain(`${phase}.${outcome}`);
    }
    expect(TASK_EVENT_TYPES.filter((t) => t.endsWith('.passed'))).toEqual(['mock.passed']);
    expect(TASK_EVENT_TYPES).toHaveLength(7 * 4 + 1);
  });

  it.each([
    ['produce.success', TaskStatus.Scheduled],
    ['start.begin', TaskStatus.InProgress],
    ['start.success', TaskStatus.Completed],
    ['start.failed', TaskStatus.Failed],
    ['monitor.failed', TaskStatus.TimedOut],
    ['cancel.success', TaskStatus.Canceled],
    ['mock.success', TaskStatus.Completed],
    ['mock.passed', TaskStatus.Skipped],
  ] as const)('projects %s to %s', (type, status) => {
    expect(conductorTaskStatus(type)).toBe(status);
  });

  it.each(['monitor.success', 'rollback.begin', 'rollback.success', 'delete.success', 'cancel.failed'] as const)(
    'leaves the status as it was for %s (Conductor has no word for it)',
    (type) => {
      expect(conductorTaskStatus(type)).toBeNull();
    },
  );

  it('refines a failure that must not be retried, and an optional task that failed for good', () => {
    expect(conductorTaskStatus('start.failed', { nonRetriable: true })).toBe(TaskStatus.FailedWithTerminalError);
    expect(conductorTaskStatus('start.failed', { optional: true })).toBe(TaskStatus.CompletedWithErrors);
    expect(conductorTaskStatus('start.success', { nonRetriable: true, optional: true })).toBe(TaskStatus.Completed);
  });

  it('maps only to statuses that exist, and every terminal outcome to a terminal status', () => {
    for (const [type, status] of Object.entries(TASK_EVENT_STATUS)) {
      if (status === null) continue;
      expect(Object.keys(TASK_STATUS_TRAITS)).toContain(status);
      if (/\.(success|failed|canceled|passed)$/.test(type) && type.startsWith('start')) expect(TASK_STATUS_TRAITS[status].terminal).toBe(true);
    }
  });

  it.each([
    [TaskResultStatus.Completed, 'start.success'],
    [TaskResultStatus.Failed, 'start.failed'],
    [TaskResultStatus.FailedWithTerminalError, 'start.failed'],
    [TaskResultStatus.Canceled, 'cancel.success'],
    [TaskResultStatus.InProgress, 'monitor.success'],
  ] as const)("reads a worker's %s as %s", (status, type) => {
    expect(taskEventTypeForResult(status)).toBe(type);
  });
});

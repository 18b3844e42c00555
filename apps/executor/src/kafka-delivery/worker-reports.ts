import { isUuid, TaskResult, TaskResultStatus, validateModel, WorkerTaskReport } from '@app/contracts';

/**
 * What a native worker's report (worker-protocol.ts) asks of the engine, decided without I/O:
 *
 * - `start.begin` → `begin`: the worker's lease — the queue row's hand-off becomes the worker's, running
 *   its responseTimeoutSeconds from now, and the owner hears of it as of an HTTP poll's lease.
 * - `monitor.success`, `start.success`, `start.failed` → `update`: the TaskResult the gateway's
 *   `POST /api/tasks` would send, its status set by the report's type — IN_PROGRESS (a heartbeat with
 *   `extendLease`, or Conductor's callback with `callbackAfterSeconds`), COMPLETED, FAILED (or
 *   FAILED_WITH_TERMINAL_ERROR when the result says so). The report's envelope names the task: its
 *   workflowId, taskId and workerId stand over the result's.
 * - anything else that says it is a worker's report → `invalid`: a poison message, parked with the reason.
 */
export type ReportAction =
  | { readonly kind: 'begin'; readonly workflowId: string; readonly taskId: string; readonly workerId?: string; readonly eventId: string }
  | { readonly kind: 'update'; readonly workflowId: string; readonly result: TaskResult; readonly eventId: string }
  | { readonly kind: 'invalid'; readonly reason: string };

const UPDATE_STATUS = {
  'monitor.success': () => TaskResultStatus.InProgress,
  'start.success': () => TaskResultStatus.Completed,
  'start.failed': (given: unknown) => (given === TaskResultStatus.FailedWithTerminalError ? TaskResultStatus.FailedWithTerminalError : TaskResultStatus.Failed),
} as const satisfies Record<Exclude<WorkerTaskReport['type'], 'start.begin'>, (given: unknown) => TaskResultStatus>;

export function actionOf(report: WorkerTaskReport): ReportAction {
  const r = report as Partial<Record<keyof WorkerTaskReport, unknown>>;
  if (!isUuid(r.workflowId)) return { kind: 'invalid', reason: `a worker report needs the task's workflowId (a uuid), not ${JSON.stringify(r.workflowId)}` };
  if (!isUuid(r.taskId)) return { kind: 'invalid', reason: `a worker report needs a taskId (a uuid), not ${JSON.stringify(r.taskId)}` };
  if (r.workerId !== undefined && typeof r.workerId !== 'string') return { kind: 'invalid', reason: 'a worker report\'s workerId must be text' };
  const workflowId = r.workflowId;
  const taskId = r.taskId;
  const workerId = r.workerId || undefined;
  const eventId = typeof r.eventId === 'string' && r.eventId ? r.eventId : taskId;

  if (r.type === 'start.begin') return { kind: 'begin', workflowId, taskId, ...(workerId ? { workerId } : {}), eventId };
  if (typeof r.type !== 'string' || !Object.hasOwn(UPDATE_STATUS, r.type)) {
    return { kind: 'invalid', reason: `unknown worker report type ${JSON.stringify(r.type)}: expected start.begin, monitor.success, start.success or start.failed` };
  }
  const given = r.result ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) return { kind: 'invalid', reason: `${r.type}: result must be a TaskResult object` };
  const status = UPDATE_STATUS[r.type as keyof typeof UPDATE_STATUS]((given as { status?: unknown }).status);
  const result = { ...(given as Partial<TaskResult>), workflowInstanceId: workflowId, taskId, status, ...(workerId ? { workerId } : {}) } as TaskResult;
  const errors = validateModel(TaskResult, result, 'result');
  if (errors.length) return { kind: 'invalid', reason: `${r.type}: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}` };
  return { kind: 'update', workflowId, result, eventId };
}

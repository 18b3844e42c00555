import { Injectable } from '@nestjs/common';
import { SystemTaskType, Task } from '@app/contracts';
import { RILL_CALL_TIMEOUT_MS } from '../../decider/rill/function.handler';
import { performHttpTask } from '../http/http-call';
import { QueuedSystemTaskWorker, SystemTaskOutcome } from '../system-task.worker';

/** Input keys Rill Flow's HTTP dispatcher reads as parts of the request rather than body fields. */
const REQUEST_PARTS = ['header', 'query', 'body'] as const;
/** What a call's deadline leaves of its lease, to report the outcome in. */
const REPORT_MARGIN_MS = 5000;

const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
const asMap = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/**
 * The engine's worker for Rill Flow function tasks: calls the task's resource (`Task.call`, set by the
 * decider) as Rill Flow's HTTP dispatcher does (`HttpInvokeHelperImpl`), through the same client as
 * Conductor's HTTP task:
 * - the query carries `execution_id` and `name` (the task's), plus the input's `query` map;
 * - a POST's JSON body is `execution_id` and the input's fields, the input's `body` map merged in; a GET
 *   puts those fields in the query;
 * - headers: the input's `header` map, `X-Flow-Server`, `X-Callback-Url` (`/flow/trigger.json` for this
 *   task), and `X-Mode: async` for task_async and task_scheduler.
 * The response's JSON body is the task's output (anything else is `{ "response": <body> }`); a non-2xx
 * status, a refused connection or a timeout fails the attempt, which the task's `retry` may repeat.
 * Whether the output counts as success (successConditions, failConditions, result_type) is the decider's
 * call, as is holding an async task RUNNING until its callback.
 */
@Injectable()
export class RillFunctionWorker extends QueuedSystemTaskWorker {
  protected readonly type = SystemTaskType.RillFunction;

  protected async perform(task: Task, signal: AbortSignal): Promise<SystemTaskOutcome> {
    const call = task.call;
    if (!call) return { status: 'FAILED_WITH_TERMINAL_ERROR', outputData: {}, reasonForIncompletion: 'the task carries no resource to call' };
    const executionId = task.correlationId ?? task.workflowInstanceId;
    const fields = Object.fromEntries(Object.entries(task.inputData).filter(([k]) => !(REQUEST_PARTS as readonly string[]).includes(k)));
    let url: URL;
    try {
      url = new URL(call.url);
    } catch {
      return { status: 'FAILED_WITH_TERMINAL_ERROR', outputData: {}, reasonForIncompletion: `resourceName ${call.url} is not a URL` };
    }
    url.searchParams.set('execution_id', executionId);
    url.searchParams.set('name', task.referenceTaskName);
    for (const [key, value] of Object.entries(asMap(task.inputData.query))) url.searchParams.set(key, text(value));
    const get = call.method === 'GET';
    if (get) for (const [key, value] of Object.entries(fields)) url.searchParams.set(key, text(value));
    const headers: Record<string, string> = {
      ...Object.fromEntries(Object.entries(asMap(task.inputData.header)).map(([k, v]) => [k, text(v)])),
      ...(task.callbackUrl ? { 'X-Flow-Server': new URL(task.callbackUrl).origin, 'X-Callback-Url': task.callbackUrl } : {}),
      ...(call.async ? { 'X-Mode': 'async' } : {}),
    };
    const outcome = await performHttpTask(
      {
        http_request: {
          uri: url.toString(),
          method: call.method,
          headers,
          ...(get ? {} : { body: { execution_id: executionId, ...fields, ...asMap(task.inputData.body) }, contentType: 'application/json' }),
          accept: 'application/json',
          connectionTimeOut: Math.min(call.timeoutMs, 5000),
          readTimeOut: call.timeoutMs,
        },
      },
      { signal },
    );
    const body = asMap(outcome.outputData.response).body;
    const output = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : body === undefined ? {} : { response: body };
    return outcome.status === 'COMPLETED' ? { status: 'COMPLETED', outputData: output } : { status: outcome.status, outputData: output, reasonForIncompletion: outcome.reasonForIncompletion };
  }

  protected deadlineMs(task: Task): number {
    return (task.call?.timeoutMs ?? RILL_CALL_TIMEOUT_MS) + REPORT_MARGIN_MS;
  }
}

import { ConductorEventMessage, EventAction, EventActionType, EventHandler, eventStartIdFor } from '@app/contracts';
import type { ScriptResult } from '../decider/evaluators';
import { resolveParameters } from '../decider/expressions';

/** What one action of a handler asks of the engine, with every `${…}` resolved over the message. */
export type PlannedAction =
  | {
      readonly kind: 'start_workflow';
      readonly workflowId: string;
      readonly name: string;
      readonly version?: number;
      readonly input: Record<string, unknown>;
      readonly correlationId?: string;
      readonly taskToDomain?: Record<string, string>;
    }
  | {
      readonly kind: 'complete_task' | 'fail_task';
      readonly workflowId: string;
      readonly taskId?: string;
      readonly taskRefName?: string;
      readonly outputData: Record<string, unknown>;
      readonly reasonForIncompletion?: string;
    }
  | { readonly kind: 'terminate_workflow'; readonly workflowId: string; readonly reason: string }
  | { readonly kind: 'update_workflow_variables'; readonly workflowId: string; readonly variables: Record<string, unknown>; readonly appendArray: boolean }
  /** The action cannot be carried out as written (a missing workflow id after resolution): why. */
  | { readonly kind: 'invalid'; readonly action: string; readonly reason: string };

export type HandlerPlan =
  | { readonly outcome: 'run'; readonly actions: readonly PlannedAction[] }
  /** The condition did not hold. */
  | { readonly outcome: 'skipped' }
  /** The condition could not be evaluated: nothing runs. */
  | { readonly outcome: 'error'; readonly reason: string };

export type JavaScript = (script: string, input: Record<string, unknown>) => ScriptResult;

/**
 * What a handler does with a message, as Conductor's event processor and SimpleActionProcessor do it: the
 * condition (JavaScript over `$` = the payload; `value-param` reads a payload key) must be true, then each
 * action's parameters are resolved with `${…}` JSONPath over the payload (with `expandInlineJSON`, string
 * values holding JSON are parsed first). Started workflows get `conductor.event.messageId` and
 * `conductor.event.name` in their input, completed or failed tasks in their output — and an id derived from
 * the message, so a redelivered message starts nothing twice. Pure: the caller sends what it returns.
 */
export function planHandler(handler: EventHandler, message: ConductorEventMessage, javascript: JavaScript): HandlerPlan {
  if (handler.condition?.trim()) {
    const evaluated = handler.evaluatorType === 'value-param' ? { ok: true as const, value: message.payload[handler.condition] } : javascript(handler.condition, message.payload);
    if (!evaluated.ok) return { outcome: 'error', reason: `the condition of event handler ${handler.name} failed: ${evaluated.message}` };
    if (!(evaluated.value === true || String(evaluated.value) === 'true')) return { outcome: 'skipped' };
  }
  return { outcome: 'run', actions: (handler.actions ?? []).map((a, i) => planAction(a, i, handler, message)) };
}

function planAction(action: EventAction, index: number, handler: EventHandler, message: ConductorEventMessage): PlannedAction {
  const payload = action.expandInlineJSON ? (expandInlineJson(message.payload) as Record<string, unknown>) : message.payload;
  const resolve = (params: Record<string, unknown>) => resolveParameters(params, payload);
  const stamp = { 'conductor.event.messageId': message.messageId, 'conductor.event.name': message.queue };
  const text = (v: unknown): string | undefined => (v === undefined || v === null || v === '' ? undefined : String(v));
  switch (action.action) {
    case EventActionType.StartWorkflow: {
      const p = action.start_workflow;
      if (!p?.name) return { kind: 'invalid', action: action.action, reason: 'start_workflow needs a workflow name' };
      const input = { ...resolve(p.input ?? {}), ...stamp };
      const resolved = resolve({ correlationId: p.correlationId ?? null, taskToDomain: '${taskToDomain}' });
      const taskToDomain = p.taskToDomain ?? (isStringMap(resolved.taskToDomain) ? resolved.taskToDomain : undefined);
      return {
        kind: 'start_workflow',
        workflowId: eventStartIdFor(message.messageId, handler.name, index),
        name: p.name,
        ...(p.version !== undefined ? { version: p.version } : {}),
        input,
        ...(text(resolved.correlationId) ? { correlationId: text(resolved.correlationId) } : {}),
        ...(taskToDomain && Object.keys(taskToDomain).length ? { taskToDomain } : {}),
      };
    }
    case EventActionType.CompleteTask:
    case EventActionType.FailTask: {
      const p = action.action === EventActionType.CompleteTask ? action.complete_task : action.fail_task;
      // As Conductor: the task's output is everything resolved (the ids included), plus the message's stamp.
      const replaced = resolve({ workflowId: p?.workflowId ?? null, taskId: p?.taskId ?? null, taskRefName: p?.taskRefName ?? null, reasonForIncompletion: p?.reasonForIncompletion ?? null, ...(p?.output ?? {}) });
      const workflowId = text(replaced.workflowId);
      const taskId = text(replaced.taskId);
      const taskRefName = text(replaced.taskRefName);
      if (!workflowId || (!taskId && !taskRefName)) {
        return { kind: 'invalid', action: action.action, reason: `${action.action} needs a workflowId and a taskId or taskRefName (resolved: ${JSON.stringify({ workflowId, taskId, taskRefName })})` };
      }
      const outputData = Object.fromEntries(Object.entries({ ...replaced, ...stamp }).filter(([, v]) => v !== null && v !== undefined));
      const reason = action.action === EventActionType.FailTask ? text(replaced.reasonForIncompletion) : undefined;
      return { kind: action.action, workflowId, ...(taskId ? { taskId } : { taskRefName }), outputData, ...(reason ? { reasonForIncompletion: reason } : {}) };
    }
    case EventActionType.TerminateWorkflow: {
      const replaced = resolve({ workflowId: action.terminate_workflow?.workflowId ?? null, terminationReason: action.terminate_workflow?.terminationReason ?? null });
      const workflowId = text(replaced.workflowId);
      if (!workflowId) return { kind: 'invalid', action: action.action, reason: 'terminate_workflow needs a workflowId' };
      return { kind: 'terminate_workflow', workflowId, reason: text(replaced.terminationReason) ?? `Terminated by event handler ${handler.name} on ${message.queue}` };
    }
    case EventActionType.UpdateWorkflowVariables: {
      const p = action.update_workflow_variables;
      const replaced = resolve({ workflowId: p?.workflowId ?? null, variables: p?.variables ?? {} });
      const workflowId = text(replaced.workflowId);
      if (!workflowId) return { kind: 'invalid', action: action.action, reason: 'update_workflow_variables needs a workflowId' };
      const variables = replaced.variables && typeof replaced.variables === 'object' && !Array.isArray(replaced.variables) ? (replaced.variables as Record<string, unknown>) : {};
      return { kind: 'update_workflow_variables', workflowId, variables, appendArray: p?.appendArray === true };
    }
    default:
      return { kind: 'invalid', action: String(action.action), reason: `action ${String(action.action)} is not supported` };
  }
}

const isStringMap = (v: unknown): v is Record<string, string> =>
  !!v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');

/** Conductor's JsonUtils.expand: string values that hold a JSON object or list become that value, at any depth. */
export function expandInlineJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(expandInlineJson);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandInlineJson(v)]));
  if (typeof value === 'string') {
    const t = value.trim();
    if ((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']'))) {
      try {
        return expandInlineJson(JSON.parse(t));
      } catch {
        return value;
      }
    }
  }
  return value;
}

import { Task, TaskDef, TaskResult, TaskResultStatus, WorkflowDef, WorkflowStatus, WorkflowTask, withWorkflowDefDefaults } from '@app/contracts';
import type { EngineCommand } from '../commands';
import { decide } from '../decide';
import { Evaluators, NO_EVALUATORS } from '../evaluators';
import type { DeciderEvent } from '../events';
import type { TimerKind } from '../timers';
import type { WorkflowRun } from '../workflow-run';

/** Builders for decider tests: read as "given this definition and state, when this event". */
export const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
export const WF_ID = '00000000-0000-4000-8000-000000000001';

export function aSimpleTask(ref: string, inputParameters: Record<string, unknown> = {}, extra: Partial<WorkflowTask> = {}): WorkflowTask {
  return { name: `${ref}_task`, taskReferenceName: ref, type: 'SIMPLE', inputParameters, ...extra };
}

export function aDefinition(tasks: WorkflowTask[], extra: Partial<WorkflowDef> = {}): WorkflowDef {
  return withWorkflowDefDefaults({ name: 'linear', version: 1, tasks, ...extra });
}

export const started = (input: Record<string, unknown> = {}, extra: Partial<Extract<DeciderEvent, { type: 'workflow.start' }>> = {}): DeciderEvent => ({
  type: 'workflow.start',
  workflowId: WF_ID,
  input,
  priority: 0,
  ...extra,
});

/** A poller leased the task at `leasedAt` (its nth lease). */
export const leased = (taskId: string, leasedAt: number, workerId = 'worker-1', pollCount = 1): DeciderEvent => ({ type: 'task.leased', taskId, workerId, leasedAt, pollCount });

export const timerFired = (kind: TimerKind, taskId?: string): DeciderEvent => ({ type: 'timer.fired', kind, ...(taskId ? { taskId } : {}) });

export const leaseExpired = (taskId: string, leasedAt: number, workerId = 'worker-1'): DeciderEvent => ({
  type: 'task.lease-expired',
  taskId,
  lease: { workerId, leasedAt, pollCount: 1 },
});

export const childEnded = (taskId: string, childWorkflowId: string, status: WorkflowStatus, output: Record<string, unknown> = {}, reasonForIncompletion?: string): DeciderEvent => ({
  type: 'child.ended',
  taskId,
  childWorkflowId,
  status,
  output,
  ...(reasonForIncompletion ? { reasonForIncompletion } : {}),
});

/** A task definition inline in a workflow task, with Conductor's defaults for what is not given. */
export const withTaskDef = (wt: WorkflowTask, def: Partial<TaskDef>): WorkflowTask => ({ ...wt, taskDefinition: { name: wt.name, ...def } });

export const aTask = (type: string, ref: string, extra: Partial<WorkflowTask> = {}): WorkflowTask => ({ name: ref, taskReferenceName: ref, type, ...extra });

/** What a scenario produced: the final state, every command issued, and the commands of the last step alone. */
let evaluators: Evaluators = NO_EVALUATORS;

/** The script evaluators `run` hands the decider (a spec with scripts sets the real, sandboxed ones). */
export function useEvaluators(e: Evaluators): void {
  evaluators = e;
}

export interface Scenario {
  readonly state: WorkflowRun;
  readonly commands: EngineCommand[];
  /** The commands of the last event only: the "then" of "given these events, when this one". */
  readonly last: EngineCommand[];
}

/**
 * Drives a run through events at the given times, returning the state and every command issued: the
 * "given" of a scenario. Each event may be a function of the state so far (to name a task by reference).
 * The definition, every state and every event are deep-frozen before they reach the decider, so a
 * scenario fails if the decider mutates its inputs.
 */
export function run(def: WorkflowDef, steps: ReadonlyArray<readonly [number, DeciderEvent | ((s: WorkflowRun) => DeciderEvent)]>): Scenario {
  let state: WorkflowRun | null = null;
  const commands: EngineCommand[] = [];
  let last: EngineCommand[] = [];
  deepFreeze(def);
  for (const [at, step] of steps) {
    const event = deepFreeze(typeof step === 'function' ? step(state as WorkflowRun) : step);
    const decision = decide(def, state === null ? null : deepFreeze(state), event, at, evaluators);
    last = [...decision.commands];
    commands.push(...last);
    state = decision.state;
  }
  return { state: state as WorkflowRun, commands, last };
}

/** `[ref, status]` of every attempt, in order: a readable picture of a run. */
export const statuses = (s: WorkflowRun): Array<[string, string]> => s.tasks.map((t) => [t.referenceTaskName, t.status]);

/** The commands of one type. */
export const commandsOf = <T extends EngineCommand['type']>(commands: readonly EngineCommand[], type: T): Array<Extract<EngineCommand, { type: T }>> =>
  commands.filter((c): c is Extract<EngineCommand, { type: T }> => c.type === type);

/** A command list in short form: `emit.task:<event>:<ref>`, `queue.push:<ref>`, `timer.set:<kind>:<ref>`…, refs by task id. */
export function shorthand(s: WorkflowRun, commands: readonly EngineCommand[]): string[] {
  const ref = (taskId?: string) => {
    const t = taskId ? s.tasks.find((x) => x.taskId === taskId) : undefined;
    return t ? `${t.referenceTaskName}#${t.retryCount}` : (taskId ?? '-');
  };
  return commands.map((c) => {
    switch (c.type) {
      case 'emit.task':
        return `${c.eventType}:${ref(c.taskId)}`;
      case 'emit.workflow':
        return c.eventType;
      case 'queue.push':
      case 'queue.remove':
      case 'queue.extend':
        return `${c.type}:${ref(c.taskId)}`;
      case 'timer.set':
        return `timer.set:${c.kind}:${ref(c.taskId)}`;
      case 'timer.cancel': {
        const [kind, owner] = [c.timerId.slice(0, c.timerId.lastIndexOf(':')), c.timerId.slice(c.timerId.lastIndexOf(':') + 1)];
        return `timer.cancel:${kind}:${ref(owner)}`;
      }
      case 'timer.cancel-all':
        return c.type;
      case 'workflow.remove':
        return `workflow.remove:${c.archive ? 'archive' : 'delete'}`;
      case 'child.start':
        return `child.start:${c.name}`;
      case 'parent.notify':
        return `parent.notify:${c.status}`;
      case 'child.terminate':
        return `child.terminate:${c.childWorkflowId}`;
      case 'child.retry':
        return `child.retry:${c.childWorkflowId}`;
      case 'starter.notify':
        return `starter.notify:${c.started}`;
      case 'event.publish':
        return `event.publish:${c.sink === 'conductor' ? c.queue : `kafka:${c.topic}`}`;
      case 'callback.send':
        return `callback.send:${c.url}`;
    }
  });
}

/** A timer came due carrying the lease the shell found on the task's queue row. */
export const timerFiredWithLease = (kind: TimerKind, taskId: string, leasedAt: number, workerId = 'worker-1', pollCount = 1): DeciderEvent => ({
  type: 'timer.fired',
  kind,
  taskId,
  lease: { workerId, leasedAt, pollCount },
});

/** The newest attempt of a reference in a run. */
export const taskOf = (s: WorkflowRun, ref: string): Task => {
  const found = [...s.tasks].reverse().find((t) => t.referenceTaskName === ref);
  if (!found) throw new Error(`no task ${ref} in the run (have ${s.tasks.map((t) => t.referenceTaskName).join(', ')})`);
  return found as Task;
};

/** `reported` for the newest attempt of a reference. */
export const completes = (ref: string, outputData: Record<string, unknown> = {}) => (s: WorkflowRun): DeciderEvent => reported(taskOf(s, ref).taskId, 'COMPLETED', { outputData });
export const fails = (ref: string, status: TaskResultStatus = 'FAILED', reasonForIncompletion = 'boom') => (s: WorkflowRun): DeciderEvent =>
  reported(taskOf(s, ref).taskId, status, { reasonForIncompletion });

export function reported(taskId: string, status: TaskResultStatus, extra: Partial<TaskResult> = {}): DeciderEvent {
  return { type: 'task.result', result: { workflowInstanceId: WF_ID, taskId, status, ...extra } };
}

/** Deep-freezes a value so a test fails if the decider mutates its inputs. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Names the newest attempt of a reference in a step: `byRef('fetch', (id) => leased(id, T0))`. */
export const byRef =
  (ref: string, event: (taskId: string, task: Task) => DeciderEvent) =>
  (s: WorkflowRun): DeciderEvent => {
    const t = taskOf(s, ref);
    return event(t.taskId, t);
  };

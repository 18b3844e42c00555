import { SystemTaskType } from '../task-types';

/**
 * The engine's model of a Weibo Rill Flow DAG: what `parseRillDescriptor` turns a YAML descriptor into, what
 * Baton stores next to the YAML, and what the executor will walk. It is plain JSON (no `undefined` values,
 * no class instances), so it survives a jsonb column and a YAML round trip unchanged.
 *
 * Field names follow Rill Flow's (`rill-flow-interfaces` `BaseTask`, `FunctionTask`, … and
 * `olympicene-core` `DAG`), with the string-typed knobs of the Java model turned into real types:
 * `next` is a list, timeouts are numbers, flags are booleans, defaults are filled in.
 */

export const RILL_DAG_TYPES = ['flow', 'resource'] as const;
export type RillDagType = (typeof RILL_DAG_TYPES)[number];

export const RILL_TASK_CATEGORIES = ['function', 'choice', 'foreach', 'suspense', 'pass', 'return', 'switch'] as const;
export type RillTaskCategory = (typeof RILL_TASK_CATEGORIES)[number];

/** `FunctionPattern`: how a function task completes (see `FunctionTaskRunner`). */
export const RILL_FUNCTION_PATTERNS = ['task_sync', 'task_async', 'task_scheduler', 'flow_sync', 'flow_async'] as const;
export type RillFunctionPattern = (typeof RILL_FUNCTION_PATTERNS)[number];

export const RILL_REQUEST_TYPES = ['get', 'post'] as const;
export type RillRequestType = (typeof RILL_REQUEST_TYPES)[number];

/** The resource protocol that makes a function task a call to another DAG. */
export const RILL_SUBFLOW_PROTOCOL = 'rillflow';

/**
 * A value read when the task (or the DAG) starts: a whole number of seconds, or a JSONPath string (`$.input.x`
 * for a task, `$.context.x` for the DAG) that Rill Flow evaluates like a mapping source.
 */
export type RillSeconds = number | string;

/**
 * One mapping rule. Either a rule proper (`target` plus `source` and/or `transform`) or a `reference` to a
 * list in the DAG's `commonMapping`, in which case `source`/`target` may be absent.
 *
 * `source` starting with `$` is a JSONPath over `{context, input, output}` (or the special
 * `$.tasks.<name>.trigger_url[?query]`); anything else is a constant, which Rill Flow turns into a number,
 * boolean or JSON value when it looks like one. `tolerance` absent means "errors tolerated".
 */
export interface RillMapping {
  readonly source?: string;
  readonly target?: string;
  readonly tolerance?: boolean;
  readonly reference?: string;
  /** An Aviator expression over `source`, `context`, `input`, `output`. */
  readonly transform?: string;
  /** Used by `progress.args`: the output key the value is written to. */
  readonly variable?: string;
}

export interface RillTimeline {
  readonly timeoutInSeconds?: RillSeconds;
  readonly skipOnTimeout?: boolean;
  readonly suspenseIntervalSeconds?: RillSeconds;
  /** Epoch milliseconds, as digits or as a JSONPath string. */
  readonly suspenseTimestamp?: string;
}

export interface RillProgress {
  readonly weight?: number;
  readonly calculation?: string;
  readonly args?: readonly RillMapping[];
}

export interface RillDegrade {
  /** Skip the tasks after this one. */
  readonly followings?: boolean;
  /** Skip this task. */
  readonly current?: boolean;
}

/** A DAG-level resource (`type: resource` DAGs, or `resource://<name>` in a flow) or a task's inline `resource`. */
export interface RillResource {
  readonly name?: string;
  readonly category?: string;
  readonly inputMappings: readonly RillMapping[];
}

export interface RillCallback {
  readonly resourceName?: string;
  readonly fullDAGInfo?: boolean;
  readonly fullContext?: boolean;
  readonly inputMappings: readonly RillMapping[];
}

interface RillTaskBase {
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  /** Names of the sibling tasks that follow this one (same task list). For `switch`, derived from `switches`. */
  readonly next: readonly string[];
  /** On failure, SKIPPED instead of FAILED. Rill Flow honours it for function and suspense tasks only. */
  readonly tolerance: boolean;
  readonly inputMappings: readonly RillMapping[];
  readonly outputMappings: readonly RillMapping[];
  /** Default inputs; an `inputMappings` rule with the same key wins. */
  readonly parameters?: Readonly<Record<string, unknown>>;
  readonly timeline?: RillTimeline;
  readonly keyCallback?: boolean;
  readonly keyExp?: string;
  readonly degrade?: RillDegrade;
  readonly progress?: RillProgress;
  /** Rill Flow's `input` shorthand, kept as written; Baton does not expand it into mappings yet. */
  readonly input?: Readonly<Record<string, unknown>>;
}

export interface RillRetry {
  readonly maxRetryTimes: number;
  readonly intervalInSeconds: number;
  /** Delay before retry n is `intervalInSeconds * multiplier^n`. */
  readonly multiplier: number;
  readonly conditions: readonly string[];
}

/** A function task whose resource is `rillflow://<descriptorId>`: it runs another DAG. */
export interface RillSubFlow {
  /** `businessId:featureName[:alias]` of the DAG to run. */
  readonly descriptorId: string;
  /** `sync` (flow_sync): the task ends when the child DAG ends. `async` (flow_async): it ends once the child starts. */
  readonly mode: 'sync' | 'async';
}

export interface RillFunctionTask extends RillTaskBase {
  readonly category: 'function';
  readonly resourceName?: string;
  readonly resourceProtocol?: string;
  readonly resource?: RillResource;
  readonly requestType: RillRequestType;
  readonly pattern: RillFunctionPattern;
  readonly successConditions: readonly string[];
  readonly failConditions: readonly string[];
  readonly retry: RillRetry;
  readonly subFlow?: RillSubFlow;
}

export interface RillChoice {
  /** JSONPath filter evaluated against `{input}`; the branch runs when it matches anything. */
  readonly condition: string;
  readonly tasks: readonly RillTask[];
}

export interface RillChoiceTask extends RillTaskBase {
  readonly category: 'choice';
  readonly choices: readonly RillChoice[];
}

export interface RillIterationMapping {
  /** JSONPath evaluated against `{input}` (e.g. `$.input.items`). */
  readonly collection: string;
  /** Context key each iteration's element is stored under. */
  readonly item?: string;
  /** Context key each iteration's index is stored under. */
  readonly index?: string;
  /** JSONPath over `$.iteration.element` naming each group. */
  readonly identity?: string;
}

export interface RillSynchronization {
  /** `maxConcurrency` applies only when all of these match the input. */
  readonly conditions: readonly string[];
  readonly maxConcurrency?: RillSeconds;
}

export interface RillForeachTask extends RillTaskBase {
  readonly category: 'foreach';
  readonly iterationMapping: RillIterationMapping;
  readonly synchronization?: RillSynchronization;
  readonly tasks: readonly RillTask[];
}

export interface RillSuspenseTask extends RillTaskBase {
  readonly category: 'suspense';
  /** Wakes (SUCCEED) when all match. */
  readonly conditions: readonly string[];
  /** Fails when any matches. */
  readonly interruptions: readonly string[];
}

export interface RillPassTask extends RillTaskBase {
  readonly category: 'pass';
}

export interface RillReturnTask extends RillTaskBase {
  readonly category: 'return';
  /** When all match, every task after this one is skipped. */
  readonly conditions: readonly string[];
}

export interface RillSwitch {
  readonly condition: string;
  readonly next: readonly string[];
  readonly break?: boolean;
}

export interface RillSwitchTask extends RillTaskBase {
  readonly category: 'switch';
  readonly switches: readonly RillSwitch[];
}

export type RillTask =
  | RillFunctionTask
  | RillChoiceTask
  | RillForeachTask
  | RillSuspenseTask
  | RillPassTask
  | RillReturnTask
  | RillSwitchTask;

export interface RillDag {
  /** Always the business id the descriptor was registered under. */
  readonly workspace: string;
  /** Always the feature name the descriptor was registered under. */
  readonly dagName: string;
  readonly version?: string;
  readonly type: RillDagType;
  /** DAG timeout (`timer.timeoutInSeconds` in Rill Flow's YAML). */
  readonly timeoutInSeconds?: RillSeconds;
  readonly defaultContext: Readonly<Record<string, string>>;
  readonly commonMapping: Readonly<Record<string, readonly RillMapping[]>>;
  /** A JSON array, as a string; read by UIs only. */
  readonly inputSchema?: string;
  readonly output?: Readonly<Record<string, unknown>>;
  readonly callback?: RillCallback;
  /** DAG-level resources: the body of a `type: resource` DAG, or what `resource://<name>` points at. */
  readonly resources?: readonly RillResource[];
  /** Empty for a `type: resource` DAG. */
  readonly tasks: readonly RillTask[];
}

/** The task lists nested in a task: one per choice, or the foreach body. */
export function subTaskLists(task: RillTask): readonly (readonly RillTask[])[] {
  if (task.category === 'choice') return task.choices.map((choice) => choice.tasks);
  if (task.category === 'foreach') return [task.tasks];
  return [];
}

/** Visits every task of a DAG, nested ones included, parents before their children. */
export function forEachRillTask(tasks: readonly RillTask[], visit: (task: RillTask, parent?: RillTask) => void, parent?: RillTask): void {
  for (const task of tasks) {
    visit(task, parent);
    for (const list of subTaskLists(task)) forEachRillTask(list, visit, task);
  }
}

/** The engine task type a Rill Flow task runs as: one per category, a `rillflow://` function as a sub-flow. */
export function rillTaskTypeOf(task: RillTask): SystemTaskType {
  switch (task.category) {
    case 'function':
      return task.subFlow ? SystemTaskType.RillSubFlow : SystemTaskType.RillFunction;
    case 'pass':
      return SystemTaskType.RillPass;
    case 'return':
      return SystemTaskType.RillReturn;
    case 'switch':
      return SystemTaskType.RillSwitch;
    case 'suspense':
      return SystemTaskType.RillSuspense;
    case 'choice':
      return SystemTaskType.RillChoice;
    case 'foreach':
      return SystemTaskType.RillForeach;
  }
}

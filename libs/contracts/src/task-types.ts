import type { WorkflowTask } from './conductor/definitions';

/**
 * Conductor's built-in task types. A type string that is none of these is a worker task (Conductor's
 * USER_DEFINED), run exactly like SIMPLE.
 */
export const SystemTaskType = {
  Simple: 'SIMPLE',
  Dynamic: 'DYNAMIC',
  ForkJoin: 'FORK_JOIN',
  ForkJoinDynamic: 'FORK_JOIN_DYNAMIC',
  Decision: 'DECISION',
  Switch: 'SWITCH',
  Join: 'JOIN',
  DoWhile: 'DO_WHILE',
  SubWorkflow: 'SUB_WORKFLOW',
  StartWorkflow: 'START_WORKFLOW',
  Event: 'EVENT',
  Wait: 'WAIT',
  Human: 'HUMAN',
  Http: 'HTTP',
  Lambda: 'LAMBDA',
  Inline: 'INLINE',
  ExclusiveJoin: 'EXCLUSIVE_JOIN',
  Terminate: 'TERMINATE',
  KafkaPublish: 'KAFKA_PUBLISH',
  JsonJqTransform: 'JSON_JQ_TRANSFORM',
  SetVariable: 'SET_VARIABLE',
  Noop: 'NOOP',
  // Baton's own: the categories of a Rill Flow DAG, which runs as a graph-shaped workflow. Never valid in
  // a Conductor definition (the registry refuses them there); the Rill Flow translation is their only source.
  RillFunction: 'RILL_FUNCTION',
  RillSubFlow: 'RILL_SUBFLOW',
  RillPass: 'RILL_PASS',
  RillReturn: 'RILL_RETURN',
  RillSwitch: 'RILL_SWITCH',
  RillSuspense: 'RILL_SUSPENSE',
  RillChoice: 'RILL_CHOICE',
  RillForeach: 'RILL_FOREACH',
} as const;
export type SystemTaskType = (typeof SystemTaskType)[keyof typeof SystemTaskType];

/**
 * How a task type executes:
 * - `worker`: queued for workers to poll (SIMPLE and every non-built-in type name);
 * - `system`: queued the same way (a lease, a response timeout, retries in the queue), under its type's
 *   name, for a worker inside the engine (HTTP, KAFKA_PUBLISH): a crashed engine worker is a lease that
 *   runs out;
 * - `sync`: decided in place, inside the decision that schedules it (SWITCH, FORK_JOIN, …);
 * - `async`: the engine keeps it IN_PROGRESS until something reports — a timer, a child workflow, the
 *   tasks it joins, or an external update (JOIN, WAIT, SUB_WORKFLOW, …).
 */
export type TaskKind = 'worker' | 'system' | 'sync' | 'async';

/** Whether instances of the type wait in the task queue for a lease (by a worker, or the engine's own). */
export const isQueuedKind = (kind: TaskKind): boolean => kind === 'worker' || kind === 'system';

/** The fields of a `WorkflowTask` that hold nested task lists. */
export type ChildListField = 'decisionCases' | 'defaultCase' | 'forkTasks' | 'loopOver';

export interface TaskTypeTraits {
  readonly kind: TaskKind;
  /** Nested task lists this type owns, in the order they are walked. */
  readonly children: readonly ChildListField[];
  /**
   * Conductor's BUILT_IN_TASKS: control-flow operators that are never retried (a failure of theirs is the
   * workflow's failure).
   */
  readonly controlFlow: boolean;
  /** Whether this version of Baton executes the type. The executor must register a handler for each. */
  readonly runnable: boolean;
}

/**
 * The one catalogue of task types. Validation (which child lists a type owns), the "can this engine run
 * it" check and the executor's handler registry (`RunnableTaskType`) all derive from it, so a type that
 * is half added does not compile.
 */
export const TASK_TYPE_TRAITS = {
  SIMPLE: { kind: 'worker', children: [], controlFlow: false, runnable: true },
  DYNAMIC: { kind: 'worker', children: [], controlFlow: false, runnable: true },
  FORK_JOIN: { kind: 'sync', children: ['forkTasks'], controlFlow: true, runnable: true },
  FORK_JOIN_DYNAMIC: { kind: 'sync', children: [], controlFlow: true, runnable: true },
  DECISION: { kind: 'sync', children: ['decisionCases', 'defaultCase'], controlFlow: true, runnable: true },
  SWITCH: { kind: 'sync', children: ['decisionCases', 'defaultCase'], controlFlow: true, runnable: true },
  JOIN: { kind: 'async', children: [], controlFlow: true, runnable: true },
  DO_WHILE: { kind: 'async', children: ['loopOver'], controlFlow: true, runnable: true },
  SUB_WORKFLOW: { kind: 'async', children: [], controlFlow: false, runnable: true },
  START_WORKFLOW: { kind: 'async', children: [], controlFlow: false, runnable: true },
  EVENT: { kind: 'sync', children: [], controlFlow: false, runnable: true },
  WAIT: { kind: 'async', children: [], controlFlow: false, runnable: true },
  HUMAN: { kind: 'async', children: [], controlFlow: false, runnable: true },
  HTTP: { kind: 'system', children: [], controlFlow: false, runnable: true },
  LAMBDA: { kind: 'sync', children: [], controlFlow: false, runnable: true },
  INLINE: { kind: 'sync', children: [], controlFlow: false, runnable: true },
  EXCLUSIVE_JOIN: { kind: 'async', children: [], controlFlow: true, runnable: true },
  TERMINATE: { kind: 'sync', children: [], controlFlow: false, runnable: true },
  KAFKA_PUBLISH: { kind: 'system', children: [], controlFlow: false, runnable: true },
  JSON_JQ_TRANSFORM: { kind: 'sync', children: [], controlFlow: false, runnable: true },
  SET_VARIABLE: { kind: 'sync', children: [], controlFlow: false, runnable: true },
  NOOP: { kind: 'sync', children: [], controlFlow: false, runnable: true },
  RILL_FUNCTION: { kind: 'system', children: [], controlFlow: false, runnable: true },
  RILL_SUBFLOW: { kind: 'async', children: [], controlFlow: false, runnable: true },
  RILL_PASS: { kind: 'sync', children: [], controlFlow: false, runnable: true },
  RILL_RETURN: { kind: 'sync', children: [], controlFlow: true, runnable: true },
  RILL_SWITCH: { kind: 'sync', children: [], controlFlow: true, runnable: true },
  RILL_SUSPENSE: { kind: 'async', children: [], controlFlow: false, runnable: true },
  RILL_CHOICE: { kind: 'async', children: [], controlFlow: true, runnable: true },
  RILL_FOREACH: { kind: 'async', children: [], controlFlow: true, runnable: true },
} as const satisfies Record<SystemTaskType, TaskTypeTraits>;

/** The built-in types the engine runs: the executor's handler registry is keyed by exactly these. */
export type RunnableTaskType = {
  [K in SystemTaskType]: (typeof TASK_TYPE_TRAITS)[K]['runnable'] extends true ? K : never;
}[SystemTaskType];

const SYSTEM_TYPES = new Set<string>(Object.values(SystemTaskType));

/** A worker task: SIMPLE or any type name that is not a built-in (Conductor's USER_DEFINED). */
export const isWorkerTaskType = (type: string | undefined): boolean =>
  type === undefined || type === SystemTaskType.Simple || !SYSTEM_TYPES.has(type);

/** The catalogue key a task's type falls under: built-ins by name, everything else as SIMPLE. */
export const taskTypeKey = (type: string | undefined): SystemTaskType =>
  isWorkerTaskType(type) ? SystemTaskType.Simple : (type as SystemTaskType);

export const traitsOf = (type: string | undefined): TaskTypeTraits => TASK_TYPE_TRAITS[taskTypeKey(type)];

/**
 * Why this version of Baton cannot run a task as configured, or undefined when it can: the type is not
 * runnable yet, or it needs an evaluator that arrives later (javascript SWITCH, DECISION caseExpression).
 * Starts are refused up front with this reason instead of failing mid-run.
 */
export function whyNotRunnable(task: Pick<WorkflowTask, 'type' | 'evaluatorType' | 'caseExpression' | 'caseValueParam' | 'inputParameters' | 'expression' | 'sink'>): string | undefined {
  const key = taskTypeKey(task.type);
  if (!TASK_TYPE_TRAITS[key].runnable) return `task type ${key} cannot run on this version of Baton yet`;
  if (key === SystemTaskType.Switch && !['value-param', 'javascript', 'graaljs'].includes(task.evaluatorType ?? 'value-param')) {
    return `SWITCH evaluatorType ${task.evaluatorType} cannot run on this version of Baton (value-param, javascript and graaljs can)`;
  }
  // INLINE takes its evaluator from its input; a JOIN script is JavaScript.
  const inlineEvaluator = key === SystemTaskType.Inline ? task.inputParameters?.evaluatorType : undefined;
  if (typeof inlineEvaluator === 'string' && !inlineEvaluator.includes('${') && !['value-param', 'javascript', 'graaljs'].includes(inlineEvaluator)) {
    return `INLINE evaluatorType ${inlineEvaluator} cannot run on this version of Baton (value-param, javascript and graaljs can)`;
  }
  if (key === SystemTaskType.Join && task.expression?.trim() && !['javascript', 'graaljs'].includes(task.evaluatorType ?? 'javascript')) {
    return `JOIN evaluatorType ${task.evaluatorType} cannot run on this version of Baton (a join script is javascript or graaljs)`;
  }
  if (key === SystemTaskType.Event && typeof task.sink === 'string' && !task.sink.includes('${')) {
    const type = task.sink.split(':')[0];
    if (type !== 'conductor' && type !== 'kafka') return `EVENT sink ${task.sink} cannot run on this version of Baton (conductor and kafka queues can)`;
  }
  return undefined;
}

/**
 * A task row of this runtime type may hold a queue row (a worker task, HTTP, KAFKA_PUBLISH): what the
 * reconciler and verifyAndRepair check. `FORK` is a fork's runtime type, never queued.
 */
export const isQueuedTaskType = (taskType: string): boolean => taskType !== 'FORK' && isQueuedKind(traitsOf(taskType).kind);

/** What a `taskToDomain` entry may name instead of a domain: the task runs without one (Conductor's NO_DOMAIN). */
export const NO_DOMAIN = 'NO_DOMAIN';

/**
 * The domain a task of this type runs in, by the workflow's `taskToDomain` (`{type: domain, '*': domain}`,
 * the type's own entry first). An entry may list domains (`"blue,green,NO_DOMAIN"`): Baton takes the first
 * (Conductor takes the first one with a worker polling it); `NO_DOMAIN` means none.
 */
export function domainOf(taskToDomain: Readonly<Record<string, string>> | undefined, taskType: string): string | undefined {
  const entry = taskToDomain?.[taskType] ?? taskToDomain?.['*'];
  const first = entry
    ?.split(',')
    .map((d) => d.trim())
    .find(Boolean);
  return first && first !== NO_DOMAIN ? first : undefined;
}

/** The queue of a worker task type in a domain: `<domain>:<type>`, as Conductor names it; the type alone without one. */
export const queueNameFor = (taskType: string, domain?: string): string => (domain ? `${domain}:${taskType}` : taskType);

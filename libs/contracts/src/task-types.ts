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
} as const;
export type SystemTaskType = (typeof SystemTaskType)[keyof typeof SystemTaskType];

/**
 * The built-in types this version of Baton executes. Definitions that use any other built-in type are
 * refused at registration with a clear error instead of failing mid-run; the list grows as types land.
 */
export const IMPLEMENTED_SYSTEM_TASK_TYPES: readonly SystemTaskType[] = [SystemTaskType.Simple];

const SYSTEM_TYPES = new Set<string>(Object.values(SystemTaskType));

/** A worker task: SIMPLE or any type name that is not a built-in (Conductor's USER_DEFINED). */
export const isWorkerTaskType = (type: string | undefined): boolean =>
  type === undefined || type === SystemTaskType.Simple || !SYSTEM_TYPES.has(type);

export const isImplementedTaskType = (type: string | undefined): boolean =>
  isWorkerTaskType(type) || IMPLEMENTED_SYSTEM_TASK_TYPES.includes(type as SystemTaskType);

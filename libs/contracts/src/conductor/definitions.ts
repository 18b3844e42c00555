// class-transformer's @Type reads design-time metadata through this polyfill.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { TaskDeliveryMode } from '../worker-protocol';
import type { RillMapping, RillTask } from '../rill-flow/model';

/**
 * Conductor's definition models (`TaskDef`, `WorkflowDef`, `WorkflowTask`), field for field, with the
 * constraints Conductor enforces at the edge. Defaults are filled by `withTaskDefDefaults` /
 * `withWorkflowDefDefaults`, exactly as Conductor's model constructors do.
 */
export const TimeoutPolicy = { Retry: 'RETRY', TimeOutWorkflow: 'TIME_OUT_WF', AlertOnly: 'ALERT_ONLY' } as const;
export type TimeoutPolicy = (typeof TimeoutPolicy)[keyof typeof TimeoutPolicy];
export const RetryLogic = { Fixed: 'FIXED', ExponentialBackoff: 'EXPONENTIAL_BACKOFF', LinearBackoff: 'LINEAR_BACKOFF' } as const;
export type RetryLogic = (typeof RetryLogic)[keyof typeof RetryLogic];
export const WorkflowTimeoutPolicy = { TimeOutWorkflow: 'TIME_OUT_WF', AlertOnly: 'ALERT_ONLY' } as const;
export type WorkflowTimeoutPolicy = (typeof WorkflowTimeoutPolicy)[keyof typeof WorkflowTimeoutPolicy];

/** Names are path segments and queue names: keep them printable and bounded. */
export const MAX_NAME_LENGTH = 255;
/** Versions are stored as 32-bit integers. */
export const MAX_VERSION = 2_147_483_647;
/** Delays and timeouts beyond ten years are certainly mistakes, and would overflow timestamps. */
export const MAX_SECONDS = 315_360_000;
/** More retries than this is a loop, not a retry policy. */
export const MAX_RETRIES = 10_000;

class Auditable {
  @IsOptional() @IsString() ownerApp?: string;
  @IsOptional() @IsInt() createTime?: number;
  @IsOptional() @IsInt() updateTime?: number;
  @IsOptional() @IsString() createdBy?: string;
  @IsOptional() @IsString() updatedBy?: string;
}

/** The phases a task definition may declare besides `start` (which every worker implements). */
export const OPTIONAL_PHASES = ['monitor', 'rollback', 'cancel', 'delete', 'mock'] as const;
export type OptionalPhase = (typeof OPTIONAL_PHASES)[number];

export class TaskDef extends Auditable {
  @IsString({ message: 'TaskDef name cannot be null or empty' })
  @IsNotEmpty({ message: 'TaskDef name cannot be null or empty' })
  @MaxLength(MAX_NAME_LENGTH)
  name!: string;

  @IsOptional() @IsString() description?: string;
  @IsOptional() @IsInt() @Min(0, { message: 'TaskDef retryCount: $value must be >= 0' }) @Max(MAX_RETRIES) retryCount?: number;
  @IsOptional() @IsInt() @Min(0, { message: 'TaskDef timeoutSeconds: $value must be >= 0' }) @Max(MAX_SECONDS) timeoutSeconds?: number;
  @IsOptional() @IsArray() @IsString({ each: true }) inputKeys?: string[];
  @IsOptional() @IsArray() @IsString({ each: true }) outputKeys?: string[];
  @IsOptional() @IsIn(Object.values(TimeoutPolicy)) timeoutPolicy?: TimeoutPolicy;
  @IsOptional() @IsIn(Object.values(RetryLogic)) retryLogic?: RetryLogic;
  @IsOptional() @IsInt() @Min(0) @Max(MAX_SECONDS) retryDelaySeconds?: number;
  @IsOptional() @IsInt() @Min(1, { message: 'TaskDef responseTimeoutSeconds: $value must be >= 1' }) @Max(MAX_SECONDS) responseTimeoutSeconds?: number;
  @IsOptional() @IsInt() @Min(0) concurrentExecLimit?: number;
  @IsOptional() @IsObject() inputTemplate?: Record<string, unknown>;
  @IsOptional() @IsInt() @Min(0) rateLimitPerFrequency?: number;
  @IsOptional() @IsInt() @Min(0) @Max(MAX_SECONDS) rateLimitFrequencyInSeconds?: number;
  @IsOptional() @IsString() isolationGroupId?: string;
  @IsOptional() @IsString() executionNameSpace?: string;
  @IsOptional() @IsString() ownerEmail?: string;
  @IsOptional() @IsInt() @Min(0) @Max(MAX_SECONDS) pollTimeoutSeconds?: number;
  @IsOptional() @IsInt() @Min(1) backoffScaleFactor?: number;
  @IsOptional() @IsInt() @Min(0) @Max(MAX_SECONDS) maxRetryDelaySeconds?: number;
  /**
   * Baton's own: what EXPONENTIAL_BACKOFF raises to the retry count (`retryDelaySeconds * backoffBase^n`).
   * Conductor's is 2, the default; a Rill Flow retry's `multiplier` sets it.
   */
  @IsOptional() @IsNumber() @Min(1) @Max(10) backoffBase?: number;
  @IsOptional() @IsInt() @Min(0) backoffJitterMs?: number;
  @IsOptional() @IsInt() @Min(0) @Max(MAX_SECONDS) totalTimeoutSeconds?: number;
  @IsOptional() @IsString() baseType?: string;
  /**
   * Baton's own: how workers get the definition's tasks — `POLL` (absent: Conductor's HTTP poll) or `KAFKA`
   * (produced on `workerTopicOf(name)` for native Kafka workers; see worker-protocol.ts). Pinned with the
   * task definition when a run starts, like its timeouts.
   */
  @IsOptional()
  @IsIn(Object.values(TaskDeliveryMode), { message: `deliveryMode must be one of ${Object.values(TaskDeliveryMode).join(', ')}` })
  deliveryMode?: TaskDeliveryMode;
  /**
   * Baton's own: the lifecycle phases this definition's workers implement besides `start` (SipRS's task
   * phases): `monitor` (poll until the asynchronous work is really done), `rollback` (undo a completed task
   * when its workflow fails and asks for compensation), `cancel`, `delete`, `mock`. A worker is handed a
   * task's `phase` with it; a definition that declares none is a Conductor task, handed only `start`.
   */
  @IsOptional()
  @IsArray({ message: 'phases must be a list of phase names' })
  @IsIn(OPTIONAL_PHASES, { each: true, message: `phases may only name ${OPTIONAL_PHASES.join(', ')}` })
  phases?: OptionalPhase[];
  /** With the `monitor` phase: seconds between monitor polls (default 5). */
  @IsOptional() @IsInt() @Min(1) @Max(MAX_SECONDS) monitorIntervalSeconds?: number;
  /** With the `monitor` phase: seconds the monitoring may last before it fails the task (TIMED_OUT; 0, the default: no limit). */
  @IsOptional() @IsInt() @Min(0) @Max(MAX_SECONDS) monitorTimeoutSeconds?: number;
}


/** Whether the task's definition declares a phase (its workers implement it). */
export const implementsPhase = (def: Pick<TaskDef, 'phases'> | undefined, phase: OptionalPhase): boolean => !!def?.phases?.includes(phase);

export class SubWorkflowParams {
  @IsString() @IsNotEmpty() name!: string;
  @IsOptional() @IsInt() version?: number;
  @IsOptional() @IsObject() taskToDomain?: Record<string, string>;
  /**
   * An inline definition to run instead of a registered one, or a `${…}` expression that yields one
   * (the registry validates an inline object like any other definition).
   */
  @IsOptional() workflowDefinition?: WorkflowDef | string;
}

export class WorkflowTask {
  @IsString({ message: 'WorkflowTask name cannot be empty or null' })
  @IsNotEmpty({ message: 'WorkflowTask name cannot be empty or null' })
  @MaxLength(MAX_NAME_LENGTH)
  name!: string;

  @IsString({ message: 'WorkflowTask taskReferenceName name cannot be empty or null' })
  @IsNotEmpty({ message: 'WorkflowTask taskReferenceName name cannot be empty or null' })
  @MaxLength(MAX_NAME_LENGTH)
  taskReferenceName!: string;

  @IsOptional() @IsString() description?: string;
  @IsOptional() @IsObject() inputParameters?: Record<string, unknown>;
  @IsOptional() @IsString() type?: string;
  @IsOptional() @IsBoolean() optional?: boolean;
  @IsOptional() @IsInt() @Min(0) @Max(MAX_RETRIES) retryCount?: number;
  @IsOptional() @IsInt() @Min(0) @Max(MAX_SECONDS) startDelay?: number;
  @IsOptional() @IsBoolean() asyncComplete?: boolean;
  @IsOptional() @IsBoolean() permissive?: boolean;
  @IsOptional() @ValidateNested() @Type(() => TaskDef) taskDefinition?: TaskDef;
  @IsOptional() @ValidateNested() @Type(() => SubWorkflowParams) subWorkflowParam?: SubWorkflowParams;
  // Control-flow fields are carried as given; their semantics arrive with the task types that use them.
  @IsOptional() @IsString() dynamicTaskNameParam?: string;
  @IsOptional() @IsString() evaluatorType?: string;
  @IsOptional() @IsString() expression?: string;
  @IsOptional() @IsObject() decisionCases?: Record<string, WorkflowTask[]>;
  @IsOptional() @IsArray() defaultCase?: WorkflowTask[];
  @IsOptional() @IsArray() forkTasks?: WorkflowTask[][];
  @IsOptional() @IsArray() @IsString({ each: true }) joinOn?: string[];
  @IsOptional() @IsString() loopCondition?: string;
  @IsOptional() @IsArray() loopOver?: WorkflowTask[];
  @IsOptional() @IsString() sink?: string;
  @IsOptional() @IsString() dynamicForkTasksParam?: string;
  @IsOptional() @IsString() dynamicForkTasksInputParamName?: string;
  @IsOptional() @IsString() caseValueParam?: string;
  @IsOptional() @IsString() caseExpression?: string;
  @IsOptional() @IsString() scriptExpression?: string;
  /**
   * Baton's own, in a workflow whose `flow` is `graph` (a Rill Flow DAG): the taskReferenceNames of the
   * tasks that follow this one. Never set by a Conductor definition (the registry refuses graph flows).
   */
  next?: string[];
  /** Baton's own: the Rill Flow task a `RILL_*` task runs, as the descriptor parser read it. */
  rill?: RillTask;
  /**
   * Baton's own: the graph flows a Rill Flow choice (one per choice) or foreach (its body) runs as child
   * workflows, translated with the DAG.
   */
  bodies?: WorkflowDef[];
}

export class WorkflowDef extends Auditable {
  @IsString({ message: 'WorkflowDef name cannot be null or empty' })
  @IsNotEmpty({ message: 'WorkflowDef name cannot be null or empty' })
  @MaxLength(MAX_NAME_LENGTH)
  name!: string;

  @IsOptional() @IsString() description?: string;
  @IsOptional() @IsInt() @Min(1) @Max(MAX_VERSION) version?: number;

  @IsArray({ message: 'WorkflowTask list cannot be empty' })
  @ArrayNotEmpty({ message: 'WorkflowTask list cannot be empty' })
  @ValidateNested({ each: true })
  @Type(() => WorkflowTask)
  tasks!: WorkflowTask[];

  @IsOptional() @IsArray() @IsString({ each: true }) inputParameters?: string[];
  @IsOptional() @IsObject() outputParameters?: Record<string, unknown>;
  @IsOptional() @IsString() failureWorkflow?: string;
  @IsOptional() @IsInt() @Min(1) failureWorkflowVersion?: number;
  @IsOptional() @IsInt() @Min(2, { message: 'workflowDef schemaVersion: 2 is only supported' }) @Max(2, { message: 'workflowDef schemaVersion: 2 is only supported' }) schemaVersion?: number;
  @IsOptional() @IsBoolean() restartable?: boolean;
  @IsOptional() @IsBoolean() workflowStatusListenerEnabled?: boolean;
  @IsOptional() @IsString() ownerEmail?: string;
  @IsOptional() @IsIn(Object.values(WorkflowTimeoutPolicy)) timeoutPolicy?: WorkflowTimeoutPolicy;
  @IsOptional() @IsInt() @Min(0) @Max(MAX_SECONDS) timeoutSeconds?: number;
  @IsOptional() @IsObject() variables?: Record<string, unknown>;
  @IsOptional() @IsObject() inputTemplate?: Record<string, unknown>;
  /**
   * Baton's own (saga compensation): when the workflow fails, its completed tasks whose definitions
   * implement `rollback` are rolled back — in reverse order of completion, a fork's branches in parallel —
   * before it ends FAILED, the outcome recorded in its `compensation`.
   */
  @IsOptional() @IsBoolean() rollbackOnFailure?: boolean;
  /**
   * Baton's own: `graph` when the tasks name what follows each one in `next` (a Rill Flow DAG) instead of
   * running in list order. A task of a graph runs once every task that leads to it has ended; one reached
   * only over edges nobody took (a Rill switch's branch not chosen, after a return) is SKIPPED. Only the
   * Rill Flow translation makes such definitions.
   */
  flow?: WorkflowFlow;
  /** Baton's own: what a Rill Flow execution needs beyond its tasks (set by the translation). */
  rill?: RillRun;
}

export const WorkflowFlow = { Sequence: 'sequence', Graph: 'graph' } as const;
export type WorkflowFlow = (typeof WorkflowFlow)[keyof typeof WorkflowFlow];

/** A Rill Flow execution: which descriptor it runs, and the DAG-level parts its tasks read. */
export interface RillRun {
  /** `<business>:<feature>` of the descriptor. */
  readonly descriptorId: string;
  /** The descriptor version the execution runs. */
  readonly version: number;
  /** The DAG's `commonMapping`, which mapping rules name by `reference`. */
  readonly commonMapping: Readonly<Record<string, readonly RillMapping[]>>;
  /** The `callback` URL given at submit: told of the execution's end. */
  readonly callbackUrl?: string;
  /** Where Baton's Rill Flow API is reached (`X-Callback-Url`, `$.tasks.<name>.trigger_url`). */
  readonly serverUrl: string;
}

/** A TaskDef with every defaulted field present (what is stored and served). */
export type ResolvedTaskDef = TaskDef &
  Required<Pick<TaskDef, 'retryCount' | 'timeoutSeconds' | 'timeoutPolicy' | 'retryLogic' | 'retryDelaySeconds' | 'responseTimeoutSeconds' | 'backoffScaleFactor'>>;

export function withTaskDefDefaults(def: TaskDef): ResolvedTaskDef {
  return {
    ...def,
    retryCount: def.retryCount ?? 3,
    timeoutSeconds: def.timeoutSeconds ?? 0,
    timeoutPolicy: def.timeoutPolicy ?? TimeoutPolicy.TimeOutWorkflow,
    retryLogic: def.retryLogic ?? RetryLogic.Fixed,
    retryDelaySeconds: def.retryDelaySeconds ?? 60,
    responseTimeoutSeconds: def.responseTimeoutSeconds ?? 3600,
    backoffScaleFactor: def.backoffScaleFactor ?? 1,
  };
}

/**
 * The definition Conductor makes up for a SIMPLE task nobody registered (MetadataMapperService): workers
 * can run against workflows whose task types were never declared.
 */
export function adHocTaskDef(name: string): ResolvedTaskDef {
  return withTaskDefDefaults({ name, retryCount: 3, responseTimeoutSeconds: 3600 });
}

export function withWorkflowTaskDefaults(task: WorkflowTask): WorkflowTask {
  return { ...task, type: task.type ?? 'SIMPLE', inputParameters: task.inputParameters ?? {}, optional: task.optional ?? false, startDelay: task.startDelay ?? 0, asyncComplete: task.asyncComplete ?? false };
}

export function withWorkflowDefDefaults(def: WorkflowDef): WorkflowDef {
  return {
    ...def,
    version: def.version ?? 1,
    tasks: def.tasks.map(withWorkflowTaskDefaults),
    inputParameters: def.inputParameters ?? [],
    outputParameters: def.outputParameters ?? {},
    schemaVersion: def.schemaVersion ?? 2,
    restartable: def.restartable ?? true,
    workflowStatusListenerEnabled: def.workflowStatusListenerEnabled ?? false,
    timeoutPolicy: def.timeoutPolicy ?? WorkflowTimeoutPolicy.AlertOnly,
    timeoutSeconds: def.timeoutSeconds ?? 0,
    variables: def.variables ?? {},
    inputTemplate: def.inputTemplate ?? {},
  };
}

import {
  adHocTaskDef,
  MAX_SECONDS,
  isWorkerTaskType,
  ResolvedTaskDef,
  RetryLogic,
  SystemTaskType,
  Task,
  TaskStatus,
  withTaskDefDefaults,
  WorkflowTask,
} from '@app/contracts';
import type { EngineCommand } from './commands';
import { resolveParameters } from './expressions';
import { expressionDocument } from './expression-document';
import { taskIdFor } from './task-ids';
import { nextSeq, WorkflowRun } from './workflow-run';

/** Everything a mapper needs to turn a `WorkflowTask` into a scheduled task instance. */
export interface MapperContext {
  readonly run: WorkflowRun;
  readonly workflowTask: WorkflowTask;
  readonly now: number;
  /** The attempt this one retries, if any. */
  readonly retryOf?: Readonly<Task>;
  /** Extra delay before the task may be picked up (retry backoff), in ms. */
  readonly delayMs?: number;
}

export interface Mapped {
  readonly task: Task;
  readonly commands: readonly EngineCommand[];
}

export type TaskMapper = (ctx: MapperContext) => Mapped;

/** The task definition a task runs with: inline, else the registered one attached at start, else ad hoc. */
export function taskDefOf(wt: WorkflowTask): ResolvedTaskDef {
  return wt.taskDefinition ? withTaskDefDefaults(wt.taskDefinition) : adHocTaskDef(wt.name);
}

/** A worker task: queued for workers of its type to poll (Conductor SIMPLE / USER_DEFINED). */
const workerTask: TaskMapper = ({ run, workflowTask: wt, now, retryOf, delayMs = 0 }) => {
  const def = taskDefOf(wt);
  const seq = nextSeq(run);
  const taskId = taskIdFor(run.workflow.workflowId, seq);
  const input = resolveParameters(wt.inputParameters ?? {}, expressionDocument(run));
  for (const [k, v] of Object.entries(def.inputTemplate ?? {})) if (input[k] === undefined || input[k] === null) input[k] = v;
  const startDelayMs = (wt.startDelay ?? 0) * 1000;
  const task: Task = {
    taskType: wt.name,
    status: TaskStatus.Scheduled,
    inputData: input,
    referenceTaskName: wt.taskReferenceName,
    retryCount: retryOf ? retryOf.retryCount + 1 : 0,
    seq,
    correlationId: run.workflow.correlationId,
    pollCount: 0,
    taskDefName: wt.name,
    scheduledTime: now,
    startTime: 0,
    endTime: 0,
    updateTime: now,
    startDelayInSeconds: wt.startDelay ?? 0,
    retriedTaskId: retryOf?.taskId,
    retried: false,
    executed: false,
    callbackFromWorker: true,
    responseTimeoutSeconds: def.responseTimeoutSeconds,
    workflowInstanceId: run.workflow.workflowId,
    workflowType: run.workflow.workflowName,
    taskId,
    callbackAfterSeconds: 0,
    outputData: {},
    workflowTask: wt,
    workflowPriority: run.workflow.priority,
    iteration: 0,
    queueWaitTime: 0,
    taskDefinition: def,
    loopOverTask: false,
  };
  return {
    task,
    commands: [
      { type: 'queue.push', taskId, queueName: queueNameOf(task), visibleAt: now + startDelayMs + delayMs, priority: run.workflow.priority },
      { type: 'emit.task', eventType: 'produce.success', taskId },
    ],
  };
};

/** The queue a worker task waits in: its task type (domains and isolation groups come later). */
export const queueNameOf = (task: Pick<Task, 'taskType'>): string => task.taskType;

const MAPPERS: Partial<Record<string, TaskMapper>> = {
  [SystemTaskType.Simple]: workerTask,
};

/** The mapper for a task type, or undefined when this version of Baton cannot run that built-in type. */
export function mapperFor(type: string | undefined): TaskMapper | undefined {
  if (isWorkerTaskType(type)) return workerTask;
  return MAPPERS[type as string];
}

/** Retry delay as Conductor computes it (DeciderService.retry), without jitter: the decider is deterministic. */
export function retryDelayMs(def: ResolvedTaskDef, retryCount: number): number {
  const base = def.retryDelaySeconds;
  let seconds: number;
  switch (def.retryLogic) {
    case RetryLogic.LinearBackoff:
      seconds = base * def.backoffScaleFactor * (retryCount + 1);
      break;
    case RetryLogic.ExponentialBackoff:
      seconds = base * 2 ** retryCount;
      break;
    default:
      seconds = base;
  }
  if (def.maxRetryDelaySeconds && def.maxRetryDelaySeconds > 0) seconds = Math.min(seconds, def.maxRetryDelaySeconds);
  // Exponential backoff outgrows any timestamp after a few dozen retries.
  return Math.min(seconds, MAX_SECONDS) * 1000;
}

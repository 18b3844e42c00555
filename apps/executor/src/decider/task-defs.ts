import { adHocTaskDef, MAX_SECONDS, ResolvedTaskDef, RetryLogic, Task, traitsOf, withTaskDefDefaults, WorkflowTask } from '@app/contracts';

/**
 * The task definition a task runs with: inline, else the registered one attached at start, else ad hoc.
 * Only worker tasks get Conductor's ad-hoc SIMPLE definition (3 retries); a system task without a
 * definition is not retried (DeciderService.retry: no TaskDef, expected retry count 0) unless its
 * workflow task says `retryCount`.
 */
export function taskDefOf(wt: WorkflowTask): ResolvedTaskDef {
  if (wt.taskDefinition) return withTaskDefDefaults(wt.taskDefinition);
  // Worker tasks (DYNAMIC's chosen one too) get Conductor's ad-hoc defaults; system tasks are not retried
  // unless a definition says so.
  return traitsOf(wt.type).kind === 'worker' ? adHocTaskDef(wt.name) : withTaskDefDefaults({ name: wt.name, retryCount: 0 });
}

/**
 * The task definitions registered when the decision is made, by name: what tasks given at run time (a
 * dynamic fork's branches) run with, as the definition's own got theirs when the run started.
 */
export type TaskDefLookup = (name: string) => ResolvedTaskDef | undefined;

export const NO_TASK_DEFS: TaskDefLookup = () => undefined;

/** The queue a worker task waits in: its task type (domains and isolation groups come later). */
export const queueNameOf = (task: Pick<Task, 'taskType'>): string => task.taskType;

/**
 * Retry delay as Conductor computes it (DeciderService.retry), plus `backoffJitterMs`: Conductor draws the
 * jitter at random; the decider is deterministic, so it is drawn from the failed attempt's id instead —
 * spread like a random draw across tasks, the same every time the decision is made again.
 */
export function retryDelayMs(def: ResolvedTaskDef, retryCount: number, failedTaskId = ''): number {
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
  const jitterMs = def.backoffJitterMs && def.backoffJitterMs > 0 ? hashOf(failedTaskId) % (def.backoffJitterMs + 1) : 0;
  return Math.min(seconds, MAX_SECONDS) * 1000 + jitterMs;
}

/** FNV-1a over the text: a stable, evenly spread number for the same input. */
function hashOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

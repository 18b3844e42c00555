import { adHocTaskDef, queueNameFor, KAFKA_DELIVERABLE_NAME, MAX_SECONDS, ResolvedTaskDef, RetryLogic, Task, TaskDeliveryMode, traitsOf, withTaskDefDefaults, WorkflowTask } from '@app/contracts';

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

/**
 * The queue a worker task waits in: its task type, in its domain when it has one (`<domain>:<type>`) — or,
 * when its task definition says `deliveryMode: KAFKA`, `kafka/<taskDefName>`, a queue no HTTP poller is
 * handed rows of: the executor's Kafka dispatcher leases it and produces each task on the type's topic
 * (domains do not apply: a Kafka worker group is its own routing). The mode is the one pinned with the
 * task's definition (like its timeouts); only worker tasks go to Kafka (the engine runs HTTP and
 * KAFKA_PUBLISH itself), and only under a name a topic can carry.
 */
export const queueNameOf = (task: Pick<Task, 'taskType' | 'taskDefName' | 'taskDefinition' | 'domain'> & { readonly workflowTask?: Pick<WorkflowTask, 'type'> }): string =>
  deliveredOverKafka(task) ? kafkaQueueOf(task.taskDefName) : queueNameFor(task.taskType, task.domain);

function deliveredOverKafka(task: Pick<Task, 'taskDefName' | 'taskDefinition'> & { readonly workflowTask?: Pick<WorkflowTask, 'type'> }): boolean {
  return (
    task.taskDefinition?.deliveryMode === TaskDeliveryMode.Kafka && traitsOf(task.workflowTask?.type).kind === 'worker' && KAFKA_DELIVERABLE_NAME.test(task.taskDefName)
  );
}

/**
 * The queue prefix of KAFKA-delivered task definitions. No poll is handed their rows: a poll takes only the
 * rows of the definition it names (TaskQueue.lease), these run `<name>`, and no poll of `<name>` names this
 * queue — a domain's is `<domain>:<name>` (queueNameFor), hence a `/`, not Conductor's `:`, which would make
 * `kafka:<name>` the queue of a domain called "kafka".
 */
export const KAFKA_QUEUE_PREFIX = 'kafka/';

/** The queue a KAFKA-delivered task definition's tasks wait in until the dispatcher produces them. */
export const kafkaQueueOf = (taskDefName: string): string => `${KAFKA_QUEUE_PREFIX}${taskDefName}`;

/** The task definition of a KAFKA-delivered queue, or undefined for any other queue. */
export const taskDefOfKafkaQueue = (queueName: string): string | undefined =>
  queueName.startsWith(KAFKA_QUEUE_PREFIX) ? queueName.slice(KAFKA_QUEUE_PREFIX.length) : undefined;

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
      seconds = base * (def.backoffBase ?? 2) ** retryCount;
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

import { RillTask, Task, TaskNode, TaskStatus } from '@app/contracts';
import type { Kernel, ScheduleOptions } from '../kernel';
import { allMatch, anyMatch } from './conditions';
import { applyMappings, MappingOptions } from './mappings';

/**
 * What every Rill Flow category shares: the DAG's context is the workflow's `variables` (the submitted
 * context, over the DAG's defaultContext); a task's input is its `parameters` with its inputMappings over
 * `{context}` on top; when it completes, its outputMappings over `{context, input, output}` write the
 * context. A mapping rule that fails and does not tolerate it (`tolerance: false`) fails the task.
 */
export const rillOf = (task: Pick<Task, 'workflowTask'>): RillTask => {
  const rill = task.workflowTask.rill;
  // The translation puts the Rill task on every RILL_* task: a task without one is a shell bug.
  if (!rill) throw new Error(`task ${task.workflowTask.taskReferenceName} is a ${task.workflowTask.type} task without its Rill Flow task`);
  return rill;
};

export const contextOf = (k: Kernel): Record<string, unknown> => k.workflow.variables ?? {};

/** The URL that reports for `taskName` of this execution (`/flow/trigger.json`): X-Callback-Url, `$.tasks.<name>.trigger_url`. */
export function triggerUrlOf(k: Kernel, taskName: string, query?: string): string {
  const executionId = k.workflow.correlationId ?? k.workflow.workflowId;
  return `${k.definition.rill?.serverUrl ?? ''}/flow/trigger.json?execution_id=${encodeURIComponent(executionId)}&task_name=${encodeURIComponent(taskName)}${query ? `&${query}` : ''}`;
}

/** Mapping options for the run: its commonMapping, trigger URLs, and transforms in the script sandbox. */
export function mappingOptions(k: Kernel): MappingOptions {
  return {
    commonMapping: k.definition.rill?.commonMapping ?? {},
    triggerUrl: (taskName, query) => triggerUrlOf(k, taskName, query),
    transform: (expression, vars) => {
      // Aviator's common subset (arithmetic, comparisons, string concatenation, ternaries) is JavaScript.
      const script = `(function (source, context, input, output) { return (${expression}); })($.source, $.context, $.input, $.output)`;
      const result = k.evaluators.javascript(script, vars);
      return result.ok ? { ok: true, value: result.value } : { ok: false, message: result.message };
    },
  };
}

/** The task's input from the context now, or why a rule that does not tolerate failure failed. */
export function rillInput(k: Kernel, rill: RillTask): { readonly input: Record<string, unknown>; readonly error?: string } {
  const mapped = applyMappings(rill.inputMappings, { context: contextOf(k), input: { ...(rill.parameters ?? {}) }, output: {} }, mappingOptions(k));
  return { input: mapped.doc.input, error: fatalOf(mapped.errors) };
}

/**
 * Starts a Rill task the engine runs itself: its input mapped from the context, the attempt IN_PROGRESS.
 * Undefined when a mapping that does not tolerate failure failed (the attempt is then failed for good).
 */
export function beginRillTask(k: Kernel, node: TaskNode, opts: ScheduleOptions): Readonly<Task> | undefined {
  const { input, error } = rillInput(k, rillOf({ workflowTask: node.task }));
  const task = k.addTask(k.newTask(node, opts, { status: TaskStatus.InProgress, inputData: input, startTime: k.now }), 'start.begin');
  if (!error) return task;
  k.failTask(task, { status: TaskStatus.FailedWithTerminalError, reason: error });
  return undefined;
}

/**
 * Maps a completed attempt's output into the context (the workflow's variables). Returns why it cannot
 * when a rule that does not tolerate failure failed: the attempt then fails.
 */
export function mapOutput(k: Kernel, task: Readonly<Task>): string | undefined {
  const rill = rillOf(task);
  if (!rill.outputMappings.length) return undefined;
  const mapped = applyMappings(rill.outputMappings, { context: contextOf(k), input: task.inputData, output: task.outputData }, mappingOptions(k));
  const error = fatalOf(mapped.errors);
  if (error) return error;
  k.setWorkflow({ variables: mapped.doc.context });
  return undefined;
}

/** Whether every one of `conditions` holds over the task's input and the context. */
export const rillAllMatch = (k: Kernel, conditions: readonly string[], input: Record<string, unknown>, output: Record<string, unknown> = {}): boolean =>
  allMatch(conditions, { context: contextOf(k), input, output });

export const rillAnyMatch = (k: Kernel, conditions: readonly string[], input: Record<string, unknown>, output: Record<string, unknown> = {}): boolean =>
  anyMatch(conditions, { context: contextOf(k), input, output });

function fatalOf(errors: ReadonlyArray<{ readonly message: string; readonly fatal?: boolean }>): string | undefined {
  const fatal = errors.filter((e) => e.fatal);
  return fatal.length ? `mapping failed: ${fatal.map((e) => e.message).join('; ')}` : undefined;
}

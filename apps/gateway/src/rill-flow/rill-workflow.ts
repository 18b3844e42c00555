import {
  RetryLogic,
  RillDag,
  RillFunctionTask,
  RillTask,
  rillTaskTypeOf,
  TaskDef,
  TimeoutPolicy,
  ValidationErrorItem,
  WorkflowDef,
  WorkflowFlow,
  WorkflowTask,
  WorkflowTimeoutPolicy,
} from '@app/contracts';

/** A registered descriptor, as a submit runs it. */
export interface RillDescriptorVersion {
  /** `<business>:<feature>`. */
  readonly descriptorId: string;
  readonly version: number;
  readonly dag: RillDag;
}

export interface RillTranslation {
  readonly serverUrl: string;
  readonly callbackUrl?: string;
  /** The descriptors `rillflow://` sub-flows name, resolved beforehand (by the id as written). */
  readonly subFlows: ReadonlyMap<string, RillDescriptorVersion>;
}

/** How deep sub-flows may nest: a DAG that calls itself (directly or not) is refused, not unrolled forever. */
export const MAX_SUBFLOW_DEPTH = 8;

/**
 * A Rill Flow DAG as the workflow Baton runs: a graph flow (`flow: graph`, each task's `next` its edges)
 * whose tasks are the DAG's, one `RILL_<CATEGORY>` task each carrying the Rill task as parsed; the DAG's
 * defaultContext its variables (the context), its `timer` its timeout; each task's `retry` and timeline
 * timeout its task definition; `tolerance` makes it optional (a failure is SKIPPED). A `rillflow://`
 * sub-flow embeds its DAG's own translation, resolved at submit. Errors name the task and field that
 * cannot run.
 */
export function rillWorkflowDef(
  root: RillDescriptorVersion,
  how: RillTranslation,
  depth = 0,
): { readonly def: WorkflowDef; readonly errors: readonly ValidationErrorItem[] } {
  const errors: ValidationErrorItem[] = [];
  const scope: Scope = { root, how, depth, errors };
  const timeout = typeof root.dag.timeoutInSeconds === 'number' ? root.dag.timeoutInSeconds : 0;
  const def: WorkflowDef = {
    ...graphDefOf(root.dag.tasks, 'tasks', root.descriptorId, scope),
    description: `Rill Flow DAG ${root.descriptorId} v${root.version}`,
    variables: { ...root.dag.defaultContext },
    timeoutSeconds: timeout,
    timeoutPolicy: timeout > 0 ? WorkflowTimeoutPolicy.TimeOutWorkflow : WorkflowTimeoutPolicy.AlertOnly,
    rill: { descriptorId: root.descriptorId, version: root.version, commonMapping: root.dag.commonMapping, serverUrl: how.serverUrl, ...(how.callbackUrl ? { callbackUrl: how.callbackUrl } : {}) },
  };
  if (!def.tasks.length) errors.push({ path: 'tasks', message: `${root.descriptorId} is a resource DAG (no tasks): only flow DAGs run` });
  return { def, errors };
}

/** What translating one DAG carries down to its tasks and nested bodies. */
interface Scope {
  readonly root: RillDescriptorVersion;
  readonly how: RillTranslation;
  readonly depth: number;
  readonly errors: ValidationErrorItem[];
}

/**
 * A task list as a graph flow of its own: the DAG, or a choice's branch or a foreach's body, which run as
 * child workflows (their context their own) of the DAG's descriptor and version.
 */
function graphDefOf(tasks: readonly RillTask[], path: string, name: string, scope: Scope): WorkflowDef {
  const { root, how } = scope;
  return {
    name,
    version: root.version,
    tasks: tasks.map((task, i) => workflowTaskOf(task, `${path}[${i}]`, scope)),
    flow: WorkflowFlow.Graph,
    restartable: true,
    rill: { descriptorId: root.descriptorId, version: root.version, commonMapping: root.dag.commonMapping, serverUrl: how.serverUrl },
  };
}

function workflowTaskOf(task: RillTask, path: string, scope: Scope): WorkflowTask {
  const base: WorkflowTask = {
    name: task.name,
    taskReferenceName: task.name,
    type: rillTaskTypeOf(task),
    inputParameters: {},
    next: [...task.next],
    rill: task,
    // Rill Flow honours tolerance on function and suspense tasks only.
    optional: (task.category === 'function' || task.category === 'suspense') && task.tolerance,
    taskDefinition: taskDefOf(task),
  };
  const bodyName = (i: number) => `${scope.root.descriptorId}:${task.name}[${i}]`;
  if (task.category === 'choice') return { ...base, bodies: task.choices.map((c, i) => graphDefOf(c.tasks, `${path}.choices[${i}].tasks`, bodyName(i), scope)) };
  if (task.category === 'foreach') return { ...base, bodies: [graphDefOf(task.tasks, `${path}.tasks`, bodyName(0), scope)] };
  if (task.category !== 'function') return base;
  if (task.subFlow) return { ...base, ...subFlowOf(task, path, scope) };
  const protocol = (task.resourceProtocol ?? /^([a-z][a-z0-9+.-]*):\/\//i.exec(task.resourceName ?? '')?.[1] ?? '').toLowerCase();
  if (protocol !== 'http' && protocol !== 'https') {
    scope.errors.push({
      path: `${path}.resourceName`,
      message: `function task ${task.name} calls ${task.resourceName ?? `a ${protocol || 'resource'} resource`}: Baton runs http(s) and rillflow:// resources`,
      invalidValue: task.resourceName,
    });
  }
  return { ...base, asyncComplete: task.pattern === 'task_async' || task.pattern === 'task_scheduler' };
}

function subFlowOf(task: RillFunctionTask, path: string, { how, depth, errors }: Scope): Partial<WorkflowTask> {
  const id = task.subFlow?.descriptorId ?? '';
  const found = how.subFlows.get(id);
  if (!found) {
    errors.push({ path: `${path}.resourceName`, message: `sub-flow ${id} of task ${task.name} is not registered`, invalidValue: task.resourceName });
    return {};
  }
  if (depth + 1 >= MAX_SUBFLOW_DEPTH) {
    errors.push({ path: `${path}.resourceName`, message: `sub-flows nest deeper than ${MAX_SUBFLOW_DEPTH} levels at ${task.name} (a DAG that calls itself?)`, invalidValue: task.resourceName });
    return {};
  }
  const child = rillWorkflowDef(found, { ...how, callbackUrl: undefined }, depth + 1);
  errors.push(...child.errors.map((e) => ({ ...e, path: `${path}(${id}).${e.path}` })));
  return { subWorkflowParam: { name: child.def.name, version: child.def.version, workflowDefinition: child.def } };
}

/** A Rill task's retry and timeline as Baton's task definition. */
function taskDefOf(task: RillTask): TaskDef {
  const retry = task.category === 'function' ? task.retry : undefined;
  const timeout = typeof task.timeline?.timeoutInSeconds === 'number' ? task.timeline.timeoutInSeconds : 0;
  const multiplier = retry?.multiplier ?? 1;
  return {
    name: task.name,
    retryCount: retry?.maxRetryTimes ?? 0,
    retryDelaySeconds: retry?.intervalInSeconds ?? 0,
    retryLogic: multiplier > 1 ? RetryLogic.ExponentialBackoff : RetryLogic.Fixed,
    ...(multiplier > 1 ? { backoffBase: Math.min(multiplier, 10) } : {}),
    timeoutSeconds: timeout,
    // A timed-out task fails (and is retried per its retry, or tolerated), as Rill Flow's timeline does.
    timeoutPolicy: TimeoutPolicy.Retry,
    // An async task waits for its callback as long as its timeline allows; the engine's call itself is leased separately.
    responseTimeoutSeconds: timeout > 0 ? timeout : 3600,
  };
}

/** Every `rillflow://` descriptor id a DAG names, nested ones in choice and foreach bodies included. */
export function subFlowIdsOf(dag: RillDag): string[] {
  const ids = new Set<string>();
  const visit = (tasks: readonly RillTask[]) => {
    for (const t of tasks) {
      if (t.category === 'function' && t.subFlow) ids.add(t.subFlow.descriptorId);
      if (t.category === 'choice') t.choices.forEach((c) => visit(c.tasks));
      if (t.category === 'foreach') visit(t.tasks);
    }
  };
  visit(dag.tasks);
  return [...ids];
}

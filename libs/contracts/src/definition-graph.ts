import { adHocTaskDef, ResolvedTaskDef, withTaskDefDefaults, WorkflowDef, WorkflowTask } from './conductor/definitions';
import { ChildListField, isQueuedKind, SystemTaskType, traitsOf } from './task-types';
import type { ValidationErrorItem } from './errors';

/**
 * The tasks of one workflow definition as a graph: every task with its JSON path, its parent, the list it
 * sits in and its position there, and the lists nested under it (which lists a type owns comes from the
 * task-type catalogue). Built once per definition and shared by the validator (which builds it from raw
 * JSON and reads `problems`), the runnable check and the executor's decider. An inline sub-workflow is a
 * definition of its own, with its own graph.
 */
export interface TaskNode {
  /** The task as written; only trusted to be a WorkflowTask once the definition passed validation. */
  readonly task: WorkflowTask;
  readonly path: string;
  /** The taskReferenceName when it is a non-empty string. */
  readonly ref: string | undefined;
  readonly name: string | undefined;
  /** `SIMPLE` when absent; any string that is not a built-in is a worker task. */
  readonly type: string;
  readonly parent: TaskNode | undefined;
  readonly list: TaskList;
  /** Position in `list.items` (which may also hold entries that are not tasks). */
  readonly index: number;
  readonly children: readonly TaskList[];
}

export interface TaskList {
  readonly path: string;
  /** The task that owns the list; undefined for the workflow's own `tasks`. */
  readonly owner: TaskNode | undefined;
  /** Which field of the owner holds it, and for decision cases, the case's name. */
  readonly field: ChildListField | undefined;
  readonly caseName: string | undefined;
  readonly items: readonly unknown[];
  readonly nodes: readonly TaskNode[];
}

export interface DefinitionGraph {
  readonly root: TaskList;
  /** Every task, depth first, in document order. */
  readonly all: readonly TaskNode[];
  /** The first task carrying each taskReferenceName. */
  readonly byRef: ReadonlyMap<string, TaskNode>;
  /** Entries that are not tasks, or child lists that are not lists: reported once, here. */
  readonly problems: readonly ValidationErrorItem[];
}

type Json = Record<string, unknown>;
const isJson = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `base.key`, or `base["key"]` when the key is not a plain identifier, so every path reads back unambiguously. */
export function jsonPathProp(base: string, key: string): string {
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return base ? `${base}.${key}` : key;
  return `${base}[${JSON.stringify(key)}]`;
}
export const jsonPathAt = (base: string, index: number): string => `${base}[${index}]`;

/** Builds the graph of a task list as it arrived (possibly malformed): `path` is the list's JSON path. */
/**
 * `rootOwner`: for tasks given at run time (a dynamic fork's branches), the node they hang under in the
 * definition's graph, so what encloses it (a DO_WHILE) encloses them too.
 */
export function buildDefinitionGraph(tasks: readonly unknown[], path = 'tasks', rootOwner?: TaskNode): DefinitionGraph {
  const all: TaskNode[] = [];
  const byRef = new Map<string, TaskNode>();
  const problems: ValidationErrorItem[] = [];

  const list = (items: readonly unknown[], listPath: string, owner: TaskNode | undefined, field?: ChildListField, caseName?: string): TaskList => {
    const nodes: TaskNode[] = [];
    const self: TaskList = { path: listPath, owner, field, caseName, items, nodes };
    items.forEach((item, index) => {
      const itemPath = jsonPathAt(listPath, index);
      if (!isJson(item)) {
        problems.push({ path: itemPath, message: 'WorkflowTask must be a JSON object', invalidValue: item });
        return;
      }
      const children: TaskList[] = [];
      const node: TaskNode = {
        task: item as unknown as WorkflowTask,
        path: itemPath,
        ref: nonEmpty(item.taskReferenceName),
        name: typeof item.name === 'string' ? item.name : undefined,
        type: typeof item.type === 'string' && item.type ? item.type : SystemTaskType.Simple,
        parent: owner,
        list: self,
        index,
        children,
      };
      nodes.push(node);
      all.push(node);
      if (node.ref && !byRef.has(node.ref)) byRef.set(node.ref, node);
      for (const child of childLists(node, problems)) children.push(list(child.items, child.path, node, child.field, child.caseName));
    });
    return self;
  };

  return { root: list(tasks, path, rootOwner), all, byRef, problems };
}

interface ChildListSpec {
  readonly path: string;
  readonly items: readonly unknown[];
  readonly field: ChildListField;
  readonly caseName?: string;
}

function childLists(node: TaskNode, problems: ValidationErrorItem[]): ChildListSpec[] {
  const task = node.task as unknown as Json;
  const { path } = node;
  const lists: ChildListSpec[] = [];
  const listAt = (value: unknown, listPath: string, field: ChildListField, caseName?: string) => {
    if (Array.isArray(value)) lists.push({ path: listPath, items: value, field, caseName });
    else if (value !== undefined && value !== null) problems.push({ path: listPath, message: `${listPath.slice(path.length + 1)} must be a list of tasks`, invalidValue: value });
  };
  for (const field of traitsOf(node.type).children) {
    const value = task[field];
    switch (field) {
      case 'decisionCases':
        // A malformed decisionCases itself is reported by the WorkflowTask model.
        if (isJson(value)) for (const [name, branch] of Object.entries(value)) listAt(branch, jsonPathProp(`${path}.decisionCases`, name), field, name);
        break;
      case 'defaultCase':
        if (Array.isArray(value)) listAt(value, `${path}.defaultCase`, field);
        break;
      case 'forkTasks':
        if (Array.isArray(value)) value.forEach((branch, b) => listAt(branch, jsonPathAt(`${path}.forkTasks`, b), field));
        break;
      case 'loopOver':
        if (Array.isArray(value)) listAt(value, `${path}.loopOver`, field);
        break;
    }
  }
  return lists;
}

const nonEmpty = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);

/** Whether `ancestor` encloses `node` (at any depth). */
export function encloses(ancestor: TaskNode, node: TaskNode): boolean {
  for (let p = node.parent; p; p = p.parent) if (p === ancestor) return true;
  return false;
}

/** The task that follows `node` in its own list, if any. */
export const nextInList = (node: TaskNode): TaskNode | undefined => node.list.nodes.find((n) => n.index > node.index);

// A definition is immutable once pinned to a run: its graph is built once and kept with it.
const graphs = new WeakMap<object, DefinitionGraph>();

/** The graph of a (valid) workflow definition, built on first use and cached with the definition. */
export function graphOf(def: Pick<WorkflowDef, 'tasks'>): DefinitionGraph {
  let graph = graphs.get(def);
  if (!graph) graphs.set(def, (graph = buildDefinitionGraph(def.tasks ?? [])));
  return graph;
}

/**
 * A copy of the definition with `fn` applied to every task at any depth (children first), keeping the
 * nesting: how task definitions are attached to every task of a run, not only the top-level ones.
 */
export function mapWorkflowTasks(def: WorkflowDef, fn: (task: WorkflowTask) => WorkflowTask): WorkflowDef {
  const mapList = (tasks: readonly WorkflowTask[]): WorkflowTask[] => tasks.map(mapTask);
  const mapTask = (task: WorkflowTask): WorkflowTask => {
    const copy: WorkflowTask = { ...task };
    for (const field of traitsOf(task.type).children) {
      if (field === 'decisionCases' && task.decisionCases) {
        copy.decisionCases = Object.fromEntries(Object.entries(task.decisionCases).map(([k, v]) => [k, mapList(v)]));
      } else if (field === 'defaultCase' && task.defaultCase) copy.defaultCase = mapList(task.defaultCase);
      else if (field === 'forkTasks' && task.forkTasks) copy.forkTasks = task.forkTasks.map(mapList);
      else if (field === 'loopOver' && task.loopOver) copy.loopOver = mapList(task.loopOver);
    }
    return fn(copy);
  };
  return { ...def, tasks: mapList(def.tasks) };
}

/** The parts of a task instance that come from its run's pinned definition, not from its execution. */
export type DefinitionParts = 'workflowTask' | 'taskDefinition';

/**
 * Whether a task instance was scheduled from its run's definition (by reference, or a DO_WHILE
 * iteration's by its loop task's reference) — and not from a WorkflowTask given at run time (a dynamic
 * fork's branch), which only the task itself can carry.
 */
export function isFromDefinition(task: { referenceTaskName: string; loopOverTask?: boolean }, def: Pick<WorkflowDef, 'tasks'>): boolean {
  const byRef = graphOf(def).byRef;
  return byRef.has(task.referenceTaskName) || (!!task.loopOverTask && byRef.has(baseRefOf(task.referenceTaskName)));
}

/**
 * Whether a task instance must keep its own WorkflowTask (and task definition) when stored: one given at
 * run time (a dynamic fork's branch), or one that runs as something other than its definition's task (a
 * DYNAMIC task's chosen task). The others get theirs back from the run's pinned definition when loaded.
 */
export function carriesOwnWorkflowTask(task: { referenceTaskName: string; loopOverTask?: boolean; workflowTask?: WorkflowTask }, def: Pick<WorkflowDef, 'tasks'>): boolean {
  const byRef = graphOf(def).byRef;
  const node = byRef.get(task.referenceTaskName) ?? (task.loopOverTask ? byRef.get(baseRefOf(task.referenceTaskName)) : undefined);
  if (!node) return true;
  const own = task.workflowTask;
  return !!own && (own.name !== node.task.name || (own.type ?? 'SIMPLE') !== (node.task.type ?? 'SIMPLE'));
}

/** A task without its definition parts: what is stored and sent (the run's definition has them once). */
export function withoutDefinitionParts<T extends { workflowTask?: unknown; taskDefinition?: unknown }>(task: T): Omit<T, DefinitionParts> {
  const { workflowTask: _workflowTask, taskDefinition: _taskDefinition, ...rest } = task;
  return rest;
}

/** Conductor's TaskUtils.LOOP_TASK_DELIMITER: a DO_WHILE task's instance of iteration n is `<ref>__<n>`. */
const LOOP_SUFFIX = /__\d+$/;

/** The reference of a loop task's instance in an iteration. */
export const loopRefOf = (ref: string, iteration: number): string => `${ref}__${iteration}`;

/** The definition's reference of a loop task's instance (`a__3` → `a`); other references as they are. */
export const baseRefOf = (ref: string): string => ref.replace(LOOP_SUFFIX, '');

/**
 * A stored task with its definition parts put back from the run's pinned definition: its `workflowTask`
 * (found by reference name; a DO_WHILE iteration's `<ref>__<n>` by `<ref>`), and for a queued task the
 * `taskDefinition` it ran with (the inline or attached one with Conductor's defaults, else the ad-hoc
 * one). A task whose reference the definition does not know is returned as stored.
 */
export function withDefinitionParts<T extends { referenceTaskName: string; loopOverTask?: boolean }>(
  task: T,
  def: Pick<WorkflowDef, 'tasks'> | null | undefined,
): T & { workflowTask?: WorkflowTask; taskDefinition?: ResolvedTaskDef } {
  // A task stored with its own (carriesOwnWorkflowTask) keeps it.
  if ((task as { workflowTask?: unknown }).workflowTask) return task;
  const byRef = def ? graphOf(def).byRef : undefined;
  const wt = byRef?.get(task.referenceTaskName)?.task ?? (task.loopOverTask ? byRef?.get(baseRefOf(task.referenceTaskName))?.task : undefined);
  if (!wt) return task;
  const kind = traitsOf(wt.type).kind;
  if (!isQueuedKind(kind)) return { ...task, workflowTask: wt };
  // As the decider's taskDefOf: worker tasks get the ad-hoc SIMPLE definition, system tasks no retries.
  const taskDefinition = wt.taskDefinition ? withTaskDefDefaults(wt.taskDefinition) : kind === 'worker' ? adHocTaskDef(wt.name) : withTaskDefDefaults({ name: wt.name, retryCount: 0 });
  return { ...task, workflowTask: wt, taskDefinition };
}

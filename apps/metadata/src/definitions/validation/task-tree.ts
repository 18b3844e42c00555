import { SystemTaskType, ValidationErrorItem } from '@app/contracts';
import { at, isJson, Json, prop } from './json-path.util';

/**
 * The tasks of one workflow definition as a tree: every task with its JSON path, the list it sits in and
 * its position there, and the lists nested under it. Children follow the task's type, as Conductor's
 * `WorkflowTask.collectTasks` does: SWITCH/DECISION own their cases, FORK_JOIN its branches, DO_WHILE its
 * loop. (An inline sub-workflow is a definition of its own, with its own tree.)
 */
export interface TaskNode {
  readonly task: Json;
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
  readonly owner: TaskNode | undefined;
  readonly items: readonly unknown[];
  readonly nodes: readonly TaskNode[];
}

export interface TaskTree {
  readonly root: TaskList;
  /** Every task, depth first, in document order. */
  readonly all: readonly TaskNode[];
  /** The first task carrying each taskReferenceName. */
  readonly byRef: ReadonlyMap<string, TaskNode>;
  /** Entries that are not tasks, or child lists that are not lists: reported once, here. */
  readonly problems: readonly ValidationErrorItem[];
}

export function buildTaskTree(tasks: readonly unknown[], path: string): TaskTree {
  const all: TaskNode[] = [];
  const byRef = new Map<string, TaskNode>();
  const problems: ValidationErrorItem[] = [];

  const list = (items: readonly unknown[], listPath: string, owner: TaskNode | undefined): TaskList => {
    const nodes: TaskNode[] = [];
    const self: TaskList = { path: listPath, owner, items, nodes };
    items.forEach((item, index) => {
      const itemPath = at(listPath, index);
      if (!isJson(item)) {
        problems.push({ path: itemPath, message: 'WorkflowTask must be a JSON object', invalidValue: item });
        return;
      }
      const children: TaskList[] = [];
      const node: TaskNode = {
        task: item,
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
      for (const [childPath, childItems] of childLists(node, problems)) children.push(list(childItems, childPath, node));
    });
    return self;
  };

  return { root: list(tasks, path, undefined), all, byRef, problems };
}

function childLists(node: TaskNode, problems: ValidationErrorItem[]): Array<[string, readonly unknown[]]> {
  const { task, path } = node;
  const lists: Array<[string, readonly unknown[]]> = [];
  const listAt = (value: unknown, listPath: string) => {
    if (Array.isArray(value)) lists.push([listPath, value]);
    else if (value !== undefined && value !== null) problems.push({ path: listPath, message: `${listPath.slice(path.length + 1)} must be a list of tasks`, invalidValue: value });
  };
  switch (node.type) {
    case SystemTaskType.Switch:
    case SystemTaskType.Decision:
      // A malformed decisionCases or defaultCase itself is reported by the WorkflowTask model.
      if (isJson(task.decisionCases)) for (const [name, branch] of Object.entries(task.decisionCases)) listAt(branch, prop(`${path}.decisionCases`, name));
      if (Array.isArray(task.defaultCase)) listAt(task.defaultCase, `${path}.defaultCase`);
      break;
    case SystemTaskType.ForkJoin:
      if (Array.isArray(task.forkTasks)) task.forkTasks.forEach((branch, b) => listAt(branch, at(`${path}.forkTasks`, b)));
      break;
    case SystemTaskType.DoWhile:
      if (Array.isArray(task.loopOver)) listAt(task.loopOver, `${path}.loopOver`);
      break;
  }
  return lists;
}

const nonEmpty = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);

/** Whether `ancestor` encloses `node` (at any depth). */
export function encloses(ancestor: TaskNode, node: TaskNode): boolean {
  for (let p = node.parent; p; p = p.parent) if (p === ancestor) return true;
  return false;
}

/**
 * Why `from` cannot read the output of `target` when its inputs are evaluated, or undefined when it can.
 * A task may read what can have run before it: an earlier task of its own list or of an enclosing list
 * (including anything nested inside such an earlier task — Conductor lets the task after a JOIN read the
 * branch tasks), and the tasks that enclose it. Inside a DO_WHILE every task of the loop may be read (an
 * earlier iteration ran it), and a DO_WHILE may read its own loop (its inputs are re-read each iteration).
 */
export function whyNotVisible(from: TaskNode, target: TaskNode): string | undefined {
  const loop = from.type === SystemTaskType.DoWhile;
  if (target === from) return loop ? undefined : 'refers to the task itself, whose output does not exist while its inputs are evaluated';
  if (encloses(target, from)) return undefined;
  if (encloses(from, target)) return loop ? undefined : `refers to ${target.path}, which is nested inside this task and runs after its inputs are evaluated`;
  for (let p = from.parent; p; p = p.parent) if (p.type === SystemTaskType.DoWhile && encloses(p, target)) return undefined;

  const positions = new Map<TaskList, number>();
  for (let n: TaskNode | undefined = from; n; n = n.parent) positions.set(n.list, n.index);
  for (let n: TaskNode | undefined = target; n; n = n.parent) {
    const mine = positions.get(n.list);
    if (mine === undefined) continue;
    if (n.index < mine) return undefined;
    if (n.index > mine) return `refers to ${target.path}, which runs after this task`;
    // Same container, different child lists: parallel fork branches or alternative cases.
    const container = n;
    return container.type === SystemTaskType.ForkJoin
      ? `refers to ${target.path}, in a parallel branch of FORK_JOIN ${container.ref}, which may not have run yet`
      : `refers to ${target.path}, in another case of ${container.type} ${container.ref}, which never runs in the same execution`;
  }
  return undefined;
}

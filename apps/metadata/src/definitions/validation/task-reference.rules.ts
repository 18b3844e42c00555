import { DefinitionGraph, encloses, SystemTaskType, TaskList, TaskNode, ValidationErrorItem } from '@app/contracts';
import { at, isJson, rawTask } from './json-path.util';
import { allExpressions, forEachString } from './parameter-expression.parser';

/** Conductor appends `__<iteration>` to the refs of tasks inside a DO_WHILE (TaskUtils.LOOP_TASK_DELIMITER). */
export const LOOP_TASK_DELIMITER = '__';

/** One iteration suffix at the end of a ref: the delimiter and digits only. */
const ITERATION_SUFFIX = /__\d+$/;

/**
 * taskReferenceName is unique across the whole tree, and so are the refs DO_WHILE iterations get.
 *
 * `__` itself is allowed anywhere, as in Conductor: the SDKs' workflow builders generate refs such as
 * `__fork_1`. A run's task inside a loop gets `<ref>__<iteration>` (once per enclosing loop when loops
 * nest), so two shapes are refused to keep every run ref naming one definition task and iteration:
 * - a ref inside a loop that already ends in `__<digits>`: then "strip the trailing `__<digits>`" gives the
 *   definition ref exactly, however many loops enclose it (`charge__2` looped once and `charge` nested in
 *   two loops would both run as `charge__2__1`);
 * - a ref outside loops that is a looped ref plus iteration suffixes (`charge__1` next to a loop over
 *   `charge`): two tasks of one run would carry the same ref.
 * Conductor accepts both but cannot run them soundly either (its removeIterationFromTaskRefName even cuts at
 * the first `__`, so it exposes a looped `charge__2` as `charge`); the executor must strip only trailing
 * `__<digits>`, or a looped `__fork_1` would read back as "".
 */
export function checkReferenceNames(graph: DefinitionGraph, workflowName: unknown): ValidationErrorItem[] {
  const errors: ValidationErrorItem[] = [];
  const first = new Map<string, string>();
  const looped = new Map<string, TaskNode>();
  for (const node of graph.all) if (node.ref && insideLoop(node) && !looped.has(node.ref)) looped.set(node.ref, node);
  const loopedLengths = new Set([...looped.keys()].map((ref) => ref.length));

  for (const node of graph.all) {
    if (!node.ref) continue;
    const path = `${node.path}.taskReferenceName`;
    const seen = first.get(node.ref);
    if (seen) {
      errors.push({
        path,
        message: `taskReferenceName: ${node.ref} should be unique across tasks for a given workflowDefinition: ${String(workflowName)} (first used at ${seen})`,
        invalidValue: node.ref,
      });
    } else {
      first.set(node.ref, path);
    }
    if (!ITERATION_SUFFIX.test(node.ref)) continue;
    if (insideLoop(node)) {
      errors.push({
        path,
        message: `taskReferenceName: ${node.ref} inside a DO_WHILE must not end in ${LOOP_TASK_DELIMITER}<digits>: iterations are told apart by appending ${LOOP_TASK_DELIMITER}<iteration> to a taskReferenceName`,
        invalidValue: node.ref,
      });
      continue;
    }
    const shadowed = loopedRefShadowedBy(node.ref, looped, loopedLengths);
    if (shadowed) {
      errors.push({
        path,
        message: `taskReferenceName: ${node.ref} is also the ref of an iteration of ${shadowed.ref} (${shadowed.path}), a task inside a DO_WHILE; rename one of them`,
        invalidValue: node.ref,
      });
    }
  }
  return errors;
}

function insideLoop(node: TaskNode): boolean {
  for (let p = node.parent; p; p = p.parent) if (p.type === SystemTaskType.DoWhile) return true;
  return false;
}

/**
 * The looped task whose iteration ref `ref` is, when `ref` is `<looped ref>(__<digits>)+`. Scans from the
 * end once and cuts out only prefixes as long as some looped ref, so a long run of suffixes stays linear.
 */
function loopedRefShadowedBy(ref: string, looped: ReadonlyMap<string, TaskNode>, loopedLengths: ReadonlySet<number>): TaskNode | undefined {
  let end = ref.length;
  for (;;) {
    let digits = end;
    while (digits > 0 && isDigit(ref.charCodeAt(digits - 1))) digits--;
    if (digits === end || digits < LOOP_TASK_DELIMITER.length || !ref.startsWith(LOOP_TASK_DELIMITER, digits - LOOP_TASK_DELIMITER.length)) return undefined;
    end = digits - LOOP_TASK_DELIMITER.length;
    const found = loopedLengths.has(end) ? looped.get(ref.slice(0, end)) : undefined;
    if (found) return found;
  }
}

const isDigit = (code: number): boolean => code >= 48 && code <= 57;

/**
 * Every `${ref....}` in a task's inputParameters names `workflow`, an environment-style name (no path) or a
 * task that can have run before this one (see `whyNotVisible`).
 */
export function checkTaskInputReferences(graph: DefinitionGraph, node: TaskNode): ValidationErrorItem[] {
  const errors: ValidationErrorItem[] = [];
  const label = node.name || node.ref || node.path;
  const check = (text: string, path: string) => {
    for (const expr of allExpressions(text)) {
      const root = expr.root;
      if (!root || root === 'workflow') continue;
      const target = graph.byRef.get(root);
      const prefix = `taskReferenceName: ${root} for given task: ${label} input value: ${expr.text}`;
      if (!target) {
        if (expr.hasPath) errors.push({ path, message: `${prefix} is not defined in workflow definition.`, invalidValue: text });
        continue;
      }
      const why = whyNotVisible(node, target);
      if (why) errors.push({ path, message: `${prefix} ${why}`, invalidValue: text });
    }
  };
  const task = rawTask(node);
  forEachString(task.inputParameters, `${node.path}.inputParameters`, check);
  // An inline sub-workflow may be given as an expression over the parent's data.
  const sub = task.subWorkflowParam;
  if (isJson(sub) && typeof sub.workflowDefinition === 'string') check(sub.workflowDefinition, `${node.path}.subWorkflowParam.workflowDefinition`);
  return errors;
}

/**
 * Why `from` cannot read the output of `target` when its inputs are evaluated, or undefined when it can.
 * A task may read what can have run before it: an earlier task of its own list or of an enclosing list
 * (including anything nested inside such an earlier task — Conductor lets the task after a JOIN read the
 * branch tasks), and the tasks that enclose it. Inside a DO_WHILE every task of the loop may be read (an
 * earlier iteration ran it), and a DO_WHILE may read its own loop (its inputs are re-read each iteration).
 */
function whyNotVisible(from: TaskNode, target: TaskNode): string | undefined {
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

/** The workflow's outputParameters are evaluated at the end: any task of the definition may be named. */
export function checkOutputReferences(graph: DefinitionGraph, outputParameters: unknown, path: string): ValidationErrorItem[] {
  const errors: ValidationErrorItem[] = [];
  forEachString(outputParameters, path, (text, where) => {
    for (const expr of allExpressions(text)) {
      const root = expr.root;
      if (root && root !== 'workflow' && expr.hasPath && !graph.byRef.has(root)) {
        errors.push({ path: where, message: `taskReferenceName: ${root} for workflow output value: ${expr.text} is not defined in workflow definition.`, invalidValue: text });
      }
    }
  });
  return errors;
}

/**
 * FORK_JOIN and FORK_JOIN_DYNAMIC are followed by a JOIN in the same list (Conductor's fork mappers fail
 * the workflow otherwise); a JOIN right after a FORK_JOIN joins tasks of that fork; JOIN and
 * EXCLUSIVE_JOIN name existing tasks.
 */
export function checkJoins(graph: DefinitionGraph, node: TaskNode): ValidationErrorItem[] {
  switch (node.type) {
    case SystemTaskType.ForkJoin:
    case SystemTaskType.ForkJoinDynamic:
      return forkFollowedByJoin(node);
    case SystemTaskType.Join:
      return joinOnFork(graph, node);
    case SystemTaskType.ExclusiveJoin:
      return [...refsExist(graph, node, 'joinOn'), ...refsExist(graph, node, 'defaultExclusiveJoinTask')];
    default:
      return [];
  }
}

function forkFollowedByJoin(node: TaskNode): ValidationErrorItem[] {
  const next = node.list.items[node.index + 1];
  if (isJson(next) && next.type === SystemTaskType.Join) return [];
  if (next !== undefined && !isJson(next)) return []; // not a task: reported where it is
  const found = isJson(next) ? `${String(next.type ?? SystemTaskType.Simple)} task ${String(next.taskReferenceName)}` : 'nothing (it is the last task of its list)';
  return [{ path: node.path, message: `${node.type} task ${node.ref ?? node.name ?? ''} must be followed by a JOIN task in the same list, found ${found}` }];
}

function joinOnFork(graph: DefinitionGraph, node: TaskNode): ValidationErrorItem[] {
  const previous = node.list.nodes.find((n) => n.index === node.index - 1);
  // A dynamic fork's branches exist only at run time; Conductor fills the JOIN's joinOn then.
  if (previous?.type === SystemTaskType.ForkJoinDynamic) return [];
  const fork = previous?.type === SystemTaskType.ForkJoin ? previous : undefined;
  return refsExist(graph, node, 'joinOn', (target, ref, path) =>
    fork && !encloses(fork, target)
      ? [{ path, message: `joinOn: ${ref} is not a task of FORK_JOIN ${fork.ref ?? fork.name ?? ''} that precedes this JOIN`, invalidValue: ref }]
      : [],
  );
}

function refsExist(
  graph: DefinitionGraph,
  node: TaskNode,
  field: 'joinOn' | 'defaultExclusiveJoinTask',
  more: (target: TaskNode, ref: string, path: string) => ValidationErrorItem[] = () => [],
): ValidationErrorItem[] {
  const refs = rawTask(node)[field];
  if (!Array.isArray(refs)) return [];
  return refs.flatMap((ref, i) => {
    const path = at(`${node.path}.${field}`, i);
    if (typeof ref !== 'string') return [];
    const target = graph.byRef.get(ref);
    return target ? more(target, ref, path) : [{ path, message: `${field}: ${ref} is not a taskReferenceName of this workflow definition`, invalidValue: ref }];
  });
}

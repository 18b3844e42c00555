import { SystemTaskType, ValidationErrorItem } from '@app/contracts';
import { at, isJson } from './json-path.util';
import { allExpressions, forEachString } from './parameter-expression.parser';
import { encloses, TaskNode, TaskTree, whyNotVisible } from './task-tree';

/** Conductor appends `__<iteration>` to the refs of tasks inside a DO_WHILE (TaskUtils.LOOP_TASK_DELIMITER). */
export const LOOP_TASK_DELIMITER = '__';

/** taskReferenceName is unique across the whole tree, and free of the loop delimiter. */
export function checkReferenceNames(tree: TaskTree, workflowName: unknown): ValidationErrorItem[] {
  const errors: ValidationErrorItem[] = [];
  const first = new Map<string, string>();
  for (const node of tree.all) {
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
    if (node.ref.includes(LOOP_TASK_DELIMITER)) {
      errors.push({
        path,
        message: `taskReferenceName: ${node.ref} must not contain "${LOOP_TASK_DELIMITER}": DO_WHILE iterations are told apart by appending ${LOOP_TASK_DELIMITER}<iteration> to a taskReferenceName`,
        invalidValue: node.ref,
      });
    }
  }
  return errors;
}

/**
 * Every `${ref....}` in a task's inputParameters names `workflow`, an environment-style name (no path) or a
 * task that can have run before this one (see `whyNotVisible`).
 */
export function checkTaskInputReferences(tree: TaskTree, node: TaskNode): ValidationErrorItem[] {
  const errors: ValidationErrorItem[] = [];
  const label = node.name || node.ref || node.path;
  const check = (text: string, path: string) => {
    for (const expr of allExpressions(text)) {
      const root = expr.root;
      if (!root || root === 'workflow') continue;
      const target = tree.byRef.get(root);
      const prefix = `taskReferenceName: ${root} for given task: ${label} input value: ${expr.text}`;
      if (!target) {
        if (expr.hasPath) errors.push({ path, message: `${prefix} is not defined in workflow definition.`, invalidValue: text });
        continue;
      }
      const why = whyNotVisible(node, target);
      if (why) errors.push({ path, message: `${prefix} ${why}`, invalidValue: text });
    }
  };
  forEachString(node.task.inputParameters, `${node.path}.inputParameters`, check);
  // An inline sub-workflow may be given as an expression over the parent's data.
  const sub = node.task.subWorkflowParam;
  if (isJson(sub) && typeof sub.workflowDefinition === 'string') check(sub.workflowDefinition, `${node.path}.subWorkflowParam.workflowDefinition`);
  return errors;
}

/** The workflow's outputParameters are evaluated at the end: any task of the definition may be named. */
export function checkOutputReferences(tree: TaskTree, outputParameters: unknown, path: string): ValidationErrorItem[] {
  const errors: ValidationErrorItem[] = [];
  forEachString(outputParameters, path, (text, where) => {
    for (const expr of allExpressions(text)) {
      const root = expr.root;
      if (root && root !== 'workflow' && expr.hasPath && !tree.byRef.has(root)) {
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
export function checkJoins(tree: TaskTree, node: TaskNode): ValidationErrorItem[] {
  switch (node.type) {
    case SystemTaskType.ForkJoin:
    case SystemTaskType.ForkJoinDynamic:
      return forkFollowedByJoin(node);
    case SystemTaskType.Join:
      return joinOnFork(tree, node);
    case SystemTaskType.ExclusiveJoin:
      return [...refsExist(tree, node, 'joinOn'), ...refsExist(tree, node, 'defaultExclusiveJoinTask')];
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

function joinOnFork(tree: TaskTree, node: TaskNode): ValidationErrorItem[] {
  const previous = node.list.nodes.find((n) => n.index === node.index - 1);
  // A dynamic fork's branches exist only at run time; Conductor fills the JOIN's joinOn then.
  if (previous?.type === SystemTaskType.ForkJoinDynamic) return [];
  const fork = previous?.type === SystemTaskType.ForkJoin ? previous : undefined;
  return refsExist(tree, node, 'joinOn', (target, ref, path) =>
    fork && !encloses(fork, target)
      ? [{ path, message: `joinOn: ${ref} is not a task of FORK_JOIN ${fork.ref ?? fork.name ?? ''} that precedes this JOIN`, invalidValue: ref }]
      : [],
  );
}

function refsExist(
  tree: TaskTree,
  node: TaskNode,
  field: 'joinOn' | 'defaultExclusiveJoinTask',
  more: (target: TaskNode, ref: string, path: string) => ValidationErrorItem[] = () => [],
): ValidationErrorItem[] {
  const refs = node.task[field];
  if (!Array.isArray(refs)) return [];
  return refs.flatMap((ref, i) => {
    const path = at(`${node.path}.${field}`, i);
    if (typeof ref !== 'string') return [];
    const target = tree.byRef.get(ref);
    return target ? more(target, ref, path) : [{ path, message: `${field}: ${ref} is not a taskReferenceName of this workflow definition`, invalidValue: ref }];
  });
}

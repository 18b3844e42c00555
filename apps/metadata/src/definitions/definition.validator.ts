import {
  isImplementedTaskType,
  TaskDef,
  validateModel,
  ValidationErrorItem,
  WorkflowDef,
  WorkflowTask,
} from '@app/contracts';

/**
 * Definition validation, reported as Conductor does: one item per problem, each with its JSON path.
 * (Per-type rules for control-flow tasks arrive with those task types.)
 */
export function validateTaskDef(value: unknown, path = ''): ValidationErrorItem[] {
  const errors = validateModel(TaskDef, value, path);
  const def = value as TaskDef;
  if (!errors.length && def.timeoutSeconds && def.responseTimeoutSeconds && def.responseTimeoutSeconds > def.timeoutSeconds) {
    errors.push({
      path: join(path, 'responseTimeoutSeconds'),
      message: `TaskDef: ${def.name} responseTimeoutSeconds: ${def.responseTimeoutSeconds} must be less than timeoutSeconds: ${def.timeoutSeconds}`,
      invalidValue: def.responseTimeoutSeconds,
    });
  }
  return errors;
}

export function validateWorkflowDef(value: unknown): ValidationErrorItem[] {
  const errors = validateModel(WorkflowDef, value);
  if (errors.length) return errors;
  const def = value as WorkflowDef;
  const seen = new Map<string, string>();
  walk(def.tasks, 'tasks', (task, path) => {
    const first = seen.get(task.taskReferenceName);
    if (first) {
      errors.push({ path: `${path}.taskReferenceName`, message: `taskReferenceName "${task.taskReferenceName}" is also used at ${first}; it must be unique across the workflow`, invalidValue: task.taskReferenceName });
    } else {
      seen.set(task.taskReferenceName, `${path}.taskReferenceName`);
    }
    if (!isImplementedTaskType(task.type)) {
      errors.push({ path: `${path}.type`, message: `task type ${task.type} is not supported by this version of Baton yet`, invalidValue: task.type });
    }
    if (task.taskDefinition) errors.push(...validateTaskDef(task.taskDefinition, `${path}.taskDefinition`));
  });
  return errors;
}

/** Visits every task of a definition, nested ones included, with its JSON path. */
function walk(tasks: readonly WorkflowTask[] | undefined, path: string, visit: (t: WorkflowTask, path: string) => void): void {
  (tasks ?? []).forEach((task, i) => {
    const here = `${path}[${i}]`;
    visit(task, here);
    for (const [name, branch] of Object.entries(task.decisionCases ?? {})) walk(branch, `${here}.decisionCases.${name}`, visit);
    walk(task.defaultCase, `${here}.defaultCase`, visit);
    (task.forkTasks ?? []).forEach((branch, b) => walk(branch, `${here}.forkTasks[${b}]`, visit));
    walk(task.loopOver, `${here}.loopOver`, visit);
  });
}

const join = (prefix: string, field: string) => (prefix ? `${prefix}.${field}` : field);

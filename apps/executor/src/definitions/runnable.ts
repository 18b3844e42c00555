import { isImplementedTaskType, ValidationErrorItem, WorkflowDef, WorkflowTask } from '@app/contracts';

/**
 * Built-in task types the engine cannot run yet, wherever they appear in the definition. The registry
 * accepts any valid Conductor definition; a start is refused up front rather than failing mid-run.
 */
export function unrunnableTasks(def: WorkflowDef): ValidationErrorItem[] {
  const found: ValidationErrorItem[] = [];
  const walk = (tasks: readonly WorkflowTask[] | undefined, path: string) =>
    (tasks ?? []).forEach((t, i) => {
      const here = `${path}[${i}]`;
      if (!isImplementedTaskType(t.type)) {
        found.push({ path: `${here}.type`, message: `task type ${t.type} (${t.taskReferenceName}) cannot run on this version of Baton yet`, invalidValue: t.type });
      }
      for (const [name, branch] of Object.entries(t.decisionCases ?? {})) walk(branch, `${here}.decisionCases.${name}`);
      walk(t.defaultCase, `${here}.defaultCase`);
      (t.forkTasks ?? []).forEach((branch, b) => walk(branch, `${here}.forkTasks[${b}]`));
      walk(t.loopOver, `${here}.loopOver`);
    });
  walk(def.tasks, 'tasks');
  return found;
}

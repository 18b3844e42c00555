import { graphOf, ValidationErrorItem, whyNotRunnable, WorkflowDef } from '@app/contracts';

/**
 * Tasks this version of Baton cannot run as configured, wherever they appear in the definition (inline
 * sub-workflow definitions included). The registry accepts any valid Conductor definition; a start is
 * refused up front rather than failing mid-run.
 */
export function unrunnableTasks(def: WorkflowDef, basePath = ''): ValidationErrorItem[] {
  const found: ValidationErrorItem[] = [];
  for (const node of graphOf(def).all) {
    const path = `${basePath}${node.path}`;
    const why = whyNotRunnable(node.task);
    if (why) found.push({ path: `${path}.type`, message: `${why} (${node.ref})`, invalidValue: node.task.type });
    const inline = node.task.subWorkflowParam?.workflowDefinition;
    if (inline && typeof inline === 'object') found.push(...unrunnableTasks(inline, `${path}.subWorkflowParam.workflowDefinition.`));
  }
  return found;
}

/**
 * Conductor-compatible validation of definitions, as pure functions: structure (the contract's models),
 * taskReferenceName uniqueness across the whole task tree, per-type required fields, JOINs after forks,
 * `${...}` references that must name a task able to have run before, and inline task and sub-workflow
 * definitions. Each problem is one ValidationErrorItem with the JSON path of the offending field.
 */
export { validateTaskDef } from './task-def.validator';
export { validateWorkflowDef } from './workflow-def.validator';
export type { WorkflowValidationOptions } from './workflow-def.validator';
export { allExpressions, parseExpressions } from './parameter-expression.parser';
export type { ParameterExpression } from './parameter-expression.parser';

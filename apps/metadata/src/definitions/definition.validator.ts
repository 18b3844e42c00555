/**
 * Definition validation, reported as Conductor does: one item per problem, each with its JSON path. The
 * rules live in ./validation (pure functions, unit-tested there).
 */
export { validateTaskDef, validateWorkflowDef } from './validation';
export type { WorkflowValidationOptions } from './validation';

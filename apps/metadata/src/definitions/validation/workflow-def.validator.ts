import { buildDefinitionGraph, TaskNode, ValidationErrorItem, WorkflowDef, WorkflowTask } from '@app/contracts';
import { isBlank, isJson, isPresent, Json, prop, rawTask } from './json-path.util';
import { checkModel } from './model-constraints';
import { containsExpression } from './parameter-expression.parser';
import { ownerEmailErrors, validateInlineTaskDef } from './task-def.validator';
import { checkJoins, checkOutputReferences, checkReferenceNames, checkTaskInputReferences } from './task-reference.rules';
import { TaskView, typeRuleOf, TypeRuleContext } from './task-type.rules';

export interface WorkflowValidationOptions {
  /**
   * Registered task definitions by name. Conductor lets HTTP, KAFKA_PUBLISH and JSON_JQ_TRANSFORM tasks
   * take their request from the TaskDef's inputTemplate; without this map only an inline taskDefinition
   * counts.
   */
  readonly taskDefs?: ReadonlyMap<string, { readonly inputTemplate?: Record<string, unknown> }>;
}

/**
 * Deep validation of a workflow definition, as Conductor's registration does and then some: one item per
 * problem, each with the JSON path of the offending field. Every task type Conductor knows is accepted
 * here, and any other type name is a worker task; whether this version of Baton can run a definition is
 * decided when a workflow is started, not when it is registered.
 */
export function validateWorkflowDef(value: unknown, options: WorkflowValidationOptions = {}): ValidationErrorItem[] {
  return validateWorkflowDefAt(value, '', isJson(options) ? options : {});
}

function validateWorkflowDefAt(value: unknown, root: string, options: WorkflowValidationOptions): ValidationErrorItem[] {
  const tasksPath = prop(root, 'tasks');
  // The tasks are validated one by one below, at any depth; the model only checks the definition's own fields.
  const errors = checkModel(WorkflowDef, value, root).filter((e) => e.path !== tasksPath && !e.path.startsWith(`${tasksPath}[`));
  if (!isJson(value)) return errors;
  const def = value;

  if (typeof def.name === 'string' && def.name !== '' && !def.name.trim()) {
    errors.push({ path: prop(root, 'name'), message: 'WorkflowDef name cannot be null or empty', invalidValue: def.name });
  }
  if (!errors.some((e) => e.path === prop(root, 'ownerEmail'))) errors.push(...ownerEmailErrors(def.ownerEmail, root));
  // Graph flows and their Rill Flow parts come only from a Rill Flow DAG's translation (`/flow/submit.json`).
  for (const field of ['flow', 'rill'] as const) {
    if (isPresent(def[field]) && !(field === 'flow' && def.flow === 'sequence')) {
      errors.push({ path: prop(root, field), message: `${field} is Baton's own for Rill Flow DAGs (register the DAG through /flow/bg/manage/descriptor)`, invalidValue: def[field] });
    }
  }
  if (!Array.isArray(def.tasks) || !def.tasks.length) {
    errors.push({ path: tasksPath, message: 'WorkflowTask list cannot be empty', invalidValue: def.tasks });
    return errors;
  }

  const graph = buildDefinitionGraph(def.tasks, tasksPath);
  const ctx: TypeRuleContext = {
    registeredInputTemplate: (name) => (name === undefined ? undefined : options.taskDefs?.get(name)?.inputTemplate),
    validateInlineWorkflow: (inline, path) => validateWorkflowDefAt(inline, path, options),
  };
  errors.push(...graph.problems, ...checkReferenceNames(graph, def.name));
  for (const node of graph.all) {
    const typeRule = typeRuleOf(node.type);
    errors.push(...taskFields(node, ctx), ...(typeRule?.(new TaskView(node), ctx) ?? []));
    errors.push(...checkJoins(graph, node), ...checkTaskInputReferences(graph, node));
  }
  if (isJson(def.outputParameters)) errors.push(...checkOutputReferences(graph, def.outputParameters, prop(root, 'outputParameters')));
  return errors;
}

/** What every task is checked for, whatever its type: the WorkflowTask model, its inline task definition, its sub-workflow parameters. */
function taskFields(node: TaskNode, ctx: TypeRuleContext): ValidationErrorItem[] {
  // subWorkflowParam and taskDefinition have rules of their own (an inline sub-workflow needs no name).
  const { subWorkflowParam, taskDefinition, ...fields } = rawTask(node);
  const errors = checkModel(WorkflowTask, fields, node.path);
  if (isPresent(taskDefinition)) errors.push(...validateInlineTaskDef(taskDefinition, `${node.path}.taskDefinition`));
  if (isPresent(subWorkflowParam)) errors.push(...subWorkflowParamErrors(subWorkflowParam, `${node.path}.subWorkflowParam`, ctx));
  return errors;
}

/** Conductor's SubWorkflowParams: a name (and optional version) of a registered workflow, or an inline `workflowDefinition`. */
function subWorkflowParamErrors(param: unknown, path: string, ctx: TypeRuleContext): ValidationErrorItem[] {
  if (!isJson(param)) return [{ path, message: 'subWorkflowParam must be a JSON object', invalidValue: param }];
  const errors: ValidationErrorItem[] = [];
  const inline: unknown = param.workflowDefinition;
  if (!isPresent(inline)) {
    if (isBlank(param.name)) errors.push({ path: `${path}.name`, message: 'SubWorkflowParams name cannot be null or empty (or give an inline workflowDefinition)', invalidValue: param.name });
  } else if (isJson(inline)) {
    errors.push(...ctx.validateInlineWorkflow(inline, `${path}.workflowDefinition`));
  } else if (!containsExpression(inline)) {
    errors.push({ path: `${path}.workflowDefinition`, message: 'workflowDefinition must be a workflow definition object or a ${...} expression', invalidValue: inline });
  }
  if (isPresent(param.name) && typeof param.name !== 'string') errors.push({ path: `${path}.name`, message: 'SubWorkflowParams name must be a string', invalidValue: param.name });
  if (isPresent(param.version) && !(typeof param.version === 'number' && Number.isInteger(param.version))) {
    errors.push({ path: `${path}.version`, message: 'SubWorkflowParams version must be an integer', invalidValue: param.version });
  }
  if (isPresent(param.taskToDomain) && !isStringMap(param.taskToDomain)) {
    errors.push({ path: `${path}.taskToDomain`, message: 'SubWorkflowParams taskToDomain must map task names to domains (strings)', invalidValue: param.taskToDomain });
  }
  return errors;
}

const isStringMap = (value: unknown): value is Json => isJson(value) && Object.values(value).every((v) => typeof v === 'string');

import { parseWaitDuration, parseWaitUntil, SystemTaskType, TaskNode, taskTypeKey, ValidationErrorItem } from '@app/contracts';
import { isBlank, isJson, isPresent, Json, prop, rawTask } from './json-path.util';
import { containsExpression } from './parameter-expression.parser';

/** What a per-type rule may consult besides the task itself. */
export interface TypeRuleContext {
  /** The inputTemplate of the registered TaskDef by that name, when the caller knows it. */
  registeredInputTemplate(name: string | undefined): Json | undefined;
  /** Validates an inline workflow definition (SUB_WORKFLOW, START_WORKFLOW) with its paths under `path`. */
  validateInlineWorkflow(def: unknown, path: string): ValidationErrorItem[];
}

export type TypeRule = (task: TaskView, ctx: TypeRuleContext) => ValidationErrorItem[];

/** Evaluators Conductor registers: SWITCH `evaluatorType` and INLINE `inputParameters.evaluatorType`. */
export const EVALUATOR_TYPES = ['value-param', 'javascript', 'graaljs', 'python'] as const;
export const HTTP_METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH'] as const;
export const TERMINATION_STATUSES = ['COMPLETED', 'FAILED', 'TERMINATED'] as const;

/**
 * The fields each built-in task type needs (Conductor's WorkflowTaskTypeConstraint, plus what its mappers
 * and tasks refuse at run time); `null` where the type takes anything. Keyed by the task-type catalogue, so
 * a type added there does not compile until it has an entry here. Worker tasks (SIMPLE, and any type name
 * that is not a built-in) need nothing. Rules that look across tasks (JOIN after a fork, references) live
 * in the reference rules.
 */
export const TASK_TYPE_RULES: { readonly [K in SystemTaskType]: TypeRule | null } = {
  [SystemTaskType.Simple]: null,
  [SystemTaskType.Join]: null,
  [SystemTaskType.SetVariable]: null,
  [SystemTaskType.Human]: null,
  [SystemTaskType.Noop]: null,

  [SystemTaskType.Switch]: (t) => [
    ...(isBlank(t.task.evaluatorType)
      ? [t.required('evaluatorType')]
      : oneOf(t, 'evaluatorType', t.task.evaluatorType, EVALUATOR_TYPES, 'evaluatorType')),
    ...(isBlank(t.task.expression) ? [t.required('expression')] : []),
    ...cases(t),
  ],

  [SystemTaskType.Decision]: (t) => [
    ...(isBlank(t.task.caseValueParam) && isBlank(t.task.caseExpression) ? [t.required('caseValueParam', 'caseValueParam or caseExpression')] : []),
    ...cases(t),
  ],

  [SystemTaskType.ForkJoin]: (t) => {
    const forks = t.task.forkTasks;
    if (!isPresent(forks) || (Array.isArray(forks) && !forks.length)) {
      return [t.error('forkTasks', `forkTasks should have atleast one task for taskType: FORK_JOIN taskName: ${t.name}`)];
    }
    if (!Array.isArray(forks)) return [];
    return forks.flatMap((branch, b) =>
      Array.isArray(branch) && !branch.length ? [t.error(`forkTasks[${b}]`, `forkTasks[${b}] is an empty branch: every branch of FORK_JOIN ${t.name} needs at least one task`)] : [],
    );
  },

  [SystemTaskType.ForkJoinDynamic]: (t, ctx) => {
    const { dynamicForkTasksParam: tasksParam, dynamicForkTasksInputParamName: inputParam, dynamicForkJoinTasksParam: legacy } = t.task;
    if (!isBlank(legacy)) {
      if (!isBlank(tasksParam) || !isBlank(inputParam)) {
        return [
          t.error(
            'dynamicForkJoinTasksParam',
            `dynamicForkJoinTasksParam or combination of dynamicForkTasksInputParamName and dynamicForkTasksParam can be used for taskType: FORK_JOIN_DYNAMIC taskName: ${t.name}`,
          ),
        ];
      }
      return t.inputKeyPresent(legacy, 'dynamicForkJoinTasksParam', ctx);
    }
    if (!isBlank(tasksParam) || !isBlank(inputParam)) {
      return [
        ...(isBlank(tasksParam) ? [t.required('dynamicForkTasksParam')] : t.inputKeyPresent(tasksParam, 'dynamicForkTasksParam', ctx)),
        ...(isBlank(inputParam) ? [t.required('dynamicForkTasksInputParamName')] : t.inputKeyPresent(inputParam, 'dynamicForkTasksInputParamName', ctx)),
      ];
    }
    const inputs = t.inputs;
    if (!inputs) return [];
    if (!isBlank(inputs.forkTaskName) || !isBlank(inputs.forkTaskWorkflow)) {
      // "Simple" mode: one forked task (or sub-workflow) per item of forkTaskInputs.
      return isPresent(inputs.forkTaskInputs) ? [] : [t.required('inputParameters.forkTaskInputs')];
    }
    return [
      t.error(
        'dynamicForkTasksParam',
        `dynamicForkTasksParam field is required for taskType: FORK_JOIN_DYNAMIC taskName: ${t.name} (with dynamicForkTasksInputParamName, or give inputParameters.forkTaskName and forkTaskInputs)`,
      ),
    ];
  },

  [SystemTaskType.ExclusiveJoin]: (t) => {
    const joinOn = t.task.joinOn;
    return !isPresent(joinOn) || (Array.isArray(joinOn) && !joinOn.length) ? [t.required('joinOn')] : [];
  },

  [SystemTaskType.DoWhile]: (t) => {
    // List mode iterates `items` (WorkflowTask field, or Orkes-style inputParameters.items / _items) and
    // stops at the end of the list, so it needs no loopCondition (isBlank: "" is none, as everywhere here).
    const listMode = isPresent(t.task.items) || (t.inputs !== undefined && (isPresent(t.inputs.items) || isPresent(t.inputs._items)));
    const loopOver = t.task.loopOver;
    return [
      ...(isBlank(t.task.loopCondition) && !listMode ? [t.required('loopCondition')] : []),
      ...(!isPresent(loopOver) || (Array.isArray(loopOver) && !loopOver.length) ? [t.required('loopOver')] : []),
    ];
  },

  [SystemTaskType.SubWorkflow]: (t) => (isPresent(t.task.subWorkflowParam) ? [] : [t.required('subWorkflowParam')]),

  [SystemTaskType.StartWorkflow]: (t, ctx) => {
    if (!t.inputs) return [];
    const request = t.inputs.startWorkflow;
    if (isBlank(request)) return [t.required('inputParameters.startWorkflow')];
    if (containsExpression(request)) return [];
    if (!isJson(request)) return [t.error('inputParameters.startWorkflow', `inputParameters.startWorkflow must be a StartWorkflowRequest object or a \${...} expression for taskType: START_WORKFLOW taskName: ${t.name}`, request)];
    return [
      ...(isBlank(request.name) ? [t.required('inputParameters.startWorkflow.name')] : []),
      ...(isJson(request.workflowDef) ? ctx.validateInlineWorkflow(request.workflowDef, `${t.path}.inputParameters.startWorkflow.workflowDef`) : []),
    ];
  },

  [SystemTaskType.Event]: (t) => {
    const sink = t.task.sink;
    if (isBlank(sink)) return [t.required('sink')];
    if (typeof sink !== 'string' || containsExpression(sink) || sink === 'conductor' || /^[^:]+:.+$/.test(sink)) return [];
    return [t.error('sink', `sink: ${sink} is not valid for taskType: EVENT taskName: ${t.name}; use conductor, conductor:<queue> or <type>:<queue> (sqs:, kafka:, nats:, amqp:...)`, sink)];
  },

  [SystemTaskType.Wait]: (t) => {
    const inputs = t.inputs;
    if (!inputs) return [];
    const { duration, until } = inputs;
    const errors: ValidationErrorItem[] = [];
    if (!isBlank(duration) && !isBlank(until)) {
      errors.push(t.error('inputParameters', "Both 'duration' and 'until' specified. Please provide only one input"));
    }
    if (!isBlank(duration) && !containsExpression(duration) && parseWaitDuration(String(duration)) === undefined) {
      errors.push(
        t.error('inputParameters.duration', `Wait time specified is invalid. The duration must be in the form '10s', '5 minutes', '1d 2h' (days, hours, minutes, seconds in that order), got '${String(duration)}'`, duration),
      );
    }
    if (!isBlank(until) && !containsExpression(until) && parseWaitUntil(String(until)) === undefined) {
      errors.push(t.error('inputParameters.until', `Unable to parse date '${String(until)}': use yyyy-MM-dd HH:mm, yyyy-MM-dd HH:mm <zone> or yyyy-MM-dd`, until));
    }
    return errors;
  },

  [SystemTaskType.Http]: (t, ctx) => {
    const inputs = t.inputs;
    if (!inputs) return [];
    const request = inputs.http_request;
    if (!isPresent(request)) {
      if (Object.hasOwn(inputs, 'uri') || Object.hasOwn(inputs, 'method')) return httpRequest(t, inputs, 'inputParameters');
      return t.templateHas('http_request', ctx) ? [] : [t.required('inputParameters.http_request')];
    }
    if (containsExpression(request)) return [];
    if (!isJson(request)) return [t.error('inputParameters.http_request', `inputParameters.http_request must be an object with uri and method, or a \${...} expression, for taskType: HTTP taskName: ${t.name}`, request)];
    return httpRequest(t, request, 'inputParameters.http_request');
  },

  [SystemTaskType.Terminate]: (t) => {
    const errors: ValidationErrorItem[] = [];
    if (t.task.optional === true) errors.push(t.error('optional', `terminate task cannot be optional, taskName: ${t.name}`));
    const status = t.inputs?.terminationStatus;
    if (t.inputs && !(typeof status === 'string' && (TERMINATION_STATUSES as readonly string[]).includes(status))) {
      errors.push(
        t.error('inputParameters.terminationStatus', `terminate task must have an terminationStatus parameter and must be set to COMPLETED, FAILED or TERMINATED, taskName: ${t.name}`, status),
      );
    }
    return errors;
  },

  [SystemTaskType.KafkaPublish]: (t, ctx) => {
    const inputs = t.inputs;
    if (!inputs) return [];
    const request = inputs.kafka_request;
    if (!isPresent(request)) return t.templateHas('kafka_request', ctx) ? [] : [t.required('inputParameters.kafka_request')];
    if (containsExpression(request)) return [];
    if (!isJson(request)) return [t.error('inputParameters.kafka_request', `inputParameters.kafka_request must be an object or a \${...} expression for taskType: KAFKA_PUBLISH taskName: ${t.name}`, request)];
    return [
      ...(isBlank(request.bootStrapServers) ? [t.required('inputParameters.kafka_request.bootStrapServers')] : []),
      ...(isBlank(request.topic) ? [t.required('inputParameters.kafka_request.topic')] : []),
      ...(!isPresent(request.value) ? [t.required('inputParameters.kafka_request.value')] : []),
    ];
  },

  [SystemTaskType.JsonJqTransform]: (t, ctx) =>
    !t.inputs || !isBlank(t.inputs.queryExpression) || t.templateHas('queryExpression', ctx) ? [] : [t.required('inputParameters.queryExpression')],

  [SystemTaskType.Inline]: (t) => {
    const inputs = t.inputs;
    if (!inputs) return [];
    // evaluatorType defaults to javascript.
    return [
      ...(isBlank(inputs.evaluatorType) ? [] : oneOf(t, 'inputParameters.evaluatorType', inputs.evaluatorType, EVALUATOR_TYPES, 'evaluatorType')),
      ...(isBlank(inputs.expression) ? [t.required('inputParameters.expression')] : []),
    ];
  },

  [SystemTaskType.Lambda]: (t) => (!t.inputs || !isBlank(t.inputs.scriptExpression) || !isBlank(t.task.scriptExpression) ? [] : [t.required('inputParameters.scriptExpression')]),

  [SystemTaskType.Dynamic]: (t, ctx) => {
    const param = t.task.dynamicTaskNameParam;
    return isBlank(param) ? [t.required('dynamicTaskNameParam')] : t.inputKeyPresent(param, 'dynamicTaskNameParam', ctx);
  },

  [SystemTaskType.RillFunction]: rillOnly,
  [SystemTaskType.RillSubFlow]: rillOnly,
  [SystemTaskType.RillPass]: rillOnly,
  [SystemTaskType.RillReturn]: rillOnly,
  [SystemTaskType.RillSwitch]: rillOnly,
  [SystemTaskType.RillSuspense]: rillOnly,
  [SystemTaskType.RillChoice]: rillOnly,
  [SystemTaskType.RillForeach]: rillOnly,
};

/** The Rill Flow categories exist only in the translation of a Rill Flow DAG (`/flow/submit.json`), never in a Conductor definition. */
function rillOnly(t: TaskView): ValidationErrorItem[] {
  return [t.error('type', `taskType: ${t.type} is Baton's own for Rill Flow DAGs (register the DAG through /flow/bg/manage/descriptor); it cannot be used in a workflow definition`, t.type)];
}

/** SWITCH and DECISION: at least one case to take (Baton also accepts a switch whose only branch is defaultCase). */
function cases(t: TaskView): ValidationErrorItem[] {
  const { decisionCases, defaultCase } = t.task;
  if (isPresent(decisionCases) && !isJson(decisionCases)) return []; // reported by the WorkflowTask model
  if ((isJson(decisionCases) && Object.keys(decisionCases).length) || (Array.isArray(defaultCase) && defaultCase.length)) return [];
  return isPresent(decisionCases)
    ? [t.error('decisionCases', `decisionCases should have atleast one task for taskType: ${t.type} taskName: ${t.name}`)]
    : [t.required('decisionCases')];
}

function httpRequest(t: TaskView, request: Json, base: string): ValidationErrorItem[] {
  const errors: ValidationErrorItem[] = [];
  if (isBlank(request.uri)) errors.push(t.required(`${base}.uri`));
  if (isBlank(request.method)) errors.push(t.required(`${base}.method`));
  else if (typeof request.method === 'string' && !containsExpression(request.method) && !(HTTP_METHODS as readonly string[]).includes(request.method.toUpperCase())) {
    errors.push(t.error(`${base}.method`, `method: ${request.method} is not a valid HTTP method for taskType: HTTP taskName: ${t.name}; use one of ${HTTP_METHODS.join(', ')}`, request.method));
  }
  return errors;
}

function oneOf(t: TaskView, field: string, value: unknown, allowed: readonly string[], label: string): ValidationErrorItem[] {
  if (typeof value !== 'string' || containsExpression(value) || allowed.includes(value)) return [];
  return [t.error(field, `${label}: ${value} is not supported for taskType: ${t.type} taskName: ${t.name}; use one of ${allowed.join(', ')}`, value)];
}

/** The rule for a task's type: none for worker tasks (any type name that is not a built-in, `constructor` included). */
export const typeRuleOf = (type: string): TypeRule | null => TASK_TYPE_RULES[taskTypeKey(type)];

/** A task seen through the fields the rules read, with helpers that build errors at its paths. */
export class TaskView {
  readonly task: Json;
  readonly path: string;
  readonly type: string;
  readonly name: string;
  /** inputParameters: `{}` when absent, undefined when malformed (already reported; input rules are skipped). */
  readonly inputs: Json | undefined;

  constructor(node: TaskNode) {
    this.task = rawTask(node);
    this.path = node.path;
    this.type = node.type;
    this.name = node.name ?? '';
    const inputs = this.task.inputParameters;
    this.inputs = !isPresent(inputs) ? {} : isJson(inputs) ? inputs : undefined;
  }

  error(field: string, message: string, invalidValue?: unknown): ValidationErrorItem {
    const item = { path: `${this.path}.${field}`, message };
    return invalidValue === undefined ? item : { ...item, invalidValue };
  }

  /** Conductor's "%s field is required for taskType: %s taskName: %s". */
  required(field: string, label = field): ValidationErrorItem {
    return this.error(field, `${label} field is required for taskType: ${this.type} taskName: ${this.name}`);
  }

  /** Whether the inline task definition's (or the registered one's) inputTemplate supplies `key`. */
  templateHas(key: string, ctx: TypeRuleContext): boolean {
    const inline = isJson(this.task.taskDefinition) && isJson(this.task.taskDefinition.inputTemplate) ? this.task.taskDefinition.inputTemplate : undefined;
    const registered = ctx.registeredInputTemplate(this.name);
    return (!!inline && Object.hasOwn(inline, key)) || (!!registered && Object.hasOwn(registered, key));
  }

  /** `field` names an input key (DYNAMIC, FORK_JOIN_DYNAMIC); the task fails at run time when it is missing. */
  inputKeyPresent(key: unknown, field: string, ctx: TypeRuleContext): ValidationErrorItem[] {
    if (typeof key !== 'string' || !this.inputs || Object.hasOwn(this.inputs, key) || this.templateHas(key, ctx)) return [];
    return [this.error(prop('inputParameters', key), `${field}: ${key} names an input parameter that is missing from inputParameters of taskType: ${this.type} taskName: ${this.name}`)];
  }
}

/**
 * Test builders for workflow definitions: each returns a valid shape, and `extra` overrides or removes
 * (`{ field: undefined }`) what a test is about.
 */
export type Shape = Record<string, unknown>;

export const workflow = (tasks: unknown[], extra: Shape = {}): Shape => ({ name: 'orders', version: 1, schemaVersion: 2, tasks, ...extra });

export const task = (ref: string, extra: Shape = {}): Shape => ({ name: ref, taskReferenceName: ref, type: 'SIMPLE', ...extra });

export const forkJoin = (ref: string, branches: unknown[][], extra: Shape = {}): Shape => task(ref, { type: 'FORK_JOIN', forkTasks: branches, ...extra });

export const join = (ref: string, joinOn: string[], extra: Shape = {}): Shape => task(ref, { type: 'JOIN', joinOn, ...extra });

export const switchTask = (ref: string, decisionCases: Record<string, unknown[]>, defaultCase: unknown[] = [], extra: Shape = {}): Shape =>
  task(ref, {
    type: 'SWITCH',
    evaluatorType: 'value-param',
    expression: 'kind',
    inputParameters: { kind: '${workflow.input.kind}' },
    decisionCases,
    defaultCase,
    ...extra,
  });

export const decision = (ref: string, decisionCases: Record<string, unknown[]>, extra: Shape = {}): Shape =>
  task(ref, { type: 'DECISION', caseValueParam: 'kind', inputParameters: { kind: '${workflow.input.kind}' }, decisionCases, ...extra });

export const doWhile = (ref: string, loopOver: unknown[], extra: Shape = {}): Shape =>
  task(ref, { type: 'DO_WHILE', loopCondition: `$.${ref}['iteration'] < 3`, loopOver, ...extra });

export const dynamicFork = (ref: string, extra: Shape = {}): Shape =>
  task(ref, {
    type: 'FORK_JOIN_DYNAMIC',
    dynamicForkTasksParam: 'dynamicTasks',
    dynamicForkTasksInputParamName: 'dynamicTasksInput',
    inputParameters: { dynamicTasks: '${workflow.input.tasks}', dynamicTasksInput: '${workflow.input.taskInputs}' },
    ...extra,
  });

export const http = (ref: string, request: unknown = { uri: 'https://example.com/orders', method: 'GET' }, extra: Shape = {}): Shape =>
  task(ref, { type: 'HTTP', inputParameters: { http_request: request }, ...extra });

export const wait = (ref: string, inputParameters: Shape = {}, extra: Shape = {}): Shape => task(ref, { type: 'WAIT', inputParameters, ...extra });

export const terminate = (ref: string, terminationStatus: unknown = 'COMPLETED', extra: Shape = {}): Shape =>
  task(ref, { type: 'TERMINATE', inputParameters: { terminationStatus, workflowOutput: { done: true } }, ...extra });

export const inline = (ref: string, inputParameters: Shape = { evaluatorType: 'graaljs', expression: '(function () { return $.n + 1; })()', n: 1 }, extra: Shape = {}): Shape =>
  task(ref, { type: 'INLINE', inputParameters, ...extra });

export const setVariable = (ref: string, inputParameters: Shape = { total: 0 }): Shape => task(ref, { type: 'SET_VARIABLE', inputParameters });

export const jq = (ref: string, inputParameters: Shape = { queryExpression: '.items | length', items: '${workflow.input.items}' }, extra: Shape = {}): Shape =>
  task(ref, { type: 'JSON_JQ_TRANSFORM', inputParameters, ...extra });

export const subWorkflow = (ref: string, subWorkflowParam: unknown = { name: 'payments', version: 1 }, extra: Shape = {}): Shape =>
  task(ref, { type: 'SUB_WORKFLOW', subWorkflowParam, ...extra });

export const startWorkflow = (ref: string, startWorkflowRequest: unknown = { name: 'audit', input: { id: '${workflow.input.id}' } }): Shape =>
  task(ref, { type: 'START_WORKFLOW', inputParameters: { startWorkflow: startWorkflowRequest } });

export const event = (ref: string, sink: unknown = 'conductor', extra: Shape = {}): Shape => task(ref, { type: 'EVENT', sink, ...extra });

export const lambda = (ref: string, inputParameters: Shape = { scriptExpression: 'return { ok: true };' }): Shape => task(ref, { type: 'LAMBDA', inputParameters });

export const kafka = (ref: string, request: unknown = { bootStrapServers: 'localhost:9092', topic: 'orders', value: '${workflow.input}' }): Shape =>
  task(ref, { type: 'KAFKA_PUBLISH', inputParameters: { kafka_request: request } });

export const dynamic = (ref: string, extra: Shape = {}): Shape =>
  task(ref, { type: 'DYNAMIC', dynamicTaskNameParam: 'taskToRun', inputParameters: { taskToRun: '${workflow.input.worker}' }, ...extra });

export const exclusiveJoin = (ref: string, joinOn: unknown, extra: Shape = {}): Shape => task(ref, { type: 'EXCLUSIVE_JOIN', joinOn, ...extra });

/** A task whose inputParameters read `expression` under key `x`. */
export const reading = (ref: string, expression: string): Shape => task(ref, { inputParameters: { x: expression } });

import { validateWorkflowDef } from './workflow-def.validator';
import {
  decision,
  doWhile,
  dynamic,
  dynamicFork,
  event,
  exclusiveJoin,
  forkJoin,
  http,
  inline,
  jq,
  join,
  kafka,
  lambda,
  reading,
  setVariable,
  Shape,
  startWorkflow,
  subWorkflow,
  switchTask,
  task,
  terminate,
  wait,
  workflow,
} from './workflow-def.builders';

const a = task('a');
const b = task('b');
const long = 'x'.repeat(256);

/** [rule, definition, the one expected path, a substring of its message] */
type Case = [string, unknown, string, string];

const structural: Case[] = [
  ['workflow name is required', workflow([a], { name: undefined }), 'name', 'WorkflowDef name cannot be null or empty'],
  ['workflow name is not blank', workflow([a], { name: '   ' }), 'name', 'WorkflowDef name cannot be null or empty'],
  ['workflow name has at most 255 characters', workflow([a], { name: long }), 'name', 'shorter than or equal to 255 characters'],
  ['version is at least 1', workflow([a], { version: 0 }), 'version', 'version must not be less than 1'],
  ['tasks is not empty', workflow([]), 'tasks', 'WorkflowTask list cannot be empty'],
  ['tasks is a list', workflow([a], { tasks: 'a' }), 'tasks', 'WorkflowTask list cannot be empty'],
  ['schemaVersion is 2', workflow([a], { schemaVersion: 1 }), 'schemaVersion', 'workflowDef schemaVersion: 2 is only supported'],
  ['timeoutSeconds is not negative', workflow([a], { timeoutSeconds: -1 }), 'timeoutSeconds', 'timeoutSeconds must not be less than 0'],
  ['timeoutPolicy is TIME_OUT_WF or ALERT_ONLY', workflow([a], { timeoutPolicy: 'RETRY' }), 'timeoutPolicy', 'timeoutPolicy must be one of'],
  ['ownerEmail is an address', workflow([a], { ownerEmail: 'ops at example.com' }), 'ownerEmail', 'ownerEmail should be valid email address'],
  ['outputParameters is an object', workflow([a], { outputParameters: ['x'] }), 'outputParameters', 'outputParameters must be an object'],
  ['a task has a name', workflow([task('a', { name: undefined })]), 'tasks[0].name', 'WorkflowTask name cannot be empty or null'],
  ['a task has a taskReferenceName', workflow([task('a', { taskReferenceName: '' })]), 'tasks[0].taskReferenceName', 'taskReferenceName name cannot be empty or null'],
  ['a task name has at most 255 characters', workflow([task('a', { name: long })]), 'tasks[0].name', 'shorter than or equal to 255 characters'],
  ['a taskReferenceName has at most 255 characters', workflow([task('a', { taskReferenceName: long })]), 'tasks[0].taskReferenceName', 'shorter than or equal to 255 characters'],
  [
    'a nested task has a taskReferenceName',
    workflow([forkJoin('fork', [[a], [task('b', { taskReferenceName: undefined })]]), join('join', ['a'])]),
    'tasks[0].forkTasks[1][0].taskReferenceName',
    'taskReferenceName name cannot be empty or null',
  ],
  ['a task is an object', workflow([a, 'b']), 'tasks[1]', 'WorkflowTask must be a JSON object'],
  ['a fork branch is a list', workflow([forkJoin('fork', [[a], 'b' as never]), join('join', ['a'])]), 'tasks[0].forkTasks[1]', 'forkTasks[1] must be a list of tasks'],
  ['startDelay is not negative', workflow([task('a', { startDelay: -1 })]), 'tasks[0].startDelay', 'startDelay must not be less than 0'],
  ['retryCount is not negative', workflow([task('a', { retryCount: -1 })]), 'tasks[0].retryCount', 'retryCount must not be less than 0'],
  ['nested tasks are checked too', workflow([doWhile('loop', [task('a', { startDelay: -5 })])]), 'tasks[0].loopOver[0].startDelay', 'startDelay must not be less than 0'],
];

const referenceNames: Case[] = [
  ['taskReferenceName is unique', workflow([a, task('a', { name: 'other' })]), 'tasks[1].taskReferenceName', 'first used at tasks[0].taskReferenceName'],
  [
    'unique across switch cases',
    workflow([switchTask('sw', { x: [task('dup')] }), task('dup')]),
    'tasks[1].taskReferenceName',
    'taskReferenceName: dup should be unique across tasks for a given workflowDefinition: orders (first used at tasks[0].decisionCases.x[0].taskReferenceName)',
  ],
  [
    'unique across fork branches',
    workflow([forkJoin('fork', [[task('dup')], [task('dup')]]), join('join', ['dup'])]),
    'tasks[0].forkTasks[1][0].taskReferenceName',
    'first used at tasks[0].forkTasks[0][0].taskReferenceName',
  ],
  [
    'unique at any depth (a loop in a default case)',
    workflow([a, switchTask('sw', {}, [doWhile('loop', [task('a')])])]),
    'tasks[1].defaultCase[0].loopOver[0].taskReferenceName',
    'first used at tasks[0].taskReferenceName',
  ],
  ['a ref inside a loop does not end in __<digits>', workflow([doWhile('loop', [task('charge__2')])]), 'tasks[0].loopOver[0].taskReferenceName', 'inside a DO_WHILE must not end in __<digits>'],
  [
    'a ref nested deeper inside a loop does not end in __<digits>',
    workflow([doWhile('loop', [switchTask('sw', { x: [task('x__10')] })])]),
    'tasks[0].loopOver[0].decisionCases.x[0].taskReferenceName',
    'taskReferenceName: x__10 inside a DO_WHILE must not end in __<digits>',
  ],
  ['a nested loop ref does not end in __<digits>', workflow([doWhile('outer', [doWhile('inner__1', [a])])]), 'tasks[0].loopOver[0].taskReferenceName', 'taskReferenceName: inner__1 inside a DO_WHILE'],
  [
    'a ref is not the ref of an iteration of a looped task',
    workflow([doWhile('loop', [task('charge')]), task('charge__1')]),
    'tasks[1].taskReferenceName',
    'taskReferenceName: charge__1 is also the ref of an iteration of charge (tasks[0].loopOver[0])',
  ],
  ['not even when it comes before the loop', workflow([task('charge__3'), doWhile('loop', [task('charge')])]), 'tasks[0].taskReferenceName', 'an iteration of charge'],
  [
    'nor the ref of an iteration of nested loops',
    workflow([doWhile('outer', [doWhile('inner', [task('charge')])]), task('charge__2__1')]),
    'tasks[1].taskReferenceName',
    'an iteration of charge (tasks[0].loopOver[0].loopOver[0])',
  ],
  ['nor that of a loop nested in a loop', workflow([doWhile('outer', [doWhile('inner', [a])]), task('inner__4')]), 'tasks[1].taskReferenceName', 'an iteration of inner'],
];

const taskTypes: Case[] = [
  ['SWITCH needs evaluatorType', workflow([switchTask('sw', { x: [a] }, [], { evaluatorType: undefined })]), 'tasks[0].evaluatorType', 'evaluatorType field is required for taskType: SWITCH taskName: sw'],
  ['SWITCH evaluatorType is a known evaluator', workflow([switchTask('sw', { x: [a] }, [], { evaluatorType: 'groovy' })]), 'tasks[0].evaluatorType', 'evaluatorType: groovy is not supported'],
  ['SWITCH needs expression', workflow([switchTask('sw', { x: [a] }, [], { expression: '' })]), 'tasks[0].expression', 'expression field is required for taskType: SWITCH'],
  ['SWITCH needs decisionCases or a defaultCase', workflow([switchTask('sw', undefined as never, [])]), 'tasks[0].decisionCases', 'decisionCases field is required for taskType: SWITCH'],
  ['SWITCH decisionCases is not empty', workflow([switchTask('sw', {}, [])]), 'tasks[0].decisionCases', 'decisionCases should have atleast one task for taskType: SWITCH'],
  ['a decision case is a list', workflow([switchTask('sw', { x: a as never })]), 'tasks[0].decisionCases.x', 'decisionCases.x must be a list of tasks'],
  ['DECISION needs caseValueParam or caseExpression', workflow([decision('d', { x: [a] }, { caseValueParam: undefined })]), 'tasks[0].caseValueParam', 'caseValueParam or caseExpression field is required for taskType: DECISION'],
  ['FORK_JOIN needs forkTasks', workflow([forkJoin('fork', []), join('join', [])]), 'tasks[0].forkTasks', 'forkTasks should have atleast one task for taskType: FORK_JOIN'],
  ['FORK_JOIN branches are not empty', workflow([forkJoin('fork', [[a], []]), join('join', ['a'])]), 'tasks[0].forkTasks[1]', 'empty branch'],
  ['FORK_JOIN is followed by a JOIN', workflow([forkJoin('fork', [[a], [b]]), task('c'), join('join', ['a', 'b'])]), 'tasks[0]', 'must be followed by a JOIN task in the same list, found SIMPLE task c'],
  ['FORK_JOIN is not the last task', workflow([task('c'), forkJoin('fork', [[a], [b]])]), 'tasks[1]', 'found nothing (it is the last task of its list)'],
  ['JOIN joins existing tasks', workflow([forkJoin('fork', [[a], [b]]), join('join', ['a', 'nope'])]), 'tasks[1].joinOn[1]', 'joinOn: nope is not a taskReferenceName of this workflow definition'],
  ['JOIN joins tasks of the fork before it', workflow([task('c'), forkJoin('fork', [[a], [b]]), join('join', ['a', 'c'])]), 'tasks[2].joinOn[1]', 'joinOn: c is not a task of FORK_JOIN fork'],
  ['FORK_JOIN_DYNAMIC needs its parameters', workflow([task('df', { type: 'FORK_JOIN_DYNAMIC' }), join('join', [])]), 'tasks[0].dynamicForkTasksParam', 'dynamicForkTasksParam field is required for taskType: FORK_JOIN_DYNAMIC'],
  [
    'FORK_JOIN_DYNAMIC needs dynamicForkTasksInputParamName with dynamicForkTasksParam',
    workflow([dynamicFork('df', { dynamicForkTasksInputParamName: undefined }), join('join', [])]),
    'tasks[0].dynamicForkTasksInputParamName',
    'dynamicForkTasksInputParamName field is required',
  ],
  [
    'FORK_JOIN_DYNAMIC dynamicForkTasksParam names an input',
    workflow([dynamicFork('df', { inputParameters: { dynamicTasksInput: {} } }), join('join', [])]),
    'tasks[0].inputParameters.dynamicTasks',
    'dynamicForkTasksParam: dynamicTasks names an input parameter that is missing',
  ],
  [
    'FORK_JOIN_DYNAMIC simple mode needs forkTaskInputs',
    workflow([task('df', { type: 'FORK_JOIN_DYNAMIC', inputParameters: { forkTaskName: 'resize' } }), join('join', [])]),
    'tasks[0].inputParameters.forkTaskInputs',
    'inputParameters.forkTaskInputs field is required',
  ],
  [
    'FORK_JOIN_DYNAMIC is not both legacy and current',
    workflow([dynamicFork('df', { dynamicForkJoinTasksParam: 'dynamicTasks' }), join('join', [])]),
    'tasks[0].dynamicForkJoinTasksParam',
    'dynamicForkJoinTasksParam or combination of dynamicForkTasksInputParamName and dynamicForkTasksParam',
  ],
  ['FORK_JOIN_DYNAMIC is followed by a JOIN', workflow([dynamicFork('df'), a]), 'tasks[0]', 'FORK_JOIN_DYNAMIC task df must be followed by a JOIN task'],
  ['DO_WHILE needs loopCondition', workflow([doWhile('loop', [a], { loopCondition: undefined })]), 'tasks[0].loopCondition', 'loopCondition field is required for taskType: DO_WHILE'],
  ['DO_WHILE loopCondition is not empty', workflow([doWhile('loop', [a], { loopCondition: '' })]), 'tasks[0].loopCondition', 'loopCondition field is required for taskType: DO_WHILE'],
  ['DO_WHILE loopCondition is not blank', workflow([doWhile('loop', [a], { loopCondition: '  ' })]), 'tasks[0].loopCondition', 'loopCondition field is required for taskType: DO_WHILE'],
  [
    'DO_WHILE with null items needs loopCondition',
    workflow([doWhile('loop', [a], { loopCondition: '', items: null, inputParameters: { items: null, _items: null } })]),
    'tasks[0].loopCondition',
    'loopCondition field is required for taskType: DO_WHILE',
  ],
  ['DO_WHILE over items still needs loopOver', workflow([doWhile('loop', [], { loopCondition: '', inputParameters: { items: '${workflow.input.orders}' } })]), 'tasks[0].loopOver', 'loopOver field is required'],
  ['DO_WHILE needs loopOver', workflow([doWhile('loop', [])]), 'tasks[0].loopOver', 'loopOver field is required for taskType: DO_WHILE'],
  ['WAIT takes duration or until, not both', workflow([wait('w', { duration: '10s', until: '2030-01-01' })]), 'tasks[0].inputParameters', "Both 'duration' and 'until' specified"],
  ['WAIT duration is a duration', workflow([wait('w', { duration: 'soon' })]), 'tasks[0].inputParameters.duration', 'Wait time specified is invalid'],
  ['WAIT duration units come in order', workflow([wait('w', { duration: '5s 1h' })]), 'tasks[0].inputParameters.duration', "got '5s 1h'"],
  ['WAIT until is a date', workflow([wait('w', { until: '2030/01/01 10:00' })]), 'tasks[0].inputParameters.until', "Unable to parse date '2030/01/01 10:00'"],
  ['HTTP needs a request', workflow([task('h', { type: 'HTTP', inputParameters: { body: {} } })]), 'tasks[0].inputParameters.http_request', 'inputParameters.http_request field is required for taskType: HTTP taskName: h'],
  ['HTTP needs a uri', workflow([http('h', { method: 'POST' })]), 'tasks[0].inputParameters.http_request.uri', 'inputParameters.http_request.uri field is required for taskType: HTTP'],
  ['HTTP needs a method', workflow([http('h', { uri: 'https://example.com' })]), 'tasks[0].inputParameters.http_request.method', 'method field is required for taskType: HTTP'],
  ['HTTP method is an HTTP method', workflow([http('h', { uri: 'https://example.com', method: 'FETCH' })]), 'tasks[0].inputParameters.http_request.method', 'method: FETCH is not a valid HTTP method'],
  ['HTTP with uri in inputParameters needs a method there', workflow([task('h', { type: 'HTTP', inputParameters: { uri: 'https://example.com' } })]), 'tasks[0].inputParameters.method', 'inputParameters.method field is required'],
  ['TERMINATE needs a terminationStatus', workflow([task('t', { type: 'TERMINATE', inputParameters: { terminationReason: 'stop' } })]), 'tasks[0].inputParameters.terminationStatus', 'terminate task must have an terminationStatus parameter'],
  ['TERMINATE status is COMPLETED, FAILED or TERMINATED', workflow([terminate('t', 'DONE')]), 'tasks[0].inputParameters.terminationStatus', 'must be set to COMPLETED, FAILED or TERMINATED'],
  ['TERMINATE cannot be optional', workflow([terminate('t', 'FAILED', { optional: true })]), 'tasks[0].optional', 'terminate task cannot be optional, taskName: t'],
  ['SUB_WORKFLOW needs subWorkflowParam', workflow([subWorkflow('s', undefined, { subWorkflowParam: undefined })]), 'tasks[0].subWorkflowParam', 'subWorkflowParam field is required for taskType: SUB_WORKFLOW'],
  ['SUB_WORKFLOW names a workflow', workflow([subWorkflow('s', { version: 2 })]), 'tasks[0].subWorkflowParam.name', 'SubWorkflowParams name cannot be null or empty'],
  ['SUB_WORKFLOW version is an integer', workflow([subWorkflow('s', { name: 'payments', version: 'latest' })]), 'tasks[0].subWorkflowParam.version', 'SubWorkflowParams version must be an integer'],
  [
    'SUB_WORKFLOW inline definition is validated with its own paths',
    workflow([subWorkflow('s', { workflowDefinition: workflow([a, task('a')], { name: 'inner' }) })]),
    'tasks[0].subWorkflowParam.workflowDefinition.tasks[1].taskReferenceName',
    'for a given workflowDefinition: inner',
  ],
  [
    'SUB_WORKFLOW inline definition is validated deeply',
    workflow([subWorkflow('s', { workflowDefinition: workflow([forkJoin('f', [[http('h', { uri: 'x' })]]), join('j', ['h'])], { name: 'inner' }) })]),
    'tasks[0].subWorkflowParam.workflowDefinition.tasks[0].forkTasks[0][0].inputParameters.http_request.method',
    'method field is required',
  ],
  ['START_WORKFLOW needs startWorkflow', workflow([task('sw', { type: 'START_WORKFLOW' })]), 'tasks[0].inputParameters.startWorkflow', 'inputParameters.startWorkflow field is required for taskType: START_WORKFLOW'],
  ['START_WORKFLOW names the workflow', workflow([startWorkflow('sw', { version: 1 })]), 'tasks[0].inputParameters.startWorkflow.name', 'inputParameters.startWorkflow.name field is required'],
  ['EVENT needs a sink', workflow([task('e', { type: 'EVENT' })]), 'tasks[0].sink', 'sink field is required for taskType: EVENT taskName: e'],
  ['EVENT sink names a queue', workflow([event('e', 'orders')]), 'tasks[0].sink', 'sink: orders is not valid for taskType: EVENT'],
  ['INLINE needs an expression', workflow([inline('i', { evaluatorType: 'javascript' })]), 'tasks[0].inputParameters.expression', 'inputParameters.expression field is required for taskType: INLINE'],
  ['INLINE evaluatorType is a known evaluator', workflow([inline('i', { evaluatorType: 'ruby', expression: '1' })]), 'tasks[0].inputParameters.evaluatorType', 'evaluatorType: ruby is not supported for taskType: INLINE'],
  ['LAMBDA needs a scriptExpression', workflow([lambda('l', { n: 1 })]), 'tasks[0].inputParameters.scriptExpression', 'scriptExpression field is required for taskType: LAMBDA'],
  ['JSON_JQ_TRANSFORM needs a queryExpression', workflow([jq('q', { items: [] })]), 'tasks[0].inputParameters.queryExpression', 'inputParameters.queryExpression field is required for taskType: JSON_JQ_TRANSFORM'],
  ['KAFKA_PUBLISH needs a kafka_request', workflow([task('k', { type: 'KAFKA_PUBLISH' })]), 'tasks[0].inputParameters.kafka_request', 'inputParameters.kafka_request field is required'],
  ['KAFKA_PUBLISH needs a topic', workflow([kafka('k', { bootStrapServers: 'kafka:9092', value: 1 })]), 'tasks[0].inputParameters.kafka_request.topic', 'kafka_request.topic field is required'],
  ['KAFKA_PUBLISH needs bootstrap servers', workflow([kafka('k', { topic: 't', value: 1 })]), 'tasks[0].inputParameters.kafka_request.bootStrapServers', 'bootStrapServers field is required'],
  ['KAFKA_PUBLISH needs a value', workflow([kafka('k', { topic: 't', bootStrapServers: 'kafka:9092' })]), 'tasks[0].inputParameters.kafka_request.value', 'kafka_request.value field is required'],
  ['DYNAMIC needs dynamicTaskNameParam', workflow([dynamic('d', { dynamicTaskNameParam: undefined })]), 'tasks[0].dynamicTaskNameParam', 'dynamicTaskNameParam field is required for taskType: DYNAMIC'],
  ['DYNAMIC dynamicTaskNameParam names an input', workflow([dynamic('d', { inputParameters: { other: 1 } })]), 'tasks[0].inputParameters.taskToRun', 'dynamicTaskNameParam: taskToRun names an input parameter that is missing'],
  ['EXCLUSIVE_JOIN needs joinOn', workflow([switchTask('sw', { x: [a] }, [b]), exclusiveJoin('ej', [])]), 'tasks[1].joinOn', 'joinOn field is required for taskType: EXCLUSIVE_JOIN'],
  ['EXCLUSIVE_JOIN joins existing tasks', workflow([switchTask('sw', { x: [a] }, [b]), exclusiveJoin('ej', ['a', 'c'])]), 'tasks[1].joinOn[1]', 'joinOn: c is not a taskReferenceName'],
];

const taskDefinitions: Case[] = [
  ['inline taskDefinition responseTimeoutSeconds is at least 1', workflow([task('a', { taskDefinition: { name: 'a', responseTimeoutSeconds: 0 } })]), 'tasks[0].taskDefinition.responseTimeoutSeconds', 'must be >= 1'],
  [
    'inline taskDefinition timeoutSeconds is within totalTimeoutSeconds',
    workflow([task('a', { taskDefinition: { name: 'a', timeoutSeconds: 600, responseTimeoutSeconds: 60, totalTimeoutSeconds: 300 } })]),
    'tasks[0].taskDefinition.totalTimeoutSeconds',
    'timeoutSeconds: 600 must be less than or equal to totalTimeoutSeconds: 300',
  ],
  ['inline taskDefinition backoffScaleFactor is at least 1', workflow([task('a', { taskDefinition: { name: 'a', backoffScaleFactor: 0 } })]), 'tasks[0].taskDefinition.backoffScaleFactor', 'backoffScaleFactor must not be less than 1'],
  ['inline taskDefinition has a name', workflow([task('a', { taskDefinition: { retryCount: 1 } })]), 'tasks[0].taskDefinition.name', 'TaskDef name cannot be null or empty'],
];

const expressions: Case[] = [
  ['a reference names a task of the workflow', workflow([reading('a', '${nope.output.x}')]), 'tasks[0].inputParameters.x', 'taskReferenceName: nope for given task: a input value: ${nope.output.x} is not defined in workflow definition.'],
  ['a reference names a task that ran before', workflow([reading('a', '${b.output.x}'), b]), 'tasks[0].inputParameters.x', 'refers to tasks[1], which runs after this task'],
  [
    'a reference does not reach into a parallel fork branch',
    workflow([forkJoin('fork', [[a], [reading('b', 'id=${a.output.id}')]]), join('join', ['a', 'b'])]),
    'tasks[0].forkTasks[1][0].inputParameters.x',
    'in a parallel branch of FORK_JOIN fork, which may not have run yet',
  ],
  [
    'a reference does not reach into another case of a switch',
    workflow([switchTask('sw', { x: [a], y: [reading('b', '${a.output.id}')] })]),
    'tasks[0].decisionCases.y[0].inputParameters.x',
    'in another case of SWITCH sw',
  ],
  ['a task does not read its own output', workflow([reading('a', '${a.output.x}')]), 'tasks[0].inputParameters.x', 'refers to the task itself'],
  [
    'a switch does not read the tasks of its own cases',
    workflow([switchTask('sw', { x: [a] }, [], { inputParameters: { kind: '${a.output.kind}' } })]),
    'tasks[0].inputParameters.kind',
    'nested inside this task',
  ],
  ['nested expressions are checked inside out', workflow([reading('a', '${workflow.input.${nope.output.key}}')]), 'tasks[0].inputParameters.x', 'taskReferenceName: nope'],
  [
    'references are found at any depth of inputParameters',
    workflow([b, task('a', { inputParameters: { body: { items: ['${b.output.x}', '${later.output.y}'] } } }), task('later')]),
    'tasks[1].inputParameters.body.items[1]',
    'which runs after this task',
  ],
  ['workflow outputParameters name tasks of the workflow', workflow([a], { outputParameters: { total: '${nope.output.total}' } }), 'outputParameters.total', 'taskReferenceName: nope for workflow output value'],
  [
    'an inline sub-workflow given as an expression reads tasks that ran before',
    workflow([subWorkflow('s', { workflowDefinition: '${b.output.definition}' }), b]),
    'tasks[0].subWorkflowParam.workflowDefinition',
    'which runs after this task',
  ],
  [
    'references inside an inline sub-workflow name its own tasks',
    workflow([a, subWorkflow('s', { workflowDefinition: workflow([reading('inner', '${a.output.x}')], { name: 'inner' }) })]),
    'tasks[1].subWorkflowParam.workflowDefinition.tasks[0].inputParameters.x',
    'taskReferenceName: a for given task: inner',
  ],
];

describe('validateWorkflowDef', () => {
  describe.each([
    ['structure', structural],
    ['taskReferenceName', referenceNames],
    ['task types', taskTypes],
    ['inline task definitions', taskDefinitions],
    ['parameter expressions', expressions],
  ])('%s', (_group, cases) => {
    it.each(cases)('%s', (_rule, definition, path, message) => {
      expect(validateWorkflowDef(definition)).toEqual([expect.objectContaining({ path, message: expect.stringContaining(message) })]);
    });
  });

  it('reports every problem of a definition at once, each at its path', () => {
    // The definition the registry's integration test uses.
    const bad = { name: 'broken', tasks: [{ name: 'a', taskReferenceName: 'x' }, { name: 'b', taskReferenceName: 'x' }, { name: '', taskReferenceName: 'y', type: 'SWITCH' }] };

    expect(validateWorkflowDef(bad).map((e) => e.path)).toEqual([
      'tasks[1].taskReferenceName',
      'tasks[2].name',
      'tasks[2].evaluatorType',
      'tasks[2].expression',
      'tasks[2].decisionCases',
    ]);
  });

  it('refuses what is not an object', () => {
    expect(validateWorkflowDef('orders')).toEqual([expect.objectContaining({ path: '$', message: 'must be a JSON object' })]);
  });

  it('looks input keys up as own keys only', () => {
    expect(validateWorkflowDef(workflow([dynamic('d', { dynamicTaskNameParam: 'toString', inputParameters: {} })])).map((e) => e.path)).toEqual(['tasks[0].inputParameters.toString']);
  });

  it('quotes keys that are not identifiers in paths', () => {
    const errors = validateWorkflowDef(workflow([switchTask('sw', { 'needs review': [reading('a', '${nope.output}')] })]));
    expect(errors).toEqual([expect.objectContaining({ path: 'tasks[0].decisionCases["needs review"][0].inputParameters.x' })]);
  });
});

describe('validateWorkflowDef accepts valid Conductor shapes', () => {
  const valid: Array<[string, Shape]> = [
    [
      'a fork inside a switch inside a do-while',
      workflow([
        doWhile('loop', [
          switchTask('route', {
            split: [
              forkJoin('fan', [[task('left', { inputParameters: { iteration: '${loop.output.iteration}' } })], [task('right'), task('right_after', { inputParameters: { r: '${right.output}' } })]]),
              join('fan_join', ['left', 'right_after']),
              task('merge', { inputParameters: { l: '${left.output.x}', r: '${right_after.output.y}', joined: '${fan_join.output}' } }),
            ],
          }, [task('single', { inputParameters: { previous: '${tail.output.x}' } })]),
          task('tail', { inputParameters: { kind: '${route.output.selectedCase}' } }),
        ]),
        task('after_loop', { inputParameters: { last: '${tail.output}', merged: '${merge.output}' } }),
      ]),
    ],
    ['a dynamic fork and its join', workflow([dynamicFork('df'), join('df_join', []), task('after', { inputParameters: { all: '${df_join.output}' } })])],
    [
      'a dynamic fork in simple mode',
      workflow([task('df', { type: 'FORK_JOIN_DYNAMIC', inputParameters: { forkTaskName: 'resize', forkTaskInputs: '${workflow.input.images}' } }), join('df_join', [])]),
    ],
    [
      'a sub-workflow with an inline workflowDefinition',
      workflow([
        task('prepare'),
        subWorkflow('child', {
          workflowDefinition: workflow([task('prepare'), http('call', { uri: '${workflow.input.url}', method: 'POST', body: '${prepare.output}' })], { name: 'inline_child' }),
        }, { inputParameters: { url: '${prepare.output.url}' } }),
      ]),
    ],
    ['a sub-workflow by name and an expression definition', workflow([subWorkflow('by_name'), subWorkflow('by_expr', { workflowDefinition: '${workflow.input.childDefinition}' })])],
    ['an HTTP task', workflow([http('call', { uri: 'https://example.com/${workflow.input.id}', method: 'post', headers: { 'X-Trace': '${CPEWF_TASK_ID}' }, body: { id: '${workflow.input.id}' } })])],
    ['an HTTP task with uri and method directly in inputParameters', workflow([task('call', { type: 'HTTP', inputParameters: { uri: 'https://example.com', method: 'GET' } })])],
    ['an HTTP request taken from an expression', workflow([http('call', '${workflow.input.request}')])],
    ['an HTTP request in the inline taskDefinition inputTemplate', workflow([task('call', { type: 'HTTP', taskDefinition: { name: 'call', inputTemplate: { http_request: { uri: 'https://x', method: 'GET' } } } })])],
    ['a WAIT with a duration', workflow([wait('w1', { duration: '10s' }), wait('w2', { duration: '5 minutes' }), wait('w3', { duration: '1d 2h' }), wait('w4', { duration: '${workflow.input.pause}' })])],
    ['a WAIT until a date', workflow([wait('w1', { until: '2030-01-31 10:30' }), wait('w2', { until: '2030-01-31 10:30 UTC' }), wait('w3', { until: '2030-01-31' }), wait('w4', { until: '${workflow.input.at}' })])],
    ['a WAIT for an external signal', workflow([wait('w')])],
    ['a TERMINATE', workflow([terminate('done', 'COMPLETED'), terminate('failed', 'FAILED'), terminate('stopped', 'TERMINATED')])],
    ['an INLINE', workflow([inline('js'), inline('default_evaluator', { expression: '$.a' }), inline('py', { evaluatorType: 'python', expression: 'x' })])],
    ['a SET_VARIABLE', workflow([setVariable('vars'), task('reads', { inputParameters: { total: '${workflow.variables.total}' } })])],
    ['a JSON_JQ_TRANSFORM', workflow([jq('count'), task('use', { inputParameters: { n: '${count.output.result}' } })])],
    [
      'a reference from after a join to a task inside a fork branch',
      workflow([forkJoin('fork', [[a, task('a2')], [b]]), join('join', ['a2', 'b']), task('after', { inputParameters: { first: '${a.output.x}', second: '${b.output.y}' } })], {
        outputParameters: { a: '${a.output}', joined: '${join.output}' },
      }),
    ],
    ['a SWITCH with only a default case', workflow([switchTask('sw', {}, [a])])],
    ['a DECISION', workflow([decision('d', { x: [a] }), decision('d2', { y: [b] }, { caseValueParam: undefined, caseExpression: '$.kind' })])],
    ['a nested DO_WHILE', workflow([doWhile('outer', [doWhile('inner', [a])])])],
    ['a DO_WHILE over a list of items', workflow([doWhile('each', [a], { loopCondition: undefined, items: '${workflow.input.orders}' })])],
    ['the other system tasks', workflow([event('e1'), event('e2', 'sqs:orders'), lambda('l'), kafka('k'), dynamic('d'), startWorkflow('sw'), task('h', { type: 'HUMAN' }), task('n', { type: 'NOOP' })])],
    ['an EXCLUSIVE_JOIN after a switch', workflow([switchTask('sw', { x: [a] }, [b]), exclusiveJoin('ej', ['a'], { defaultExclusiveJoinTask: ['b'] })])],
    ['any type Conductor or a worker knows', workflow([task('chat', { type: 'LLM_CHAT_COMPLETE' }), task('custom', { type: 'my_worker_type' }), task('untyped', { type: undefined }), task('proto', { type: 'constructor' })])],
    ['environment-style names, escapes and the task id', workflow([reading('a', '${NETFLIX_ENV}-${CPEWF_TASK_ID}-$${not.an.expression}-${unterminated')])],
    ['an inline task definition within limits', workflow([task('a', { taskDefinition: { name: 'a', timeoutSeconds: 600, responseTimeoutSeconds: 60, totalTimeoutSeconds: 1800, ownerEmail: 'ops@example.com' } })])],
    ['a ref with __ (SDK-built forks)', workflow([forkJoin('__fork_1', [[a], [b]]), join('__join_1', ['a', 'b']), task('after', { inputParameters: { all: '${__join_1.output}' } })])],
    ['refs with __ anywhere outside loops', workflow([task('charge__1'), task('a__b'), task('__x__'), task('ends__'), task('c__1__2')])],
    ['an SDK-built fork inside a loop', workflow([doWhile('loop', [forkJoin('__fork_1', [[a], [b]]), join('__join_1', ['a', 'b']), task('c__d', { inputParameters: { j: '${__join_1.output}' } })])])],
    ['a ref ending in __<digits> next to loops over other refs', workflow([doWhile('loop', [task('charge'), task('refund__x')]), task('charges__1'), task('refund__x1'), task('charge_1'), task('xcharge__1')])],
  ];

  it.each(valid)('%s', (_shape, definition) => {
    expect(validateWorkflowDef(definition)).toEqual([]);
  });

  const listLoops: Array<[string, Shape]> = [
    ['items, no loopCondition', doWhile('each', [a], { loopCondition: undefined, items: '${workflow.input.orders}' })],
    ['items, empty loopCondition', doWhile('each', [a], { loopCondition: '', items: '${workflow.input.orders}' })],
    ['items as a literal list', doWhile('each', [a], { loopCondition: '', items: [1, 2, 3] })],
    ['inputParameters.items, no loopCondition', doWhile('each', [a], { loopCondition: undefined, inputParameters: { items: '${workflow.input.orders}' } })],
    ['inputParameters.items, empty loopCondition', doWhile('each', [a], { loopCondition: '', inputParameters: { items: '${workflow.input.orders}' } })],
    ['inputParameters._items, no loopCondition', doWhile('each', [a], { loopCondition: undefined, inputParameters: { _items: '${workflow.input.orders}' } })],
    ['inputParameters._items, empty loopCondition', doWhile('each', [a], { loopCondition: '', inputParameters: { _items: ['x', 'y'] } })],
    ['items and a loopCondition that stops early', doWhile('each', [a], { inputParameters: { items: '${workflow.input.orders}' } })],
  ];

  it.each(listLoops)('a DO_WHILE over a list: %s', (_shape, loop) => {
    expect(validateWorkflowDef(workflow([loop]))).toEqual([]);
  });

  const inlineTaskDefs: Array<[string, Shape]> = [
    ['responseTimeoutSeconds above timeoutSeconds', { name: 'a', timeoutSeconds: 60, responseTimeoutSeconds: 120 }],
    ['responseTimeoutSeconds above timeoutSeconds and a total budget', { name: 'a', timeoutSeconds: 60, responseTimeoutSeconds: 3600, totalTimeoutSeconds: 600 }],
  ];

  it.each(inlineTaskDefs)('an inline task definition with %s (Conductor checks that only on registered ones)', (_shape, taskDefinition) => {
    expect(validateWorkflowDef(workflow([task('a', { taskDefinition })]))).toEqual([]);
    expect(validateWorkflowDef(workflow([doWhile('loop', [task('a', { taskDefinition })])]))).toEqual([]);
    expect(validateWorkflowDef(workflow([subWorkflow('s', { workflowDefinition: workflow([task('a', { taskDefinition })], { name: 'inner' }) })]))).toEqual([]);
  });

  it('reads HTTP, Kafka and jq requests from a registered task definition when given one', () => {
    const definition = workflow([task('call', { type: 'HTTP' }), task('publish', { type: 'KAFKA_PUBLISH' }), task('shape', { type: 'JSON_JQ_TRANSFORM' })]);
    const taskDefs = new Map([
      ['call', { inputTemplate: { http_request: { uri: 'https://x', method: 'GET' } } }],
      ['publish', { inputTemplate: { kafka_request: { topic: 't', value: 1, bootStrapServers: 'k:9092' } } }],
      ['shape', { inputTemplate: { queryExpression: '.' } }],
    ]);

    expect(validateWorkflowDef(definition).map((e) => e.path)).toEqual([
      'tasks[0].inputParameters.http_request',
      'tasks[1].inputParameters.kafka_request',
      'tasks[2].inputParameters.queryExpression',
    ]);
    expect(validateWorkflowDef(definition, { taskDefs })).toEqual([]);
  });
});

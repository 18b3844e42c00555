import { stringify } from 'yaml';
import { forEachRillTask, RillDag, RillTask } from './rill-dag.model';
import { parseRillDescriptor, RillParseResult } from './rill-dag.parser';

const ids = { businessId: 'demoFlowTest', featureName: 'demoTest' };

function parsed(result: RillParseResult): { dag: RillDag; warnings?: string[] } {
  if (!result.ok) throw new Error(`expected the descriptor to parse, got ${JSON.stringify(result.errors, null, 2)}`);
  return result;
}

function task(dag: RillDag, name: string): RillTask {
  let found: RillTask | undefined;
  forEachRillTask(dag.tasks, (t) => {
    if (t.name === name) found = t;
  });
  if (!found) throw new Error(`no task ${name}`);
  return found;
}

describe('parseRillDescriptor', () => {
  it('parses the descriptor of the Rill Flow API doc into the normalized model', () => {
    // docs/user-guide/07-api.md (add_descriptor.json), with endNode as a pass task.
    const yaml = `---
version: 20230829
workspace: demoFlowTest
dagName: demoTest
type: flow
tasks:
  - category: function
    name: startNode
    next: endNode
    resourceName: http://127.0.0.1:8080/flow/sample/start_node.json
    pattern: task_sync
    inputMappings:
      - target: $.input.right
        source: $.context.right
      - target: $.input.left
        source: $.context.left
    outputMappings:
      - target: $.context.result_number
        source: $.output.result_number
  - category: pass
    name: endNode
`;
    expect(parseRillDescriptor(yaml, ids)).toStrictEqual({
      ok: true,
      dag: {
        workspace: 'demoFlowTest',
        dagName: 'demoTest',
        version: '20230829',
        type: 'flow',
        defaultContext: {},
        commonMapping: {},
        tasks: [
          {
            name: 'startNode',
            category: 'function',
            next: ['endNode'],
            tolerance: false,
            inputMappings: [
              { source: '$.context.right', target: '$.input.right' },
              { source: '$.context.left', target: '$.input.left' },
            ],
            outputMappings: [{ source: '$.output.result_number', target: '$.context.result_number' }],
            resourceName: 'http://127.0.0.1:8080/flow/sample/start_node.json',
            requestType: 'post',
            pattern: 'task_sync',
            successConditions: [],
            failConditions: [],
            retry: { maxRetryTimes: 0, intervalInSeconds: 0, multiplier: 1, conditions: [] },
          },
          { name: 'endNode', category: 'pass', next: [], tolerance: false, inputMappings: [], outputMappings: [] },
        ],
      },
    });
  });

  it('parses a resource DAG: resources, no tasks', () => {
    const yaml = 'type: resource\nresources:\n  - name: r1\n    category: http\n    inputMappings: [{source: $.context.a, target: $.input.a}]\n';
    const { dag } = parsed(parseRillDescriptor(yaml, ids));
    expect(dag).toMatchObject({ type: 'resource', tasks: [], resources: [{ name: 'r1', category: 'http', inputMappings: [{ source: '$.context.a', target: '$.input.a' }] }] });
  });

  it('carries the registration ids when the YAML leaves workspace and dagName out', () => {
    const { dag } = parsed(parseRillDescriptor('type: flow\ntasks:\n  - {name: A, category: pass}\n', { businessId: 'biz', featureName: 'feat' }));
    expect(dag).toMatchObject({ workspace: 'biz', dagName: 'feat' });
  });

  describe('a DAG using every category', () => {
    const yaml = `
workspace: demoFlowTest
dagName: demoTest
version: 1.10
type: flow
timer:
  timeoutInSeconds: "3600"
defaultContext:
  region: cn
  retries: 3
commonMapping:
  withUser:
    - source: $.context.user
      target: $.input.user
callback:
  resourceName: http://callback.example/done
  fullContext: true
  inputMappings:
    - source: $.context.result
      target: $.input.result
tasks:
  - name: fetch
    category: function
    title: Fetch the list
    resourceName: http://api.example/list
    requestType: GET
    pattern: task_async
    next: route, loop
    tolerance: true
    inputMappings:
      - reference: withUser
      - source: $.tasks.wait.trigger_url?via=fetch
        target: $.input.callbackUrl
      - source: hello
        target: $.input.greeting
    outputMappings:
      - source: $.output.items
        target: $.context.items
    successConditions:
      - $.output.[?(@.code == 0)]
    retry:
      maxRetryTimes: 3
      intervalInSeconds: "5"
      multiplier: 2
    timeline:
      timeoutInSeconds: 30
    parameters:
      limit: 10
      tags: [a, b]
    progress:
      weight: 10
  - name: route
    category: choice
    next: wait
    inputMappings:
      - source: $.context.kind
        target: $.input.kind
    choices:
      - condition: $.input[?(@.kind == "video")]
        tasks:
          - name: transcode
            category: function
            resourceName: rillflow://media:transcode:release
            pattern: flow_sync
            next: notify
          - name: notify
            category: function
            resourceName: rillflow://media:notify
            pattern: flow_async
      - condition: $.input[?(@.kind == "text")]
        tasks:
          - name: skipText
            category: pass
  - name: loop
    category: foreach
    next: wait
    keyCallback: true
    inputMappings:
      - source: $.context.items
        target: $.input.items
    iterationMapping:
      collection: $.input.items
      item: element
      index: position
    synchronization:
      conditions:
        - $.input[?(@.items)]
      maxConcurrency: 4
    outputMappings:
      - source: $.output.sub_context.[*].size
        target: $.context.sizes
    tasks:
      - name: measure
        category: function
        resourceName: http://api.example/measure
        pattern: task_sync
        inputMappings:
          - source: $.context.element
            target: $.input.element
  - name: wait
    category: suspense
    next: decide
    tolerance: true
    conditions:
      - $.input[?(@.approved == true)]
    interruptions:
      - $.input[?(@.rejected == true)]
    timeline:
      timeoutInSeconds: 86400
      skipOnTimeout: true
  - name: decide
    category: switch
    inputMappings:
      - source: $.context.score
        target: $.input.score
    switches:
      - condition: $.input[?(@.score >= 60)]
        next: passed
      - condition: $.input[?(@.score < 60)]
        next: stop
        break: true
  - name: passed
    category: pass
    degrade:
      current: false
  - name: stop
    category: return
    inputMappings:
      - source: $.context.score
        target: $.input.score
    conditions:
      - $.input[?(@.score < 60)]
`;

    it('normalizes it without warnings', () => {
      const result = parsed(parseRillDescriptor(yaml, ids));
      expect(result.warnings).toBeUndefined();
      const { dag } = result;
      expect(dag).toMatchObject({
        version: '1.10',
        timeoutInSeconds: 3600,
        defaultContext: { region: 'cn', retries: '3' },
        commonMapping: { withUser: [{ source: '$.context.user', target: '$.input.user' }] },
        callback: { resourceName: 'http://callback.example/done', fullContext: true, inputMappings: [{ source: '$.context.result', target: '$.input.result' }] },
      });
      expect(dag.tasks.map((t) => [t.name, t.category, t.next])).toEqual([
        ['fetch', 'function', ['route', 'loop']],
        ['route', 'choice', ['wait']],
        ['loop', 'foreach', ['wait']],
        ['wait', 'suspense', ['decide']],
        ['decide', 'switch', ['passed', 'stop']],
        ['passed', 'pass', []],
        ['stop', 'return', []],
      ]);
      expect(task(dag, 'fetch')).toMatchObject({
        requestType: 'get',
        pattern: 'task_async',
        tolerance: true,
        retry: { maxRetryTimes: 3, intervalInSeconds: 5, multiplier: 2, conditions: [] },
        timeline: { timeoutInSeconds: 30 },
        parameters: { limit: 10, tags: ['a', 'b'] },
        inputMappings: [
          { reference: 'withUser' },
          { source: '$.tasks.wait.trigger_url?via=fetch', target: '$.input.callbackUrl' },
          { source: 'hello', target: '$.input.greeting' },
        ],
      });
      expect(task(dag, 'fetch')).not.toHaveProperty('subFlow');
      expect(task(dag, 'transcode')).toMatchObject({ next: ['notify'], subFlow: { descriptorId: 'media:transcode:release', mode: 'sync' } });
      expect(task(dag, 'notify')).toMatchObject({ subFlow: { descriptorId: 'media:notify', mode: 'async' } });
      const route = task(dag, 'route');
      expect(route.category === 'choice' && route.choices.map((c) => c.tasks.map((t) => t.name))).toEqual([['transcode', 'notify'], ['skipText']]);
      expect(task(dag, 'loop')).toMatchObject({
        keyCallback: true,
        iterationMapping: { collection: '$.input.items', item: 'element', index: 'position' },
        synchronization: { conditions: ['$.input[?(@.items)]'], maxConcurrency: 4 },
      });
      expect(task(dag, 'wait')).toMatchObject({ tolerance: true, timeline: { timeoutInSeconds: 86400, skipOnTimeout: true } });
      expect(task(dag, 'decide')).toMatchObject({
        outputMappings: [],
        switches: [
          { condition: '$.input[?(@.score >= 60)]', next: ['passed'] },
          { condition: '$.input[?(@.score < 60)]', next: ['stop'], break: true },
        ],
      });
    });

    it('round-trips: model -> YAML -> model gives the same model, and so does JSON (the jsonb column)', () => {
      const { dag } = parsed(parseRillDescriptor(yaml, ids));
      const again = parseRillDescriptor(stringify(dag), ids);
      expect(again).toStrictEqual({ ok: true, dag });
      expect(JSON.parse(JSON.stringify(dag))).toStrictEqual(dag);
    });
  });

  describe('aliases and loose scalar types', () => {
    it.each(['callback_config', 'callbackConfig', 'callback'])('accepts namespace, service, timer and %s', (callbackKey) => {
      const yaml = `
namespace: demoFlowTest
service: demoTest
type: flow
timer:
  timeoutInSeconds: "30"
${callbackKey}:
  resourceName: http://cb.example
tasks:
  - name: A
    category: function
    resourceName: http://a.example
    pattern: task_sync
    isKeyCallback: "true"
    tolerance: "true"
    retry: {maxRetryTimes: "3", multiplier: "1.5"}
    timeline:
      timeoutInSeconds: "30"
      suspenseIntervalSeconds: $.input.wait
      suspenseTimestamp: 1700000000000
`;
      const { dag, warnings } = parsed(parseRillDescriptor(yaml, ids));
      expect(warnings).toBeUndefined();
      expect(dag).toMatchObject({ workspace: 'demoFlowTest', dagName: 'demoTest', timeoutInSeconds: 30, callback: { resourceName: 'http://cb.example', inputMappings: [] } });
      expect(dag.tasks[0]).toMatchObject({
        keyCallback: true,
        tolerance: true,
        retry: { maxRetryTimes: 3, intervalInSeconds: 0, multiplier: 1.5, conditions: [] },
        timeline: { timeoutInSeconds: 30, suspenseIntervalSeconds: '$.input.wait', suspenseTimestamp: '1700000000000' },
      });
    });

    it('reads next from a list as well as from a comma string, trimmed', () => {
      const { dag } = parsed(
        parseRillDescriptor('type: flow\ntasks:\n  - {name: A, category: pass, next: " B , C,"}\n  - {name: B, category: pass, next: [C]}\n  - {name: C, category: pass}\n', ids),
      );
      expect(dag.tasks.map((t) => t.next)).toEqual([['B', 'C'], ['C'], []]);
    });

    it('keeps how a number was written in string fields (version 1.10, task name 007)', () => {
      const { dag } = parsed(parseRillDescriptor('version: 1.10\ntype: flow\ntasks:\n  - {name: 007, category: pass}\n', ids));
      expect(dag.version).toBe('1.10');
      expect(dag.tasks[0].name).toBe('007');
    });

    it('warns about what it fills in or drops', () => {
      const yaml = `
tasks:
  - name: A
    category: function
    resourceName: http://a.example
    next: B
    colour: blue
  - name: B
    category: pass
    tolerance: true
    timeline: {timeoutInSeconds: 5}
  - name: C
    category: function
    resourceName: rillflow://other:flow
`;
      const { dag, warnings } = parsed(parseRillDescriptor(yaml, ids));
      expect(dag.type).toBe('flow');
      expect(task(dag, 'A')).toMatchObject({ pattern: 'task_sync' });
      expect(task(dag, 'B')).toMatchObject({ tolerance: false });
      expect(task(dag, 'B')).not.toHaveProperty('timeline');
      expect(task(dag, 'C')).toMatchObject({ pattern: 'flow_sync', subFlow: { descriptorId: 'other:flow', mode: 'sync' } });
      expect(warnings).toEqual([
        'type: missing; Rill Flow requires it, Baton assumes flow',
        'tasks[0].colour: unknown field, ignored',
        'tasks[0].pattern: missing; Rill Flow requires it, Baton assumes task_sync',
        'tasks[1].tolerance: Rill Flow ignores tolerance on a pass task; set to false',
        'tasks[1].timeline.timeoutInSeconds: Rill Flow ignores a timeout on a pass task; dropped',
        'tasks[2].pattern: missing; Rill Flow requires it, Baton assumes flow_sync',
      ]);
    });
  });

  describe('invalid descriptors: one error per problem, with its path', () => {
    /** A valid flow: A (function) -> B (pass). Cases change one thing. */
    const flow = (...tasks: string[]) => `type: flow\ntasks:\n${tasks.join('')}`;
    const A = (extra = '') =>
      `  - name: A\n    category: function\n    resourceName: http://a.example\n    pattern: task_sync\n    next: B\n${extra}`;
    const B = (extra = '') => `  - name: B\n    category: pass\n${extra}`;
    const C = (body: string) => `  - name: C\n    ${body.trim().split('\n').join('\n    ')}\n`;

    const cases: [string, string, string, string][] = [
      ['YAML syntax error', 'type: flow\ntasks:\n  - name: A\n    next: [B\n', '$', 'YAML syntax error at line 5, column 1'],
      ['a body that is a list', '- name: A\n- name: B\n', '$', 'must be a YAML mapping'],
      ['an empty body', '# nothing here\n', '$', 'the descriptor is empty'],
      ['no tasks', 'type: flow\n', 'tasks', 'at least one task'],
      ['an empty task list', 'type: flow\ntasks: []\n', 'tasks', 'at least one task'],
      ['a type that is neither flow nor resource', flow(A(), B()).replace('type: flow', 'type: job'), 'type', 'type must be one of flow, resource'],
      ['a workspace other than the business id', `workspace: other\n${flow(A(), B())}`, 'workspace', 'does not match the business_id "demoFlowTest"'],
      ['a dagName other than the feature name', `dagName: other\n${flow(A(), B())}`, 'dagName', 'does not match the feature_name "demoTest"'],
      ['an unknown category', flow(A(), B(), C('category: subflow')), 'tasks[2].category', 'unknown category "subflow"'],
      ['a task without a name', flow(A().replace('  - name: A\n    category', '  - category'), B()), 'tasks[0].name', 'a task needs a name'],
      ['a task name with other characters', flow(A(), B(), C('category: pass').replace('name: C', 'name: c_1')), 'tasks[2].name', 'letters and digits'],
      [
        'a name used again inside a choice',
        flow(A(), B(), C('category: choice\nchoices:\n  - condition: $.input.x\n    tasks:\n      - {name: A, category: pass}')),
        'tasks[2].choices[0].tasks[0].name',
        'already used at tasks[0].name',
      ],
      ['next naming a task that does not exist', flow(A().replace('next: B', 'next: B,Z'), B()), 'tasks[0].next', 'next names "Z", but there is no task'],
      [
        'next naming a task outside its own task list',
        flow(A(), B(), C('category: choice\nchoices:\n  - condition: $.input.x\n    tasks:\n      - {name: D, category: pass, next: B}')),
        'tasks[2].choices[0].tasks[0].next',
        'outside this task list',
      ],
      ['a self-loop', flow(A(), B('    next: B\n')), 'tasks[1].next', 'task "B" names itself in next'],
      ['a cycle', flow(A(), B('    next: C\n'), C('category: pass\nnext: A')), 'tasks[0].next', 'next forms a cycle: A -> B -> C -> A'],
      ['a function task without a resource', flow(A().replace('    resourceName: http://a.example\n', ''), B()), 'tasks[0].resourceName', 'needs a resourceName'],
      ['an unknown pattern', flow(A().replace('task_sync', 'task_later'), B()), 'tasks[0].pattern', 'pattern must be one of task_sync'],
      ['an unknown requestType', flow(A('    requestType: put\n'), B()), 'tasks[0].requestType', 'requestType must be get or post'],
      ['a negative retry count', flow(A('    retry: {maxRetryTimes: -1}\n'), B()), 'tasks[0].retry.maxRetryTimes', 'must not be negative'],
      ['a retry interval that is not a number', flow(A('    retry: {intervalInSeconds: soon}\n'), B()), 'tasks[0].retry.intervalInSeconds', 'must be a number'],
      ['a sub-flow with a task pattern', flow(A().replace('http://a.example', 'rillflow://biz:feature'), B()), 'tasks[0].pattern', 'must be flow_sync or flow_async'],
      ['a flow pattern without a sub-flow', flow(A().replace('task_sync', 'flow_sync'), B()), 'tasks[0].pattern', 'needs a rillflow://<descriptorId> resource'],
      ['a sub-flow without a descriptor id', flow(A().replace('http://a.example', 'rillflow://').replace('task_sync', 'flow_sync'), B()), 'tasks[0].resourceName', 'must name a descriptor id'],
      ['a resource:// name not declared in resources', flow(A().replace('http://a.example', 'resource://nowhere'), B()), 'tasks[0].resourceName', 'resource "nowhere" is not declared'],
      ['a choice task without choices', flow(A(), B(), C('category: choice')), 'tasks[2].choices', 'at least one entry in choices'],
      ['a choice without a condition', flow(A(), B(), C('category: choice\nchoices:\n  - tasks: [{name: D, category: pass}]')), 'tasks[2].choices[0].condition', 'a choice needs a condition'],
      ['a choice without tasks', flow(A(), B(), C('category: choice\nchoices:\n  - condition: $.input.x')), 'tasks[2].choices[0].tasks', 'a choice needs at least one task'],
      ['a foreach without iterationMapping', flow(A(), B(), C('category: foreach\ntasks: [{name: D, category: pass}]')), 'tasks[2].iterationMapping', 'needs an iterationMapping'],
      [
        'a foreach without a collection',
        flow(A(), B(), C('category: foreach\niterationMapping: {item: x}\ntasks: [{name: D, category: pass}]')),
        'tasks[2].iterationMapping.collection',
        'needs iterationMapping.collection',
      ],
      [
        'a foreach collection that is not a JSONPath',
        flow(A(), B(), C('category: foreach\niterationMapping: {collection: items, item: x}\ntasks: [{name: D, category: pass}]')),
        'tasks[2].iterationMapping.collection',
        'must be a JSONPath starting with $.',
      ],
      [
        'a foreach without an item key',
        flow(A(), B(), C('category: foreach\niterationMapping: {collection: $.input.items}\ntasks: [{name: D, category: pass}]')),
        'tasks[2].iterationMapping.item',
        'needs iterationMapping.item',
      ],
      ['a foreach without tasks', flow(A(), B(), C('category: foreach\niterationMapping: {collection: $.input.items, item: x}')), 'tasks[2].tasks', 'at least one task to run per element'],
      ['a switch task without switches', flow(A(), B(), C('category: switch')), 'tasks[2].switches', 'at least one entry in switches'],
      ['a switch entry without a condition', flow(A(), B(), C('category: switch\nswitches:\n  - next: B')), 'tasks[2].switches[0].condition', 'a switch entry needs a condition'],
      ['a switch entry without next', flow(A(), B(), C('category: switch\nswitches:\n  - condition: $.input.x')), 'tasks[2].switches[0].next', 'a switch entry needs a next task'],
      ['a suspense task without conditions', flow(A(), B(), C('category: suspense')), 'tasks[2].conditions', 'a suspense task needs at least one condition'],
      ['a return task without conditions', flow(A(), B(), C('category: return\nconditions: []')), 'tasks[2].conditions', 'a return task needs at least one condition'],
      ['a mapping without a target', flow(A('    inputMappings:\n      - source: $.context.x\n'), B()), 'tasks[0].inputMappings[0].target', 'a mapping needs a target'],
      ['a target that is not a JSONPath', flow(A('    inputMappings:\n      - {source: $.context.x, target: input.x}\n'), B()), 'tasks[0].inputMappings[0].target', 'must be a JSONPath starting with $.'],
      ['a $-source outside context, input and output', flow(A('    outputMappings:\n      - {source: $.result.x, target: $.context.x}\n'), B()), 'tasks[0].outputMappings[0].source', 'must start with $.context, $.input, $.output or $.tasks.'],
      ['a trigger_url of a task that does not exist', flow(A('    inputMappings:\n      - {source: $.tasks.Z.trigger_url, target: $.input.url}\n'), B()), 'tasks[0].inputMappings[0].source', '$.tasks.Z.trigger_url names a task that does not exist'],
      ['a reference missing from commonMapping', flow(A('    inputMappings:\n      - reference: shared\n'), B()), 'tasks[0].inputMappings[0].reference', 'reference "shared" names no list in commonMapping'],
      ['a timeout that is not a number', flow(A('    timeline: {timeoutInSeconds: "30s"}\n'), B()), 'tasks[0].timeline.timeoutInSeconds', 'must be a whole number of seconds'],
      ['a negative timeout', flow(A('    timeline: {timeoutInSeconds: -5}\n'), B()), 'tasks[0].timeline.timeoutInSeconds', 'must not be negative'],
      ['a DAG timeout that is not a number', `timer: {timeoutInSeconds: later}\n${flow(A(), B())}`, 'timer.timeoutInSeconds', 'must be a whole number of seconds'],
      ['a resource DAG with tasks', flow(A(), B()).replace('type: flow', 'type: resource\nresources: [{name: r1}]'), 'tasks', 'a resource DAG declares resources, not tasks'],
      ['a resource DAG without resources', 'type: resource\n', 'resources', 'a resource DAG needs at least one resource'],
      ['a resource name used twice', 'type: resource\nresources: [{name: r1}, {name: r1}]\n', 'resources[1].name', 'resource name "r1" is used twice'],
      ['a key given twice', `${flow(A(), B())}type: flow\n`, '$', 'Map keys must be unique'],
      ['an alias inside its own anchor', 'type: flow\nloop: &x [*x]\n', '$', 'an alias refers to a node that contains it'],
    ];

    it('has a case per rule', () => expect(cases.length).toBeGreaterThanOrEqual(20));

    it.each(cases)('%s', (_title, yaml, path, message) => {
      const result = parseRillDescriptor(yaml, ids);
      expect(result.ok).toBe(false);
      const errors = result.ok ? [] : result.errors;
      expect(errors).toEqual([expect.objectContaining({ path, message: expect.stringContaining(message) })]);
    });

    it('reports every problem at once', () => {
      const yaml = flow(A().replace('next: B', 'next: Z').replace('task_sync', 'task_later'), B('    next: B\n'));
      const result = parseRillDescriptor(yaml, ids);
      expect(result.ok ? [] : result.errors.map((e) => e.path)).toEqual(['tasks[0].pattern', 'tasks[0].next', 'tasks[1].next']);
    });

    it('reports one cycle per strongly connected group, not one per task in it', () => {
      const yaml = flow(A(), B('    next: A\n'), C('category: pass\nnext: D'), `  - {name: D, category: pass, next: C}\n`);
      const result = parseRillDescriptor(yaml, ids);
      expect(result.ok ? [] : result.errors).toEqual([
        expect.objectContaining({ path: 'tasks[0].next', message: 'next forms a cycle: A -> B -> A', invalidValue: ['A', 'B', 'A'] }),
        expect.objectContaining({ path: 'tasks[2].next', message: 'next forms a cycle: C -> D -> C' }),
      ]);
    });

    it('rejects the sample DAG of Rill Flow\'s own docs (user-guide/03-defination/01-flow.md): F and G point at each other', () => {
      const yaml = `
type: flow
dagName: sample_dag
tasks:
  - {name: A, next: "B,F", category: pass}
  - {name: B, next: C, category: pass}
  - {name: C, next: "D,E", category: pass}
  - {name: D, category: return, conditions: ["$.input.x"]}
  - {name: E, next: H, category: pass}
  - {name: F, next: G, category: pass}
  - {name: G, next: F, category: pass}
  - {name: H, category: return, conditions: ["$.input.x"]}
`;
      const result = parseRillDescriptor(yaml, ids);
      expect(result.ok ? [] : result.errors).toEqual([
        expect.objectContaining({ path: 'dagName', message: expect.stringContaining('does not match the feature_name') }),
        expect.objectContaining({ path: 'tasks[5].next', message: 'next forms a cycle: F -> G -> F' }),
      ]);
    });
  });
});

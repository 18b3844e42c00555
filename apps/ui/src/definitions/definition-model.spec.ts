import type { WorkflowDef } from '@app/contracts';
import { END_ID, START_ID, type Dag } from '../model/dag';
import { locateJsonPath } from '../model/json-locate';
import { wt } from '../model/testing/execution.fixtures';
import {
  definitionDag,
  definitionRows,
  duplicateOf,
  editorProblems,
  identityOf,
  isRillDescriptorId,
  matchesFilter,
  nextVersion,
  rillDiagramDef,
  rillRows,
  sampleInput,
  shortValue,
  taskIndex,
  templateDefinition,
  workflowIdOfRillExecution,
} from './definition-model';

const edgePairs = (dag: Dag) => dag.edges.map((e) => `${e.source}->${e.target}`).sort();
const notRun = (dag: Dag) => {
  expect(dag.nodes.filter((n) => n.status !== 'NOT_RUN')).toEqual([]);
  expect(dag.nodes.filter((n) => n.greyed || n.detached)).toEqual([]);
  expect(dag.edges.filter((e) => e.taken || e.greyed)).toEqual([]);
};
const def = (tasks: unknown[], extra: Record<string, unknown> = {}) => ({ name: 'wf', version: 1, tasks, ...extra });

describe('definitionRows', () => {
  it('one row per name, the latest version, every version newest first, by name', () => {
    const latest = [
      { name: 'b', version: 3, description: 'bee', ownerEmail: 'x@y.z', updateTime: 30, tasks: [] },
      { name: 'a', version: 1, createTime: 5, createdBy: 'ann', tasks: [] },
    ] as unknown as WorkflowDef[];
    const rows = definitionRows(latest, { b: [{ name: 'b', version: 1 }, { name: 'b', version: 3 }, { name: 'b', version: 2 }] });
    expect(rows.map((r) => [r.name, r.latest.version, r.versions, r.owner, r.updated, r.description])).toEqual([
      ['a', 1, [1], 'ann', 5, ''],
      ['b', 3, [3, 2, 1], 'x@y.z', 30, 'bee'],
    ]);
  });

  it('every version given (GET /api/metadata/workflow): the newest is the latest', () => {
    const rows = definitionRows([{ name: 'a', version: 1, tasks: [] }, { name: 'a', version: 4, tasks: [] }] as unknown as WorkflowDef[]);
    expect(rows).toHaveLength(1);
    expect(rows[0].latest.version).toBe(4);
  });
});

describe('matchesFilter', () => {
  it('every word, anywhere, any case', () => {
    expect(matchesFilter(['order_flow', 'Ships orders', 'ann@x'], 'ORDER ship')).toBe(true);
    expect(matchesFilter(['order_flow', undefined], 'order refund')).toBe(false);
    expect(matchesFilter(['x'], '  ')).toBe(true);
  });
});

describe('rillRows', () => {
  it('one row per DAG with its aliases and their versions', () => {
    const rows = rillRows([
      { businessId: 'shop', featureId: 'pay', alias: 'release', descriptorId: 'shop:pay:v2', updateTime: 10 },
      { businessId: 'shop', featureId: 'pay', alias: 'gray', descriptorId: 'shop:pay:v3', updateTime: 20 },
      { businessId: 'art', featureId: 'draw', alias: 'release', descriptorId: 'art:draw:v1' },
    ]);
    expect(rows).toEqual([
      { id: 'art:draw', aliases: [{ alias: 'release', version: 1 }], latestVersion: 1, updated: undefined },
      { id: 'shop:pay', aliases: [{ alias: 'gray', version: 3 }, { alias: 'release', version: 2 }], latestVersion: 3, updated: 20 },
    ]);
  });

  it('ids and execution ids', () => {
    expect([isRillDescriptorId('shop:pay'), isRillDescriptorId('order_flow'), isRillDescriptorId('a:b:c'), isRillDescriptorId('a b:c')]).toEqual([true, false, false, false]);
    expect(workflowIdOfRillExecution('shop:pay_c_0b6f3c2e-1d2a-4c43-9b7e-5f0f2a6c1d11')).toBe('0b6f3c2e-1d2a-4c43-9b7e-5f0f2a6c1d11');
  });
});

describe('definitionDag', () => {
  it('linear: start, the tasks, end; every node not run', () => {
    const dag = definitionDag(def([wt('a'), wt('b')]));
    expect(edgePairs(dag)).toEqual([`${START_ID}->a`, 'a->b', `b->${END_ID}`].sort());
    notRun(dag);
  });

  it('FORK_JOIN: the branches between the fork and its join', () => {
    const dag = definitionDag(def([wt('fork', { type: 'FORK_JOIN', forkTasks: [[wt('x1'), wt('x2')], [wt('y')]] }), wt('join', { type: 'JOIN', joinOn: ['x2', 'y'] })]));
    expect(edgePairs(dag)).toEqual([`${START_ID}->fork`, 'fork->x1', 'x1->x2', 'fork->y', 'x2->join', 'y->join', `join->${END_ID}`].sort());
    notRun(dag);
  });

  it('SWITCH: every case and the default, labelled, none greyed', () => {
    const dag = definitionDag(def([wt('sw', { type: 'SWITCH', decisionCases: { card: [wt('charge')], 'cash only': [wt('count')] }, defaultCase: [wt('reject')] }), wt('done')]));
    expect(dag.edges.filter((e) => e.source === 'sw').map((e) => e.label).sort()).toEqual(['card', 'cash only', 'default']);
    expect(edgePairs(dag)).toContain('reject->done');
    notRun(dag);
  });

  it('DO_WHILE: the body between the loop and its end, no iteration count', () => {
    const dag = definitionDag(def([wt('loop', { type: 'DO_WHILE', loopCondition: 'false', loopOver: [wt('step')] }), wt('after')]));
    expect(edgePairs(dag)).toEqual([`${START_ID}->loop`, 'loop->step', 'step->loop#end', 'loop#end->after', `after->${END_ID}`].sort());
    expect(dag.edges.find((e) => e.source === 'loop')?.label).toBeUndefined();
    notRun(dag);
  });

  it('SUB_WORKFLOW and dynamic forks: a node each, no child, no branches', () => {
    const dag = definitionDag(def([wt('child', { type: 'SUB_WORKFLOW', subWorkflowParam: { name: 'kid', version: 1 } }), wt('dyn', { type: 'FORK_JOIN_DYNAMIC' }), wt('join', { type: 'JOIN' })]));
    expect(dag.nodes.find((n) => n.id === 'child')).toMatchObject({ kind: 'sub-workflow' });
    expect(dag.nodes.find((n) => n.id === 'child')?.subWorkflowId).toBeUndefined();
    expect(edgePairs(dag)).toEqual([`${START_ID}->child`, 'child->dyn', 'dyn->join', `join->${END_ID}`].sort());
    notRun(dag);
  });

  it('graph flow: edges from next, none taken or greyed', () => {
    const tasks = [wt('fetch', { type: 'RILL_FUNCTION', next: ['route'] }), wt('route', { type: 'RILL_SWITCH', next: ['left', 'right'] }), wt('left', { next: ['merge'] }), wt('right', { next: ['merge'] }), wt('merge')];
    const dag = definitionDag(def(tasks, { flow: 'graph' }));
    expect(edgePairs(dag)).toEqual([`${START_ID}->fetch`, 'fetch->route', 'route->left', 'route->right', 'left->merge', 'right->merge', `merge->${END_ID}`].sort());
    notRun(dag);
  });

  it('half-written JSON draws what it can and never throws', () => {
    expect(edgePairs(definitionDag(null))).toEqual([`${START_ID}->${END_ID}`]);
    expect(edgePairs(definitionDag({ tasks: 'no' }))).toEqual([`${START_ID}->${END_ID}`]);
    const messy = def([1, null, { name: 'no ref' }, wt('a'), wt('a'), { taskReferenceName: 'b', forkTasks: 'x', decisionCases: [], loopOver: {} }, wt('c', { type: 'SWITCH', decisionCases: { x: 'y' } as never })]);
    expect(edgePairs(definitionDag(messy))).toEqual([`${START_ID}->a`, 'a->b', 'b->c', `c->${END_ID}`].sort());
    const graph = definitionDag(def([wt('a', { next: ['ghost', 3, 'b'] as unknown as string[] }), wt('b')], { flow: 'graph' }));
    expect(edgePairs(graph)).toEqual([`${START_ID}->a`, 'a->b', `b->${END_ID}`].sort());
  });
});

describe('taskIndex', () => {
  const nested = def([
    wt('fork', { type: 'FORK_JOIN', forkTasks: [[wt('x')], [wt('y1'), wt('y2')]] }),
    wt('sw', { type: 'SWITCH', decisionCases: { 'needs review': [wt('r')], ok: [wt('k')] }, defaultCase: [wt('d')] }),
    wt('loop', { type: 'DO_WHILE', loopOver: [wt('body')] }),
  ]);

  it('the path of every task, as the registry writes paths', () => {
    const paths = Object.fromEntries([...taskIndex(nested)].map(([ref, { path }]) => [ref, path]));
    expect(paths).toEqual({
      fork: 'tasks[0]',
      x: 'tasks[0].forkTasks[0][0]',
      y1: 'tasks[0].forkTasks[1][0]',
      y2: 'tasks[0].forkTasks[1][1]',
      sw: 'tasks[1]',
      r: 'tasks[1].decisionCases["needs review"][0]',
      k: 'tasks[1].decisionCases.ok[0]',
      d: 'tasks[1].defaultCase[0]',
      loop: 'tasks[2]',
      body: 'tasks[2].loopOver[0]',
    });
    expect(taskIndex(nested).get('y2')?.task).toMatchObject({ taskReferenceName: 'y2' });
  });

  it('each path finds its task in the pretty-printed JSON', () => {
    const text = JSON.stringify(nested, null, 2);
    const lines = text.split('\n');
    for (const [ref, { path }] of taskIndex(nested)) {
      const loc = locateJsonPath(text, path);
      expect(loc).toBeDefined();
      expect(lines[loc!.line - 1][loc!.column - 1]).toBe('{');
      expect(lines[loc!.line].trim()).toBe(`"name": "${ref}",`);
    }
  });
});

describe('rillDiagramDef', () => {
  it('the top-level tasks as a graph flow, typed by category', () => {
    const dag = { tasks: [{ name: 'a', category: 'function', next: ['b', 'c'] }, { name: 'b', category: 'choice', next: [], choices: [] }, { name: 'c', category: 'function', subFlow: { descriptorId: 'x:y' } }, { category: 'pass' }] };
    const graph = rillDiagramDef(dag);
    expect(graph.tasks.map((t) => [t.taskReferenceName, t.type, t.next])).toEqual([
      ['a', 'RILL_FUNCTION', ['b', 'c']],
      ['b', 'RILL_CHOICE', []],
      ['c', 'RILL_SUBFLOW', []],
    ]);
    const drawn = definitionDag(graph);
    expect(edgePairs(drawn)).toEqual([`${START_ID}->a`, 'a->b', 'a->c', `b->${END_ID}`, `c->${END_ID}`].sort());
    expect(drawn.nodes.find((n) => n.id === 'b')?.kind).toBe('switch');
    expect(rillDiagramDef(undefined).tasks).toEqual([]);
  });
});

describe('editorProblems', () => {
  const text = JSON.stringify(def([{ name: 'a', taskReferenceName: 'a' }, { name: 'b' }]), null, 2);
  const errors = [
    { path: 'tasks[1].taskReferenceName', message: 'WorkflowTask taskReferenceName name cannot be empty or null' },
    { path: 'tasks[0].name', message: 'bad name', invalidValue: 'a' },
  ];

  it('valid JSON and no answer yet: nothing', () => {
    expect(editorProblems(text)).toEqual({ problems: [] });
  });

  it("the API's errors at their paths, in line order; a missing field on the object lacking it", () => {
    const { syntax, problems } = editorProblems(text, { text, errors });
    expect(syntax).toBeUndefined();
    expect(problems.map((p) => [p.path, p.line, p.missing, p.stale])).toEqual([
      ['tasks[0].name', locateJsonPath(text, 'tasks[0].name')!.line, false, false],
      ['tasks[1].taskReferenceName', locateJsonPath(text, 'tasks[1]')!.line, true, false],
    ]);
  });

  it('follow the text as it is edited, marked stale', () => {
    const edited = `\n\n${text}`;
    const { problems } = editorProblems(edited, { text, errors });
    expect(problems.map((p) => [p.line, p.stale])).toEqual([
      [locateJsonPath(text, 'tasks[0].name')!.line + 2, true],
      [locateJsonPath(text, 'tasks[1]')!.line + 2, true],
    ]);
  });

  it('a syntax error on its line; the API errors then cannot be placed', () => {
    const broken = text.replace('"b"', '"b",');
    const { syntax, problems } = editorProblems(broken, { text, errors });
    // a trailing comma: shown at the comma
    expect(syntax).toMatchObject({ line: broken.split('\n').findIndex((l) => l.includes('"b",')) + 1 });
    expect(problems[0]).toMatchObject({ source: 'syntax', line: syntax!.line });
    expect(problems.slice(1).map((p) => [p.source, p.line, p.stale])).toEqual([
      ['server', undefined, true],
      ['server', undefined, true],
    ]);
  });
});

describe('small helpers', () => {
  it('sampleInput: the declared input parameters, empty', () => {
    expect(JSON.parse(sampleInput({ inputParameters: ['a', 'b'] }))).toEqual({ a: '', b: '' });
    expect(sampleInput(undefined)).toBe('{}');
  });

  it('nextVersion, identityOf, shortValue', () => {
    expect([nextVersion([1, 3, 2]), nextVersion([])]).toEqual([4, 1]);
    expect(identityOf({ name: 'x', version: 2 })).toEqual({ name: 'x', version: 2 });
    expect(identityOf([1])).toEqual({});
    expect(shortValue('x'.repeat(100), 10)).toBe(`"${'x'.repeat(8)}…`);
    expect(shortValue(undefined)).toBe('');
    expect(shortValue({ a: 1 })).toBe('{"a":1}');
  });

  it('duplicateOf: renamed, version 1, no audit fields', () => {
    const copy = duplicateOf({ name: 'a', version: 7, createTime: 1, updateTime: 2, createdBy: 'x', updatedBy: 'y', tasks: [wt('t')], ownerEmail: 'o@x' } as WorkflowDef);
    expect(copy).toEqual({ name: 'a_copy', version: 1, tasks: [wt('t')], ownerEmail: 'o@x' });
  });

  it('the template is a definition the diagram draws', () => {
    const t = templateDefinition();
    expect(t).toMatchObject({ version: 1, schemaVersion: 2 });
    expect(definitionDag(t).nodes.map((n) => n.id)).toContain('my_task_ref');
  });
});

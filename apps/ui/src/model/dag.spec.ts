import { dagOf, END_ID, START_ID, type Dag, type DagNode } from './dag';
import { execution, run, wt } from './testing/execution.fixtures';
import type { ExecutionTask } from './execution-types';

const node = (dag: Dag, id: string): DagNode => {
  const n = dag.nodes.find((x) => x.id === id);
  if (!n) throw new Error(`no node ${id} in ${dag.nodes.map((x) => x.id).join(', ')}`);
  return n;
};
const edge = (dag: Dag, source: string, target: string) => dag.edges.find((e) => e.source === source && e.target === target);
const edgePairs = (dag: Dag) => dag.edges.map((e) => `${e.source}->${e.target}`).sort();

describe('dagOf', () => {
  it('linear: a chain from start to end, each task with its live status', () => {
    const dag = dagOf(execution([wt('a'), wt('b'), wt('c')], [run('a', 'COMPLETED'), run('b', 'IN_PROGRESS')]));
    expect(edgePairs(dag)).toEqual([`${START_ID}->a`, 'a->b', 'b->c', `c->${END_ID}`].sort());
    expect([node(dag, 'a').status, node(dag, 'b').status, node(dag, 'c').status]).toEqual(['COMPLETED', 'IN_PROGRESS', 'NOT_RUN']);
    expect(edge(dag, 'a', 'b')?.taken).toBe(true);
    expect(edge(dag, 'b', 'c')?.taken).toBe(false);
    expect(node(dag, END_ID).status).toBe('NOT_RUN');
  });

  it('retries: the node shows the newest attempt and counts them', () => {
    const dag = dagOf(execution([wt('a')], [run('a', 'FAILED'), run('a', 'COMPLETED', { retryCount: 1 })], 'COMPLETED'));
    expect(node(dag, 'a')).toMatchObject({ status: 'COMPLETED', attempts: 2, taskId: expect.stringMatching(/^a#/) });
    expect(node(dag, END_ID).status).toBe('COMPLETED');
  });

  it('fork/join: every branch fans out from the fork and into the join', () => {
    const def = [wt('fork', { type: 'FORK_JOIN', forkTasks: [[wt('x1'), wt('x2')], [wt('y')]] }), wt('join', { type: 'JOIN', joinOn: ['x2', 'y'] }), wt('after')];
    const dag = dagOf(execution(def, [run('fork', 'COMPLETED', { taskType: 'FORK' }), run('x1', 'COMPLETED'), run('y', 'COMPLETED'), run('x2', 'IN_PROGRESS'), run('join', 'IN_PROGRESS', { taskType: 'JOIN' })]));
    expect(edgePairs(dag)).toEqual([`${START_ID}->fork`, 'fork->x1', 'x1->x2', 'fork->y', 'x2->join', 'y->join', 'join->after', `after->${END_ID}`].sort());
    expect(node(dag, 'fork').kind).toBe('fork');
    expect(node(dag, 'join').kind).toBe('join');
  });

  it('switch: the taken case is marked, the untaken ones greyed', () => {
    const def = [
      wt('sw', { type: 'SWITCH', evaluatorType: 'value-param', expression: 'kind', decisionCases: { card: [wt('charge')], cash: [wt('count')] }, defaultCase: [wt('reject')] }),
      wt('done'),
    ];
    const dag = dagOf(execution(def, [run('sw', 'COMPLETED', { taskType: 'SWITCH', outputData: { evaluationResult: ['card'], selectedCase: 'card' } }), run('charge', 'COMPLETED')]));
    expect(node(dag, 'charge').greyed).toBe(false);
    expect(node(dag, 'count').greyed).toBe(true);
    expect(node(dag, 'reject').greyed).toBe(true);
    expect(edge(dag, 'sw', 'charge')).toMatchObject({ label: 'card', taken: true, greyed: false });
    expect(edge(dag, 'sw', 'count')).toMatchObject({ label: 'cash', taken: false, greyed: true });
    expect(edge(dag, 'count', 'done')?.greyed).toBe(true);
    expect(edge(dag, 'charge', 'done')?.greyed).toBe(false);
  });

  it('switch not yet decided: no case greyed', () => {
    const def = [wt('sw', { type: 'SWITCH', decisionCases: { a: [wt('a')] }, defaultCase: [wt('b')] })];
    const dag = dagOf(execution(def, []));
    expect(dag.nodes.filter((n) => n.greyed)).toEqual([]);
  });

  it('switch falling to the default case greys every named case', () => {
    const def = [wt('sw', { type: 'SWITCH', decisionCases: { a: [wt('a')] }, defaultCase: [wt('b')] })];
    const dag = dagOf(execution(def, [run('sw', 'COMPLETED', { taskType: 'SWITCH', outputData: { evaluationResult: ['zzz'] } }), run('b', 'COMPLETED')]));
    expect([node(dag, 'a').greyed, node(dag, 'b').greyed]).toEqual([true, false]);
  });

  it('DO_WHILE of 20 iterations: the body drawn once, each task carrying its iterations', () => {
    const def = [wt('loop', { type: 'DO_WHILE', loopCondition: '$.loop.iteration < 20', loopOver: [wt('step'), wt('check')] }), wt('after')];
    const ran = [run('loop', 'COMPLETED', { taskType: 'DO_WHILE', iteration: 20 })];
    for (let i = 1; i <= 20; i++) ran.push(run(`step__${i}`, 'COMPLETED', { iteration: i, loopOverTask: true }), run(`check__${i}`, 'COMPLETED', { iteration: i, loopOverTask: true }));
    const dag = dagOf(execution(def, ran, 'COMPLETED'));
    expect(dag.nodes.filter((n) => n.detached)).toEqual([]);
    expect(node(dag, 'loop')).toMatchObject({ kind: 'loop', iterations: 20 });
    expect(node(dag, 'step').iterationRuns).toHaveLength(20);
    expect(node(dag, 'step').iterationRuns?.map((r) => r.iteration)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(node(dag, 'check')).toMatchObject({ status: 'COMPLETED', attempts: 1 });
    expect(edgePairs(dag)).toEqual([`${START_ID}->loop`, 'loop->step', 'step->check', 'check->loop#end', 'loop#end->after', `after->${END_ID}`].sort());
    expect(edge(dag, 'loop', 'step')?.label).toBe('×20');
    expect(node(dag, 'loop#end').status).toBe('COMPLETED');
  });

  it('dynamic fork of 50 branches: one node per forked task, all into the join', () => {
    const refs = Array.from({ length: 50 }, (_, i) => `_work_${i}`);
    const def = [wt('dyn', { type: 'FORK_JOIN_DYNAMIC', dynamicForkTasksParam: 'tasks', dynamicForkTasksInputParamName: 'inputs' }), wt('join', { type: 'JOIN' })];
    const ran = [run('dyn', 'COMPLETED', { taskType: 'FORK', inputData: { forkedTasks: refs } }), ...refs.map((r, i) => run(r, i < 10 ? 'IN_PROGRESS' : 'COMPLETED', { taskDefName: 'work' })), run('join', 'IN_PROGRESS', { taskType: 'JOIN' })];
    const dag = dagOf(execution(def, ran));
    const branches = dag.nodes.filter((n) => n.dynamic);
    expect(branches).toHaveLength(50);
    expect(branches.every((b) => b.label === 'work')).toBe(true);
    expect(dag.edges.filter((e) => e.source === 'dyn')).toHaveLength(50);
    expect(dag.edges.filter((e) => e.target === 'join')).toHaveLength(50);
    expect(dag.nodes.filter((n) => n.detached)).toEqual([]);
  });

  it('dynamic fork of 1,000 branches: grouped by status, the few failures drawn one by one, all into the join', () => {
    const refs = Array.from({ length: 1000 }, (_, i) => `_cell_${i}`);
    const status = (i: number): ExecutionTask['status'] => (i % 250 === 7 ? 'FAILED' : i >= 900 ? 'IN_PROGRESS' : 'COMPLETED');
    const def = [wt('dyn', { type: 'FORK_JOIN_DYNAMIC' }), wt('join', { type: 'JOIN' })];
    const ran = [run('dyn', 'COMPLETED', { taskType: 'FORK', inputData: { forkedTasks: refs } }), ...refs.map((r, i) => run(r, status(i), { taskDefName: 'cell' })), run('join', 'IN_PROGRESS', { taskType: 'JOIN' })];
    const dag = dagOf(execution(def, ran));
    const drawn = dag.nodes.filter((n) => n.dynamic);
    expect(drawn.map((n) => [n.id, n.kind, n.status, n.groupSize]).sort()).toEqual(
      [
        ['_cell_7', 'task', 'FAILED', undefined],
        ['_cell_257', 'task', 'FAILED', undefined],
        ['_cell_507', 'task', 'FAILED', undefined],
        ['_cell_757', 'task', 'FAILED', undefined],
        ['dyn::COMPLETED', 'branch-group', 'COMPLETED', 896],
        ['dyn::IN_PROGRESS', 'branch-group', 'IN_PROGRESS', 100],
      ].sort(),
    );
    expect(node(dag, 'dyn::COMPLETED')).toMatchObject({ label: '896 × cell', taskId: expect.any(String) });
    expect(node(dag, 'dyn::IN_PROGRESS').groupRefs).toHaveLength(100);
    expect(dag.edges.filter((e) => e.source === 'dyn')).toHaveLength(6);
    expect(dag.edges.filter((e) => e.target === 'join')).toHaveLength(6);
    // Grouped branches are not "detached" tasks.
    expect(dag.nodes.filter((n) => n.detached)).toEqual([]);
    expect(dag.nodes).toHaveLength(2 + 2 + 6);
  });

  it('dynamic fork not yet run: the fork leads straight to its join', () => {
    const dag = dagOf(execution([wt('dyn', { type: 'FORK_JOIN_DYNAMIC' }), wt('join', { type: 'JOIN' })], []));
    expect(edgePairs(dag)).toEqual([`${START_ID}->dyn`, 'dyn->join', `join->${END_ID}`].sort());
  });

  it('sub-workflow: the node names the child to open', () => {
    const def = [wt('child', { type: 'SUB_WORKFLOW', subWorkflowParam: { name: 'kid', version: 1 } })];
    const dag = dagOf(execution(def, [run('child', 'IN_PROGRESS', { taskType: 'SUB_WORKFLOW', subWorkflowId: 'wf-child' })]));
    expect(node(dag, 'child')).toMatchObject({ kind: 'sub-workflow', subWorkflowId: 'wf-child' });
  });

  it('SKIPPED tasks keep their place and status', () => {
    const dag = dagOf(execution([wt('a'), wt('b'), wt('c')], [run('a', 'COMPLETED'), run('b', 'SKIPPED'), run('c', 'COMPLETED')], 'COMPLETED'));
    expect(node(dag, 'b').status).toBe('SKIPPED');
    expect(edge(dag, 'b', 'c')?.taken).toBe(true);
  });

  it('graph flow: edges from next, roots after start, leaves before end, untaken next greyed', () => {
    const def = [
      wt('fetch', { type: 'RILL_FUNCTION', next: ['route'] }),
      wt('route', { type: 'RILL_SWITCH', next: ['left', 'right'] }),
      wt('left', { type: 'RILL_FUNCTION', next: ['merge'] }),
      wt('right', { type: 'RILL_FUNCTION', next: ['merge'] }),
      wt('merge', { type: 'RILL_PASS' }),
    ];
    const ran = [run('fetch', 'COMPLETED'), run('route', 'COMPLETED', { takenNext: ['left'] }), run('left', 'COMPLETED'), run('right', 'SKIPPED'), run('merge', 'IN_PROGRESS')];
    const dag = dagOf(execution(def, ran, 'RUNNING', { flow: 'graph' }));
    expect(edgePairs(dag)).toEqual([`${START_ID}->fetch`, 'fetch->route', 'route->left', 'route->right', 'left->merge', 'right->merge', `merge->${END_ID}`].sort());
    expect(edge(dag, 'route', 'left')).toMatchObject({ taken: true, greyed: false });
    expect(edge(dag, 'route', 'right')).toMatchObject({ taken: false, greyed: true });
    expect(node(dag, 'route').kind).toBe('switch');
    expect(node(dag, 'right').status).toBe('SKIPPED');
  });

  it('a task the definition does not place is shown detached', () => {
    const dag = dagOf(execution([wt('a')], [run('a', 'COMPLETED'), run('ghost', 'COMPLETED')]));
    expect(node(dag, 'ghost').detached).toBe(true);
    expect(dag.edges.some((e) => e.source === 'ghost' || e.target === 'ghost')).toBe(false);
  });

  it('is stable: the same execution gives the same graph', () => {
    const ex = execution([wt('a'), wt('b')], [run('a', 'COMPLETED')]);
    expect(dagOf(ex)).toEqual(dagOf(ex));
  });
});

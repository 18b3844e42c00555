import { RillMapping, RillTask, rillTaskTypeOf, TaskStatus, WorkflowDef, WorkflowFlow, WorkflowStatus, WorkflowTask, withWorkflowDefDefaults } from '@app/contracts';
import { commandsOf, completes, fails, reported, run, started, statuses, T0, taskOf, childEnded, timerFired } from '../testing/builders';
import { TimerKind } from '../timers';
import { decide } from '../decide';
import type { WorkflowRun } from '../workflow-run';
import { branchWorkflowIdOf } from './fan-out';

/** Rill Flow DAGs as the translation hands them to the engine: graph flows of RILL_* tasks. */

const map = (source: string, target: string, extra: Partial<RillMapping> = {}): RillMapping => ({ source, target, ...extra });

function rill(category: RillTask['category'], name: string, next: string[], extra: Record<string, unknown> = {}): RillTask {
  const base = { name, next, tolerance: false, inputMappings: [], outputMappings: [] };
  const byCategory: Record<string, Record<string, unknown>> = {
    function: { requestType: 'post', pattern: 'task_sync', successConditions: [], failConditions: [], retry: { maxRetryTimes: 0, intervalInSeconds: 0, multiplier: 1, conditions: [] }, resourceName: 'http://executor/x' },
    return: { conditions: [] },
    choice: { choices: [] },
    foreach: { iterationMapping: { collection: '$.input.items' }, tasks: [] },
    switch: { switches: [] },
    suspense: { conditions: [], interruptions: [] },
    pass: {},
  };
  return { ...base, category, ...byCategory[category], ...extra } as unknown as RillTask;
}

function node(task: RillTask, extra: Partial<WorkflowTask> = {}): WorkflowTask {
  return {
    name: task.name,
    taskReferenceName: task.name,
    type: rillTaskTypeOf(task),
    inputParameters: {},
    next: [...task.next],
    rill: task,
    optional: task.tolerance,
    taskDefinition: { name: task.name, retryCount: 0, retryDelaySeconds: 0, timeoutPolicy: 'RETRY' },
    ...extra,
  };
}

function dag(tasks: WorkflowTask[], extra: Partial<WorkflowDef> = {}): WorkflowDef {
  return withWorkflowDefDefaults({
    name: 'biz:feature',
    version: 1,
    tasks,
    flow: WorkflowFlow.Graph,
    rill: { descriptorId: 'biz:feature', version: 1, commonMapping: {}, serverUrl: 'http://baton:8080' },
    ...extra,
  });
}

const EXECUTION = 'biz:feature_c_00000000-0000-4000-8000-000000000001';
const submitted = (context: Record<string, unknown> = {}) => started(context, { correlationId: EXECUTION });

describe('graph flows (Rill Flow DAGs)', () => {
  // A → B, A → C, B → D, C → D: a diamond.
  const diamond = dag([node(rill('function', 'A', ['B', 'C'])), node(rill('function', 'B', ['D'])), node(rill('function', 'C', ['D'])), node(rill('function', 'D', []))]);

  it('starts what nothing leads to, runs a task once everything before it ended, and completes when all have', () => {
    const first = run(diamond, [[T0, submitted()]]);
    expect(statuses(first.state)).toEqual([['A', TaskStatus.Scheduled]]);
    const afterA = run(diamond, [[T0, submitted()], [T0 + 1, completes('A')]]);
    expect(statuses(afterA.state).map(([r]) => r)).toEqual(['A', 'B', 'C']);
    const afterB = run(diamond, [[T0, submitted()], [T0 + 1, completes('A')], [T0 + 2, completes('B')]]);
    expect(afterB.state.tasks.some((t) => t.referenceTaskName === 'D')).toBe(false);
    const done = run(diamond, [[T0, submitted()], [T0 + 1, completes('A')], [T0 + 2, completes('B')], [T0 + 3, completes('C')], [T0 + 4, completes('D')]]);
    expect(statuses(done.state).map(([, s]) => s)).toEqual(Array(4).fill(TaskStatus.Completed));
    expect(done.state.workflow.status).toBe(WorkflowStatus.Completed);
  });

  it('runs the demo DAG: inputs mapped from the context, outputs mapped back, the context is the result', () => {
    const demo = dag([
      node(rill('function', 'start_node', ['end_node'], { inputMappings: [map('$.context.left', '$.input.left'), map('$.context.right', '$.input.right')], outputMappings: [map('$.output.sum', '$.context.sum')] })),
      node(rill('function', 'end_node', [], { inputMappings: [map('$.context.sum', '$.input.sum')], outputMappings: [map('$.output.ok', '$.context.checked')] })),
    ]);
    const s = run(demo, [[T0, submitted({ left: 2, right: 3 })], [T0 + 1, completes('start_node', { sum: 5 })], [T0 + 2, completes('end_node', { ok: true })]]);
    expect(taskOf(s.state, 'start_node').inputData).toEqual({ left: 2, right: 3 });
    expect(taskOf(s.state, 'start_node').callbackUrl).toBe(`http://baton:8080/flow/trigger.json?execution_id=${encodeURIComponent(EXECUTION)}&task_name=start_node`);
    expect(taskOf(s.state, 'end_node').inputData).toEqual({ sum: 5 });
    expect(s.state.workflow).toMatchObject({ status: WorkflowStatus.Completed, variables: { left: 2, right: 3, sum: 5, checked: true }, output: { left: 2, right: 3, sum: 5, checked: true } });
  });

  it('fails a function whose result_type is not SUCCESS, or whose successConditions do not hold, retrying per its retry', () => {
    const def = dag([
      node(rill('function', 'call', [], { successConditions: ["$.output.[?(@.code == 0)]"] }), { taskDefinition: { name: 'call', retryCount: 1, retryDelaySeconds: 0, timeoutPolicy: 'RETRY' } }),
    ]);
    const s = run(def, [[T0, submitted()], [T0 + 1, completes('call', { code: 7 })]]);
    expect(statuses(s.state)).toEqual([['call', TaskStatus.Failed], ['call', TaskStatus.Scheduled]]);
    expect(s.state.tasks[0].reasonForIncompletion).toContain('successConditions');
    const again = run(def, [[T0, submitted()], [T0 + 1, completes('call', { code: 7 })], [T0 + 2, completes('call', { code: 0 })]]);
    expect(again.state.workflow.status).toBe(WorkflowStatus.Completed);

    const typed = dag([node(rill('function', 'call', []))]);
    const failed = run(typed, [[T0, submitted()], [T0 + 1, completes('call', { result_type: 'FAILED' })]]);
    expect(failed.state.workflow.status).toBe(WorkflowStatus.Failed);
  });

  it('tolerates a failure of a tolerant task (SKIPPED in Rill Flow) and goes on', () => {
    const def = dag([node(rill('function', 'flaky', ['after'], { tolerance: true })), node(rill('pass', 'after', []))]);
    const s = run(def, [[T0, submitted()], [T0 + 1, fails('flaky')]]);
    expect(statuses(s.state)).toEqual([['flaky', TaskStatus.CompletedWithErrors], ['after', TaskStatus.Completed]]);
    expect(s.state.workflow.status).toBe(WorkflowStatus.Completed);
  });

  it('holds an async function RUNNING after the engine made the call, until its callback', () => {
    const def = dag([node(rill('function', 'job', [], { pattern: 'task_async' }), { asyncComplete: true })]);
    const s = run(def, [[T0, submitted()], [T0 + 1, (st) => ({ type: 'task.result', byEngine: true, result: { workflowInstanceId: st.workflow.workflowId, taskId: taskOf(st, 'job').taskId, status: 'COMPLETED', outputData: { result_type: 'SUCCESS' } } })]]);
    expect(taskOf(s.state, 'job').status).toBe(TaskStatus.InProgress);
    const done = decide(def, s.state, reported(taskOf(s.state, 'job').taskId, 'COMPLETED', { outputData: { answer: 42 } }), T0 + 2);
    expect(done.state.workflow.status).toBe(WorkflowStatus.Completed);
  });

  it('switch: takes the branches whose conditions hold (up to a break); what only an untaken one leads to is skipped', () => {
    // route → (big | small); big → report; small → report; route → audit (always).
    const def = dag([
      node(
        rill('switch', 'route', ['big', 'small'], {
          inputMappings: [map('$.context.n', '$.input.n')],
          switches: [
            { condition: '$.input.[?(@.n > 10)]', next: ['big'], break: true },
            { condition: '$.input.[?(@.n >= 0)]', next: ['small'] },
          ],
        }),
      ),
      node(rill('pass', 'big', ['report'])),
      node(rill('pass', 'small', ['report'])),
      node(rill('pass', 'report', [])),
    ]);
    const big = run(def, [[T0, submitted({ n: 50 })]]);
    expect(statuses(big.state)).toEqual([['route', TaskStatus.Completed], ['big', TaskStatus.Completed], ['small', TaskStatus.Skipped], ['report', TaskStatus.Completed]]);
    expect(big.state.workflow.status).toBe(WorkflowStatus.Completed);
    const small = run(def, [[T0, submitted({ n: 5 })]]);
    expect(statuses(small.state)).toEqual([['route', TaskStatus.Completed], ['big', TaskStatus.Skipped], ['small', TaskStatus.Completed], ['report', TaskStatus.Completed]]);
    const none = run(def, [[T0, submitted({ n: -1 })]]);
    expect(statuses(none.state)).toEqual([['route', TaskStatus.Completed], ['big', TaskStatus.Skipped], ['small', TaskStatus.Skipped], ['report', TaskStatus.Skipped]]);
    expect(none.state.workflow.status).toBe(WorkflowStatus.Completed);
  });

  it('return: when its conditions hold, what follows it is skipped; otherwise it passes', () => {
    const def = dag([node(rill('return', 'stop', ['work'], { inputMappings: [map('$.context.done', '$.input.done')], conditions: ['$.input.[?(@.done == true)]'] })), node(rill('function', 'work', []))]);
    const returned = run(def, [[T0, submitted({ done: true })]]);
    expect(statuses(returned.state)).toEqual([['stop', TaskStatus.Completed], ['work', TaskStatus.Skipped]]);
    expect(returned.state.workflow.status).toBe(WorkflowStatus.Completed);
    const passed = run(def, [[T0, submitted({ done: false })]]);
    expect(statuses(passed.state)).toEqual([['stop', TaskStatus.Completed], ['work', TaskStatus.Scheduled]]);
  });

  it('suspense: waits until a wake-up makes its conditions hold; an interruption fails it', () => {
    const def = dag([
      node(rill('suspense', 'approval', ['go'], { inputMappings: [map('$.context.approved', '$.input.approved')], conditions: ['$.input.[?(@.approved == true)]'], interruptions: ['$.input.[?(@.approved == false)]'] })),
      node(rill('pass', 'go', [])),
    ]);
    const waiting = run(def, [[T0, submitted()], [T0 + 1, { type: 'rill.wake-up', taskRefName: 'approval', context: { note: 'later' } }]]);
    expect(taskOf(waiting.state, 'approval').status).toBe(TaskStatus.InProgress);
    expect(waiting.state.workflow.variables).toEqual({ note: 'later' });
    const woken = decide(def, waiting.state, { type: 'rill.wake-up', taskRefName: 'approval', context: { approved: true } }, T0 + 2);
    expect(statuses(woken.state)).toEqual([['approval', TaskStatus.Completed], ['go', TaskStatus.Completed]]);
    const interrupted = decide(def, waiting.state, { type: 'rill.wake-up', taskRefName: 'approval', context: { approved: false } }, T0 + 2);
    expect(interrupted.state.workflow.status).toBe(WorkflowStatus.Failed);
    expect(taskOf(interrupted.state, 'approval').reasonForIncompletion).toBe('interruption');
    expect(decide(def, woken.state, { type: 'rill.wake-up', taskRefName: 'approval', context: {} }, T0 + 3).rejection).toMatchObject({ code: 'TASK_NOT_FOUND' });
  });

  it('a suspense without conditions is woken by the call that names it', () => {
    const def = dag([node(rill('suspense', 'wait', []))]);
    const s = run(def, [[T0, submitted()], [T0 + 1, { type: 'rill.wake-up', taskRefName: 'wait', context: { x: 1 } }]]);
    expect(s.state.workflow).toMatchObject({ status: WorkflowStatus.Completed, variables: { x: 1 } });
  });

  it('sub-flow: starts the child DAG with its input as context; flow_sync takes the child context as output', () => {
    const child = dag([node(rill('pass', 'inner', []))], { name: 'biz:child', rill: { descriptorId: 'biz:child', version: 2, commonMapping: {}, serverUrl: 'http://baton:8080' } });
    const parent = dag([
      node(rill('function', 'sub', [], { subFlow: { descriptorId: 'biz:child', mode: 'sync' }, inputMappings: [map('$.context.x', '$.input.x')], outputMappings: [map('$.output.y', '$.context.y')] }), {
        subWorkflowParam: { name: 'biz:child', version: 2, workflowDefinition: child },
      }),
    ]);
    const s = run(parent, [[T0, submitted({ x: 1 })]]);
    const [start] = commandsOf(s.commands, 'child.start');
    const sub = taskOf(s.state, 'sub');
    expect(start).toMatchObject({ name: 'biz:child', input: { x: 1 }, correlationId: `biz:child_c_${sub.subWorkflowId}`, parent: { taskId: sub.taskId } });
    const done = decide(parent, s.state, childEnded(sub.taskId, sub.subWorkflowId as string, WorkflowStatus.Completed, { x: 1, y: 9 }), T0 + 1);
    expect(done.state.workflow).toMatchObject({ status: WorkflowStatus.Completed, variables: { x: 1, y: 9 } });

    const asyncParent = dag([node(rill('function', 'sub', [], { subFlow: { descriptorId: 'biz:child', mode: 'async' } }), { subWorkflowParam: { name: 'biz:child', workflowDefinition: child } })]);
    const fired = run(asyncParent, [[T0, submitted()]]);
    expect(commandsOf(fired.commands, 'child.start')[0]).not.toHaveProperty('parent');
    expect(fired.state.workflow.status).toBe(WorkflowStatus.Completed);
  });

  it('calls back when the execution ends, with its status and context', () => {
    const def = dag([node(rill('pass', 'only', []))], { rill: { descriptorId: 'biz:feature', version: 1, commonMapping: {}, serverUrl: 'http://baton', callbackUrl: 'http://client/done' } });
    const s = run(def, [[T0, submitted({ a: 1 })]]);
    expect(commandsOf(s.commands, 'callback.send')).toEqual([{ type: 'callback.send', url: 'http://client/done', body: { execution_id: EXECUTION, descriptor_id: 'biz:feature', dag_status: 'succeed', context: { a: 1 } } }]);
  });

  it('fails a task whose input mapping that does not tolerate errors fails', () => {
    const def = dag([node(rill('pass', 'strict', [], { inputMappings: [map('$.context.missing.deep', '$.input.x', { tolerance: false })] }))]);
    const s = run(def, [[T0, submitted()]]);
    expect(taskOf(s.state, 'strict').status).toBe(TaskStatus.FailedWithTerminalError);
    expect(s.state.workflow.status).toBe(WorkflowStatus.Failed);
  });

  it("timeouts: the DAG's timer times the workflow out; a task's timeline fails it, or skips it when it is tolerant", () => {
    const timed = dag([node(rill('suspense', 'wait', []))], { timeoutSeconds: 60, timeoutPolicy: 'TIME_OUT_WF' });
    const s = run(timed, [[T0, submitted()]]);
    expect(commandsOf(s.commands, 'timer.set').map((c) => [c.kind, c.dueAt])).toContainEqual([TimerKind.WorkflowTimeout, T0 + 60_000]);
    expect(run(timed, [[T0, submitted()], [T0 + 60_000, timerFired(TimerKind.WorkflowTimeout)]]).state.workflow.status).toBe(WorkflowStatus.TimedOut);

    const wait = (tolerance: boolean) =>
      dag([node(rill('suspense', 'wait', ['after'], { tolerance, conditions: ['$.context.[?(@.go == true)]'] }), { taskDefinition: { name: 'wait', retryCount: 0, timeoutSeconds: 5, timeoutPolicy: 'RETRY' } }), node(rill('pass', 'after', []))]);
    const strict = run(wait(false), [[T0, submitted()], [T0 + 5000, (st) => timerFired(TimerKind.TaskTimeout, taskOf(st, 'wait').taskId)]]);
    expect(taskOf(strict.state, 'wait').status).toBe(TaskStatus.TimedOut);
    // TIMED_OUT: Rill Flow's dag_status "failed".
    expect(strict.state.workflow.status).toBe(WorkflowStatus.TimedOut);
    const tolerant = run(wait(true), [[T0, submitted()], [T0 + 5000, (st) => timerFired(TimerKind.TaskTimeout, taskOf(st, 'wait').taskId)]]);
    expect(statuses(tolerant.state)).toEqual([['wait', TaskStatus.CompletedWithErrors], ['after', TaskStatus.Completed]]);
    expect(tolerant.state.workflow.status).toBe(WorkflowStatus.Completed);
  });

  describe('fan-outs: choice and foreach run their bodies as child workflows', () => {
    const body = dag([node(rill('pass', 'inner', []))], { name: 'biz:feature:each[0]' });
    const branchEnds = (ref: string, index: number, output: Record<string, unknown>, status: WorkflowStatus = WorkflowStatus.Completed) => (st: WorkflowRun) => {
      const t = taskOf(st, ref);
      return childEnded(t.taskId, branchWorkflowIdOf(t, index), status, output);
    };

    it('foreach: one child per element, at most maxConcurrency at once, sub_context in order, mapped out', () => {
      const def = dag([
        node(
          rill('foreach', 'each', ['after'], {
            inputMappings: [map('$.context.items', '$.input.items')],
            iterationMapping: { collection: '$.input.items', item: 'element', index: 'i' },
            synchronization: { conditions: [], maxConcurrency: 2 },
            outputMappings: [map('$.output.sub_context.[*].element', '$.context.seen')],
          }),
          { bodies: [body] },
        ),
        node(rill('pass', 'after', [])),
      ]);
      const s = run(def, [[T0, submitted({ items: ['a', 'b', 'c'] })]]);
      const starts = commandsOf(s.commands, 'child.start');
      expect(starts.map((c) => c.input)).toEqual([
        { items: ['a', 'b', 'c'], element: 'a', i: 0 },
        { items: ['a', 'b', 'c'], element: 'b', i: 1 },
      ]);
      expect(starts[0]).toMatchObject({ name: 'biz:feature:each[0]', correlationId: `biz:feature_c_${starts[0].childWorkflowId}`, parent: { taskId: taskOf(s.state, 'each').taskId } });
      // The second ends first: the third starts; all three end: the foreach completes with each context in order.
      const more = run(def, [[T0, submitted({ items: ['a', 'b', 'c'] })], [T0 + 1, branchEnds('each', 1, { element: 'b', n: 2 })]]);
      expect(commandsOf(more.last, 'child.start').map((c) => c.input)).toEqual([{ items: ['a', 'b', 'c'], element: 'c', i: 2 }]);
      const done = run(def, [
        [T0, submitted({ items: ['a', 'b', 'c'] })],
        [T0 + 1, branchEnds('each', 1, { element: 'b' })],
        [T0 + 2, branchEnds('each', 0, { element: 'a' })],
        [T0 + 3, branchEnds('each', 1, { element: 'b' })],
        [T0 + 4, branchEnds('each', 2, { element: 'c' })],
      ]);
      expect(taskOf(done.state, 'each').outputData.sub_context).toEqual([{ element: 'a' }, { element: 'b' }, { element: 'c' }]);
      expect(done.state.workflow).toMatchObject({ status: WorkflowStatus.Completed, variables: { seen: ['a', 'b', 'c'] } });
    });

    it('foreach: an empty collection completes at once; a collection that is not a list fails; a failed iteration fails it and stops the others', () => {
      const def = dag([node(rill('foreach', 'each', [], { iterationMapping: { collection: '$.input.items' }, inputMappings: [map('$.context.items', '$.input.items')] }), { bodies: [body] })]);
      expect(run(def, [[T0, submitted({ items: [] })]]).state.workflow.status).toBe(WorkflowStatus.Completed);
      const notList = run(def, [[T0, submitted({ items: 'abc' })]]);
      expect(taskOf(notList.state, 'each')).toMatchObject({ status: TaskStatus.FailedWithTerminalError, reasonForIncompletion: expect.stringContaining('not a list') });
      const failed = run(def, [[T0, submitted({ items: [1, 2, 3] })], [T0 + 1, branchEnds('each', 1, {}, WorkflowStatus.Failed)]]);
      expect(failed.state.workflow.status).toBe(WorkflowStatus.Failed);
      const t = taskOf(failed.state, 'each');
      expect(commandsOf(failed.last, 'child.terminate').map((c) => c.childWorkflowId).sort()).toEqual([branchWorkflowIdOf(t, 0), branchWorkflowIdOf(t, 2)].sort());
    });

    it('choice: runs the branch of every choice whose condition holds over the input; none chosen completes at once', () => {
      const small = dag([node(rill('pass', 'x', []))], { name: 'biz:feature:pick[0]' });
      const big = dag([node(rill('pass', 'y', []))], { name: 'biz:feature:pick[1]' });
      const def = dag([
        node(
          rill('choice', 'pick', [], {
            inputMappings: [map('$.context.n', '$.input.n')],
            choices: [
              { condition: '$.input[?(@.n < 10)]', tasks: [] },
              { condition: '$.input[?(@.n >= 5)]', tasks: [] },
            ],
          }),
          { bodies: [small, big] },
        ),
      ]);
      expect(commandsOf(run(def, [[T0, submitted({ n: 7 })]]).commands, 'child.start').map((c) => c.name)).toEqual(['biz:feature:pick[0]', 'biz:feature:pick[1]']);
      expect(commandsOf(run(def, [[T0, submitted({ n: 50 })]]).commands, 'child.start').map((c) => c.name)).toEqual(['biz:feature:pick[1]']);
      const done = run(def, [[T0, submitted({ n: 50 })], [T0 + 1, branchEnds('pick', 0, { n: 50, y: 1 })]]);
      expect(taskOf(done.state, 'pick').outputData.sub_context).toEqual([{ n: 50, y: 1 }]);
      expect(done.state.workflow.status).toBe(WorkflowStatus.Completed);
      const none = dag([node(rill('choice', 'pick', [], { choices: [{ condition: '$.input[?(@.n > 0)]', tasks: [] }] }), { bodies: [small] })]);
      expect(run(none, [[T0, submitted()]]).state.workflow.status).toBe(WorkflowStatus.Completed);
    });
  });
});

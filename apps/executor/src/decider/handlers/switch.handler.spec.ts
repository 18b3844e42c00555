import { TaskStatus, WorkflowStatus, WorkflowTask } from '@app/contracts';
import { decide } from '../decide';
import { loadTestEvaluators } from '../testing/evaluators';
import { aDefinition, aSimpleTask, aTask, commandsOf, completes, reported, run, shorthand, started, statuses, T0, taskOf, useEvaluators } from '../testing/builders';

/** A value-param SWITCH on the workflow input `kind`. */
const aSwitch = (ref: string, decisionCases: Record<string, WorkflowTask[]>, defaultCase?: WorkflowTask[], extra: Partial<WorkflowTask> = {}): WorkflowTask =>
  aTask('SWITCH', ref, {
    evaluatorType: 'value-param',
    expression: 'kind',
    inputParameters: { kind: '${workflow.input.kind}' },
    decisionCases,
    ...(defaultCase ? { defaultCase } : {}),
    ...extra,
  });

const routed = aDefinition([
  aSwitch(
    'route',
    {
      a: [aSimpleTask('a1'), aSimpleTask('a2')],
      b: [aSimpleTask('b1')],
      empty: [],
      null: [aSimpleTask('n1')],
      '7': [aSimpleTask('seven')],
      true: [aSimpleTask('yes')],
    },
    [aSimpleTask('d1')],
  ),
  aSimpleTask('after', { from: '${route.output.selectedCase}' }),
]);

describe('SWITCH (value-param): choosing a case', () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    ['a matching case', { kind: 'a' }, 'a', 'a1'],
    ['another matching case', { kind: 'b' }, 'b', 'b1'],
    ['no matching case: defaultCase', { kind: 'zzz' }, 'zzz', 'd1'],
    ['a null value: case "null"', { kind: null }, 'null', 'n1'],
    ['a missing value: case "null"', {}, 'null', 'n1'],
    ['a number: its text', { kind: 7 }, '7', 'seven'],
    ['a boolean: its text', { kind: true }, 'true', 'yes'],
    ['an explicitly empty case: nothing, the flow goes on after the switch', { kind: 'empty' }, 'empty', 'after'],
  ])('%s', (_, input, selected, firstScheduled) => {
    const { state, last } = run(routed, [[T0, started(input)]]);

    expect(statuses(state)).toEqual([
      ['route', TaskStatus.Completed],
      [firstScheduled, TaskStatus.Scheduled],
    ]);
    expect(taskOf(state, 'route').outputData).toEqual({ evaluationResult: [selected], selectedCase: selected });
    expect(shorthand(state, last)).toEqual(['start.success:route#0', `produce.success:${firstScheduled}#0`, `queue.push:${firstScheduled}#0`, 'workflow.started']);
  });

  it('is a task of type SWITCH that completes at once, recording the case in its input and output', () => {
    const { state } = run(routed, [[T0, started({ kind: 'a' })]]);

    expect(taskOf(state, 'route')).toMatchObject({
      taskType: 'SWITCH',
      status: TaskStatus.Completed,
      seq: 1,
      inputData: { kind: 'a', case: 'a' },
      outputData: { evaluationResult: ['a'], selectedCase: 'a' },
      scheduledTime: T0,
      startTime: T0,
      endTime: T0,
      executed: true,
    });
  });

  it('runs what follows the switch only after the last task of the chosen case completes', () => {
    const steps = [[T0, started({ kind: 'a' })], [T0 + 1000, completes('a1')]] as const;

    const afterA1 = run(routed, steps);
    expect(statuses(afterA1.state)).toEqual([
      ['route', TaskStatus.Completed],
      ['a1', TaskStatus.Completed],
      ['a2', TaskStatus.Scheduled],
    ]);

    const afterA2 = run(routed, [...steps, [T0 + 2000, completes('a2')]]);
    expect(statuses(afterA2.state)).toEqual([
      ['route', TaskStatus.Completed],
      ['a1', TaskStatus.Completed],
      ['a2', TaskStatus.Completed],
      ['after', TaskStatus.Scheduled],
    ]);
    expect(taskOf(afterA2.state, 'after').inputData).toEqual({ from: 'a' });
    // (start.begin: the result arrived before the lease notice, so it starts the task first.)
    expect(shorthand(afterA2.state, afterA2.last)).toEqual(['start.begin:a2#0', 'start.success:a2#0', 'queue.remove:a2#0', 'produce.success:after#0', 'queue.push:after#0']);
    expect(commandsOf(afterA2.commands, 'queue.push').filter((c) => c.taskId === taskOf(afterA2.state, 'after').taskId)).toHaveLength(1);
  });

  it('continues after the switch when no case matches and there is no defaultCase', () => {
    const def = aDefinition([aSwitch('route', { a: [aSimpleTask('a1')] }), aSimpleTask('after')]);

    const { state } = run(def, [[T0, started({ kind: 'b' })]]);

    expect(statuses(state)).toEqual([
      ['route', TaskStatus.Completed],
      ['after', TaskStatus.Scheduled],
    ]);
  });

  it("completes the workflow when the switch is the last task and its case's last task completes", () => {
    const def = aDefinition([aSwitch('route', { a: [aSimpleTask('a1')] })]);

    const running = run(def, [[T0, started({ kind: 'a' })]]);
    expect(running.state.workflow.status).toBe(WorkflowStatus.Running);

    const { state, last } = run(def, [
      [T0, started({ kind: 'a' })],
      [T0 + 500, completes('a1', { answer: 42 })],
    ]);
    expect(state.workflow).toMatchObject({ status: WorkflowStatus.Completed, endTime: T0 + 500, output: { answer: 42 } });
    expect(last[last.length - 1]).toEqual({ type: 'emit.workflow', eventType: 'workflow.completed' });
  });

  it('completes the workflow at once when the switch is the last task and its chosen case is empty', () => {
    const def = aDefinition([aSwitch('route', { a: [aSimpleTask('a1')], skip: [] })]);

    const { state, last } = run(def, [[T0, started({ kind: 'skip' })]]);

    expect(statuses(state)).toEqual([['route', TaskStatus.Completed]]);
    expect(state.workflow.status).toBe(WorkflowStatus.Completed);
    expect(shorthand(state, last)).toEqual(['start.success:route#0', 'timer.cancel-all', 'workflow.started', 'workflow.completed']);
  });

  it('nests: a switch inside a case hands back to the outer case, which hands back to what follows', () => {
    const def = aDefinition([
      aSwitch('outer', { a: [aSwitch('inner', { x: [aSimpleTask('x1')] }, undefined, { expression: 'sub', inputParameters: { sub: '${workflow.input.sub}' } }), aSimpleTask('a_last')] }),
      aSimpleTask('after'),
    ]);

    const { state } = run(def, [
      [T0, started({ kind: 'a', sub: 'x' })],
      [T0 + 1, completes('x1')],
      [T0 + 2, completes('a_last')],
    ]);

    expect(statuses(state)).toEqual([
      ['outer', TaskStatus.Completed],
      ['inner', TaskStatus.Completed],
      ['x1', TaskStatus.Completed],
      ['a_last', TaskStatus.Completed],
      ['after', TaskStatus.Scheduled],
    ]);
  });

  it('runs the next task once a failed task of the case is retried and completes', () => {
    const def = aDefinition([aSwitch('route', { a: [aSimpleTask('a1', {}, { retryCount: 1 })] }), aSimpleTask('after')]);

    const { state } = run(def, [
      [T0, started({ kind: 'a' })],
      [T0 + 1, (s) => reported(taskOf(s, 'a1').taskId, 'FAILED')],
      [T0 + 70_000, completes('a1')],
    ]);

    expect(statuses(state)).toEqual([
      ['route', TaskStatus.Completed],
      ['a1', TaskStatus.Failed],
      ['a1', TaskStatus.Completed],
      ['after', TaskStatus.Scheduled],
    ]);
  });

  it('acknowledges and ignores a task result for a SWITCH, which completed when it was reached', () => {
    const { state } = run(routed, [[T0, started({ kind: 'a' })]]);

    const decision = decide(routed, state, reported(taskOf(state, 'route').taskId, 'FAILED'), T0 + 1);

    expect(decision.rejection).toBeUndefined();
    expect(decision.state).toBe(state);
    expect(decision.commands).toEqual([]);
  });
});

describe('DECISION (deprecated) with caseValueParam', () => {
  const decision = (decisionCases: Record<string, WorkflowTask[]>, defaultCase?: WorkflowTask[]): WorkflowTask =>
    aTask('DECISION', 'decide', { caseValueParam: 'kind', inputParameters: { kind: '${workflow.input.kind}' }, decisionCases, ...(defaultCase ? { defaultCase } : {}) });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['a matching case', { kind: 'a' }, 'a', 'a1'],
    ['no matching case: defaultCase', { kind: 'q' }, 'q', 'd1'],
    ['a null value: case "null"', { kind: null }, 'null', 'd1'],
    // Conductor's DecisionTaskMapper falls back to the defaultCase when the matched case is empty.
    ['an empty matched case: defaultCase', { kind: 'empty' }, 'empty', 'd1'],
  ])('%s', (_, input, selected, firstScheduled) => {
    const def = aDefinition([decision({ a: [aSimpleTask('a1')], empty: [] }, [aSimpleTask('d1')]), aSimpleTask('after')]);

    const { state } = run(def, [[T0, started(input)]]);

    expect(taskOf(state, 'decide')).toMatchObject({
      taskType: 'DECISION',
      status: TaskStatus.Completed,
      inputData: { kind: input.kind ?? null, case: selected },
      outputData: { caseOutput: [selected] },
    });
    expect(statuses(state)).toEqual([
      ['decide', TaskStatus.Completed],
      [firstScheduled, TaskStatus.Scheduled],
    ]);
  });

  it('continues after the decision when an empty case matches and there is no defaultCase', () => {
    const def = aDefinition([decision({ a: [aSimpleTask('a1')], empty: [] }), aSimpleTask('after')]);

    const { state } = run(def, [[T0, started({ kind: 'empty' })]]);

    expect(statuses(state)).toEqual([
      ['decide', TaskStatus.Completed],
      ['after', TaskStatus.Scheduled],
    ]);
  });
});

describe('SWITCH and DECISION with a javascript expression', () => {
  beforeAll(async () => useEvaluators(await loadTestEvaluators()));

  const byScript = (extra: Partial<WorkflowTask>) =>
    aDefinition([
      aTask('SWITCH', 'route', {
        inputParameters: { amount: '${workflow.input.amount}' },
        decisionCases: { big: [aSimpleTask('review')], small: [aSimpleTask('auto')] },
        defaultCase: [aSimpleTask('fallback')],
        ...extra,
      }),
    ]);

  it.each<[string, Partial<WorkflowTask>, number, string, string]>([
    ['javascript', { evaluatorType: 'javascript', expression: "$.amount > 100 ? 'big' : 'small'" }, 500, 'big', 'review'],
    ['graaljs', { evaluatorType: 'graaljs', expression: "$.amount > 100 ? 'big' : 'small'" }, 5, 'small', 'auto'],
    ['a number result, as its text', { evaluatorType: 'javascript', expression: '$.amount * 2' }, 3, '6', 'fallback'],
    ['DECISION caseExpression', { type: 'DECISION', caseExpression: "$.amount > 100 ? 'big' : 'small'" } as Partial<WorkflowTask>, 500, 'big', 'review'],
  ])('picks the case %s names', (_, extra, amount, selected, first) => {
    const { state } = run(byScript(extra), [[T0, started({ amount })]]);

    expect(taskOf(state, 'route').inputData.case).toBe(selected);
    expect(statuses(state)[1]).toEqual([first, TaskStatus.Scheduled]);
  });

  it('fails the task, and the workflow, when the expression fails', () => {
    const { state } = run(byScript({ evaluatorType: 'javascript', expression: 'nope.nope' }), [[T0, started({ amount: 1 })]]);

    expect(taskOf(state, 'route')).toMatchObject({ status: TaskStatus.Failed });
    expect(taskOf(state, 'route').reasonForIncompletion).toMatch(/^Error evaluating the expression: /);
    expect(state.workflow.status).toBe(WorkflowStatus.Failed);
  });
});

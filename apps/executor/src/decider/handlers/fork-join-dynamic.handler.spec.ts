import { isFromDefinition, Task, TaskStatus, withDefinitionParts, withoutDefinitionParts, withTaskDefDefaults, WorkflowStatus, WorkflowTask } from '@app/contracts';
import { NO_EVALUATORS } from '../evaluators';
import { decide } from '../decide';
import type { WorkflowRun } from '../workflow-run';
import { loadTestEvaluators } from '../testing/evaluators';
import { aDefinition, aSimpleTask, aTask, childEnded, commandsOf, completes, fails, run, started, statuses, T0, taskOf, useEvaluators } from '../testing/builders';

/** A dynamic fork over the workflow input `tasks` / `inputs`, its JOIN, and a task after them. */
const byParam = aDefinition([
  aTask('FORK_JOIN_DYNAMIC', 'fan', {
    dynamicForkTasksParam: 'tasks',
    dynamicForkTasksInputParamName: 'inputs',
    inputParameters: { tasks: '${workflow.input.tasks}', inputs: '${workflow.input.inputs}' },
  }),
  aTask('JOIN', 'gather'),
  aSimpleTask('after', { all: '${gather.output}' }),
]);

const branch = (ref: string, extra: Partial<WorkflowTask> = {}): WorkflowTask => ({ name: `${ref}_task`, taskReferenceName: ref, type: 'SIMPLE', ...extra });

describe('FORK_JOIN_DYNAMIC', () => {
  it('forks the given tasks with their inputs, records them on the FORK, and the JOIN waits for exactly those', () => {
    const { state } = run(byParam, [[T0, started({ tasks: [branch('a'), branch('b')], inputs: { a: { n: 1 }, b: { n: 2 } } })]]);

    expect(statuses(state)).toEqual([
      ['fan', TaskStatus.Completed],
      ['a', TaskStatus.Scheduled],
      ['b', TaskStatus.Scheduled],
      ['gather', TaskStatus.InProgress],
    ]);
    expect(taskOf(state, 'fan')).toMatchObject({ taskType: 'FORK', inputData: { forkedTasks: ['a', 'b'], forkedTaskInputs: { a: { n: 1 }, b: { n: 2 } } } });
    expect(taskOf(state, 'a')).toMatchObject({ taskType: 'a_task', inputData: { n: 1 } });
    expect(taskOf(state, 'gather').inputData.joinOn).toEqual(['a', 'b']);
  });

  it('joins when every branch ended, with each output, and the flow goes on', () => {
    const { state } = run(byParam, [
      [T0, started({ tasks: [branch('a'), branch('b')], inputs: { a: {}, b: {} } })],
      [T0 + 1, completes('b', { r: 'b' })],
      [T0 + 2, completes('a', { r: 'a' })],
    ]);

    expect(taskOf(state, 'gather')).toMatchObject({ status: TaskStatus.Completed, outputData: { a: { r: 'a' }, b: { r: 'b' } } });
    expect(taskOf(state, 'after').inputData).toEqual({ all: { a: { r: 'a' }, b: { r: 'b' } } });
  });

  it("gives a branch its own inputParameters, resolved, with the given input over them", () => {
    const own = branch('a', { inputParameters: { from: '${workflow.input.who}', n: 0 } });
    const { state } = run(byParam, [[T0, started({ who: 'ada', tasks: [own], inputs: { a: { n: 1 } } })]]);

    expect(taskOf(state, 'a').inputData).toEqual({ from: 'ada', n: 1 });
  });

  it("keeps a branch's input as given: a ${ in it is text, not an expression", () => {
    const { state } = run(byParam, [[T0, started({ tasks: [branch('a')], inputs: { a: { template: 'hi ${name}' } } })]]);

    expect(taskOf(state, 'a').inputData).toEqual({ template: 'hi ${name}' });
  });

  it('forks 200 branches and joins them all', () => {
    const tasks = Array.from({ length: 200 }, (_, i) => branch(`b${i}`));
    const steps: Array<[number, Parameters<typeof run>[1][number][1]]> = [[T0, started({ tasks, inputs: {} })]];
    for (let i = 0; i < 200; i++) steps.push([T0 + i + 1, completes(`b${i}`, { i })]);
    const { state } = run(byParam, steps);

    expect(state.tasks.filter((t) => t.referenceTaskName.startsWith('b'))).toHaveLength(200);
    expect(Object.keys(taskOf(state, 'gather').outputData)).toHaveLength(200);
    expect(taskOf(state, 'after').status).toBe(TaskStatus.Scheduled);
  });

  it("retries a failed branch per the task definition it carries, under the branch's reference", () => {
    const retried = branch('a', { taskDefinition: { name: 'a_task', retryCount: 1, retryDelaySeconds: 0 } });
    const { state } = run(byParam, [
      [T0, started({ tasks: [retried], inputs: { a: { x: 1 } } })],
      [T0 + 1, fails('a')],
    ]);

    expect(statuses(state).filter(([ref]) => ref === 'a')).toEqual([
      ['a', TaskStatus.Failed],
      ['a', TaskStatus.Scheduled],
    ]);
    expect(taskOf(state, 'a').inputData).toEqual({ x: 1 });
  });

  it('runs a branch of another type: a sub-workflow', () => {
    const sub = branch('child', { type: 'SUB_WORKFLOW', subWorkflowParam: { name: 'inner', version: 1 } });
    const { state, commands } = run(byParam, [
      [T0, started({ tasks: [sub], inputs: { child: { k: 1 } } })],
      [T0 + 1, (s) => childEnded(taskOf(s, 'child').taskId, taskOf(s, 'child').subWorkflowId!, WorkflowStatus.Completed, { done: true })],
    ]);

    expect(commandsOf(commands, 'child.start')).toEqual([expect.objectContaining({ name: 'inner', version: 1, input: { k: 1 } })]);
    expect(taskOf(state, 'gather').outputData).toEqual({ child: { done: true, subWorkflowId: taskOf(state, 'child').subWorkflowId } });
  });

  it('in simple mode, forks one task per item of forkTaskInputs, named _<name>_<i>', () => {
    const def = aDefinition([
      aTask('FORK_JOIN_DYNAMIC', 'fan', { inputParameters: { forkTaskName: 'resize', forkTaskInputs: '${workflow.input.images}' } }),
      aTask('JOIN', 'gather'),
    ]);
    const { state } = run(def, [[T0, started({ images: [{ url: 'a.png' }, 'b.png'] })]]);

    expect(statuses(state)).toEqual([
      ['fan', TaskStatus.Completed],
      ['_resize_0', TaskStatus.Scheduled],
      ['_resize_1', TaskStatus.Scheduled],
      ['gather', TaskStatus.InProgress],
    ]);
    expect(taskOf(state, '_resize_0')).toMatchObject({ taskType: 'resize', inputData: { url: 'a.png', __index: 0 } });
    expect(taskOf(state, '_resize_1').inputData).toEqual({ input: 'b.png', __index: 1 });
  });

  it('takes the deprecated dynamicForkJoinTasksParam form', () => {
    const def = aDefinition([
      aTask('FORK_JOIN_DYNAMIC', 'fan', { dynamicForkJoinTasksParam: 'list', inputParameters: { list: '${workflow.input.list}' } } as Partial<WorkflowTask>),
      aTask('JOIN', 'gather'),
    ]);
    const { state } = run(def, [[T0, started({ list: { dynamicTasks: [{ taskName: 'ping', referenceName: 'p1', input: { to: 'x' } }] } })]]);

    expect(taskOf(state, 'p1')).toMatchObject({ taskType: 'ping', status: TaskStatus.Scheduled, inputData: { to: 'x' } });
  });

  it('joins at once over an empty list', () => {
    const { state } = run(byParam, [[T0, started({ tasks: [], inputs: {} })]]);

    expect(taskOf(state, 'gather').status).toBe(TaskStatus.Completed);
    expect(taskOf(state, 'after').status).toBe(TaskStatus.Scheduled);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['tasks that are not a list', { tasks: 'nope', inputs: {} }, /is not a list of tasks/],
    ['inputs that are not a map', { tasks: [branch('a')], inputs: [1] }, /is not a map/],
    ['a branch without a reference', { tasks: [{ name: 'x' }], inputs: {} }, /needs a name and a taskReferenceName/],
    ['the same reference twice', { tasks: [branch('a'), branch('a')], inputs: {} }, /'a' is already used/],
    ['a reference the definition uses', { tasks: [branch('after')], inputs: {} }, /'after' is already used/],
    ['a branch of a type that cannot run as configured', { tasks: [branch('k', { type: 'EVENT', sink: 'sqs:orders' })], inputs: {} }, /'k': EVENT sink sqs:orders cannot run/],
  ])('fails the workflow with a terminal error on %s', (_, input, reason) => {
    const { state } = run(byParam, [[T0, started(input)]]);

    expect(taskOf(state, 'fan').status).toBe(TaskStatus.FailedWithTerminalError);
    expect(taskOf(state, 'fan').reasonForIncompletion).toMatch(reason);
    expect(state.workflow.status).toBe(WorkflowStatus.Failed);
  });

  it('goes on after the run was stored and loaded again: a branch keeps its own WorkflowTask', () => {
    const { state } = run(byParam, [[T0, started({ tasks: [branch('a'), branch('b')], inputs: {} })]]);
    const def = state.workflow.workflowDefinition;
    // As the batch writer stores tasks and the repository loads them.
    const reloaded: WorkflowRun = {
      ...state,
      tasks: state.tasks.map((t) => withDefinitionParts(JSON.parse(JSON.stringify(isFromDefinition(t, def) ? withoutDefinitionParts(t) : t)) as Task, def) as Task),
    };
    expect(reloaded.tasks.find((t) => t.referenceTaskName === 'a')?.workflowTask).toEqual(branch('a', { inputParameters: {} }));

    let next = decide(def, reloaded, { type: 'task.result', result: { workflowInstanceId: state.workflow.workflowId, taskId: taskOf(reloaded, 'a').taskId, status: 'COMPLETED', outputData: { r: 1 } } }, T0 + 1);
    next = decide(def, next.state, { type: 'task.result', result: { workflowInstanceId: state.workflow.workflowId, taskId: taskOf(next.state, 'b').taskId, status: 'COMPLETED', outputData: { r: 2 } } }, T0 + 2);

    expect(taskOf(next.state, 'gather')).toMatchObject({ status: TaskStatus.Completed, outputData: { a: { r: 1 }, b: { r: 2 } } });
  });
});

describe('FORK_JOIN_DYNAMIC inside a DO_WHILE', () => {
  beforeAll(async () => useEvaluators(await loadTestEvaluators()));

  const looped = aDefinition([
    aTask('DO_WHILE', 'rounds', {
      loopCondition: '$.rounds.iteration < 2',
      loopOver: [
        aTask('FORK_JOIN_DYNAMIC', 'fan', { inputParameters: { forkTaskName: 'ship', forkTaskInputs: ['x', 'y'] } }),
        aTask('JOIN', 'gather'),
      ],
      inputParameters: { keepLastN: 5 },
    }),
    aSimpleTask('after', { last: '${gather.output}' }),
  ]);
  const completeRef = (ref: string, outputData: Record<string, unknown>) => (s: WorkflowRun) => {
    const t = s.tasks.find((x) => x.referenceTaskName === ref);
    if (!t) throw new Error(`no ${ref} in ${s.tasks.map((x) => x.referenceTaskName)}`);
    return { type: 'task.result' as const, result: { workflowInstanceId: s.workflow.workflowId, taskId: t.taskId, status: 'COMPLETED' as const, outputData } };
  };

  it("names each iteration's branches <ref>__<n> and joins them, iteration after iteration", () => {
    const { state } = run(looped, [
      [T0, started()],
      [T0 + 1, completeRef('_ship_0__1', { n: 1 })],
      [T0 + 2, completeRef('_ship_1__1', { n: 2 })],
      [T0 + 3, completeRef('_ship_0__2', { n: 3 })],
      [T0 + 4, completeRef('_ship_1__2', { n: 4 })],
    ]);

    expect(statuses(state)).toEqual([
      ['rounds', TaskStatus.Completed],
      ['fan__1', TaskStatus.Completed],
      ['_ship_0__1', TaskStatus.Completed],
      ['_ship_1__1', TaskStatus.Completed],
      ['gather__1', TaskStatus.Completed],
      ['fan__2', TaskStatus.Completed],
      ['_ship_0__2', TaskStatus.Completed],
      ['_ship_1__2', TaskStatus.Completed],
      ['gather__2', TaskStatus.Completed],
      ['after', TaskStatus.Scheduled],
    ]);
    expect(taskOf(state, '_ship_0__2')).toMatchObject({ iteration: 2, loopOverTask: true, taskType: 'ship' });
    expect(taskOf(state, 'gather__2').outputData).toEqual({ _ship_0: { n: 3 }, _ship_1: { n: 4 } });
  });

  it('keeps only the last keepLastN iterations of the branches too', () => {
    const keepOne = aDefinition([{ ...looped.tasks[0], inputParameters: { keepLastN: 1 } }, looped.tasks[1]]);
    const { state } = run(keepOne, [
      [T0, started()],
      [T0 + 1, completeRef('_ship_0__1', { n: 1 })],
      [T0 + 2, completeRef('_ship_1__1', { n: 2 })],
      [T0 + 3, completeRef('_ship_0__2', { n: 3 })],
      [T0 + 4, completeRef('_ship_1__2', { n: 4 })],
    ]);
    expect(state.tasks.map((t) => t.referenceTaskName)).toEqual(['rounds', 'fan__2', '_ship_0__2', '_ship_1__2', 'gather__2', 'after']);
  });
});

describe('FORK_JOIN_DYNAMIC branches and registered task definitions', () => {
  const registered = (name: string) => (name === 'a_task' ? withTaskDefDefaults({ name, retryCount: 1, retryDelaySeconds: 0, responseTimeoutSeconds: 30 }) : undefined);

  it('runs a branch with the task definition registered under its name, kept on its row for its retries', () => {
    const first = decide(byParam, null, started({ tasks: [branch('a'), branch('b', { taskDefinition: { name: 'b_task', retryCount: 0 } })], inputs: {} }), T0, NO_EVALUATORS, registered);
    const a = taskOf(first.state, 'a');
    expect(a).toMatchObject({ responseTimeoutSeconds: 30, workflowTask: { taskDefinition: { name: 'a_task', retryCount: 1 } } });
    expect(taskOf(first.state, 'b').workflowTask.taskDefinition).toEqual({ name: 'b_task', retryCount: 0 });

    // Decided later without the catalogue (it changed, or this executor has none): the row's definition holds.
    const failed = decide(byParam, first.state, { type: 'task.result', result: { workflowInstanceId: first.state.workflow.workflowId, taskId: a.taskId, status: 'FAILED' } }, T0 + 1);
    expect(statuses(failed.state).filter(([ref]) => ref === 'a')).toEqual([
      ['a', TaskStatus.Failed],
      ['a', TaskStatus.Scheduled],
    ]);
  });
});

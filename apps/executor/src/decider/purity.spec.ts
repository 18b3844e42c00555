import { TimeoutPolicy, WorkflowDef, WorkflowStatus, WorkflowTimeoutPolicy } from '@app/contracts';
import { decide } from './decide';
import type { DeciderEvent } from './events';
import { TimerKind } from './timers';
import {
  aDefinition,
  aSimpleTask,
  aTask,
  byRef,
  childEnded,
  completes,
  deepFreeze,
  fails,
  leased,
  leaseExpired,
  reported,
  run,
  started,
  T0,
  timerFired,
  timerFiredWithLease,
  withTaskDef,
} from './testing/builders';
import type { WorkflowRun } from './workflow-run';

type Step = readonly [number, DeciderEvent | ((s: WorkflowRun) => DeciderEvent)];

/** One scenario per task type and per kind of event, each ending in an interesting decision. */
const scenarios: ReadonlyArray<readonly [string, () => WorkflowDef, readonly Step[]]> = [
  [
    'SIMPLE: lease, heartbeat, callback, failure and retry, completion',
    () => aDefinition([withTaskDef(aSimpleTask('a', { x: '${workflow.input.x}' }), { timeoutSeconds: 600, pollTimeoutSeconds: 30 }), aSimpleTask('b', { y: '${a.output.y}' })]),
    [
      [T0, started({ x: { nested: [1, 2] } })],
      [T0 + 1, byRef('a', (id) => leased(id, T0 + 1))],
      [T0 + 2, byRef('a', (id) => reported(id, 'IN_PROGRESS', { extendLease: true }))],
      [T0 + 3, byRef('a', (id) => reported(id, 'IN_PROGRESS', { callbackAfterSeconds: 5, outputData: { p: 1 } }))],
      [T0 + 4, fails('a')],
      [T0 + 70_000, completes('a', { y: { deep: true } })],
      [T0 + 70_001, completes('b')],
    ],
  ],
  [
    'SWITCH with a nested FORK_JOIN and JOIN',
    () =>
      aDefinition([
        aTask('SWITCH', 'route', {
          evaluatorType: 'value-param',
          expression: 'k',
          inputParameters: { k: '${workflow.input.k}' },
          decisionCases: { go: [aTask('FORK_JOIN', 'fork', { forkTasks: [[aSimpleTask('l')], [aSimpleTask('r', {}, { optional: true, retryCount: 0 })]] }), aTask('JOIN', 'join', { joinOn: ['l', 'r'] })] },
          defaultCase: [aSimpleTask('d')],
        }),
        aSimpleTask('after'),
      ]),
    [
      [T0, started({ k: 'go' })],
      [T0 + 1, fails('r')],
      [T0 + 2, completes('l', { v: [1] })],
    ],
  ],
  [
    'WAIT: timer fires, then a failure ends the workflow',
    () => aDefinition([aTask('WAIT', 'pause', { inputParameters: { duration: '${workflow.input.d}' } }), aSimpleTask('after', {}, { retryCount: 0 })]),
    [
      [T0, started({ d: '10s' })],
      [T0 + 10_000, byRef('pause', (id) => timerFired(TimerKind.Wait, id))],
      [T0 + 10_001, fails('after')],
    ],
  ],
  [
    'SUB_WORKFLOW: the child fails, is retried, then completes',
    () => aDefinition([aTask('SUB_WORKFLOW', 'child', { retryCount: 1, subWorkflowParam: { name: '${workflow.input.n}', workflowDefinition: { name: 'inline', version: 1, tasks: [aSimpleTask('i', { q: '${workflow.input.q}' })] } }, inputParameters: { q: 1 } })]),
    [
      [T0, started({ n: 'kid' }, { parent: { workflowId: 'p', taskId: 't' } })],
      [T0 + 1, byRef('child', (id, t) => childEnded(id, t.subWorkflowId as string, WorkflowStatus.Failed, { partial: { a: 1 } }))],
      [T0 + 2, byRef('child', (id, t) => childEnded(id, t.subWorkflowId as string, WorkflowStatus.Completed, { done: [true] }))],
    ],
  ],
  [
    'timeouts: poll timeout with a lease, response timeout, task timeout, workflow timeout',
    () =>
      aDefinition([withTaskDef(aSimpleTask('a'), { pollTimeoutSeconds: 5, timeoutSeconds: 60, timeoutPolicy: TimeoutPolicy.Retry, responseTimeoutSeconds: 10, retryCount: 2 })], {
        timeoutSeconds: 600,
        timeoutPolicy: WorkflowTimeoutPolicy.TimeOutWorkflow,
      }),
    [
      [T0, started()],
      [T0 + 5000, byRef('a', (id) => timerFiredWithLease(TimerKind.PollTimeout, id, T0 + 4000))],
      [T0 + 14_000, byRef('a', (id) => leaseExpired(id, T0 + 4000))],
      [T0 + 80_000, byRef('a', (id) => leased(id, T0 + 80_000))],
      [T0 + 140_000, byRef('a', (id) => timerFired(TimerKind.TaskTimeout, id))],
      [T0 + 600_000, timerFired(TimerKind.WorkflowTimeout)],
    ],
  ],
];

describe('decide is pure', () => {
  it.each(scenarios)('%s: never mutates its (deep-frozen) inputs', (_, defOf, steps) => {
    const def = deepFreeze(defOf());
    let state: WorkflowRun | null = null;
    for (const [at, step] of steps) {
      const event = deepFreeze(typeof step === 'function' ? step(state as WorkflowRun) : step);
      const before = state && structuredClone(state);
      const eventBefore = structuredClone(event);
      // Frozen: an assignment anywhere inside the inputs throws in strict mode.
      const decision = decide(def, state && deepFreeze(state), event, at);
      expect(state).toEqual(before);
      expect(event).toEqual(eventBefore);
      state = decision.state;
    }
  });

  it.each(scenarios)('%s: the same inputs decide the same state and commands, ids included', (_, defOf, steps) => {
    const first = run(defOf(), steps);
    const second = run(defOf(), steps);

    expect(second.state).toEqual(first.state);
    expect(second.commands).toEqual(first.commands);
  });

  it.each(scenarios)('%s: deciding the last event again on the same state decides the same', (_, defOf, steps) => {
    const def = defOf();
    const given = run(def, steps.slice(0, -1));
    const [at, step] = steps[steps.length - 1];
    const event = typeof step === 'function' ? step(given.state) : step;

    const a = decide(def, given.state, event, at);
    const b = decide(def, given.state, event, at);

    expect(b).toEqual(a);
  });

  it('keeps the objects of what did not change, so the shell writes only what did', () => {
    const def = aDefinition([aTask('FORK_JOIN', 'fork', { forkTasks: [[aSimpleTask('l')], [aSimpleTask('r')]] }), aTask('JOIN', 'join', { joinOn: ['l', 'r'] })]);
    const given = run(def, [[T0, started()]]);

    const { state } = decide(def, given.state, completes('l')(given.state), T0 + 1);

    const unchanged = (ref: string) => state.tasks.find((t) => t.referenceTaskName === ref) === given.state.tasks.find((t) => t.referenceTaskName === ref);
    expect(['fork', 'r', 'join'].map(unchanged)).toEqual([true, true, true]);
    expect(unchanged('l')).toBe(false);
  });
});

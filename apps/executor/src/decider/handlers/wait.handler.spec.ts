import { TaskStatus, WorkflowStatus, WorkflowTask } from '@app/contracts';
import { decide } from '../decide';
import { timerIdOf, TimerKind } from '../timers';
import { aDefinition, aSimpleTask, aTask, byRef, completes, fails, reported, run, shorthand, started, statuses, T0, taskOf, timerFired } from '../testing/builders';

const aWait = (inputParameters: Record<string, unknown>, extra: Partial<WorkflowTask> = {}): WorkflowTask => aTask('WAIT', 'pause', { inputParameters, ...extra });
const waitThen = (inputParameters: Record<string, unknown>) => aDefinition([aWait(inputParameters), aSimpleTask('after', { waited: '${pause.output}' })]);

describe('WAIT', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>, number]>([
    ['duration in seconds', { duration: '30s' }, {}, T0 + 30_000],
    ['duration in words', { duration: '5 minutes' }, {}, T0 + 300_000],
    ['duration in days and hours', { duration: '1d 2h' }, {}, T0 + 26 * 3_600_000],
    ['duration from the workflow input', { duration: '${workflow.input.pause}' }, { pause: '45s' }, T0 + 45_000],
    ['until, without a zone (UTC)', { until: '2026-11-24 08:30' }, {}, Date.UTC(2026, 10, 24, 8, 30)],
    ['until, in UTC', { until: '2026-11-24 08:30 UTC' }, {}, Date.UTC(2026, 10, 24, 8, 30)],
    ['until, with an offset zone', { until: '2026-11-24 08:30 GMT+02:00' }, {}, Date.UTC(2026, 10, 24, 6, 30)],
    ['until, with an IANA zone (CET in November)', { until: '2026-11-24 08:30 Europe/Paris' }, {}, Date.UTC(2026, 10, 24, 7, 30)],
    ['until, a date alone (midnight UTC)', { until: '2026-11-25' }, {}, Date.UTC(2026, 10, 25)],
    ['until from the workflow input', { until: '${workflow.input.at}' }, { at: '2026-12-01 00:00' }, Date.UTC(2026, 11, 1)],
  ])('with %s: IN_PROGRESS with a wait timer', (_, inputParameters, input, dueAt) => {
    const { state, last } = run(waitThen(inputParameters), [[T0, started(input)]]);

    const pause = taskOf(state, 'pause');
    expect(pause).toMatchObject({ taskType: 'WAIT', status: TaskStatus.InProgress, startTime: T0, scheduledTime: T0 });
    expect(last).toEqual([
      { type: 'emit.task', eventType: 'start.begin', taskId: pause.taskId },
      { type: 'timer.set', timerId: timerIdOf(TimerKind.Wait, pause.taskId), kind: TimerKind.Wait, taskId: pause.taskId, dueAt },
      { type: 'emit.workflow', eventType: 'workflow.started' },
    ]);
    expect(state.workflow.status).toBe(WorkflowStatus.Running);
  });

  it('completes when its timer fires, and the flow goes on', () => {
    const { state, last } = run(waitThen({ duration: '30s' }), [
      [T0, started()],
      [T0 + 30_000, byRef('pause', (id) => timerFired(TimerKind.Wait, id))],
    ]);

    expect(taskOf(state, 'pause')).toMatchObject({ status: TaskStatus.Completed, endTime: T0 + 30_000 });
    expect(statuses(state)).toEqual([
      ['pause', TaskStatus.Completed],
      ['after', TaskStatus.Scheduled],
    ]);
    expect(shorthand(state, last)).toEqual(['start.success:pause#0', 'timer.cancel:wait:pause#0', 'produce.success:after#0', 'queue.push:after#0']);
  });

  it('with neither duration nor until, waits for an external COMPLETED result', () => {
    const def = waitThen({});

    const waiting = run(def, [[T0, started()]]);
    expect(taskOf(waiting.state, 'pause').status).toBe(TaskStatus.InProgress);
    expect(waiting.last.some((c) => c.type === 'timer.set')).toBe(false);

    const { state } = run(def, [
      [T0, started()],
      [T0 + 5000, completes('pause', { approvedBy: 'ops' })],
    ]);
    expect(taskOf(state, 'pause')).toMatchObject({ status: TaskStatus.Completed, endTime: T0 + 5000, outputData: { approvedBy: 'ops' } });
    expect(taskOf(state, 'after')).toMatchObject({ status: TaskStatus.Scheduled, inputData: { waited: { approvedBy: 'ops' } } });
  });

  it('records progress reported from outside without ending', () => {
    const { state } = run(waitThen({}), [
      [T0, started()],
      [T0 + 1, byRef('pause', (id) => reported(id, 'IN_PROGRESS', { outputData: { step: 1 } }))],
    ]);

    expect(taskOf(state, 'pause')).toMatchObject({ status: TaskStatus.InProgress, outputData: { step: 1 } });
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>, RegExp]>([
    ['both duration and until', { duration: '10s', until: '2026-11-24 08:30' }, {}, /Both 'duration' and 'until'/],
    ['an invalid duration', { duration: 'soon' }, {}, /Wait duration 'soon' is invalid/],
    ['an invalid until', { until: '24/11/2026' }, {}, /Unable to parse date '24\/11\/2026'/],
    ['a duration expression resolving to garbage', { duration: '${workflow.input.pause}' }, { pause: 'a while' }, /Wait duration 'a while' is invalid/],
  ])('with %s: FAILED_WITH_TERMINAL_ERROR, and the workflow fails', (_, inputParameters, input, reason) => {
    const { state, last } = run(waitThen(inputParameters), [[T0, started(input)]]);

    expect(statuses(state)).toEqual([['pause', TaskStatus.FailedWithTerminalError]]);
    expect(taskOf(state, 'pause').reasonForIncompletion).toMatch(reason);
    expect(state.workflow).toMatchObject({ status: WorkflowStatus.Failed, failedReferenceTaskNames: ['pause'] });
    expect(state.workflow.reasonForIncompletion).toMatch(reason);
    expect(last.some((c) => c.type === 'timer.set')).toBe(false);
    expect(last[last.length - 1]).toEqual({ type: 'emit.workflow', eventType: 'workflow.failed' });
  });

  it('treats a timer that fires after the task was completed from outside as a no-op', () => {
    const def = waitThen({ duration: '1h' });
    const { state } = run(def, [
      [T0, started()],
      [T0 + 1000, completes('pause')],
    ]);

    const late = decide(def, state, timerFired(TimerKind.Wait, taskOf(state, 'pause').taskId), T0 + 3_600_000);

    expect(late.state).toBe(state);
    expect(late.commands).toEqual([]);
  });

  it('cancels its timer when completed from outside before it fires', () => {
    const { state, last } = run(waitThen({ duration: '1h' }), [
      [T0, started()],
      [T0 + 1000, completes('pause')],
    ]);

    expect(last).toContainEqual({ type: 'timer.cancel', timerId: timerIdOf(TimerKind.Wait, taskOf(state, 'pause').taskId) });
  });

  it('is cancelled, with every timer of the workflow, when the workflow ends while it waits', () => {
    const def = aDefinition([
      aTask('FORK_JOIN', 'fork', { forkTasks: [[aWait({ duration: '1h' })], [aSimpleTask('work', {}, { retryCount: 0 })]] }),
      aTask('JOIN', 'join', { joinOn: ['pause', 'work'] }),
    ]);

    const { state, last } = run(def, [
      [T0, started()],
      [T0 + 1000, fails('work')],
    ]);

    expect(taskOf(state, 'pause')).toMatchObject({ status: TaskStatus.Canceled, endTime: T0 + 1000 });
    expect(state.workflow.status).toBe(WorkflowStatus.Failed);
    expect(last).toContainEqual({ type: 'timer.cancel-all' });
  });
});

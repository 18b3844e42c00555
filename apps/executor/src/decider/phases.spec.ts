import { TaskStatus, WorkflowStatus, WorkflowTask } from '@app/contracts';
import { decide } from './decide';
import { TimerKind } from './timers';
import { aDefinition, aSimpleTask, aTask, commandsOf, completes, fails, leased, reported, run, started, T0, taskOf, timerFired, withTaskDef } from './testing/builders';
import type { WorkflowRun } from './workflow-run';

const phased = (ref: string, phases: string[], extra: Record<string, unknown> = {}) =>
  withTaskDef(aSimpleTask(ref), { phases: phases as never, retryCount: 0, responseTimeoutSeconds: 60, ...extra }) as WorkflowTask;
const events = (s: WorkflowRun, ref: string) => (taskOf(s, ref).phaseHistory ?? []).map((h) => h.event);
const rollbackOf = (ref: string) => (s: WorkflowRun) => reported(taskOf(s, ref).taskId, 'COMPLETED');

describe('task phases', () => {
  it('keeps the lifecycle of a task with phases, and leaves a Conductor task as it was', () => {
    const def = aDefinition([phased('vm', ['rollback']), aSimpleTask('plain')]);
    const s = run(def, [
      [T0, started()],
      [T0 + 1, (st) => leased(taskOf(st, 'vm').taskId, T0 + 1)],
      [T0 + 2, completes('vm', { id: 'vm-1' })],
    ]);
    expect(taskOf(s.state, 'vm')).toMatchObject({ phase: 'start', phaseStatus: 'start.success', status: TaskStatus.Completed });
    expect(events(s.state, 'vm')).toEqual(['produce.success', 'start.begin', 'start.success']);
    expect(taskOf(s.state, 'plain')).not.toHaveProperty('phase');
    expect(taskOf(s.state, 'plain')).not.toHaveProperty('phaseHistory');
  });

  describe('monitor', () => {
    const def = aDefinition([phased('vm', ['monitor'], { monitorIntervalSeconds: 10, monitorTimeoutSeconds: 100 }), aSimpleTask('next')]);

    it('polls a started task until a monitor says it is done: three not-yets, then COMPLETED', () => {
      const s = run(def, [
        [T0, started()],
        [T0 + 1, completes('vm', { id: 'vm-1' })],
      ]);
      expect(taskOf(s.state, 'vm')).toMatchObject({ status: TaskStatus.InProgress, phase: 'monitor', phaseStatus: 'monitor.begin', outputData: { id: 'vm-1' } });
      expect(commandsOf(s.last, 'queue.push')).toEqual([expect.objectContaining({ taskId: taskOf(s.state, 'vm').taskId, visibleAt: T0 + 1 + 10_000 })]);
      expect(commandsOf(s.last, 'timer.set')).toEqual([expect.objectContaining({ kind: TimerKind.MonitorTimeout, dueAt: T0 + 1 + 100_000 })]);

      const polled = run(def, [
        [T0, started()],
        [T0 + 1, completes('vm', { id: 'vm-1' })],
        [T0 + 11_000, (st) => reported(taskOf(st, 'vm').taskId, 'IN_PROGRESS', { outputData: { progress: 30 } })],
        [T0 + 21_000, (st) => reported(taskOf(st, 'vm').taskId, 'IN_PROGRESS', { outputData: { progress: 60 } })],
        [T0 + 31_000, (st) => reported(taskOf(st, 'vm').taskId, 'IN_PROGRESS', { outputData: { progress: 90 } })],
        [T0 + 41_000, (st) => reported(taskOf(st, 'vm').taskId, 'COMPLETED', { outputData: { progress: 100, ready: true } })],
      ]);
      expect(taskOf(polled.state, 'vm')).toMatchObject({ status: TaskStatus.Completed, phaseStatus: 'monitor.success', outputData: { id: 'vm-1', progress: 100, ready: true } });
      expect(events(polled.state, 'vm')).toEqual(['produce.success', 'start.begin', 'start.success', 'monitor.begin', 'monitor.success']);
      expect(taskOf(polled.state, 'next').status).toBe(TaskStatus.Scheduled);
      expect(commandsOf(polled.commands, 'queue.push').filter((c) => c.taskId === taskOf(polled.state, 'vm').taskId).map((c) => c.visibleAt)).toEqual([
        T0,
        T0 + 1 + 10_000,
        T0 + 11_000 + 10_000,
        T0 + 21_000 + 10_000,
        T0 + 31_000 + 10_000,
      ]);
      expect(commandsOf(polled.last, 'timer.cancel')).toEqual([expect.objectContaining({ timerId: `${TimerKind.MonitorTimeout}:${taskOf(polled.state, 'vm').taskId}` })]);
    });

    it('fails the task when the monitoring outlasts monitorTimeoutSeconds (TIMED_OUT), or when a monitor says so (FAILED)', () => {
      const timedOut = run(def, [
        [T0, started()],
        [T0 + 1, completes('vm')],
        [T0 + 100_001, (st) => timerFired(TimerKind.MonitorTimeout, taskOf(st, 'vm').taskId)],
      ]);
      expect(taskOf(timedOut.state, 'vm')).toMatchObject({ status: TaskStatus.TimedOut, phaseStatus: 'monitor.failed' });
      expect(timedOut.state.workflow.status).toBe(WorkflowStatus.TimedOut);

      const failed = run(def, [
        [T0, started()],
        [T0 + 1, completes('vm')],
        [T0 + 2, (st) => reported(taskOf(st, 'vm').taskId, 'FAILED', { reasonForIncompletion: 'disk full' })],
      ]);
      expect(taskOf(failed.state, 'vm')).toMatchObject({ status: TaskStatus.Failed, phaseStatus: 'monitor.failed', reasonForIncompletion: 'disk full' });
      expect(taskOf(failed.state, 'vm').phaseHistory?.at(-1)).toEqual({ event: 'monitor.failed', time: T0 + 2, reason: 'disk full' });
    });
  });

  describe('compensation (rollbackOnFailure)', () => {
    const saga = aDefinition([phased('vm', ['rollback']), phased('disk', ['rollback']), aSimpleTask('note'), phased('attach', ['rollback'])], { rollbackOnFailure: true });

    it('rolls back the completed tasks in reverse order, each once, then ends FAILED as the workflow failed', () => {
      const s = run(saga, [
        [T0, started()],
        [T0 + 1, completes('vm')],
        [T0 + 2, completes('disk')],
        [T0 + 3, completes('note')],
        [T0 + 4, fails('attach', 'FAILED', 'no free slot')],
      ]);
      expect(s.state.workflow.status).toBe(WorkflowStatus.Running);
      expect(s.state.workflow.compensation).toMatchObject({ status: 'RUNNING', failure: { status: WorkflowStatus.Failed, reasonForIncompletion: 'no free slot', failedReferenceTaskNames: ['attach'] } });
      // disk first (it completed last); vm waits for it; note implements no rollback.
      expect(commandsOf(s.last, 'queue.push').map((c) => c.taskId)).toEqual([taskOf(s.state, 'disk').taskId]);
      expect(taskOf(s.state, 'disk')).toMatchObject({ status: TaskStatus.Completed, phase: 'rollback', phaseStatus: 'rollback.begin' });

      const diskBack = decide(saga, s.state, rollbackOf('disk')(s.state), T0 + 5);
      expect(commandsOf([...diskBack.commands], 'queue.push').map((c) => c.taskId)).toEqual([taskOf(s.state, 'vm').taskId]);
      const vmBack = decide(saga, diskBack.state, rollbackOf('vm')(diskBack.state), T0 + 6);
      expect(vmBack.state.workflow).toMatchObject({ status: WorkflowStatus.Failed, reasonForIncompletion: 'no free slot', failedReferenceTaskNames: ['attach'] });
      expect(vmBack.state.workflow.compensation).toMatchObject({ status: 'COMPLETED', rolledBack: [taskOf(s.state, 'disk').taskId, taskOf(s.state, 'vm').taskId] });
      expect(events(vmBack.state, 'vm').slice(-2)).toEqual(['rollback.begin', 'rollback.success']);
      expect(events(vmBack.state, 'disk').slice(-2)).toEqual(['rollback.begin', 'rollback.success']);
      // A repeated answer for a rollback that is over changes nothing.
      const again = decide(saga, vmBack.state, rollbackOf('vm')(vmBack.state), T0 + 7);
      expect(again.state).toBe(vmBack.state);
    });

    it("rolls a fork's branches back side by side, each branch in reverse order", () => {
      const forked = aDefinition(
        [
          aTask('FORK_JOIN', 'fork', { forkTasks: [[phased('a1', ['rollback']), phased('a2', ['rollback'])], [phased('b1', ['rollback'])]] as WorkflowTask[][] }),
          aTask('JOIN', 'join', { joinOn: ['a2', 'b1'] }),
          phased('after', ['rollback']),
        ],
        { rollbackOnFailure: true },
      );
      const s = run(forked, [
        [T0, started()],
        [T0 + 1, completes('a1')],
        [T0 + 2, completes('b1')],
        [T0 + 3, completes('a2')],
        [T0 + 4, fails('after', 'FAILED', 'boom')],
      ]);
      // a2 (last of its branch) and b1 (its branch's only task) start together; a1 waits for a2.
      expect(new Set(commandsOf(s.last, 'queue.push').map((c) => c.taskId))).toEqual(new Set([taskOf(s.state, 'a2').taskId, taskOf(s.state, 'b1').taskId]));
      const b1 = decide(forked, s.state, rollbackOf('b1')(s.state), T0 + 5);
      expect(commandsOf([...b1.commands], 'queue.push')).toEqual([]);
      const a2 = decide(forked, b1.state, rollbackOf('a2')(b1.state), T0 + 6);
      expect(commandsOf([...a2.commands], 'queue.push').map((c) => c.taskId)).toEqual([taskOf(s.state, 'a1').taskId]);
      const a1 = decide(forked, a2.state, rollbackOf('a1')(a2.state), T0 + 7);
      expect(a1.state.workflow).toMatchObject({ status: WorkflowStatus.Failed, compensation: { status: 'COMPLETED' } });
    });

    it('retries a failing rollback per the task definition, then ends with the compensation FAILED, naming it', () => {
      const retried = aDefinition([phased('vm', ['rollback'], { retryCount: 1, retryDelaySeconds: 0 }), phased('attach', [])], { rollbackOnFailure: true });
      const s = run(retried, [
        [T0, started()],
        [T0 + 1, completes('vm')],
        [T0 + 2, fails('attach', 'FAILED', 'boom')],
        [T0 + 3, (st) => reported(taskOf(st, 'vm').taskId, 'FAILED', { reasonForIncompletion: 'api down' })],
      ]);
      expect(taskOf(s.state, 'vm')).toMatchObject({ phaseStatus: 'rollback.begin', phaseRetryCount: 1 });
      expect(commandsOf(s.last, 'queue.push').map((c) => c.taskId)).toEqual([taskOf(s.state, 'vm').taskId]);
      const failed = decide(retried, s.state, reported(taskOf(s.state, 'vm').taskId, 'FAILED', { reasonForIncompletion: 'still down' }), T0 + 4);
      expect(failed.state.workflow).toMatchObject({ status: WorkflowStatus.Failed, compensation: { status: 'FAILED', failedTaskId: taskOf(s.state, 'vm').taskId, reason: 'still down' } });
      expect(failed.state.workflow.reasonForIncompletion).toContain('the rollback of vm failed: still down');
      expect(events(failed.state, 'vm').slice(-4)).toEqual(['rollback.begin', 'rollback.failed', 'rollback.begin', 'rollback.failed']);
    });

    it('rolls back when a monitor phase times out', () => {
      const def = aDefinition([phased('vm', ['rollback']), phased('disk', ['monitor'], { monitorTimeoutSeconds: 30 })], { rollbackOnFailure: true });
      const s = run(def, [
        [T0, started()],
        [T0 + 1, completes('vm')],
        [T0 + 2, completes('disk')],
        [T0 + 30_003, (st) => timerFired(TimerKind.MonitorTimeout, taskOf(st, 'disk').taskId)],
      ]);
      expect(taskOf(s.state, 'disk')).toMatchObject({ status: TaskStatus.TimedOut, phaseStatus: 'monitor.failed' });
      expect(s.state.workflow.compensation).toMatchObject({ status: 'RUNNING', failure: { status: WorkflowStatus.TimedOut } });
      expect(commandsOf(s.last, 'queue.push').map((c) => c.taskId)).toEqual([taskOf(s.state, 'vm').taskId]);
      const done = decide(def, s.state, rollbackOf('vm')(s.state), T0 + 30_004);
      expect(done.state.workflow).toMatchObject({ status: WorkflowStatus.TimedOut, compensation: { status: 'COMPLETED' } });
    });

    it('ends a failed workflow at once when nothing it completed implements rollback', () => {
      const plain = aDefinition([aSimpleTask('x', {}, { retryCount: 0 })], { rollbackOnFailure: true });
      const s = run(plain, [
        [T0, started()],
        [T0 + 1, fails('x')],
      ]);
      expect(s.state.workflow.status).toBe(WorkflowStatus.Failed);
      expect(s.state.workflow.compensation).toBeUndefined();
    });
  });
});

describe('debug mode and re-running a phase', () => {
  const def = aDefinition([aSimpleTask('create', {}, { retryCount: 0 }), aSimpleTask('after')], { rollbackOnFailure: true });
  const debugRun = () =>
    run(def, [
      [T0, started({ size: 1 }, { runMode: 'debug' })],
      [T0 + 1, fails('create', 'FAILED', 'quota exceeded')],
    ]);

  it('pauses a debug run at the task that failed for good, instead of failing it (or rolling it back)', () => {
    const s = debugRun();
    expect(s.state.workflow).toMatchObject({ status: WorkflowStatus.Paused, runMode: 'debug' });
    expect(taskOf(s.state, 'create')).toMatchObject({ status: TaskStatus.Failed, reasonForIncompletion: 'quota exceeded' });
    expect(s.state.workflow.compensation).toBeUndefined();
  });

  it('re-runs the failed start with new parameters under the same id; resumed, the run goes on to COMPLETED', () => {
    const s = debugRun();
    const id = taskOf(s.state, 'create').taskId;
    const rerun = decide(def, s.state, { type: 'task.rerun-phase', taskId: id, phase: 'start', parameters: { size: 2 } }, T0 + 2);
    expect(rerun.rejection).toBeUndefined();
    expect(taskOf(rerun.state, 'create')).toMatchObject({ taskId: id, status: TaskStatus.Scheduled, inputData: { size: 2 } });
    expect(taskOf(rerun.state, 'create').reasonForIncompletion).toBeUndefined();
    expect(commandsOf([...rerun.commands], 'queue.push')).toEqual([expect.objectContaining({ taskId: id })]);
    const done = decide(def, rerun.state, reported(id, 'COMPLETED', { outputData: { ok: true } }), T0 + 3);
    expect(done.state.workflow.status).toBe(WorkflowStatus.Paused);
    const resumed = decide(def, done.state, { type: 'workflow.resume' }, T0 + 4);
    expect(taskOf(resumed.state, 'after').status).toBe(TaskStatus.Scheduled);
    const finished = decide(def, resumed.state, reported(taskOf(resumed.state, 'after').taskId, 'COMPLETED'), T0 + 5);
    expect(finished.state.workflow.status).toBe(WorkflowStatus.Completed);
  });

  it('resumed without a mending re-run, the failure stands: the workflow fails', () => {
    const s = debugRun();
    const resumed = decide(def, s.state, { type: 'workflow.resume' }, T0 + 2);
    expect(resumed.state.workflow).toMatchObject({ status: WorkflowStatus.Failed, reasonForIncompletion: 'quota exceeded' });
  });

  it('refuses a re-run of a task that did not fail, an unknown phase, or one of a run that ended', () => {
    const s = debugRun();
    const running = run(def, [[T0, started()]]);
    expect(decide(def, running.state, { type: 'task.rerun-phase', taskId: taskOf(running.state, 'create').taskId, phase: 'start' }, T0 + 1).rejection).toMatchObject({ code: 'WORKFLOW_CONFLICT' });
    expect(decide(def, s.state, { type: 'task.rerun-phase', taskId: taskOf(s.state, 'create').taskId, phase: 'teleport' }, T0 + 2).rejection).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(decide(def, s.state, { type: 'task.rerun-phase', taskId: 'nope', phase: 'start' }, T0 + 2).rejection).toMatchObject({ code: 'TASK_NOT_FOUND' });
  });

  it('re-runs a monitor with outputs for it to read', () => {
    const monitored = aDefinition([phased('disk', ['monitor'], { monitorIntervalSeconds: 10 })]);
    const s = run(monitored, [
      [T0, started()],
      [T0 + 1, completes('disk', { id: 'd-1' })],
      [T0 + 2, (st) => reported(taskOf(st, 'disk').taskId, 'FAILED', { reasonForIncompletion: 'lost track' })],
    ]);
    expect(s.state.workflow.status).toBe(WorkflowStatus.Failed);
    const paused = run(monitored, [
      [T0, started({}, { runMode: 'debug' })],
      [T0 + 1, completes('disk', { id: 'd-1' })],
      [T0 + 2, (st) => reported(taskOf(st, 'disk').taskId, 'FAILED', { reasonForIncompletion: 'lost track' })],
    ]);
    expect(paused.state.workflow.status).toBe(WorkflowStatus.Paused);
    const again = decide(monitored, paused.state, { type: 'task.rerun-phase', taskId: taskOf(paused.state, 'disk').taskId, phase: 'monitor', outputs: { handle: 'h-9' } }, T0 + 3);
    expect(again.rejection).toBeUndefined();
    expect(taskOf(again.state, 'disk')).toMatchObject({ status: TaskStatus.InProgress, phaseStatus: 'monitor.begin', outputData: { id: 'd-1', handle: 'h-9' } });
    expect(commandsOf([...again.commands], 'queue.push')).toEqual([expect.objectContaining({ visibleAt: T0 + 3 })]);
  });
});

describe('mock runs, cancel on terminate, delete on remove', () => {
  it('runs a dry run: workers that implement mock get their mock phase; other tasks are passed over', () => {
    const def = aDefinition([phased('vm', ['mock']), aSimpleTask('plain'), phased('disk', ['mock', 'rollback'])]);
    const s = run(def, [[T0, started({}, { runMode: 'mock' })]]);
    expect(taskOf(s.state, 'vm')).toMatchObject({ status: TaskStatus.Scheduled, phase: 'mock' });
    const a = decide(def, s.state, reported(taskOf(s.state, 'vm').taskId, 'COMPLETED', { outputData: { cost: 3 } }), T0 + 1);
    expect(taskOf(a.state, 'vm')).toMatchObject({ status: TaskStatus.Completed, phaseStatus: 'mock.success', outputData: { cost: 3 } });
    expect(taskOf(a.state, 'plain').status).toBe(TaskStatus.Skipped);
    expect(taskOf(a.state, 'disk')).toMatchObject({ status: TaskStatus.Scheduled, phase: 'mock' });
    const b = decide(def, a.state, reported(taskOf(a.state, 'disk').taskId, 'COMPLETED', { outputData: { cost: 1 } }), T0 + 2);
    expect(b.state.workflow).toMatchObject({ status: WorkflowStatus.Completed, runMode: 'mock' });
  });

  it("tells a worker at a task that implements cancel to stop when the workflow is terminated; the task ends CANCELED when it did", () => {
    const def = aDefinition([phased('vm', ['cancel']), aSimpleTask('other')]);
    const s = run(def, [
      [T0, started()],
      [T0 + 1, (st) => leased(taskOf(st, 'vm').taskId, T0 + 1)],
    ]);
    const ended = decide(def, s.state, { type: 'workflow.terminate', reason: 'stop', refuseEnded: true }, T0 + 2);
    expect(ended.state.workflow.status).toBe(WorkflowStatus.Terminated);
    expect(taskOf(ended.state, 'vm')).toMatchObject({ status: TaskStatus.InProgress, phase: 'cancel', phaseStatus: 'cancel.begin' });
    expect(commandsOf([...ended.commands], 'queue.push')).toEqual([expect.objectContaining({ taskId: taskOf(s.state, 'vm').taskId })]);
    // The start's own result, arriving now (its worker says which phase it is for), no longer counts.
    const late = decide(def, ended.state, reported(taskOf(s.state, 'vm').taskId, 'COMPLETED', { phase: 'start' }), T0 + 3);
    expect(late.state).toBe(ended.state);
    const stopped = decide(def, ended.state, reported(taskOf(s.state, 'vm').taskId, 'COMPLETED', { phase: 'cancel' }), T0 + 4);
    expect(taskOf(stopped.state, 'vm')).toMatchObject({ status: TaskStatus.Canceled, phaseStatus: 'cancel.success', endTime: T0 + 4 });
    const couldNot = decide(def, ended.state, reported(taskOf(s.state, 'vm').taskId, 'FAILED', { reasonForIncompletion: 'stuck' }), T0 + 4);
    expect(taskOf(couldNot.state, 'vm')).toMatchObject({ status: TaskStatus.Canceled, phaseStatus: 'cancel.failed' });
  });

  it('runs the delete phase of the tasks that implement it before a workflow is removed; a failed delete keeps it', () => {
    const def = aDefinition([phased('vm', ['delete']), phased('disk', ['delete'], { retryCount: 0 })]);
    const s = run(def, [
      [T0, started()],
      [T0 + 1, completes('vm')],
      [T0 + 2, completes('disk')],
    ]);
    expect(s.state.workflow.status).toBe(WorkflowStatus.Completed);
    const removing = decide(def, s.state, { type: 'workflow.remove', archive: true }, T0 + 3);
    expect(commandsOf([...removing.commands], 'workflow.remove')).toEqual([]);
    expect(removing.state.workflow.removal).toEqual({ status: 'RUNNING', archive: true });
    expect(commandsOf([...removing.commands], 'queue.push').map((c) => c.taskId)).toEqual([taskOf(s.state, 'disk').taskId]);
    const disk = decide(def, removing.state, reported(taskOf(s.state, 'disk').taskId, 'COMPLETED'), T0 + 4);
    expect(commandsOf([...disk.commands], 'queue.push').map((c) => c.taskId)).toEqual([taskOf(s.state, 'vm').taskId]);
    const vm = decide(def, disk.state, reported(taskOf(s.state, 'vm').taskId, 'COMPLETED'), T0 + 5);
    expect(commandsOf([...vm.commands], 'workflow.remove')).toEqual([{ type: 'workflow.remove', archive: true }]);

    const failed = decide(def, removing.state, reported(taskOf(s.state, 'disk').taskId, 'FAILED', { reasonForIncompletion: 'in use' }), T0 + 4);
    expect(failed.state.workflow.removal).toMatchObject({ status: 'FAILED', failedTaskId: taskOf(s.state, 'disk').taskId, reason: 'in use' });
    expect(commandsOf([...failed.commands], 'workflow.remove')).toEqual([]);
    // Removing again runs what is left: the failed delete again.
    const again = decide(def, failed.state, { type: 'workflow.remove', archive: true }, T0 + 5);
    expect(commandsOf([...again.commands], 'queue.push').map((c) => c.taskId)).toEqual([taskOf(s.state, 'disk').taskId]);
  });
});

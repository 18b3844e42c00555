import { TaskStatus, WorkflowStatus } from '@app/contracts';
import { aDefinition, aSimpleTask, aTask, commandsOf, run, shorthand, started, statuses, T0, taskOf } from './testing/builders';

describe('a test run (mocked worker results)', () => {
  it('runs worker tasks on their mocks, one per attempt, without queueing them', () => {
    const def = aDefinition([aSimpleTask('a'), aSimpleTask('b', { from: '${a.output.x}' }, { retryCount: 1 })], { outputParameters: { done: '${b.output.y}' } });
    const testRun = {
      taskRefToMockOutput: {
        a: [{ status: 'COMPLETED' as const, output: { x: 1 }, executionTime: 50, queueWaitTime: 10 }],
        b: [{ status: 'FAILED' as const }, { status: 'COMPLETED' as const, output: { y: 2 } }],
      },
    };
    const s = run(def, [[T0, started({}, { testRun })]]);
    expect(s.state.workflow).toMatchObject({ status: WorkflowStatus.Completed, output: { done: 2 } });
    expect(statuses(s.state)).toEqual([
      ['a', TaskStatus.Completed],
      ['b', TaskStatus.Failed],
      ['b', TaskStatus.Completed],
    ]);
    expect(taskOf(s.state, 'a')).toMatchObject({ queueWaitTime: 10, startTime: T0 + 10, endTime: T0 + 60, workerId: 'test-mock' });
    expect(s.state.tasks.find((t) => t.referenceTaskName === 'b')?.inputData).toEqual({ from: 1 });
    expect(commandsOf(s.commands, 'queue.push')).toEqual([]);
    expect(shorthand(s.state, s.commands)).toContain('mock.begin:a#0');
  });

  it('queues a task it has no mock for (or runs out of mocks for), as a normal run would', () => {
    const def = aDefinition([aSimpleTask('a', {}, { retryCount: 1 }), aSimpleTask('unmocked')]);
    const s = run(def, [[T0, started({}, { testRun: { taskRefToMockOutput: { a: [{ status: 'COMPLETED' as const }] } } })]]);
    expect(statuses(s.state)).toEqual([
      ['a', TaskStatus.Completed],
      ['unmocked', TaskStatus.Scheduled],
    ]);
    expect(commandsOf(s.commands, 'queue.push')).toHaveLength(1);
  });

  it('hands a SUB_WORKFLOW child its own mocks', () => {
    const def = aDefinition([aTask('SUB_WORKFLOW', 'child', { subWorkflowParam: { name: 'inner', version: 1 } })]);
    const inner = { taskRefToMockOutput: { x: [{ status: 'COMPLETED' as const }] } };
    const s = run(def, [[T0, started({}, { testRun: { taskRefToMockOutput: {}, subWorkflowTestRequest: { child: inner } } })]]);
    expect(commandsOf(s.commands, 'child.start')).toEqual([expect.objectContaining({ name: 'inner', testRun: inner })]);
  });
});

import { RillReadContext } from '../rill-read.context';
import { onlyTask, readTasks } from '../testing/read.builders';

const fn = (fields: string, ctx?: RillReadContext) => readTasks(`- {name: A, category: function, ${fields}}`, ctx);

describe('functionTaskReader', () => {
  it("fills in Rill Flow's defaults", () => {
    const read = fn('resourceName: http://a, pattern: task_async');
    expect(read.errors).toEqual([]);
    expect(onlyTask(read, 'function')).toMatchObject({
      requestType: 'post',
      successConditions: [],
      failConditions: [],
      retry: { maxRetryTimes: 0, intervalInSeconds: 0, multiplier: 1, conditions: [] },
    });
  });

  it('reads requestType in any case', () => {
    expect(onlyTask(fn('resourceName: http://a, pattern: task_sync, requestType: GET'), 'function').requestType).toBe('get');
  });

  it('makes a rillflow:// resource a sub-flow, async with flow_async', () => {
    const task = onlyTask(fn('resourceName: "rillflow://biz:feat:release", pattern: flow_async'), 'function');
    expect(task.subFlow).toEqual({ descriptorId: 'biz:feat:release', mode: 'async' });
  });

  it('lets resourceProtocol win over the scheme of the resource name', () => {
    const read = fn('resourceName: "biz:feat", resourceProtocol: rillflow, pattern: flow_sync');
    expect(read.errors).toEqual([]);
    expect(onlyTask(read, 'function').subFlow).toEqual({ descriptorId: 'biz:feat', mode: 'sync' });
  });

  it('assumes a pattern from the resource when it is missing, with a warning', () => {
    expect(fn('resourceName: "rillflow://biz:feat"').warnings).toEqual(['tasks[0].pattern: missing; Rill Flow requires it, Baton assumes flow_sync']);
    expect(fn('resourceName: http://a').warnings).toEqual(['tasks[0].pattern: missing; Rill Flow requires it, Baton assumes task_sync']);
  });

  it('accepts a resource:// name the DAG declares, and an inline resource instead of a name', () => {
    const ctx = new RillReadContext();
    ctx.resourceNames.add('r1');
    expect(fn('resourceName: "resource://r1", pattern: task_sync', ctx).errors).toEqual([]);
    const inline = fn('resource: {name: r2, category: http}, pattern: task_sync');
    expect(inline.errors).toEqual([]);
    expect(onlyTask(inline, 'function').resource).toEqual({ name: 'r2', category: 'http', inputMappings: [] });
  });

  it('reads retry knobs written as strings', () => {
    const read = fn('resourceName: http://a, pattern: task_sync, retry: {maxRetryTimes: "2", intervalInSeconds: "5", multiplier: "1.5", conditions: [$.output.retry]}');
    expect(onlyTask(read, 'function').retry).toEqual({ maxRetryTimes: 2, intervalInSeconds: 5, multiplier: 1.5, conditions: ['$.output.retry'] });
  });
});

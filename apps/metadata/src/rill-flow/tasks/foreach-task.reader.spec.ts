import { onlyTask, readTasks } from '../testing/read.builders';

const foreach = (fields: string) => readTasks(`- {name: A, category: foreach, tasks: [{name: B, category: pass}], ${fields}}`);

describe('foreachTaskReader', () => {
  it('reads the iteration and the synchronization', () => {
    const read = foreach('iterationMapping: {collection: $.input.items, item: el, index: i}, synchronization: {conditions: [$.input.x], maxConcurrency: "3"}');
    expect(read.errors).toEqual([]);
    expect(read.warnings).toEqual([]);
    expect(onlyTask(read, 'foreach')).toMatchObject({
      iterationMapping: { collection: '$.input.items', item: 'el', index: 'i' },
      synchronization: { conditions: ['$.input.x'], maxConcurrency: 3 },
      tasks: [{ name: 'B', category: 'pass' }],
    });
  });

  it('warns about a collection outside the task input, which Rill Flow cannot read', () => {
    expect(foreach('iterationMapping: {collection: $.context.items, item: el}').warnings).toEqual([
      'tasks[0].iterationMapping.collection: Rill Flow reads the collection from the task input only; map it into $.input first',
    ]);
  });

  it('warns about a maxConcurrency that never applies', () => {
    expect(foreach('iterationMapping: {collection: $.input.items, item: el}, synchronization: {maxConcurrency: $.input.n}').warnings).toEqual([
      'tasks[0].synchronization.maxConcurrency: Rill Flow applies maxConcurrency only when synchronization.conditions all match; with no conditions every iteration starts at once',
    ]);
  });

  it('reads its tasks as a scope of their own', () => {
    const read = foreach('iterationMapping: {collection: $.input.items, item: el}');
    expect(read.ctx.scopes.map((scope) => scope.map((node) => node.name))).toEqual([['A'], ['B']]);
  });
});

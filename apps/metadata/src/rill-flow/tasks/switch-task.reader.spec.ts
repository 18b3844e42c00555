import { onlyTask, readTasks } from '../testing/read.builders';

const switchTask = (fields: string) =>
  readTasks(`- name: A
  category: switch
  switches:
    - {condition: $.input.x, next: "B, C"}
    - {condition: $.input.y, next: [C, D], break: "true"}
${fields}`);

describe('switchTaskReader', () => {
  it('derives next from the entries, each task once', () => {
    const read = switchTask('');
    expect(read.errors).toEqual([]);
    expect(onlyTask(read, 'switch')).toMatchObject({
      next: ['B', 'C', 'D'],
      switches: [
        { condition: '$.input.x', next: ['B', 'C'] },
        { condition: '$.input.y', next: ['C', 'D'], break: true },
      ],
    });
  });

  it("puts each entry's next in the graph, at the entry's path", () => {
    expect(switchTask('').ctx.scopes[0][0].next).toEqual([
      { name: 'B', path: 'tasks[0].switches[0].next' },
      { name: 'C', path: 'tasks[0].switches[0].next' },
      { name: 'C', path: 'tasks[0].switches[1].next' },
      { name: 'D', path: 'tasks[0].switches[1].next' },
    ]);
  });

  it('ignores a next of its own unless it says the same, and drops outputs, with warnings', () => {
    expect(switchTask('  next: B,C,D\n').warnings).toEqual([]);
    const read = switchTask('  next: E\n  outputMappings: [{source: $.output.x, target: $.context.x}]\n');
    expect(onlyTask(read, 'switch')).toMatchObject({ next: ['B', 'C', 'D'], outputMappings: [] });
    expect(read.warnings).toEqual([
      'tasks[0].next: a switch task takes its next from switches[].next; ignored',
      'tasks[0].outputMappings: a switch task has no outputs (Rill Flow drops them); ignored',
    ]);
  });
});

import type { RillTaskCategory } from '../rill-dag.model';
import { readTasks } from '../testing/read.builders';

/** The fields a task of each category needs to read without errors. */
const MINIMAL: Record<RillTaskCategory, string> = {
  function: 'resourceName: http://a, pattern: task_sync',
  choice: 'choices: [{condition: $.input.x, tasks: [{name: N, category: pass}]}]',
  foreach: 'iterationMapping: {collection: $.input.items, item: el}, tasks: [{name: N, category: pass}]',
  suspense: 'conditions: [$.input.x]',
  pass: '',
  return: 'conditions: [$.input.x]',
  switch: 'switches: [{condition: $.input.x, next: B}]',
};

describe('readTaskList', () => {
  describe.each([
    ['function', true, true],
    ['choice', false, true],
    ['foreach', false, true],
    ['suspense', true, true],
    ['pass', false, false],
    ['return', false, false],
    ['switch', false, true],
  ] as const)('a %s task', (category, honoursTolerance, honoursTimeout) => {
    const read = readTasks(`- {name: A, category: ${category}, tolerance: true, timeline: {timeoutInSeconds: 5}, colour: blue, ${MINIMAL[category]}}`);

    it(`${honoursTolerance ? 'keeps' : 'drops'} tolerance and ${honoursTimeout ? 'keeps' : 'drops'} a timeout, as Rill Flow's class does`, () => {
      expect(read.errors).toEqual([]);
      expect(read.value[0]).toMatchObject({ category, tolerance: honoursTolerance });
      expect(read.value[0].timeline).toEqual(honoursTimeout ? { timeoutInSeconds: 5 } : undefined);
      expect(read.warnings.filter((w) => !w.includes('colour'))).toEqual([
        ...(honoursTolerance ? [] : [`tasks[0].tolerance: Rill Flow ignores tolerance on a ${category} task; set to false`]),
        ...(honoursTimeout ? [] : [`tasks[0].timeline.timeoutInSeconds: Rill Flow ignores a timeout on a ${category} task; dropped`]),
      ]);
    });

    it('warns about a field its category does not have', () => {
      expect(read.warnings).toContain('tasks[0].colour: unknown field, ignored');
    });
  });

  it('warns about the fields of another category', () => {
    expect(readTasks('- {name: A, category: pass, conditions: [$.input.x]}').warnings).toEqual(['tasks[0].conditions: unknown field, ignored']);
  });

  it('checks only the common fields of a task whose category it cannot read, and keeps its name for the graph', () => {
    const read = readTasks('- {name: A, category: subflow, next: B, tolerance: maybe, conditions: []}');
    expect(read.value).toEqual([]);
    expect(read.errors.map((e) => e.path)).toEqual(['tasks[0].category', 'tasks[0].tolerance']);
    expect(read.warnings).toEqual(['tasks[0].conditions: unknown field, ignored']);
    expect(read.ctx.scopes).toEqual([[{ name: 'A', next: [{ name: 'B', path: 'tasks[0].next' }] }]]);
  });

  it('makes each nested task list a scope of its own, with names unique across all of them', () => {
    const read = readTasks(`- {name: A, category: pass, next: C}
- name: C
  category: choice
  choices:
    - {condition: $.input.x, tasks: [{name: D, category: pass}]}
    - {condition: $.input.y, tasks: [{name: A, category: pass}, {name: E, category: pass}]}
`);
    expect(read.errors).toEqual([
      expect.objectContaining({ path: 'tasks[1].choices[1].tasks[0].name', message: expect.stringContaining('already used at tasks[0].name') }),
    ]);
    expect(read.ctx.scopes.map((scope) => scope.map((node) => node.name))).toEqual([['A', 'C'], ['D'], [undefined, 'E']]);
    expect([...read.ctx.taskNames]).toEqual([['A', 'tasks[0].name'], ['C', 'tasks[1].name'], ['D', 'tasks[1].choices[0].tasks[0].name'], ['E', 'tasks[1].choices[1].tasks[1].name']]);
  });
});

import { checkTaskGraph, GraphNode } from './rill-dag.graph';

/** A task whose `next` names `next`, each reference at path `<name>.next`. */
const node = (name: string | undefined, ...next: string[]): GraphNode => ({ name, next: next.map((to) => ({ name: to, path: `${name ?? '?'}.next` })) });

const errorsOf = (scopes: GraphNode[][], triggers: string[] = []) => {
  const taskNames = new Map(scopes.flat().flatMap((n, i) => (n.name ? [[n.name, `tasks[${i}].name`] as const] : [])));
  return checkTaskGraph({ scopes, taskNames, triggerRefs: triggers.map((name) => ({ name, path: 'm.source' })) }).map((e) => `${e.path}: ${e.message}`);
};

describe('checkTaskGraph', () => {
  it('accepts a DAG with several roots and shared successors', () => {
    expect(errorsOf([[node('A', 'C'), node('B', 'C'), node('C')]])).toEqual([]);
  });

  it('reports a self-reference, a missing task and a task of another list, in that order per task', () => {
    expect(errorsOf([[node('A', 'A', 'Z', 'D')], [node('D')]])).toEqual([
      'A.next: task "A" names itself in next',
      'A.next: next names "Z", but there is no task with that name',
      'A.next: next names "D", which is declared at tasks[1].name, outside this task list; next may only name sibling tasks',
    ]);
  });

  it('reports one cycle per strongly connected group, the shortest one through its first task', () => {
    expect(errorsOf([[node('A', 'B'), node('B', 'C', 'A'), node('C', 'A'), node('D', 'E'), node('E', 'D')]])).toEqual([
      'A.next: next forms a cycle: A -> B -> A',
      'D.next: next forms a cycle: D -> E -> D',
    ]);
  });

  it('checks trigger_url references against every task of the DAG, after the lists', () => {
    expect(errorsOf([[node('A', 'Z')], [node('B')]], ['B', 'Q'])).toEqual([
      'A.next: next names "Z", but there is no task with that name',
      'm.source: $.tasks.Q.trigger_url names a task that does not exist',
    ]);
  });
});

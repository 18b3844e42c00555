import type { ValidationErrorItem } from '@app/contracts';

/**
 * The graph checks, run once every task of the DAG has been read (a `next` may name a task declared
 * further down): each `next` names a sibling in the same task list and not the task itself, no task list
 * has a cycle, and each `$.tasks.<name>.trigger_url` names a task of the DAG. Pure: it returns the errors.
 *
 * Reachability needs no rule of its own: in an acyclic graph every task is reachable from a task no one
 * points at, so the only unreachable tasks are those caught in (or behind) a cycle.
 */

/** A task name used somewhere, with the path of the field that uses it. */
export interface NextRef {
  readonly name: string;
  readonly path: string;
}

/** A task as the `next` graph sees it: one per entry of a task list (a task that could not be read has no name). */
export interface GraphNode {
  readonly name?: string;
  readonly next: readonly NextRef[];
}

export interface RillTaskGraph {
  /** One list per task list (top level, each choice, each foreach body): `next` stays inside its list. */
  readonly scopes: readonly (readonly GraphNode[])[];
  /** Every task name in the DAG, nested ones included, with the path it was first declared at. */
  readonly taskNames: ReadonlyMap<string, string>;
  /** The tasks that `$.tasks.<name>.trigger_url` mapping sources name. */
  readonly triggerRefs: readonly NextRef[];
}

export function checkTaskGraph(graph: RillTaskGraph): ValidationErrorItem[] {
  const errors = graph.scopes.flatMap((scope) => checkScope(scope, graph.taskNames));
  for (const ref of graph.triggerRefs) {
    if (!graph.taskNames.has(ref.name)) {
      errors.push({ path: ref.path, message: `$.tasks.${ref.name}.trigger_url names a task that does not exist`, invalidValue: ref.name });
    }
  }
  return errors;
}

interface Edge {
  readonly to: number;
  readonly path: string;
}

/** One task list: its `next` references, then one cycle per strongly connected group of tasks. */
function checkScope(scope: readonly GraphNode[], taskNames: ReadonlyMap<string, string>): ValidationErrorItem[] {
  const errors: ValidationErrorItem[] = [];
  const byName = new Map<string, number>();
  scope.forEach((node, i) => {
    if (node.name !== undefined && !byName.has(node.name)) byName.set(node.name, i);
  });
  const edges: Edge[][] = scope.map((node) => {
    const out: Edge[] = [];
    for (const ref of node.next) {
      if (ref.name === node.name) {
        errors.push({ path: ref.path, message: `task "${node.name}" names itself in next`, invalidValue: ref.name });
        continue;
      }
      const to = byName.get(ref.name);
      if (to !== undefined) {
        out.push({ to, path: ref.path });
        continue;
      }
      const elsewhere = taskNames.get(ref.name);
      errors.push({
        path: ref.path,
        message: elsewhere
          ? `next names "${ref.name}", which is declared at ${elsewhere}, outside this task list; next may only name sibling tasks`
          : `next names "${ref.name}", but there is no task with that name`,
        invalidValue: ref.name,
      });
    }
    return out;
  });

  for (const component of stronglyConnected(edges)) {
    if (component.length < 2) continue;
    const members = new Set(component);
    const start = Math.min(...component);
    const cycle = shortestCycle(start, edges, members);
    const names = [...cycle, start].map((i) => scope[i].name ?? `#${i}`);
    const firstEdge = edges[start].find((edge) => edge.to === cycle[1] || (cycle.length === 1 && edge.to === start));
    errors.push({ path: firstEdge?.path ?? '$', message: `next forms a cycle: ${names.join(' -> ')}`, invalidValue: names });
  }
  return errors;
}

/** Tarjan's strongly connected components, over node indexes. */
function stronglyConnected(edges: readonly (readonly { to: number }[])[]): number[][] {
  const index: number[] = new Array(edges.length).fill(-1);
  const low: number[] = new Array(edges.length).fill(0);
  const onStack: boolean[] = new Array(edges.length).fill(false);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  const visit = (v: number): void => {
    index[v] = low[v] = counter++;
    stack.push(v);
    onStack[v] = true;
    for (const { to } of edges[v]) {
      if (index[to] === -1) {
        visit(to);
        low[v] = Math.min(low[v], low[to]);
      } else if (onStack[to]) {
        low[v] = Math.min(low[v], index[to]);
      }
    }
    if (low[v] === index[v]) {
      const component: number[] = [];
      let w: number;
      do {
        w = stack.pop()!;
        onStack[w] = false;
        component.push(w);
      } while (w !== v);
      components.push(component);
    }
  };
  for (let v = 0; v < edges.length; v++) if (index[v] === -1) visit(v);
  return components;
}

/** The shortest cycle through `start` inside one strongly connected component, as a node list from `start`. */
function shortestCycle(start: number, edges: readonly (readonly { to: number }[])[], members: ReadonlySet<number>): number[] {
  const parent = new Map<number, number>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head];
    for (const { to } of edges[v]) {
      if (!members.has(to)) continue;
      if (to === start) {
        const cycle = [v];
        while (cycle[0] !== start) cycle.unshift(parent.get(cycle[0])!);
        return cycle;
      }
      if (!parent.has(to)) {
        parent.set(to, v);
        queue.push(to);
      }
    }
  }
  return [start];
}

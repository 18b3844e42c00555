import type { GraphNode, NextRef, RillTaskGraph } from './rill-dag.graph';
import { RillValueReader } from './rill-value.reader';

/**
 * The state of reading one descriptor, passed to every reader: the problems found so far (it is a
 * `RillValueReader`) and what one part of the descriptor declares for another to refer to. The DAG reader
 * reads `commonMapping` and `resources` before the tasks, so their names are known when a mapping's
 * `reference` or a `resource://<name>` is read; task names and `next` scopes are collected as the tasks are
 * read and checked as a graph (`checkTaskGraph`) once all are known.
 */
export class RillReadContext extends RillValueReader implements RillTaskGraph {
  /** The commonMapping lists a mapping's `reference` may name (the non-empty ones). */
  commonMappingNames: ReadonlySet<string> = new Set();
  /** The DAG-level resources a `resource://<name>` may name. */
  readonly resourceNames = new Set<string>();
  readonly taskNames = new Map<string, string>();
  readonly scopes: GraphNode[][] = [];
  readonly triggerRefs: NextRef[] = [];
}

/** Rill Flow's `FlowDAGValidator` rule for task and resource names. */
export const MAX_NAME_LENGTH = 100;
export const isRillName = (name: string): boolean => /^[A-Za-z0-9]+$/.test(name) && name.length <= MAX_NAME_LENGTH;

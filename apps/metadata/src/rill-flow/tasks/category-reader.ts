import type { RillTask, RillTaskCategory } from '../rill-dag.model';
import type { NextRef } from '../rill-dag.graph';
import type { RillReadContext } from '../rill-read.context';
import type { RawMap } from '../rill-yaml.decoder';
import type { RillTaskCommon } from './task-common.reader';

/**
 * What one Rill Flow task category is to the task reader: the fields only it has, what its Rill Flow
 * class does with the common fields, and how to read the rest. There is one module per category, and
 * `task.reader.ts` keys them by category, so a category added to the model without a reader does not compile.
 */

export type RillTaskOf<C extends RillTaskCategory> = Extract<RillTask, { category: C }>;

/** What a category's Rill Flow class does with the fields every task has. */
export interface RillCategoryTraits {
  readonly category: RillTaskCategory;
  /** False where the class fixes `tolerance` to false: Baton warns and sets it to false. */
  readonly honoursTolerance: boolean;
  /** False where the class ignores `timeline.timeoutInSeconds`: Baton warns and drops it. */
  readonly honoursTimeout: boolean;
}

/** A task of the category, as written, with the common fields already read. */
export interface RillTaskSource {
  readonly ctx: RillReadContext;
  readonly map: RawMap;
  readonly path: string;
  readonly common: RillTaskCommon;
  /** Reads a nested task list (a choice's, a foreach body): a `next` scope of its own. */
  readonly readTasks: (value: unknown, path: string) => RillTask[];
}

export interface RillCategoryRead<C extends RillTaskCategory> {
  readonly task: RillTaskOf<C>;
  /** The task's edges in the `next` graph, when they are not its `next` field (a switch's are in `switches`). */
  readonly next?: readonly NextRef[];
}

export interface RillCategoryReader<C extends RillTaskCategory> extends RillCategoryTraits {
  readonly category: C;
  /** The fields of this category besides the common ones (anything else is warned about as unknown). */
  readonly fields: readonly string[];
  read(source: RillTaskSource): RillCategoryRead<C>;
}

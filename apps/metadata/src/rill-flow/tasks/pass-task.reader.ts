import type { RillCategoryReader } from './category-reader';

/**
 * `pass`: does nothing but its mappings, and succeeds. Nothing of its own; Rill Flow's class fixes
 * `tolerance` to false and has no timeout.
 */
export const passTaskReader: RillCategoryReader<'pass'> = {
  category: 'pass',
  fields: [],
  honoursTolerance: false,
  honoursTimeout: false,
  read: ({ common }) => ({ task: { category: 'pass', ...common } }),
};

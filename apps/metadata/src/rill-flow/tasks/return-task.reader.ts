import { at } from '../rill-value.reader';
import type { RillCategoryReader } from './category-reader';
import { readConditions } from './task-common.reader';

/** `return`: when all its `conditions` match the task's input, every task after it is skipped. It has no timeout. */
export const returnTaskReader: RillCategoryReader<'return'> = {
  category: 'return',
  fields: ['conditions'],
  honoursTolerance: false,
  honoursTimeout: false,
  read: ({ ctx, map, path, common }) => ({
    task: { category: 'return', ...common, conditions: readConditions(ctx, map.conditions, at(path, 'conditions'), 'a return task') },
  }),
};

import { at } from '../rill-value.reader';
import type { RillCategoryReader } from './category-reader';
import { readConditions } from './task-common.reader';

/**
 * `suspense`: waits until all its `conditions` match the task's input (it succeeds) or any of its
 * `interruptions` does (it fails). Its timeline decides what happens when the wait times out.
 */
export const suspenseTaskReader: RillCategoryReader<'suspense'> = {
  category: 'suspense',
  fields: ['conditions', 'interruptions'],
  honoursTolerance: true,
  honoursTimeout: true,
  read: ({ ctx, map, path, common }) => ({
    task: {
      category: 'suspense',
      ...common,
      conditions: readConditions(ctx, map.conditions, at(path, 'conditions'), 'a suspense task'),
      interruptions: ctx.stringList(map.interruptions, at(path, 'interruptions')),
    },
  }),
};

import type { RillIterationMapping, RillSynchronization, RillTask } from '../rill-dag.model';
import type { RillReadContext } from '../rill-read.context';
import { at, compact, isBlank } from '../rill-value.reader';
import { plain } from '../rill-yaml.decoder';
import type { RillCategoryReader } from './category-reader';

/**
 * `foreach`: runs its `tasks` once per element of `iterationMapping.collection` (a JSONPath over the task's
 * input), the element stored under `item` in each iteration's context; `synchronization` caps how many
 * groups run at once. Its tasks are a `next` scope of their own.
 */
export const foreachTaskReader: RillCategoryReader<'foreach'> = {
  category: 'foreach',
  fields: ['iterationMapping', 'synchronization', 'tasks'],
  honoursTolerance: false,
  honoursTimeout: true,
  read: ({ ctx, map, path, common, readTasks }) => {
    const iterationMapping = readIterationMapping(ctx, map.iterationMapping, at(path, 'iterationMapping'));
    const synchronization = readSynchronization(ctx, map.synchronization, at(path, 'synchronization'));
    let tasks: RillTask[] = [];
    if (!Array.isArray(map.tasks) || !map.tasks.length) ctx.error(at(path, 'tasks'), 'a foreach task needs at least one task to run per element', plain(map.tasks));
    else tasks = readTasks(map.tasks, at(path, 'tasks'));
    return { task: { category: 'foreach', ...common, ...compact({ iterationMapping, synchronization, tasks }) } };
  },
};

const ITERATION_KEYS = new Set(['collection', 'item', 'index', 'identity']);
const SYNCHRONIZATION_KEYS = new Set(['conditions', 'maxConcurrency']);

function readIterationMapping(ctx: RillReadContext, value: unknown, path: string): RillIterationMapping {
  const map = ctx.map(value, path);
  if (!map) {
    ctx.error(path, 'a foreach task needs an iterationMapping with a collection');
    return { collection: '' };
  }
  ctx.unknownKeys(map, path, ITERATION_KEYS);
  const collection = ctx.string(map.collection, at(path, 'collection'));
  if (isBlank(collection)) ctx.error(at(path, 'collection'), 'a foreach task needs iterationMapping.collection, a JSONPath such as $.input.items');
  else if (!collection.startsWith('$.')) ctx.error(at(path, 'collection'), `collection "${collection}" must be a JSONPath starting with $.`, collection);
  else if (!/^\$\.input(?=$|[.[])/.test(collection)) {
    ctx.warn(at(path, 'collection'), 'Rill Flow reads the collection from the task input only; map it into $.input first');
  }
  const item = ctx.string(map.item, at(path, 'item'));
  if (isBlank(item)) ctx.error(at(path, 'item'), 'a foreach task needs iterationMapping.item, the context key each element is stored under');
  return compact<RillIterationMapping>({
    collection: collection ?? '',
    item,
    index: ctx.string(map.index, at(path, 'index')),
    identity: ctx.string(map.identity, at(path, 'identity')),
  });
}

function readSynchronization(ctx: RillReadContext, value: unknown, path: string): RillSynchronization | undefined {
  const map = ctx.map(value, path);
  if (!map) return undefined;
  ctx.unknownKeys(map, path, SYNCHRONIZATION_KEYS);
  const conditions = ctx.stringList(map.conditions, at(path, 'conditions'));
  const maxConcurrency = ctx.seconds(map.maxConcurrency, at(path, 'maxConcurrency'), 'a whole number of groups');
  if (maxConcurrency !== undefined && !conditions.length) {
    ctx.warn(at(path, 'maxConcurrency'), 'Rill Flow applies maxConcurrency only when synchronization.conditions all match; with no conditions every iteration starts at once');
  }
  return compact<RillSynchronization>({ conditions, maxConcurrency });
}

import type { RillSwitch } from '../rill-dag.model';
import type { RillReadContext } from '../rill-read.context';
import { at, compact, idx, isBlank } from '../rill-value.reader';
import { plain } from '../rill-yaml.decoder';
import type { RillCategoryReader } from './category-reader';
import { readNextNames } from './task-common.reader';

/**
 * `switch`: entries of a JSONPath `condition` and the `next` tasks it leads to (`break` stops at the first
 * match). The task's own `next` is derived from its entries, so a `next` written on the task is ignored,
 * and it has no outputs; in the `next` graph its edges are each entry's `next`.
 */
export const switchTaskReader: RillCategoryReader<'switch'> = {
  category: 'switch',
  fields: ['switches'],
  honoursTolerance: false,
  honoursTimeout: true,
  read: ({ ctx, map, path, common }) => {
    const switches = readSwitches(ctx, map.switches, at(path, 'switches'));
    const next = [...new Set(switches.flatMap((entry) => entry.next))];
    if (common.next.length && common.next.join(',') !== next.join(',')) {
      ctx.warn(at(path, 'next'), 'a switch task takes its next from switches[].next; ignored');
    }
    if (common.outputMappings.length) ctx.warn(at(path, 'outputMappings'), 'a switch task has no outputs (Rill Flow drops them); ignored');
    return {
      task: { category: 'switch', ...common, next, outputMappings: [], switches },
      next: switches.flatMap((entry, j) => entry.next.map((name) => ({ name, path: at(idx(at(path, 'switches'), j), 'next') }))),
    };
  },
};

const SWITCH_KEYS = new Set(['condition', 'next', 'break']);

function readSwitches(ctx: RillReadContext, value: unknown, path: string): RillSwitch[] {
  if (!Array.isArray(value) || !value.length) {
    ctx.error(path, 'a switch task needs at least one entry in switches', plain(value));
    return [];
  }
  const switches: RillSwitch[] = [];
  value.forEach((item, j) => {
    const here = idx(path, j);
    const map = ctx.requiredMap(item, here, 'a switch ({condition, next})');
    if (!map) return;
    ctx.unknownKeys(map, here, SWITCH_KEYS);
    const condition = ctx.string(map.condition, at(here, 'condition'));
    if (isBlank(condition)) ctx.error(at(here, 'condition'), 'a switch entry needs a condition');
    const next = readNextNames(ctx, map.next, at(here, 'next'));
    if (!next.length) ctx.error(at(here, 'next'), 'a switch entry needs a next task');
    switches.push(compact<RillSwitch>({ condition: condition ?? '', next, break: ctx.boolean(map.break, at(here, 'break')) }));
  });
  return switches;
}

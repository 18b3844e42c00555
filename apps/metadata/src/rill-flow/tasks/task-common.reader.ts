import type { RillDegrade, RillPassTask, RillProgress, RillTimeline } from '../rill-dag.model';
import { readMappings } from '../rill-mapping.reader';
import type { RillReadContext } from '../rill-read.context';
import { at, compact, idx } from '../rill-value.reader';
import type { RawMap } from '../rill-yaml.decoder';
import type { RillCategoryTraits } from './category-reader';

/**
 * The fields every task has, whatever its category (Rill Flow's `BaseTask`): title, `next`, tolerance,
 * mappings, parameters, timeline, key callback, degrade, progress and the `input` shorthand; and the
 * readers that more than one category uses (`next` lists, condition lists).
 */

/** The common fields, as read: every task of the model has them. */
export type RillTaskCommon = Omit<RillPassTask, 'category'>;

export const COMMON_TASK_KEYS = [
  'name', 'title', 'description', 'category', 'next', 'tolerance', 'inputMappings', 'outputMappings', 'parameters',
  'timeline', 'keyCallback', 'isKeyCallback', 'keyExp', 'degrade', 'progress', 'input',
];
const TIMELINE_KEYS = new Set(['timeoutInSeconds', 'skipOnTimeout', 'suspenseIntervalSeconds', 'suspenseTimestamp']);
const DEGRADE_KEYS = new Set(['followings', 'current']);
const PROGRESS_KEYS = new Set(['weight', 'calculation', 'args']);

/**
 * `name` is read (and checked) by the task reader; `traits` is undefined when the category could not be
 * read, and then nothing is dropped.
 */
export function readCommonFields(ctx: RillReadContext, map: RawMap, path: string, name: string, traits: RillCategoryTraits | undefined): RillTaskCommon {
  let tolerance = ctx.boolean(map.tolerance, at(path, 'tolerance')) ?? false;
  if (tolerance && traits && !traits.honoursTolerance) {
    ctx.warn(at(path, 'tolerance'), `Rill Flow ignores tolerance on a ${traits.category} task; set to false`);
    tolerance = false;
  }
  const keyCallback = ctx.boolean(map.keyCallback, at(path, 'keyCallback'));
  const isKeyCallback = ctx.boolean(map.isKeyCallback, at(path, 'isKeyCallback'));
  if (keyCallback !== undefined && isKeyCallback !== undefined && keyCallback !== isKeyCallback) {
    ctx.error(at(path, 'isKeyCallback'), 'isKeyCallback and keyCallback are the same field and disagree');
  }
  const input = ctx.freeForm(map.input, at(path, 'input'));
  if (input) ctx.warn(at(path, 'input'), 'kept as written; Baton does not expand the input shorthand into mappings yet');
  return compact<RillTaskCommon>({
    name,
    title: ctx.string(map.title, at(path, 'title')),
    description: ctx.string(map.description, at(path, 'description')),
    next: readNextNames(ctx, map.next, at(path, 'next')),
    tolerance,
    inputMappings: readMappings(ctx, map.inputMappings, at(path, 'inputMappings'), 'rule'),
    outputMappings: readMappings(ctx, map.outputMappings, at(path, 'outputMappings'), 'rule'),
    parameters: ctx.freeForm(map.parameters, at(path, 'parameters')),
    timeline: readTimeline(ctx, map.timeline, at(path, 'timeline'), traits),
    keyCallback: keyCallback ?? isKeyCallback,
    keyExp: ctx.string(map.keyExp, at(path, 'keyExp')),
    degrade: readDegrade(ctx, map.degrade, at(path, 'degrade')),
    progress: readProgress(ctx, map.progress, at(path, 'progress')),
    input,
  });
}

/** Task names, from a list or from Rill Flow's comma-separated string (`next: B,C`), trimmed, once each. */
export function readNextNames(ctx: RillReadContext, value: unknown, path: string): string[] {
  if (value === undefined || value === null) return [];
  let parts: string[];
  if (Array.isArray(value)) parts = value.map((item, i) => ctx.string(item, idx(path, i)) ?? '');
  else {
    const text = ctx.string(value, path);
    if (text === undefined) return [];
    parts = text.split(',');
  }
  const names: string[] = [];
  for (const part of parts.map((p) => p.trim()).filter(Boolean)) {
    if (names.includes(part)) ctx.warn(path, `"${part}" is listed twice`);
    else names.push(part);
  }
  return names;
}

/** A non-empty list of JSONPath conditions; `owner` names the task in the error (`a return task`). */
export function readConditions(ctx: RillReadContext, value: unknown, path: string, owner: string): string[] {
  const conditions = ctx.stringList(value, path);
  if (value === undefined || value === null || (Array.isArray(value) && !value.length)) {
    ctx.error(path, `${owner} needs at least one condition`);
  }
  return conditions;
}

function readTimeline(ctx: RillReadContext, value: unknown, path: string, traits: RillCategoryTraits | undefined): RillTimeline | undefined {
  const map = ctx.map(value, path);
  if (!map) return undefined;
  ctx.unknownKeys(map, path, TIMELINE_KEYS);
  let timeoutInSeconds = ctx.seconds(map.timeoutInSeconds, at(path, 'timeoutInSeconds'));
  if (timeoutInSeconds !== undefined && traits && !traits.honoursTimeout) {
    ctx.warn(at(path, 'timeoutInSeconds'), `Rill Flow ignores a timeout on a ${traits.category} task; dropped`);
    timeoutInSeconds = undefined;
  }
  const timeline = compact<RillTimeline>({
    timeoutInSeconds,
    skipOnTimeout: ctx.boolean(map.skipOnTimeout, at(path, 'skipOnTimeout')),
    suspenseIntervalSeconds: ctx.seconds(map.suspenseIntervalSeconds, at(path, 'suspenseIntervalSeconds')),
    suspenseTimestamp: ctx.timestamp(map.suspenseTimestamp, at(path, 'suspenseTimestamp')),
  });
  return Object.keys(timeline).length ? timeline : undefined;
}

function readDegrade(ctx: RillReadContext, value: unknown, path: string): RillDegrade | undefined {
  const map = ctx.map(value, path);
  if (!map) return undefined;
  ctx.unknownKeys(map, path, DEGRADE_KEYS);
  return compact<RillDegrade>({
    followings: ctx.boolean(map.followings, at(path, 'followings')),
    current: ctx.boolean(map.current, at(path, 'current')),
  });
}

function readProgress(ctx: RillReadContext, value: unknown, path: string): RillProgress | undefined {
  const map = ctx.map(value, path);
  if (!map) return undefined;
  ctx.unknownKeys(map, path, PROGRESS_KEYS);
  return compact<RillProgress>({
    weight: ctx.wholeNumber(map.weight, at(path, 'weight')),
    calculation: ctx.string(map.calculation, at(path, 'calculation')),
    args: map.args === undefined || map.args === null ? undefined : readMappings(ctx, map.args, at(path, 'args'), 'progress'),
  });
}

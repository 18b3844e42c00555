import type { RillMapping } from './rill-dag.model';
import type { RillReadContext } from './rill-read.context';
import { at, compact, DATA_PATH, idx, isBlank } from './rill-value.reader';
import { plain } from './rill-yaml.decoder';

/**
 * Mapping lists (`inputMappings`, `outputMappings`, `commonMapping`, a callback's and a resource's
 * `inputMappings`, `progress.args`). A mapping is a rule (`target` from `source` and/or `transform`), a
 * `reference` to a commonMapping list, or for `progress.args` a `variable`. Sources and targets starting
 * with `$` must be JSONPaths Rill Flow can resolve; `$.tasks.<name>.trigger_url` sources are kept on the
 * context for the graph check, since the task they name may come later.
 */

/** `rule`: inputMappings and the like; `progress`: `progress.args`, whose entries name a `variable`. */
export type MappingKind = 'rule' | 'progress';

const MAPPING_KEYS = new Set(['source', 'target', 'tolerance', 'reference', 'transform', 'variable']);
/** `$.tasks.<name>.trigger_url[?query]`: the callback URL of a task of this execution. */
const TRIGGER_URL = /^\$\.tasks\.([^.?]+)\.trigger_url(\?.*)?$/;

export function readMappings(ctx: RillReadContext, value: unknown, path: string, kind: MappingKind): RillMapping[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    ctx.error(path, 'must be a list of mappings', plain(value));
    return [];
  }
  return value.flatMap((item, i) => {
    const mapping = readMapping(ctx, item, idx(path, i), kind);
    return mapping ? [mapping] : [];
  });
}

function readMapping(ctx: RillReadContext, value: unknown, path: string, kind: MappingKind): RillMapping | undefined {
  const map = ctx.requiredMap(value, path, 'a mapping ({source, target})');
  if (!map) return undefined;
  ctx.unknownKeys(map, path, MAPPING_KEYS);
  const mapping = compact<RillMapping>({
    source: ctx.string(map.source, at(path, 'source')),
    target: ctx.string(map.target, at(path, 'target')),
    tolerance: ctx.boolean(map.tolerance, at(path, 'tolerance')),
    reference: ctx.string(map.reference, at(path, 'reference')),
    transform: ctx.string(map.transform, at(path, 'transform')),
    variable: ctx.string(map.variable, at(path, 'variable')),
  });

  if (mapping.reference !== undefined) {
    if (!ctx.commonMappingNames.has(mapping.reference)) {
      ctx.error(at(path, 'reference'), `reference "${mapping.reference}" names no list in commonMapping`, mapping.reference);
    }
  } else if (kind === 'rule') {
    if (isBlank(mapping.target)) ctx.error(at(path, 'target'), 'a mapping needs a target, a JSONPath such as $.input.x');
    if (isBlank(mapping.source) && isBlank(mapping.transform)) ctx.error(at(path, 'source'), 'a mapping needs a source (or a transform)');
  } else if (isBlank(mapping.variable)) {
    ctx.error(at(path, 'variable'), 'a progress argument needs a variable');
  }

  const target = mapping.target?.trim();
  if (target) {
    if (!target.startsWith('$.')) ctx.error(at(path, 'target'), `target "${target}" must be a JSONPath starting with $.`, target);
    else if (!DATA_PATH.test(target)) ctx.error(at(path, 'target'), `target "${target}" must be under $.context, $.input or $.output`, target);
  }
  const source = mapping.source?.trim();
  if (source?.startsWith('$')) {
    const trigger = TRIGGER_URL.exec(source);
    if (trigger) ctx.triggerRefs.push({ name: trigger[1], path: at(path, 'source') });
    else if (source.startsWith('$.tasks.')) {
      ctx.error(at(path, 'source'), `source "${source}" must have the form $.tasks.<taskName>.trigger_url[?query]`, source);
    } else if (!DATA_PATH.test(source)) {
      ctx.error(at(path, 'source'), `source "${source}" must start with $.context, $.input, $.output or $.tasks. (a constant must not start with $)`, source);
    }
  }
  return mapping;
}

import type { RillDagType, RillResource } from './rill-dag.model';
import { readMappings } from './rill-mapping.reader';
import { isRillName, MAX_NAME_LENGTH, RillReadContext } from './rill-read.context';
import { at, compact, idx, isBlank } from './rill-value.reader';
import { plain } from './rill-yaml.decoder';

/**
 * Resources: the DAG's `resources` (the body of a `type: resource` DAG, or what a function task's
 * `resource://<name>` points at), whose names it records on the context, and a function task's inline
 * `resource`. Both have the same shape: `{name, category, inputMappings}`.
 */

const RESOURCE_KEYS = new Set(['name', 'category', 'inputMappings']);

export function readDagResources(ctx: RillReadContext, value: unknown, type: RillDagType): RillResource[] | undefined {
  if (value === undefined || value === null) {
    if (type === 'resource') ctx.error('resources', 'a resource DAG needs at least one resource');
    return undefined;
  }
  if (!Array.isArray(value) || (type === 'resource' && !value.length)) {
    ctx.error('resources', type === 'resource' ? 'a resource DAG needs at least one resource' : 'must be a list of resources', plain(value));
    return undefined;
  }
  const resources: RillResource[] = [];
  value.forEach((item, i) => {
    const path = idx('resources', i);
    const resource = readResource(ctx, item, path);
    if (!resource) return;
    const name = resource.name;
    if (isBlank(name)) ctx.error(at(path, 'name'), 'a resource needs a name');
    else if (!isRillName(name)) ctx.error(at(path, 'name'), `resource name "${name}" must be 1 to ${MAX_NAME_LENGTH} letters and digits`, name);
    else if (ctx.resourceNames.has(name)) ctx.error(at(path, 'name'), `resource name "${name}" is used twice`, name);
    else ctx.resourceNames.add(name);
    resources.push(resource);
  });
  return resources;
}

export function readResource(ctx: RillReadContext, value: unknown, path: string): RillResource | undefined {
  const map = ctx.requiredMap(value, path, 'a resource');
  if (!map) return undefined;
  ctx.unknownKeys(map, path, RESOURCE_KEYS);
  return compact<RillResource>({
    name: ctx.string(map.name, at(path, 'name')),
    category: ctx.string(map.category, at(path, 'category')),
    inputMappings: readMappings(ctx, map.inputMappings, at(path, 'inputMappings'), 'rule'),
  });
}

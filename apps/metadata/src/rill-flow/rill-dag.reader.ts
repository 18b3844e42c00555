import { RILL_DAG_TYPES, RillCallback, RillDag, RillDagType, RillMapping, RillSeconds, RillTask } from './rill-dag.model';
import { checkTaskGraph } from './rill-dag.graph';
import { readMappings } from './rill-mapping.reader';
import type { RillReadContext } from './rill-read.context';
import { readDagResources } from './rill-resource.reader';
import { at, compact } from './rill-value.reader';
import { isRawMap, plain, RawMap } from './rill-yaml.decoder';
import { readTaskList } from './tasks/task.reader';

/**
 * The top level of a descriptor: the ids it is registered under, `version`, `type`, the DAG timeout
 * (`timer`), `defaultContext`, `commonMapping`, `resources`, the callback (under any of its three names),
 * `inputSchema`, `output` and the task list; then the graph checks over all the tasks. The order matters:
 * commonMapping and resources are read before anything that may refer to them.
 */

export interface RillDescriptorIds {
  readonly businessId: string;
  readonly featureName: string;
}

const ROOT_KEYS = new Set([
  'workspace', 'namespace', 'dagName', 'service', 'version', 'type', 'timer', 'timeoutInSeconds', 'tasks', 'resources',
  'callback', 'callback_config', 'callbackConfig', 'defaultContext', 'commonMapping', 'inputSchema', 'output',
]);
/** Known but not Baton's business: `alias` travels as an API parameter. */
const ROOT_IGNORED = new Set(['alias']);
/** The callback's three spellings, in the order they are looked for. */
const CALLBACK_KEYS = ['callback', 'callback_config', 'callbackConfig'];
const CALLBACK_FIELDS = new Set(['resourceName', 'fullDAGInfo', 'fullContext', 'inputMappings']);

/** The DAG, or undefined when the body is not a mapping at all; problems are on the context either way. */
export function readRillDag(ctx: RillReadContext, body: unknown, ids: RillDescriptorIds): RillDag | undefined {
  if (body === null || body === undefined) {
    ctx.error('$', 'the descriptor is empty; expected a YAML mapping with type and tasks');
    return undefined;
  }
  if (!isRawMap(body)) {
    ctx.error('$', `the descriptor must be a YAML mapping (type, tasks, …), not ${Array.isArray(body) ? 'a list' : 'a scalar'}`, plain(body));
    return undefined;
  }
  ctx.unknownKeys(body, '', ROOT_KEYS, ROOT_IGNORED);

  checkId(ctx, body, 'workspace', ids.businessId, 'business_id');
  checkId(ctx, body, 'namespace', ids.businessId, 'business_id');
  checkId(ctx, body, 'dagName', ids.featureName, 'feature_name');
  checkId(ctx, body, 'service', ids.featureName, 'feature_name');
  const version = ctx.string(body.version, 'version');
  const type = readDagType(ctx, body.type);
  const timeoutInSeconds = readDagTimeout(ctx, body);
  const defaultContext = readDefaultContext(ctx, body.defaultContext);
  const commonMapping = readCommonMapping(ctx, body.commonMapping);
  const resources = readDagResources(ctx, body.resources, type);
  const callback = readCallback(ctx, body);
  const inputSchema = ctx.string(body.inputSchema, 'inputSchema');
  const output = ctx.freeForm(body.output, 'output');
  if (output && Object.keys(output).length) ctx.warn('output', 'kept as written; Baton does not generate output mappings from it yet');

  let tasks: RillTask[] = [];
  if (type === 'resource') {
    if (Array.isArray(body.tasks) ? body.tasks.length : body.tasks != null) {
      ctx.error('tasks', 'a resource DAG declares resources, not tasks');
    }
  } else {
    if (body.tasks === undefined || body.tasks === null || (Array.isArray(body.tasks) && !body.tasks.length)) {
      ctx.error('tasks', 'a flow DAG needs at least one task');
    } else {
      tasks = readTaskList(ctx, body.tasks, 'tasks');
    }
    ctx.errors.push(...checkTaskGraph(ctx));
  }

  return compact<RillDag>({
    workspace: ids.businessId,
    dagName: ids.featureName,
    version,
    type,
    timeoutInSeconds,
    defaultContext,
    commonMapping,
    inputSchema,
    output,
    callback,
    resources,
    tasks,
  });
}

/** `workspace`/`namespace` and `dagName`/`service` may be left out, but must not contradict the registration. */
function checkId(ctx: RillReadContext, body: RawMap, key: string, expected: string, param: string): void {
  if (body[key] === undefined || body[key] === null) return;
  const value = ctx.string(body[key], key);
  if (value !== undefined && value !== expected) {
    ctx.error(key, `${key} "${value}" does not match the ${param} "${expected}" the descriptor is registered under`, value);
  }
}

function readDagType(ctx: RillReadContext, value: unknown): RillDagType {
  if (value === undefined || value === null) {
    ctx.warn('type', 'missing; Rill Flow requires it, Baton assumes flow');
    return 'flow';
  }
  const type = ctx.string(value, 'type');
  if (type !== undefined && !(RILL_DAG_TYPES as readonly string[]).includes(type)) {
    ctx.error('type', `type must be one of ${RILL_DAG_TYPES.join(', ')}, not "${type}"`, type);
  }
  return (type as RillDagType) ?? 'flow';
}

/** `timer.timeoutInSeconds` (Rill Flow's spelling) or a top-level `timeoutInSeconds`, not both. */
function readDagTimeout(ctx: RillReadContext, body: RawMap): RillSeconds | undefined {
  const timer = ctx.map(body.timer, 'timer');
  if (timer) {
    for (const key of Object.keys(timer)) {
      if (key !== 'timeoutInSeconds') ctx.warn(at('timer', key), 'only timeoutInSeconds applies to a DAG; ignored');
    }
  }
  if (timer?.timeoutInSeconds !== undefined && body.timeoutInSeconds !== undefined) {
    ctx.error('timeoutInSeconds', 'give the DAG timeout once, either as timer.timeoutInSeconds or as timeoutInSeconds');
    return undefined;
  }
  if (timer?.timeoutInSeconds !== undefined) return ctx.seconds(timer.timeoutInSeconds, 'timer.timeoutInSeconds');
  return ctx.seconds(body.timeoutInSeconds, 'timeoutInSeconds');
}

function readDefaultContext(ctx: RillReadContext, value: unknown): Record<string, string> {
  const map = ctx.map(value, 'defaultContext');
  if (!map) return {};
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(map)) {
    const path = at('defaultContext', key);
    if (item === null || item === undefined) ctx.error(path, 'must be a string');
    else {
      const text = ctx.string(item, path);
      if (text !== undefined) out[key] = text;
    }
  }
  return out;
}

/** Names the lists before reading them: a `reference` inside commonMapping is checked against all of them. */
function readCommonMapping(ctx: RillReadContext, value: unknown): Record<string, RillMapping[]> {
  const map = ctx.map(value, 'commonMapping');
  if (!map) return {};
  ctx.commonMappingNames = new Set(Object.keys(map).filter((key) => Array.isArray(map[key]) && (map[key] as unknown[]).length));
  const out: Record<string, RillMapping[]> = {};
  for (const [key, list] of Object.entries(map)) {
    const path = at('commonMapping', key);
    if (!Array.isArray(list) || !list.length) ctx.error(path, 'must be a non-empty list of mappings', plain(list));
    else out[key] = readMappings(ctx, list, path, 'rule');
  }
  return out;
}

function readCallback(ctx: RillReadContext, body: RawMap): RillCallback | undefined {
  const keys = CALLBACK_KEYS.filter((key) => body[key] !== undefined && body[key] !== null);
  if (keys.length > 1) {
    ctx.error(keys[1], `give the DAG callback once; ${keys.join(' and ')} are the same field`);
    return undefined;
  }
  if (!keys.length) return undefined;
  const path = keys[0];
  const map = ctx.map(body[path], path);
  if (!map) return undefined;
  ctx.unknownKeys(map, path, CALLBACK_FIELDS);
  return compact<RillCallback>({
    resourceName: ctx.string(map.resourceName, at(path, 'resourceName')),
    fullDAGInfo: ctx.boolean(map.fullDAGInfo, at(path, 'fullDAGInfo')),
    fullContext: ctx.boolean(map.fullContext, at(path, 'fullContext')),
    inputMappings: readMappings(ctx, map.inputMappings, at(path, 'inputMappings'), 'rule'),
  });
}

import { RILL_FUNCTION_PATTERNS, RILL_REQUEST_TYPES, RILL_SUBFLOW_PROTOCOL, RillFunctionPattern, RillRequestType, RillRetry, RillSubFlow } from '../rill-dag.model';
import type { RillReadContext } from '../rill-read.context';
import { readResource } from '../rill-resource.reader';
import { at, compact, isBlank } from '../rill-value.reader';
import type { RawMap } from '../rill-yaml.decoder';
import type { RillCategoryReader, RillTaskOf } from './category-reader';
import type { RillTaskCommon } from './task-common.reader';

/**
 * `function`: a call to a resource (`resourceName`, or `resourceProtocol`, or an inline `resource`), with a
 * request type, a completion `pattern`, success/fail conditions and a retry policy. A `rillflow://<descriptorId>`
 * resource runs another DAG (`subFlow`) and takes a `flow_*` pattern; a `resource://<name>` must name one of
 * the DAG's resources.
 */
export const functionTaskReader: RillCategoryReader<'function'> = {
  category: 'function',
  fields: ['resourceName', 'resourceProtocol', 'resource', 'requestType', 'pattern', 'successConditions', 'failConditions', 'retry', 'subFlow'],
  honoursTolerance: true,
  honoursTimeout: true,
  read: ({ ctx, map, path, common }) => ({ task: { category: 'function', ...common, ...readFunctionFields(ctx, map, path) } }),
};

/** `businessId:featureName[:alias]`. */
const DESCRIPTOR_ID = /^[^:\s]+:[^:\s]+(:[^:\s]+)?$/;
const RETRY_KEYS = new Set(['maxRetryTimes', 'intervalInSeconds', 'multiplier', 'conditions']);

function readFunctionFields(ctx: RillReadContext, map: RawMap, path: string): Omit<RillTaskOf<'function'>, keyof RillTaskCommon | 'category'> {
  const resourceName = ctx.string(map.resourceName, at(path, 'resourceName'));
  const resourceProtocol = ctx.string(map.resourceProtocol, at(path, 'resourceProtocol'));
  const resource = map.resource === undefined || map.resource === null ? undefined : readResource(ctx, map.resource, at(path, 'resource'));
  if (isBlank(resourceName) && isBlank(resourceProtocol) && !resource) {
    ctx.error(at(path, 'resourceName'), 'a function task needs a resourceName (or a resourceProtocol, or an inline resource)');
  }
  // As Rill Flow's `Resource`: an explicit protocol wins over the scheme of the resource name.
  const protocol = isBlank(resourceProtocol) ? schemeOf(resourceName) : resourceProtocol.trim();
  const target = resourceName === undefined ? '' : schemeValueOf(resourceName);
  if (schemeOf(resourceName) === 'resource' && !ctx.resourceNames.has(target)) {
    ctx.error(at(path, 'resourceName'), `resource "${target}" is not declared in the DAG's resources`, resourceName);
  }

  const requestTypeText = ctx.string(map.requestType, at(path, 'requestType'));
  let requestType: RillRequestType = 'post';
  if (requestTypeText !== undefined) {
    if ((RILL_REQUEST_TYPES as readonly string[]).includes(requestTypeText.toLowerCase())) requestType = requestTypeText.toLowerCase() as RillRequestType;
    else ctx.error(at(path, 'requestType'), `requestType must be get or post, not "${requestTypeText}"`, requestTypeText);
  }

  const isSubFlow = protocol === RILL_SUBFLOW_PROTOCOL;
  const pattern = readPattern(ctx, map.pattern, at(path, 'pattern'), isSubFlow);

  let subFlow: RillSubFlow | undefined;
  if (isSubFlow) {
    if (!DESCRIPTOR_ID.test(target)) {
      ctx.error(at(path, 'resourceName'), 'a rillflow:// resource must name a descriptor id: rillflow://businessId:featureName[:alias]', resourceName);
    } else {
      subFlow = { descriptorId: target, mode: pattern === 'flow_async' ? 'async' : 'sync' };
    }
  }

  return compact({
    resourceName,
    resourceProtocol,
    resource,
    requestType,
    pattern,
    successConditions: ctx.stringList(map.successConditions, at(path, 'successConditions')),
    failConditions: ctx.stringList(map.failConditions, at(path, 'failConditions')),
    retry: readRetry(ctx, map.retry, at(path, 'retry')),
    subFlow,
  });
}

/** Missing: assumed from the resource, with a warning. `flow_*` patterns go with sub-flows and only with them. */
function readPattern(ctx: RillReadContext, value: unknown, path: string, isSubFlow: boolean): RillFunctionPattern {
  const text = ctx.string(value, path);
  if (text === undefined) {
    const assumed = isSubFlow ? 'flow_sync' : 'task_sync';
    ctx.warn(path, `missing; Rill Flow requires it, Baton assumes ${assumed}`);
    return assumed;
  }
  if (!(RILL_FUNCTION_PATTERNS as readonly string[]).includes(text)) {
    ctx.error(path, `pattern must be one of ${RILL_FUNCTION_PATTERNS.join(', ')}, not "${text}"`, text);
    return 'task_sync';
  }
  const pattern = text as RillFunctionPattern;
  if (isSubFlow && !pattern.startsWith('flow_')) {
    ctx.error(path, `a rillflow:// resource runs another DAG; its pattern must be flow_sync or flow_async, not ${pattern}`, pattern);
  } else if (!isSubFlow && pattern.startsWith('flow_')) {
    ctx.error(path, `pattern ${pattern} needs a rillflow://<descriptorId> resource`, pattern);
  }
  return pattern;
}

/** Absent fields take Rill Flow's defaults: no retries, no interval, multiplier 1. */
function readRetry(ctx: RillReadContext, value: unknown, path: string): RillRetry {
  const map = ctx.map(value, path);
  if (map) ctx.unknownKeys(map, path, RETRY_KEYS);
  return {
    maxRetryTimes: ctx.wholeNumber(map?.maxRetryTimes, at(path, 'maxRetryTimes')) ?? 0,
    intervalInSeconds: ctx.wholeNumber(map?.intervalInSeconds, at(path, 'intervalInSeconds')) ?? 0,
    multiplier: ctx.nonNegative(map?.multiplier, at(path, 'multiplier')) ?? 1,
    conditions: ctx.stringList(map?.conditions, at(path, 'conditions')),
  };
}

/** `http` of `http://host/x`; undefined without a `scheme://`. */
function schemeOf(resourceName: string | undefined): string | undefined {
  const separator = resourceName?.indexOf('://') ?? -1;
  return resourceName && separator > 0 ? resourceName.slice(0, separator) : undefined;
}

/** What follows `scheme://` (`name` of `resource://name`), or the whole name without a scheme. */
function schemeValueOf(resourceName: string): string {
  const separator = resourceName.indexOf('://');
  return separator === -1 ? resourceName : resourceName.slice(separator + 3);
}

import { isScalar, parseDocument } from 'yaml';
import type { ParseOptions, Tags } from 'yaml';
import type { ValidationErrorItem } from '@app/contracts';
import {
  RILL_DAG_TYPES,
  RILL_FUNCTION_PATTERNS,
  RILL_REQUEST_TYPES,
  RILL_SUBFLOW_PROTOCOL,
  RILL_TASK_CATEGORIES,
  RillCallback,
  RillChoice,
  RillDag,
  RillDagType,
  RillDegrade,
  RillFunctionPattern,
  RillIterationMapping,
  RillMapping,
  RillPassTask,
  RillProgress,
  RillRequestType,
  RillResource,
  RillRetry,
  RillSeconds,
  RillSubFlow,
  RillSwitch,
  RillSynchronization,
  RillTask,
  RillTaskCategory,
  RillTimeline,
} from './rill-dag.model';

export interface RillDescriptorIds {
  readonly businessId: string;
  readonly featureName: string;
}

export type RillParseResult =
  | { readonly ok: true; readonly dag: RillDag; readonly warnings?: string[] }
  | { readonly ok: false; readonly errors: ValidationErrorItem[] };

/**
 * Parses and validates a Rill Flow YAML descriptor (`add_descriptor.json`'s body) into the engine's model.
 * Reports every problem it finds, one item each, with a JSON path into the descriptor (`tasks[2].next`,
 * `tasks[1].choices[0].tasks[0].name`); YAML syntax errors have path `$` and say where they are.
 * Warnings are for what Baton accepts but changes or ignores (defaults Rill Flow would not fill in, fields
 * Rill Flow itself ignores, unknown fields).
 */
export function parseRillDescriptor(yamlText: string, ids: RillDescriptorIds): RillParseResult {
  const doc = parseDocument(yamlText, { customTags: keepNumberSource, merge: true, prettyErrors: true });
  if (doc.errors.length) return { ok: false, errors: doc.errors.map(syntaxError) };
  let body: unknown;
  try {
    body = fromYaml(doc.toJS({ mapAsMap: true, maxAliasCount: 100 }));
  } catch (e) {
    return { ok: false, errors: [{ path: '$', message: `YAML error: ${(e as Error).message}` }] };
  }
  const reader = new DescriptorReader(ids);
  for (const warning of doc.warnings) reader.warnings.push(`$: ${yamlProblem('YAML warning', warning)}`);
  const dag = reader.read(body);
  if (reader.errors.length || !dag) return { ok: false, errors: reader.errors };
  return reader.warnings.length ? { ok: true, dag, warnings: reader.warnings } : { ok: true, dag };
}

// ---------------------------------------------------------------------------------------------------------
// YAML plumbing

/**
 * A number as the YAML spelt it. String fields take the spelling (`version: 1.10` is "1.10", not "1.1";
 * `name: 007` stays "007"), as Rill Flow's Jackson does; numeric fields take the value.
 */
class YamlNumber {
  constructor(
    readonly value: number,
    readonly source: string,
  ) {}
}

const keepNumberSource = (tags: Tags): Tags =>
  tags.map((tag) => {
    if (typeof tag !== 'object' || tag.collection || !/:(int|float)$/.test(tag.tag)) return tag;
    return {
      ...tag,
      resolve: (source: string, onError: (message: string) => void, options: ParseOptions) => {
        const value = tag.resolve(source, onError, options);
        return new YamlNumber(Number(isScalar(value) ? value.value : value), source);
      },
    };
  });

/** `toJS({mapAsMap})` output to plain objects with string keys (numeric keys keep their spelling). */
function fromYaml(value: unknown, ancestors = new Set<unknown>()): unknown {
  if (!(value instanceof Map) && !Array.isArray(value)) return value;
  // An alias inside its own anchor (`a: &x [*x]`) makes a structure that contains itself.
  if (ancestors.has(value)) throw new Error('an alias refers to a node that contains it');
  ancestors.add(value);
  let out: unknown;
  if (Array.isArray(value)) out = value.map((item) => fromYaml(item, ancestors));
  else {
    const map: Record<string, unknown> = {};
    for (const [key, item] of value) {
      Object.defineProperty(map, keyText(key), { value: fromYaml(item, ancestors), enumerable: true, writable: true, configurable: true });
    }
    out = map;
  }
  ancestors.delete(value);
  return out;
}

function keyText(key: unknown): string {
  if (typeof key === 'string') return key;
  if (key instanceof YamlNumber) return key.source;
  if (key === null || key === undefined) return '';
  if (typeof key === 'number' || typeof key === 'boolean') return String(key);
  return JSON.stringify(plain(key));
}

/** Free-form values (parameters, output, …) with numbers as numbers. */
function plain(value: unknown): unknown {
  if (value instanceof YamlNumber) return value.value;
  if (Array.isArray(value)) return value.map(plain);
  if (isRawMap(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

type RawMap = Record<string, unknown>;

const isRawMap = (value: unknown): value is RawMap =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof YamlNumber);

interface YamlProblem {
  readonly message: string;
  readonly code: string;
  readonly linePos?: readonly { line: number; col: number }[];
}

const syntaxError = (error: YamlProblem): ValidationErrorItem => ({ path: '$', message: yamlProblem('YAML syntax error', error), invalidValue: error.code });

/** `<kind> at line L, column C: <what>`, without the code frame `prettyErrors` appends. */
function yamlProblem(kind: string, problem: YamlProblem): string {
  const where = problem.linePos?.[0];
  const what = firstLine(problem.message).replace(/ at line \d+, column \d+:?$/, '');
  return where ? `${kind} at line ${where.line}, column ${where.col}: ${what}` : `${kind}: ${what}`;
}

const firstLine = (text: string) => text.split('\n')[0];

// ---------------------------------------------------------------------------------------------------------
// Paths and small helpers

const at = (path: string, key: string) => {
  const simple = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key);
  if (!path) return simple ? key : `[${JSON.stringify(key)}]`;
  return simple ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
};
const idx = (path: string, i: number) => `${path}[${i}]`;

/** Drops `undefined` members, so the model is the same before and after a trip through JSON. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const isBlank = (value: string | undefined): value is undefined => value === undefined || value.trim() === '';

/** Rill Flow's `FlowDAGValidator` rule for task and resource names. */
const NAME_PATTERN = /^[A-Za-z0-9]+$/;
const MAX_NAME_LENGTH = 100;

/** A JSONPath Rill Flow can read: its mapping root is `{context, input, output}`. */
const DATA_PATH = /^\$\.(context|input|output)(?=$|[.[])/;
/** `$.tasks.<name>.trigger_url[?query]`: the callback URL of a task of this execution. */
const TRIGGER_URL = /^\$\.tasks\.([^.?]+)\.trigger_url(\?.*)?$/;
const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/** `businessId:featureName[:alias]`. */
const DESCRIPTOR_ID = /^[^:\s]+:[^:\s]+(:[^:\s]+)?$/;

const ROOT_KEYS = new Set([
  'workspace', 'namespace', 'dagName', 'service', 'version', 'type', 'timer', 'timeoutInSeconds', 'tasks', 'resources',
  'callback', 'callback_config', 'callbackConfig', 'defaultContext', 'commonMapping', 'inputSchema', 'output',
]);
/** Known but not Baton's business: `alias` travels as an API parameter. */
const ROOT_IGNORED = new Set(['alias']);
const COMMON_TASK_KEYS = [
  'name', 'title', 'description', 'category', 'next', 'tolerance', 'inputMappings', 'outputMappings', 'parameters',
  'timeline', 'keyCallback', 'isKeyCallback', 'keyExp', 'degrade', 'progress', 'input',
];
/** Editor metadata Rill Flow stores but does not run on. */
const TASK_IGNORED = new Set(['templateId', 'outputSchema', 'inputType', 'outputType']);
const TASK_KEYS: Record<RillTaskCategory, ReadonlySet<string>> = {
  function: new Set([
    ...COMMON_TASK_KEYS, 'resourceName', 'resourceProtocol', 'resource', 'requestType', 'pattern', 'successConditions',
    'failConditions', 'retry', 'subFlow',
  ]),
  choice: new Set([...COMMON_TASK_KEYS, 'choices']),
  foreach: new Set([...COMMON_TASK_KEYS, 'iterationMapping', 'synchronization', 'tasks']),
  suspense: new Set([...COMMON_TASK_KEYS, 'conditions', 'interruptions']),
  pass: new Set(COMMON_TASK_KEYS),
  return: new Set([...COMMON_TASK_KEYS, 'conditions']),
  switch: new Set([...COMMON_TASK_KEYS, 'switches']),
};
/** Categories whose Rill Flow class fixes `tolerance` to false. */
const NO_TOLERANCE = new Set<RillTaskCategory>(['choice', 'foreach', 'pass', 'return', 'switch']);
const MAPPING_KEYS = new Set(['source', 'target', 'tolerance', 'reference', 'transform', 'variable']);
const TIMELINE_KEYS = new Set(['timeoutInSeconds', 'skipOnTimeout', 'suspenseIntervalSeconds', 'suspenseTimestamp']);

type MappingKind = 'rule' | 'progress';

interface NextRef {
  readonly name: string;
  readonly path: string;
}

/** A task as the `next` graph sees it: one per entry of a task list. */
interface GraphNode {
  readonly name?: string;
  readonly next: readonly NextRef[];
}

type TaskCommon = Omit<RillPassTask, 'category'>;

// ---------------------------------------------------------------------------------------------------------

class DescriptorReader {
  readonly errors: ValidationErrorItem[] = [];
  readonly warnings: string[] = [];
  private commonMappingNames = new Set<string>();
  private resourceNames = new Set<string>();
  /** Every task name in the DAG, nested ones included, with the path it was first declared at. */
  private readonly taskNames = new Map<string, string>();
  /** One list per task list (top level, each choice, each foreach body), checked once all names are known. */
  private readonly scopes: GraphNode[][] = [];
  private readonly triggerRefs: NextRef[] = [];

  constructor(private readonly ids: RillDescriptorIds) {}

  read(body: unknown): RillDag | undefined {
    if (body === null || body === undefined) {
      this.error('$', 'the descriptor is empty; expected a YAML mapping with type and tasks');
      return undefined;
    }
    if (!isRawMap(body)) {
      this.error('$', `the descriptor must be a YAML mapping (type, tasks, …), not ${Array.isArray(body) ? 'a list' : 'a scalar'}`, plain(body));
      return undefined;
    }
    this.unknownKeys(body, '', ROOT_KEYS, ROOT_IGNORED);

    this.checkId(body, 'workspace', this.ids.businessId, 'business_id');
    this.checkId(body, 'namespace', this.ids.businessId, 'business_id');
    this.checkId(body, 'dagName', this.ids.featureName, 'feature_name');
    this.checkId(body, 'service', this.ids.featureName, 'feature_name');
    const version = this.string(body.version, 'version');
    const type = this.dagType(body.type);
    const timeoutInSeconds = this.dagTimeout(body);
    const defaultContext = this.defaultContext(body.defaultContext);
    const commonMapping = this.commonMapping(body.commonMapping);
    const resources = this.dagResources(body.resources, type);
    const callback = this.callback(body);
    const inputSchema = this.string(body.inputSchema, 'inputSchema');
    const output = this.freeForm(body.output, 'output');
    if (output && Object.keys(output).length) this.warn('output', 'kept as written; Baton does not generate output mappings from it yet');

    let tasks: RillTask[] = [];
    if (type === 'resource') {
      if (Array.isArray(body.tasks) ? body.tasks.length : body.tasks != null) {
        this.error('tasks', 'a resource DAG declares resources, not tasks');
      }
    } else {
      if (body.tasks === undefined || body.tasks === null || (Array.isArray(body.tasks) && !body.tasks.length)) {
        this.error('tasks', 'a flow DAG needs at least one task');
      } else {
        tasks = this.taskList(body.tasks, 'tasks');
      }
      for (const scope of this.scopes) this.checkGraph(scope);
      for (const ref of this.triggerRefs) {
        if (!this.taskNames.has(ref.name)) this.error(ref.path, `$.tasks.${ref.name}.trigger_url names a task that does not exist`, ref.name);
      }
    }

    return compact<RillDag>({
      workspace: this.ids.businessId,
      dagName: this.ids.featureName,
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

  // ----- DAG level ---------------------------------------------------------------------------------------

  private checkId(body: RawMap, key: string, expected: string, param: string): void {
    if (body[key] === undefined || body[key] === null) return;
    const value = this.string(body[key], key);
    if (value !== undefined && value !== expected) {
      this.error(key, `${key} "${value}" does not match the ${param} "${expected}" the descriptor is registered under`, value);
    }
  }

  private dagType(value: unknown): RillDagType {
    if (value === undefined || value === null) {
      this.warn('type', 'missing; Rill Flow requires it, Baton assumes flow');
      return 'flow';
    }
    const type = this.string(value, 'type');
    if (type !== undefined && !(RILL_DAG_TYPES as readonly string[]).includes(type)) {
      this.error('type', `type must be one of ${RILL_DAG_TYPES.join(', ')}, not "${type}"`, type);
    }
    return (type as RillDagType) ?? 'flow';
  }

  private dagTimeout(body: RawMap): RillSeconds | undefined {
    const timer = this.map(body.timer, 'timer');
    if (timer) {
      for (const key of Object.keys(timer)) {
        if (key !== 'timeoutInSeconds') this.warn(at('timer', key), 'only timeoutInSeconds applies to a DAG; ignored');
      }
    }
    if (timer?.timeoutInSeconds !== undefined && body.timeoutInSeconds !== undefined) {
      this.error('timeoutInSeconds', 'give the DAG timeout once, either as timer.timeoutInSeconds or as timeoutInSeconds');
      return undefined;
    }
    if (timer?.timeoutInSeconds !== undefined) return this.seconds(timer.timeoutInSeconds, 'timer.timeoutInSeconds');
    return this.seconds(body.timeoutInSeconds, 'timeoutInSeconds');
  }

  private defaultContext(value: unknown): Record<string, string> {
    const map = this.map(value, 'defaultContext');
    if (!map) return {};
    const out: Record<string, string> = {};
    for (const [key, item] of Object.entries(map)) {
      const path = at('defaultContext', key);
      if (item === null || item === undefined) this.error(path, 'must be a string');
      else {
        const text = this.string(item, path);
        if (text !== undefined) out[key] = text;
      }
    }
    return out;
  }

  private commonMapping(value: unknown): Record<string, RillMapping[]> {
    const map = this.map(value, 'commonMapping');
    if (!map) return {};
    this.commonMappingNames = new Set(Object.keys(map).filter((key) => Array.isArray(map[key]) && (map[key] as unknown[]).length));
    const out: Record<string, RillMapping[]> = {};
    for (const [key, list] of Object.entries(map)) {
      const path = at('commonMapping', key);
      if (!Array.isArray(list) || !list.length) this.error(path, 'must be a non-empty list of mappings', plain(list));
      else out[key] = this.mappings(list, path, 'rule');
    }
    return out;
  }

  private dagResources(value: unknown, type: RillDagType): RillResource[] | undefined {
    if (value === undefined || value === null) {
      if (type === 'resource') this.error('resources', 'a resource DAG needs at least one resource');
      return undefined;
    }
    if (!Array.isArray(value) || (type === 'resource' && !value.length)) {
      this.error('resources', type === 'resource' ? 'a resource DAG needs at least one resource' : 'must be a list of resources', plain(value));
      return undefined;
    }
    const resources: RillResource[] = [];
    value.forEach((item, i) => {
      const path = idx('resources', i);
      const resource = this.resource(item, path);
      if (!resource) return;
      const name = resource.name;
      if (isBlank(name)) this.error(at(path, 'name'), 'a resource needs a name');
      else if (!NAME_PATTERN.test(name) || name.length > MAX_NAME_LENGTH) this.error(at(path, 'name'), `resource name "${name}" must be 1 to ${MAX_NAME_LENGTH} letters and digits`, name);
      else if (this.resourceNames.has(name)) this.error(at(path, 'name'), `resource name "${name}" is used twice`, name);
      else this.resourceNames.add(name);
      resources.push(resource);
    });
    return resources;
  }

  private resource(value: unknown, path: string): RillResource | undefined {
    const map = this.requiredMap(value, path, 'a resource');
    if (!map) return undefined;
    this.unknownKeys(map, path, new Set(['name', 'category', 'inputMappings']));
    return compact<RillResource>({
      name: this.string(map.name, at(path, 'name')),
      category: this.string(map.category, at(path, 'category')),
      inputMappings: this.mappings(map.inputMappings, at(path, 'inputMappings'), 'rule'),
    });
  }

  private callback(body: RawMap): RillCallback | undefined {
    const keys = ['callback', 'callback_config', 'callbackConfig'].filter((key) => body[key] !== undefined && body[key] !== null);
    if (keys.length > 1) {
      this.error(keys[1], `give the DAG callback once; ${keys.join(' and ')} are the same field`);
      return undefined;
    }
    if (!keys.length) return undefined;
    const path = keys[0];
    const map = this.map(body[path], path);
    if (!map) return undefined;
    this.unknownKeys(map, path, new Set(['resourceName', 'fullDAGInfo', 'fullContext', 'inputMappings']));
    return compact<RillCallback>({
      resourceName: this.string(map.resourceName, at(path, 'resourceName')),
      fullDAGInfo: this.boolean(map.fullDAGInfo, at(path, 'fullDAGInfo')),
      fullContext: this.boolean(map.fullContext, at(path, 'fullContext')),
      inputMappings: this.mappings(map.inputMappings, at(path, 'inputMappings'), 'rule'),
    });
  }

  // ----- tasks -------------------------------------------------------------------------------------------

  private taskList(value: unknown, path: string): RillTask[] {
    if (!Array.isArray(value)) {
      this.error(path, 'must be a list of tasks', plain(value));
      return [];
    }
    const scope: GraphNode[] = [];
    this.scopes.push(scope);
    const tasks: RillTask[] = [];
    value.forEach((item, i) => {
      const { node, task } = this.task(item, idx(path, i));
      scope.push(node);
      if (task) tasks.push(task);
    });
    return tasks;
  }

  private task(value: unknown, path: string): { node: GraphNode; task?: RillTask } {
    const map = this.requiredMap(value, path, 'a task');
    if (!map) return { node: { next: [] } };

    const categoryText = this.string(map.category, at(path, 'category'));
    let category: RillTaskCategory | undefined;
    if (isBlank(categoryText)) {
      if (map.category === undefined || map.category === null || categoryText !== undefined) {
        this.error(at(path, 'category'), `category is required (one of ${RILL_TASK_CATEGORIES.join(', ')})`);
      }
    } else if (!(RILL_TASK_CATEGORIES as readonly string[]).includes(categoryText)) {
      this.error(at(path, 'category'), `unknown category "${categoryText}"; expected one of ${RILL_TASK_CATEGORIES.join(', ')}`, categoryText);
    } else {
      category = categoryText as RillTaskCategory;
    }
    this.unknownKeys(map, path, category ? TASK_KEYS[category] : new Set(COMMON_TASK_KEYS), TASK_IGNORED);

    const name = this.taskName(map.name, at(path, 'name'));
    const common = this.commonFields(map, path, name ?? '', category);
    const nextRefs = common.next.map((next) => ({ name: next, path: at(path, 'next') }));
    if (!category) return { node: { name, next: nextRefs } };

    let task: RillTask;
    switch (category) {
      case 'function':
        task = { category, ...common, ...this.functionFields(map, path) };
        break;
      case 'choice':
        task = { category, ...common, choices: this.choices(map.choices, at(path, 'choices')) };
        break;
      case 'foreach':
        task = { category, ...common, ...this.foreachFields(map, path) };
        break;
      case 'suspense':
        task = {
          category,
          ...common,
          conditions: this.conditions(map.conditions, at(path, 'conditions'), 'a suspense task'),
          interruptions: this.stringList(map.interruptions, at(path, 'interruptions')),
        };
        break;
      case 'pass':
        task = { category, ...common };
        break;
      case 'return':
        task = { category, ...common, conditions: this.conditions(map.conditions, at(path, 'conditions'), 'a return task') };
        break;
      case 'switch': {
        const switches = this.switches(map.switches, at(path, 'switches'));
        const next = [...new Set(switches.flatMap((entry) => entry.next))];
        if (common.next.length && common.next.join(',') !== next.join(',')) {
          this.warn(at(path, 'next'), 'a switch task takes its next from switches[].next; ignored');
        }
        if (common.outputMappings.length) this.warn(at(path, 'outputMappings'), 'a switch task has no outputs (Rill Flow drops them); ignored');
        task = { category, ...common, next, outputMappings: [], switches };
        const refs = switches.flatMap((entry, j) => entry.next.map((target) => ({ name: target, path: `${at(path, 'switches')}[${j}].next` })));
        return { node: { name, next: refs }, task };
      }
    }
    return { node: { name, next: nextRefs }, task };
  }

  private taskName(value: unknown, path: string): string | undefined {
    const name = this.string(value, path);
    if (isBlank(name)) {
      if (name !== undefined || value === undefined || value === null) this.error(path, 'a task needs a name');
      return undefined;
    }
    if (!NAME_PATTERN.test(name) || name.length > MAX_NAME_LENGTH) {
      this.error(path, `task name "${name}" must be 1 to ${MAX_NAME_LENGTH} letters and digits (Rill Flow's naming rule)`, name);
      return undefined;
    }
    const first = this.taskNames.get(name);
    if (first) {
      this.error(path, `task name "${name}" is already used at ${first}; names must be unique across the DAG, nested tasks included`, name);
      return undefined;
    }
    this.taskNames.set(name, path);
    return name;
  }

  private commonFields(map: RawMap, path: string, name: string, category: RillTaskCategory | undefined): TaskCommon {
    let tolerance = this.boolean(map.tolerance, at(path, 'tolerance')) ?? false;
    if (tolerance && category && NO_TOLERANCE.has(category)) {
      this.warn(at(path, 'tolerance'), `Rill Flow ignores tolerance on a ${category} task; set to false`);
      tolerance = false;
    }
    const keyCallback = this.boolean(map.keyCallback, at(path, 'keyCallback'));
    const isKeyCallback = this.boolean(map.isKeyCallback, at(path, 'isKeyCallback'));
    if (keyCallback !== undefined && isKeyCallback !== undefined && keyCallback !== isKeyCallback) {
      this.error(at(path, 'isKeyCallback'), 'isKeyCallback and keyCallback are the same field and disagree');
    }
    const input = this.freeForm(map.input, at(path, 'input'));
    if (input) this.warn(at(path, 'input'), 'kept as written; Baton does not expand the input shorthand into mappings yet');
    return compact<TaskCommon>({
      name,
      title: this.string(map.title, at(path, 'title')),
      description: this.string(map.description, at(path, 'description')),
      next: this.nextNames(map.next, at(path, 'next')),
      tolerance,
      inputMappings: this.mappings(map.inputMappings, at(path, 'inputMappings'), 'rule'),
      outputMappings: this.mappings(map.outputMappings, at(path, 'outputMappings'), 'rule'),
      parameters: this.freeForm(map.parameters, at(path, 'parameters')),
      timeline: this.timeline(map.timeline, at(path, 'timeline'), category),
      keyCallback: keyCallback ?? isKeyCallback,
      keyExp: this.string(map.keyExp, at(path, 'keyExp')),
      degrade: this.degrade(map.degrade, at(path, 'degrade')),
      progress: this.progress(map.progress, at(path, 'progress')),
      input,
    });
  }

  private nextNames(value: unknown, path: string): string[] {
    if (value === undefined || value === null) return [];
    let parts: string[];
    if (Array.isArray(value)) parts = value.map((item, i) => this.string(item, idx(path, i)) ?? '');
    else {
      const text = this.string(value, path);
      if (text === undefined) return [];
      parts = text.split(',');
    }
    const names: string[] = [];
    for (const part of parts.map((p) => p.trim()).filter(Boolean)) {
      if (names.includes(part)) this.warn(path, `"${part}" is listed twice`);
      else names.push(part);
    }
    return names;
  }

  private functionFields(map: RawMap, path: string): Omit<Extract<RillTask, { category: 'function' }>, keyof TaskCommon | 'category'> {
    const resourceName = this.string(map.resourceName, at(path, 'resourceName'));
    const resourceProtocol = this.string(map.resourceProtocol, at(path, 'resourceProtocol'));
    const resource = map.resource === undefined || map.resource === null ? undefined : this.resource(map.resource, at(path, 'resource'));
    if (isBlank(resourceName) && isBlank(resourceProtocol) && !resource) {
      this.error(at(path, 'resourceName'), 'a function task needs a resourceName (or a resourceProtocol, or an inline resource)');
    }
    // As Rill Flow's `Resource`: an explicit protocol wins over the scheme of the resource name.
    const protocol = isBlank(resourceProtocol) ? schemeOf(resourceName) : resourceProtocol.trim();
    const target = resourceName === undefined ? '' : schemeValueOf(resourceName);
    if (schemeOf(resourceName) === 'resource' && !this.resourceNames.has(target)) {
      this.error(at(path, 'resourceName'), `resource "${target}" is not declared in the DAG's resources`, resourceName);
    }

    const requestTypeText = this.string(map.requestType, at(path, 'requestType'));
    let requestType: RillRequestType = 'post';
    if (requestTypeText !== undefined) {
      if ((RILL_REQUEST_TYPES as readonly string[]).includes(requestTypeText.toLowerCase())) requestType = requestTypeText.toLowerCase() as RillRequestType;
      else this.error(at(path, 'requestType'), `requestType must be get or post, not "${requestTypeText}"`, requestTypeText);
    }

    const isSubFlow = protocol === RILL_SUBFLOW_PROTOCOL;
    const patternText = this.string(map.pattern, at(path, 'pattern'));
    let pattern: RillFunctionPattern;
    if (patternText === undefined) {
      pattern = isSubFlow ? 'flow_sync' : 'task_sync';
      this.warn(at(path, 'pattern'), `missing; Rill Flow requires it, Baton assumes ${pattern}`);
    } else if (!(RILL_FUNCTION_PATTERNS as readonly string[]).includes(patternText)) {
      this.error(at(path, 'pattern'), `pattern must be one of ${RILL_FUNCTION_PATTERNS.join(', ')}, not "${patternText}"`, patternText);
      pattern = 'task_sync';
    } else {
      pattern = patternText as RillFunctionPattern;
      if (isSubFlow && !pattern.startsWith('flow_')) {
        this.error(at(path, 'pattern'), `a rillflow:// resource runs another DAG; its pattern must be flow_sync or flow_async, not ${pattern}`, pattern);
      } else if (!isSubFlow && pattern.startsWith('flow_')) {
        this.error(at(path, 'pattern'), `pattern ${pattern} needs a rillflow://<descriptorId> resource`, pattern);
      }
    }

    let subFlow: RillSubFlow | undefined;
    if (isSubFlow) {
      if (!DESCRIPTOR_ID.test(target)) {
        this.error(at(path, 'resourceName'), 'a rillflow:// resource must name a descriptor id: rillflow://businessId:featureName[:alias]', resourceName);
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
      successConditions: this.stringList(map.successConditions, at(path, 'successConditions')),
      failConditions: this.stringList(map.failConditions, at(path, 'failConditions')),
      retry: this.retry(map.retry, at(path, 'retry')),
      subFlow,
    });
  }

  private retry(value: unknown, path: string): RillRetry {
    const map = this.map(value, path);
    if (map) this.unknownKeys(map, path, new Set(['maxRetryTimes', 'intervalInSeconds', 'multiplier', 'conditions']));
    return {
      maxRetryTimes: this.wholeNumber(map?.maxRetryTimes, at(path, 'maxRetryTimes')) ?? 0,
      intervalInSeconds: this.wholeNumber(map?.intervalInSeconds, at(path, 'intervalInSeconds')) ?? 0,
      multiplier: this.nonNegative(map?.multiplier, at(path, 'multiplier')) ?? 1,
      conditions: this.stringList(map?.conditions, at(path, 'conditions')),
    };
  }

  private choices(value: unknown, path: string): RillChoice[] {
    if (!Array.isArray(value) || !value.length) {
      this.error(path, 'a choice task needs at least one entry in choices', plain(value));
      return [];
    }
    const choices: RillChoice[] = [];
    value.forEach((item, i) => {
      const here = idx(path, i);
      const map = this.requiredMap(item, here, 'a choice ({condition, tasks})');
      if (!map) return;
      this.unknownKeys(map, here, new Set(['condition', 'tasks']));
      const condition = this.string(map.condition, at(here, 'condition'));
      if (isBlank(condition)) this.error(at(here, 'condition'), 'a choice needs a condition');
      let tasks: RillTask[] = [];
      if (!Array.isArray(map.tasks) || !map.tasks.length) this.error(at(here, 'tasks'), 'a choice needs at least one task', plain(map.tasks));
      else tasks = this.taskList(map.tasks, at(here, 'tasks'));
      choices.push({ condition: condition ?? '', tasks });
    });
    return choices;
  }

  private foreachFields(map: RawMap, path: string): Omit<Extract<RillTask, { category: 'foreach' }>, keyof TaskCommon | 'category'> {
    const iterationPath = at(path, 'iterationMapping');
    const iteration = this.map(map.iterationMapping, iterationPath);
    let iterationMapping: RillIterationMapping = { collection: '' };
    if (!iteration) {
      this.error(iterationPath, 'a foreach task needs an iterationMapping with a collection');
    } else {
      this.unknownKeys(iteration, iterationPath, new Set(['collection', 'item', 'index', 'identity']));
      const collection = this.string(iteration.collection, at(iterationPath, 'collection'));
      if (isBlank(collection)) this.error(at(iterationPath, 'collection'), 'a foreach task needs iterationMapping.collection, a JSONPath such as $.input.items');
      else if (!collection.startsWith('$.')) this.error(at(iterationPath, 'collection'), `collection "${collection}" must be a JSONPath starting with $.`, collection);
      else if (!/^\$\.input(?=$|[.[])/.test(collection)) {
        this.warn(at(iterationPath, 'collection'), 'Rill Flow reads the collection from the task input only; map it into $.input first');
      }
      const item = this.string(iteration.item, at(iterationPath, 'item'));
      if (isBlank(item)) this.error(at(iterationPath, 'item'), 'a foreach task needs iterationMapping.item, the context key each element is stored under');
      iterationMapping = compact<RillIterationMapping>({
        collection: collection ?? '',
        item,
        index: this.string(iteration.index, at(iterationPath, 'index')),
        identity: this.string(iteration.identity, at(iterationPath, 'identity')),
      });
    }

    let synchronization: RillSynchronization | undefined;
    const syncPath = at(path, 'synchronization');
    const sync = this.map(map.synchronization, syncPath);
    if (sync) {
      this.unknownKeys(sync, syncPath, new Set(['conditions', 'maxConcurrency']));
      const conditions = this.stringList(sync.conditions, at(syncPath, 'conditions'));
      const maxConcurrency = this.seconds(sync.maxConcurrency, at(syncPath, 'maxConcurrency'), 'a whole number of groups');
      if (maxConcurrency !== undefined && !conditions.length) {
        this.warn(at(syncPath, 'maxConcurrency'), 'Rill Flow applies maxConcurrency only when synchronization.conditions all match; with no conditions every iteration starts at once');
      }
      synchronization = compact<RillSynchronization>({ conditions, maxConcurrency });
    }

    let tasks: RillTask[] = [];
    if (!Array.isArray(map.tasks) || !map.tasks.length) this.error(at(path, 'tasks'), 'a foreach task needs at least one task to run per element', plain(map.tasks));
    else tasks = this.taskList(map.tasks, at(path, 'tasks'));
    return compact({ iterationMapping, synchronization, tasks });
  }

  private switches(value: unknown, path: string): RillSwitch[] {
    if (!Array.isArray(value) || !value.length) {
      this.error(path, 'a switch task needs at least one entry in switches', plain(value));
      return [];
    }
    const switches: RillSwitch[] = [];
    value.forEach((item, j) => {
      const here = idx(path, j);
      const map = this.requiredMap(item, here, 'a switch ({condition, next})');
      if (!map) return;
      this.unknownKeys(map, here, new Set(['condition', 'next', 'break']));
      const condition = this.string(map.condition, at(here, 'condition'));
      if (isBlank(condition)) this.error(at(here, 'condition'), 'a switch entry needs a condition');
      const next = this.nextNames(map.next, at(here, 'next'));
      if (!next.length) this.error(at(here, 'next'), 'a switch entry needs a next task');
      switches.push(compact<RillSwitch>({ condition: condition ?? '', next, break: this.boolean(map.break, at(here, 'break')) }));
    });
    return switches;
  }

  private conditions(value: unknown, path: string, owner: string): string[] {
    const conditions = this.stringList(value, path);
    if (value === undefined || value === null || (Array.isArray(value) && !value.length)) {
      this.error(path, `${owner} needs at least one condition`);
    }
    return conditions;
  }

  private timeline(value: unknown, path: string, category: RillTaskCategory | undefined): RillTimeline | undefined {
    const map = this.map(value, path);
    if (!map) return undefined;
    this.unknownKeys(map, path, TIMELINE_KEYS);
    let timeoutInSeconds = this.seconds(map.timeoutInSeconds, at(path, 'timeoutInSeconds'));
    if (timeoutInSeconds !== undefined && (category === 'pass' || category === 'return')) {
      this.warn(at(path, 'timeoutInSeconds'), `Rill Flow ignores a timeout on a ${category} task; dropped`);
      timeoutInSeconds = undefined;
    }
    const timeline = compact<RillTimeline>({
      timeoutInSeconds,
      skipOnTimeout: this.boolean(map.skipOnTimeout, at(path, 'skipOnTimeout')),
      suspenseIntervalSeconds: this.seconds(map.suspenseIntervalSeconds, at(path, 'suspenseIntervalSeconds')),
      suspenseTimestamp: this.timestamp(map.suspenseTimestamp, at(path, 'suspenseTimestamp')),
    });
    return Object.keys(timeline).length ? timeline : undefined;
  }

  private degrade(value: unknown, path: string): RillDegrade | undefined {
    const map = this.map(value, path);
    if (!map) return undefined;
    this.unknownKeys(map, path, new Set(['followings', 'current']));
    return compact<RillDegrade>({
      followings: this.boolean(map.followings, at(path, 'followings')),
      current: this.boolean(map.current, at(path, 'current')),
    });
  }

  private progress(value: unknown, path: string): RillProgress | undefined {
    const map = this.map(value, path);
    if (!map) return undefined;
    this.unknownKeys(map, path, new Set(['weight', 'calculation', 'args']));
    return compact<RillProgress>({
      weight: this.wholeNumber(map.weight, at(path, 'weight')),
      calculation: this.string(map.calculation, at(path, 'calculation')),
      args: map.args === undefined || map.args === null ? undefined : this.mappings(map.args, at(path, 'args'), 'progress'),
    });
  }

  // ----- mappings ----------------------------------------------------------------------------------------

  private mappings(value: unknown, path: string, kind: MappingKind): RillMapping[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.error(path, 'must be a list of mappings', plain(value));
      return [];
    }
    return value.flatMap((item, i) => {
      const mapping = this.mapping(item, idx(path, i), kind);
      return mapping ? [mapping] : [];
    });
  }

  private mapping(value: unknown, path: string, kind: MappingKind): RillMapping | undefined {
    const map = this.requiredMap(value, path, 'a mapping ({source, target})');
    if (!map) return undefined;
    this.unknownKeys(map, path, MAPPING_KEYS);
    const mapping = compact<RillMapping>({
      source: this.string(map.source, at(path, 'source')),
      target: this.string(map.target, at(path, 'target')),
      tolerance: this.boolean(map.tolerance, at(path, 'tolerance')),
      reference: this.string(map.reference, at(path, 'reference')),
      transform: this.string(map.transform, at(path, 'transform')),
      variable: this.string(map.variable, at(path, 'variable')),
    });

    if (mapping.reference !== undefined) {
      if (!this.commonMappingNames.has(mapping.reference)) {
        this.error(at(path, 'reference'), `reference "${mapping.reference}" names no list in commonMapping`, mapping.reference);
      }
    } else if (kind === 'rule') {
      if (isBlank(mapping.target)) this.error(at(path, 'target'), 'a mapping needs a target, a JSONPath such as $.input.x');
      if (isBlank(mapping.source) && isBlank(mapping.transform)) this.error(at(path, 'source'), 'a mapping needs a source (or a transform)');
    } else if (isBlank(mapping.variable)) {
      this.error(at(path, 'variable'), 'a progress argument needs a variable');
    }

    const target = mapping.target?.trim();
    if (target) {
      if (!target.startsWith('$.')) this.error(at(path, 'target'), `target "${target}" must be a JSONPath starting with $.`, target);
      else if (!DATA_PATH.test(target)) this.error(at(path, 'target'), `target "${target}" must be under $.context, $.input or $.output`, target);
    }
    const source = mapping.source?.trim();
    if (source?.startsWith('$')) {
      const trigger = TRIGGER_URL.exec(source);
      if (trigger) this.triggerRefs.push({ name: trigger[1], path: at(path, 'source') });
      else if (source.startsWith('$.tasks.')) {
        this.error(at(path, 'source'), `source "${source}" must have the form $.tasks.<taskName>.trigger_url[?query]`, source);
      } else if (!DATA_PATH.test(source)) {
        this.error(at(path, 'source'), `source "${source}" must start with $.context, $.input, $.output or $.tasks. (a constant must not start with $)`, source);
      }
    }
    return mapping;
  }

  // ----- the next graph ----------------------------------------------------------------------------------

  private checkGraph(scope: readonly GraphNode[]): void {
    const byName = new Map<string, number>();
    scope.forEach((node, i) => {
      if (node.name !== undefined && !byName.has(node.name)) byName.set(node.name, i);
    });
    const edges: { to: number; path: string }[][] = scope.map((node) => {
      const out: { to: number; path: string }[] = [];
      for (const ref of node.next) {
        if (ref.name === node.name) {
          this.error(ref.path, `task "${node.name}" names itself in next`, ref.name);
          continue;
        }
        const to = byName.get(ref.name);
        if (to !== undefined) {
          out.push({ to, path: ref.path });
          continue;
        }
        const elsewhere = this.taskNames.get(ref.name);
        this.error(
          ref.path,
          elsewhere
            ? `next names "${ref.name}", which is declared at ${elsewhere}, outside this task list; next may only name sibling tasks`
            : `next names "${ref.name}", but there is no task with that name`,
          ref.name,
        );
      }
      return out;
    });

    for (const component of stronglyConnected(edges)) {
      if (component.length < 2) continue;
      const members = new Set(component);
      const start = Math.min(...component);
      const cycle = shortestCycle(start, edges, members);
      const names = [...cycle, start].map((i) => scope[i].name ?? `#${i}`);
      const firstEdge = edges[start].find((edge) => edge.to === cycle[1] || (cycle.length === 1 && edge.to === start));
      this.error(firstEdge?.path ?? '$', `next forms a cycle: ${names.join(' -> ')}`, names);
    }
    // Reachability from the roots needs no rule of its own: in an acyclic graph every task is reachable from a
    // task no one points at, so the only unreachable tasks are those caught in (or behind) a cycle.
  }

  // ----- scalars -----------------------------------------------------------------------------------------

  private string(value: unknown, path: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (value instanceof YamlNumber) return value.source;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    this.error(path, 'must be a string', plain(value));
    return undefined;
  }

  private boolean(value: unknown, path: string): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
    this.error(path, 'must be true or false', plain(value));
    return undefined;
  }

  private wholeNumber(value: unknown, path: string): number | undefined {
    const n = this.nonNegative(value, path);
    if (n === undefined || Number.isInteger(n)) return n;
    this.error(path, 'must be a whole number', plain(value));
    return undefined;
  }

  private nonNegative(value: unknown, path: string): number | undefined {
    if (value === undefined || value === null) return undefined;
    const n = toNumber(value);
    if (Number.isNaN(n)) this.error(path, 'must be a number', plain(value));
    else if (n < 0) this.error(path, 'must not be negative', plain(value));
    else return n;
    return undefined;
  }

  /** A whole number (or numeric string), or a JSONPath Rill Flow evaluates when the task or DAG starts. */
  private seconds(value: unknown, path: string, what = 'a whole number of seconds'): RillSeconds | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string' && value.trim().startsWith('$')) {
      const expression = value.trim();
      if (DATA_PATH.test(expression)) return expression;
      this.error(path, `must be ${what} or a JSONPath under $.context, $.input or $.output, not "${expression}"`, value);
      return undefined;
    }
    const n = toNumber(value);
    if (Number.isNaN(n)) this.error(path, `must be ${what} (a number or a numeric string) or a JSONPath, not ${JSON.stringify(plain(value))}`, plain(value));
    else if (n < 0) this.error(path, 'must not be negative', plain(value));
    else if (!Number.isInteger(n)) this.error(path, `must be ${what}`, plain(value));
    else return n;
    return undefined;
  }

  private timestamp(value: unknown, path: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    const text = value instanceof YamlNumber ? value.source : typeof value === 'string' ? value.trim() : undefined;
    if (text !== undefined && (/^\d+$/.test(text) || DATA_PATH.test(text))) return text;
    this.error(path, 'must be epoch milliseconds (digits) or a JSONPath under $.context, $.input or $.output', plain(value));
    return undefined;
  }

  private stringList(value: unknown, path: string): string[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.error(path, 'must be a list of strings', plain(value));
      return [];
    }
    const out: string[] = [];
    value.forEach((item, i) => {
      const text = this.string(item, idx(path, i));
      if (isBlank(text)) {
        if (text !== undefined || item === null || item === undefined) this.error(idx(path, i), 'must not be empty');
      } else out.push(text);
    });
    return out;
  }

  private map(value: unknown, path: string): RawMap | undefined {
    if (value === undefined || value === null) return undefined;
    if (isRawMap(value)) return value;
    this.error(path, 'must be a mapping', plain(value));
    return undefined;
  }

  private requiredMap(value: unknown, path: string, what: string): RawMap | undefined {
    if (isRawMap(value)) return value;
    this.error(path, `must be ${what}`, plain(value));
    return undefined;
  }

  private freeForm(value: unknown, path: string): Record<string, unknown> | undefined {
    const map = this.map(value, path);
    return map ? (plain(map) as Record<string, unknown>) : undefined;
  }

  private unknownKeys(map: RawMap, path: string, known: ReadonlySet<string>, ignored: ReadonlySet<string> = new Set()): void {
    for (const key of Object.keys(map)) {
      if (!known.has(key) && !ignored.has(key)) this.warn(at(path, key), 'unknown field, ignored');
    }
  }

  private error(path: string, message: string, invalidValue?: unknown): void {
    this.errors.push(invalidValue === undefined ? { path, message } : { path, message, invalidValue });
  }

  private warn(path: string, message: string): void {
    this.warnings.push(`${path}: ${message}`);
  }
}

function toNumber(value: unknown): number {
  if (value instanceof YamlNumber) return value.value;
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && NUMERIC.test(value.trim())) return Number(value.trim());
  return NaN;
}

function schemeOf(resourceName: string | undefined): string | undefined {
  const at = resourceName?.indexOf('://') ?? -1;
  return resourceName && at > 0 ? resourceName.slice(0, at) : undefined;
}

function schemeValueOf(resourceName: string): string {
  const at = resourceName.indexOf('://');
  return at === -1 ? resourceName : resourceName.slice(at + 3);
}

/** Tarjan's strongly connected components, over node indexes. */
function stronglyConnected(edges: readonly (readonly { to: number }[])[]): number[][] {
  const index: number[] = new Array(edges.length).fill(-1);
  const low: number[] = new Array(edges.length).fill(0);
  const onStack: boolean[] = new Array(edges.length).fill(false);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  const visit = (v: number): void => {
    index[v] = low[v] = counter++;
    stack.push(v);
    onStack[v] = true;
    for (const { to } of edges[v]) {
      if (index[to] === -1) {
        visit(to);
        low[v] = Math.min(low[v], low[to]);
      } else if (onStack[to]) {
        low[v] = Math.min(low[v], index[to]);
      }
    }
    if (low[v] === index[v]) {
      const component: number[] = [];
      let w: number;
      do {
        w = stack.pop()!;
        onStack[w] = false;
        component.push(w);
      } while (w !== v);
      components.push(component);
    }
  };
  for (let v = 0; v < edges.length; v++) if (index[v] === -1) visit(v);
  return components;
}

/** The shortest cycle through `start` inside one strongly connected component, as a node list from `start`. */
function shortestCycle(start: number, edges: readonly (readonly { to: number }[])[], members: ReadonlySet<number>): number[] {
  const parent = new Map<number, number>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head];
    for (const { to } of edges[v]) {
      if (!members.has(to)) continue;
      if (to === start) {
        const cycle = [v];
        while (cycle[0] !== start) cycle.unshift(parent.get(cycle[0])!);
        return cycle;
      }
      if (!parent.has(to)) {
        parent.set(to, v);
        queue.push(to);
      }
    }
  }
  return [start];
}

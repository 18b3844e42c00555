import type { WorkflowDef, WorkflowDefSummary, WorkflowTask } from '@app/contracts';
import { dagOf, type Dag } from '../model/dag';
import type { ExecutionDef } from '../model/execution-types';
import { locateIn, scanJson, type JsonSyntaxError } from '../model/json-locate';

/**
 * The definitions pages' pure parts: the list's rows, a definition's diagram (the execution graph of a run
 * that has not started), where each task sits in the JSON, and the editor's problems on their lines.
 */

// ---- the list ------------------------------------------------------------------------------------------

/** One workflow name: its latest version and how many there are. */
export interface DefinitionRow {
  readonly name: string;
  readonly latest: WorkflowDef;
  /** Newest first. */
  readonly versions: readonly number[];
  readonly description: string;
  readonly owner: string;
  readonly updated?: number;
}

/** One row per name, by name: the latest definition of each with the versions the summaries list. */
export function definitionRows(latest: readonly WorkflowDef[], versions: Readonly<Record<string, readonly WorkflowDefSummary[]>> = {}): DefinitionRow[] {
  const byName = new Map<string, WorkflowDef>();
  for (const def of latest) {
    const seen = byName.get(def.name);
    if (!seen || (def.version ?? 0) > (seen.version ?? 0)) byName.set(def.name, def);
  }
  return [...byName.values()]
    .map((def) => {
      const listed = (versions[def.name] ?? []).map((s) => s.version);
      const all = [...new Set([...listed, def.version ?? 1])].sort((a, b) => b - a);
      return { name: def.name, latest: def, versions: all, description: def.description ?? '', owner: ownerOf(def), updated: def.updateTime || def.createTime || undefined };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

export const ownerOf = (def: Pick<WorkflowDef, 'ownerEmail' | 'ownerApp' | 'createdBy'>): string => def.ownerEmail || def.ownerApp || def.createdBy || '';

/** Whether a row matches a filter: every word of it, in the name, description or owner (any case). */
export function matchesFilter(fields: readonly (string | undefined)[], filter: string): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  const hay = fields.filter(Boolean).join('\n').toLowerCase();
  return words.every((w) => hay.includes(w));
}

/** One entry of `GET /flow/bg/get_descriptor_ids.json`: an alias pointing at a version of a Rill Flow DAG. */
export interface RillDescriptorItem {
  readonly businessId: string;
  readonly featureId: string;
  readonly alias: string;
  /** `<business>:<feature>:v<version>`. */
  readonly descriptorId: string;
  readonly createTime?: number;
  readonly updateTime?: number;
}

/** One Rill Flow DAG (`<business>:<feature>`) with its aliases. */
export interface RillRow {
  readonly id: string;
  readonly aliases: readonly { readonly alias: string; readonly version: number }[];
  readonly latestVersion: number;
  readonly updated?: number;
}

/** The back office's alias list folded into one row per DAG, by id. */
export function rillRows(items: readonly RillDescriptorItem[]): RillRow[] {
  const byId = new Map<string, { aliases: { alias: string; version: number }[]; updated?: number }>();
  for (const item of items) {
    const id = `${item.businessId}:${item.featureId}`;
    const version = Number(/:v(\d+)$/.exec(item.descriptorId)?.[1] ?? 0);
    const row = byId.get(id) ?? { aliases: [] };
    row.aliases.push({ alias: item.alias, version });
    row.updated = Math.max(row.updated ?? 0, item.updateTime ?? 0) || undefined;
    byId.set(id, row);
  }
  return [...byId.entries()]
    .map(([id, r]) => ({ id, aliases: r.aliases.sort((a, b) => a.alias.localeCompare(b.alias)), latestVersion: Math.max(...r.aliases.map((a) => a.version)), updated: r.updated }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** A name that reads as a Rill Flow descriptor id (`<business>:<feature>`), which the metadata API does not serve. */
export const isRillDescriptorId = (name: string): boolean => /^[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$/.test(name);

/** The workflow behind a Rill Flow execution id (`<business>:<feature>_c_<workflow id>`). */
export const workflowIdOfRillExecution = (executionId: string): string => {
  const at = executionId.lastIndexOf('_c_');
  return at > 0 ? executionId.slice(at + 3) : executionId;
};

// ---- the diagram -----------------------------------------------------------------------------------------

type Json = Record<string, unknown>;
const isJson = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A definition's diagram: `dagOf` of an execution that has not run, so every node shows as not run. Takes
 * any JSON (the editor's text, half written): what is not a task is left out, a reference used twice is
 * drawn once, and graph edges to tasks that do not exist are dropped.
 */
export function definitionDag(def: unknown): Dag {
  const raw = isJson(def) ? def : {};
  const seen = new Set<string>();
  const graph = raw.flow === 'graph';
  const tasks = cleanList(raw.tasks, seen);
  const workflowDefinition: ExecutionDef = { tasks: graph ? tasks.map((t) => ({ ...t, next: (t.next ?? []).filter((n) => seen.has(n)) })) : tasks, flow: graph ? 'graph' : undefined };
  const dag = dagOf({ workflowId: '', status: 'RUNNING', workflowDefinition, tasks: [] });
  const edgeIds = new Set<string>();
  return {
    nodes: dag.nodes.map((n) => ({ ...n, status: 'NOT_RUN' })),
    edges: dag.edges.filter((e) => !edgeIds.has(e.id) && !!edgeIds.add(e.id)),
  };
}

function cleanList(list: unknown, seen: Set<string>): WorkflowTask[] {
  if (!Array.isArray(list)) return [];
  const out: WorkflowTask[] = [];
  for (const item of list) {
    if (!isJson(item)) continue;
    const ref = item.taskReferenceName;
    if (typeof ref !== 'string' || !ref || seen.has(ref) || ref.startsWith('__') || ref.endsWith('#end')) continue;
    seen.add(ref);
    const task: Json = { ...item, name: typeof item.name === 'string' && item.name ? item.name : ref, type: typeof item.type === 'string' && item.type ? item.type : 'SIMPLE' };
    if ('forkTasks' in item) task.forkTasks = Array.isArray(item.forkTasks) ? item.forkTasks.map((branch) => cleanList(branch, seen)) : [];
    if ('decisionCases' in item) task.decisionCases = isJson(item.decisionCases) ? Object.fromEntries(Object.entries(item.decisionCases).map(([k, v]) => [k, cleanList(v, seen)])) : {};
    if ('defaultCase' in item) task.defaultCase = cleanList(item.defaultCase, seen);
    if ('loopOver' in item) task.loopOver = cleanList(item.loopOver, seen);
    if ('next' in item) task.next = Array.isArray(item.next) ? item.next.filter((n): n is string => typeof n === 'string') : [];
    out.push(task as unknown as WorkflowTask);
  }
  return out;
}

/** Conductor's path of an object key (the registry's `jsonPathProp`): `.key`, or `["a key"]` when it is not an identifier. */
const prop = (base: string, key: string): string => (/^[A-Za-z_$][\w$]*$/.test(key) ? (base ? `${base}.${key}` : key) : `${base}[${JSON.stringify(key)}]`);

/** Each task of a definition by reference, at any depth, with its JSON path (`tasks[1].forkTasks[0][2]`): where the editor finds it. */
export function taskIndex(def: unknown): Map<string, { readonly path: string; readonly task: Json }> {
  const out = new Map<string, { path: string; task: Json }>();
  const list = (tasks: unknown, path: string) => {
    if (!Array.isArray(tasks)) return;
    tasks.forEach((task, i) => {
      if (!isJson(task)) return;
      const at = `${path}[${i}]`;
      if (typeof task.taskReferenceName === 'string' && !out.has(task.taskReferenceName)) out.set(task.taskReferenceName, { path: at, task });
      if (Array.isArray(task.forkTasks)) task.forkTasks.forEach((branch, b) => list(branch, `${at}.forkTasks[${b}]`));
      if (isJson(task.decisionCases)) for (const [name, branch] of Object.entries(task.decisionCases)) list(branch, prop(`${at}.decisionCases`, name));
      list(task.defaultCase, `${at}.defaultCase`);
      list(task.loopOver, `${at}.loopOver`);
    });
  };
  list(isJson(def) ? def.tasks : undefined, 'tasks');
  return out;
}

/** The engine type of a Rill Flow task (Baton's `rillTaskTypeOf`, on the parsed DAG as get_descriptor.json serves it). */
function rillTypeOf(task: Json): string {
  const category = typeof task.category === 'string' ? task.category : 'function';
  if (category === 'function') return task.subFlow ? 'RILL_SUBFLOW' : 'RILL_FUNCTION';
  return `RILL_${category.toUpperCase()}`;
}

/** A parsed Rill Flow DAG as a graph-flow definition to draw: its top-level tasks (as parsed, typed and referenced by name), edges from `next`. */
export function rillDiagramDef(dag: unknown): { flow: 'graph'; tasks: WorkflowTask[] } {
  const tasks = isJson(dag) && Array.isArray(dag.tasks) ? dag.tasks.filter(isJson) : [];
  return {
    flow: 'graph',
    tasks: tasks
      .filter((t) => typeof t.name === 'string')
      .map((t) => ({ ...t, taskReferenceName: t.name as string, type: rillTypeOf(t), next: Array.isArray(t.next) ? t.next : [] }) as unknown as WorkflowTask),
  };
}

// ---- the editor ------------------------------------------------------------------------------------------

/** What the API says is wrong with a definition (Conductor's validationErrors entry). */
export interface ValidationItem {
  readonly path?: string;
  readonly message: string;
  readonly invalidValue?: unknown;
}

/** One problem to show in the editor: on its line when the text lets it be placed. */
export interface EditorProblem {
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
  readonly path?: string;
  readonly source: 'syntax' | 'server';
  /** The value the API refused, when it says. */
  readonly invalidValue?: unknown;
  /** The path's leaf is absent: the problem is shown on the object that should hold it. */
  readonly missing?: boolean;
  /** Reported for an earlier text (edited since): it may no longer hold. */
  readonly stale?: boolean;
}

/**
 * The editor's problems: the text's syntax error, or the API's validation errors placed at their paths in
 * the text as it is now (so they follow edits; marked stale once the text differs from what was checked).
 */
export function editorProblems(text: string, server?: { readonly text: string; readonly errors: readonly ValidationItem[] }): { syntax?: JsonSyntaxError; problems: EditorProblem[] } {
  const scan = scanJson(text);
  const stale = !!server && server.text !== text;
  if (!scan.ok) {
    const syntax = scan.error;
    const unplaced = (server?.errors ?? []).map((e): EditorProblem => ({ message: e.message, path: e.path, invalidValue: e.invalidValue, source: 'server', stale }));
    return { syntax, problems: [{ line: syntax.line, column: syntax.column, message: syntax.message, source: 'syntax' }, ...unplaced] };
  }
  const problems = (server?.errors ?? []).map((e): EditorProblem => {
    const loc = locateIn(scan.root, e.path ?? '');
    return { line: loc.line, column: loc.column, message: e.message, path: e.path, invalidValue: e.invalidValue, source: 'server', missing: !loc.exact, stale };
  });
  return { problems: problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0)) };
}

/** A short rendering of a rejected value, for the problem list. */
export function shortValue(v: unknown, max = 60): string {
  if (v === undefined) return '';
  let s: string;
  try {
    s = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  } catch {
    s = String(v);
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** The text the editor starts from: the definition as stored, pretty-printed. */
export const prettyJson = (value: unknown): string => JSON.stringify(value, null, 2);

/** What the new-definition page starts from. */
export function templateDefinition(): WorkflowDef {
  return {
    name: 'my_workflow',
    description: 'What this workflow does',
    version: 1,
    schemaVersion: 2,
    ownerEmail: 'owner@example.com',
    inputParameters: ['orderId'],
    tasks: [{ name: 'my_task', taskReferenceName: 'my_task_ref', type: 'SIMPLE', inputParameters: { orderId: '${workflow.input.orderId}' } }],
    outputParameters: { result: '${my_task_ref.output.result}' },
    timeoutPolicy: 'ALERT_ONLY',
    timeoutSeconds: 0,
  } as WorkflowDef;
}

/** The next version after those a name has. */
export const nextVersion = (versions: readonly number[]): number => (versions.length ? Math.max(...versions) : 0) + 1;

/** A start form's first input: each declared input parameter, empty. */
export function sampleInput(def: Pick<WorkflowDef, 'inputParameters'> | undefined): string {
  const names = Array.isArray(def?.inputParameters) ? def.inputParameters.filter((p): p is string => typeof p === 'string') : [];
  return prettyJson(Object.fromEntries(names.map((p) => [p, ''])));
}

/** The name and version a definition text would be stored as (when it says). */
export function identityOf(value: unknown): { name?: string; version?: number } {
  if (!isJson(value)) return {};
  return { name: typeof value.name === 'string' ? value.name : undefined, version: typeof value.version === 'number' ? value.version : undefined };
}

/** A definition to start a new one from: renamed, version 1, without the stored audit fields. */
export function duplicateOf(def: WorkflowDef): WorkflowDef {
  const { createTime: _c, updateTime: _u, createdBy: _cb, updatedBy: _ub, ...rest } = def;
  return { ...rest, name: `${def.name}_copy`, version: 1 };
}

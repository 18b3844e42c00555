import { RILL_TASK_CATEGORIES, RillTask, RillTaskCategory } from '../rill-dag.model';
import type { GraphNode } from '../rill-dag.graph';
import { isRillName, MAX_NAME_LENGTH, RillReadContext } from '../rill-read.context';
import { at, idx, isBlank } from '../rill-value.reader';
import { plain } from '../rill-yaml.decoder';
import type { RillCategoryReader } from './category-reader';
import { choiceTaskReader } from './choice-task.reader';
import { foreachTaskReader } from './foreach-task.reader';
import { functionTaskReader } from './function-task.reader';
import { passTaskReader } from './pass-task.reader';
import { returnTaskReader } from './return-task.reader';
import { suspenseTaskReader } from './suspense-task.reader';
import { switchTaskReader } from './switch-task.reader';
import { COMMON_TASK_KEYS, readCommonFields } from './task-common.reader';

/**
 * Task lists and the tasks in them. A task's category picks its reader; the name, which must be unique
 * across the whole DAG, and the common fields are read here for every category. Each task list becomes one
 * `next` scope on the context, checked as a graph once the whole DAG is read.
 */

type CategoryReaders = { readonly [C in RillTaskCategory]: RillCategoryReader<C> };

/** One reader per category: a category of the model without one here does not compile. */
const CATEGORY_READERS: CategoryReaders = {
  function: functionTaskReader,
  choice: choiceTaskReader,
  foreach: foreachTaskReader,
  suspense: suspenseTaskReader,
  pass: passTaskReader,
  return: returnTaskReader,
  switch: switchTaskReader,
};

/** Editor metadata Rill Flow stores but does not run on. */
const TASK_IGNORED = new Set(['templateId', 'outputSchema', 'inputType', 'outputType']);

export function readTaskList(ctx: RillReadContext, value: unknown, path: string): RillTask[] {
  if (!Array.isArray(value)) {
    ctx.error(path, 'must be a list of tasks', plain(value));
    return [];
  }
  const scope: GraphNode[] = [];
  ctx.scopes.push(scope);
  const tasks: RillTask[] = [];
  value.forEach((item, i) => {
    const { node, task } = readTask(ctx, item, idx(path, i));
    scope.push(node);
    if (task) tasks.push(task);
  });
  return tasks;
}

/** The task (when it could be read) and its node in the `next` graph (always: its name still counts). */
function readTask(ctx: RillReadContext, value: unknown, path: string): { node: GraphNode; task?: RillTask } {
  const map = ctx.requiredMap(value, path, 'a task');
  if (!map) return { node: { next: [] } };

  const reader = readCategory(ctx, map.category, at(path, 'category'));
  ctx.unknownKeys(map, path, new Set([...COMMON_TASK_KEYS, ...(reader?.fields ?? [])]), TASK_IGNORED);

  const name = readTaskName(ctx, map.name, at(path, 'name'));
  const common = readCommonFields(ctx, map, path, name ?? '', reader);
  const nextRefs = common.next.map((next) => ({ name: next, path: at(path, 'next') }));
  if (!reader) return { node: { name, next: nextRefs } };

  const { task, next = nextRefs } = reader.read({ ctx, map, path, common, readTasks: (list, listPath) => readTaskList(ctx, list, listPath) });
  return { node: { name, next }, task };
}

function readCategory(ctx: RillReadContext, value: unknown, path: string): CategoryReaders[RillTaskCategory] | undefined {
  const text = ctx.string(value, path);
  if (isBlank(text)) {
    if (value === undefined || value === null || text !== undefined) {
      ctx.error(path, `category is required (one of ${RILL_TASK_CATEGORIES.join(', ')})`);
    }
    return undefined;
  }
  if (!(RILL_TASK_CATEGORIES as readonly string[]).includes(text)) {
    ctx.error(path, `unknown category "${text}"; expected one of ${RILL_TASK_CATEGORIES.join(', ')}`, text);
    return undefined;
  }
  return CATEGORY_READERS[text as RillTaskCategory];
}

/** Registers the name on the context, so a later task cannot take it and `next` can find where it is. */
function readTaskName(ctx: RillReadContext, value: unknown, path: string): string | undefined {
  const name = ctx.string(value, path);
  if (isBlank(name)) {
    if (name !== undefined || value === undefined || value === null) ctx.error(path, 'a task needs a name');
    return undefined;
  }
  if (!isRillName(name)) {
    ctx.error(path, `task name "${name}" must be 1 to ${MAX_NAME_LENGTH} letters and digits (Rill Flow's naming rule)`, name);
    return undefined;
  }
  const first = ctx.taskNames.get(name);
  if (first) {
    ctx.error(path, `task name "${name}" is already used at ${first}; names must be unique across the DAG, nested tasks included`, name);
    return undefined;
  }
  ctx.taskNames.set(name, path);
  return name;
}

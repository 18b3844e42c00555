import type { ValidationErrorItem } from '@app/contracts';
import type { RillTask } from '../rill-dag.model';
import { RillReadContext } from '../rill-read.context';
import { decodeRillYaml } from '../rill-yaml.decoder';
import type { RillTaskOf } from '../tasks/category-reader';
import { readTaskList } from '../tasks/task.reader';

/**
 * Test builders for the descriptor readers: decode a YAML fragment, run one reader on it with a fresh
 * context, and return what it read with what it reported.
 */

export interface Read<T> {
  readonly value: T;
  readonly errors: ValidationErrorItem[];
  readonly warnings: string[];
  readonly ctx: RillReadContext;
}

export function readYaml<T>(yaml: string, reader: (ctx: RillReadContext, body: unknown) => T, ctx = new RillReadContext()): Read<T> {
  const decoded = decodeRillYaml(yaml);
  if (!decoded.ok) throw new Error(`bad YAML in a test: ${JSON.stringify(decoded.errors)}`);
  const value = reader(ctx, decoded.body);
  return { value, errors: ctx.errors, warnings: ctx.warnings, ctx };
}

/** A task list at path `tasks`, e.g. `readTasks('- {name: A, category: pass}')`. */
export const readTasks = (yaml: string, ctx?: RillReadContext): Read<RillTask[]> => readYaml(yaml, (c, body) => readTaskList(c, body, 'tasks'), ctx);

/** The one task of a one-task list, narrowed to its category. */
export function onlyTask<C extends RillTask['category']>(read: Read<RillTask[]>, category: C): RillTaskOf<C> {
  const [task, ...rest] = read.value;
  if (!task || rest.length || task.category !== category) throw new Error(`expected one ${category} task, got ${JSON.stringify(read.value)}`);
  return task as RillTaskOf<C>;
}

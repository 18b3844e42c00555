import type { RillChoice, RillTask } from '../rill-dag.model';
import type { RillReadContext } from '../rill-read.context';
import { at, idx, isBlank } from '../rill-value.reader';
import { plain } from '../rill-yaml.decoder';
import type { RillCategoryReader, RillTaskSource } from './category-reader';

/**
 * `choice`: branches, each a JSONPath `condition` over the task's input and a task list of its own that runs
 * when the condition matches. Each branch's tasks are a `next` scope of their own; their names share the
 * DAG's single namespace.
 */
export const choiceTaskReader: RillCategoryReader<'choice'> = {
  category: 'choice',
  fields: ['choices'],
  honoursTolerance: false,
  honoursTimeout: true,
  read: ({ ctx, map, path, common, readTasks }) => ({
    task: { category: 'choice', ...common, choices: readChoices(ctx, map.choices, at(path, 'choices'), readTasks) },
  }),
};

const CHOICE_KEYS = new Set(['condition', 'tasks']);

function readChoices(ctx: RillReadContext, value: unknown, path: string, readTasks: RillTaskSource['readTasks']): RillChoice[] {
  if (!Array.isArray(value) || !value.length) {
    ctx.error(path, 'a choice task needs at least one entry in choices', plain(value));
    return [];
  }
  const choices: RillChoice[] = [];
  value.forEach((item, i) => {
    const here = idx(path, i);
    const choice = ctx.requiredMap(item, here, 'a choice ({condition, tasks})');
    if (!choice) return;
    ctx.unknownKeys(choice, here, CHOICE_KEYS);
    const condition = ctx.string(choice.condition, at(here, 'condition'));
    if (isBlank(condition)) ctx.error(at(here, 'condition'), 'a choice needs a condition');
    let tasks: RillTask[] = [];
    if (!Array.isArray(choice.tasks) || !choice.tasks.length) ctx.error(at(here, 'tasks'), 'a choice needs at least one task', plain(choice.tasks));
    else tasks = readTasks(choice.tasks, at(here, 'tasks'));
    choices.push({ condition: condition ?? '', tasks });
  });
  return choices;
}

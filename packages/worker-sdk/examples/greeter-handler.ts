import { TaskOutcome, TerminalError } from '../src';
import type { TaskHandler } from '../src';

/** The example's task type: `{ name }` in, `{ greeting }` out. */
export const GREETER_TASK_TYPE = 'greet';

/** The example handler, shared by the standalone worker (greeter.ts) and embedded Baton's in-process one. */
export const greeter: TaskHandler = async (task, ctx) => {
  const name = task.inputData.name;
  // An input expression that finds nothing (`${workflow.input.name}` without a name) gives null.
  if (name === undefined || name === null) return TaskOutcome.failed('inputData.name is missing'); // retried as the task definition says
  if (typeof name !== 'string') throw new TerminalError(`inputData.name must be a string, got ${typeof name}`); // never retried
  ctx.log(`greeting ${name} (attempt ${task.retryCount + 1})`);
  return { greeting: `Hello, ${name}!` };
};

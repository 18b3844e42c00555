import { isSuccessfulTaskStatus, isTerminalTaskStatus, SystemTaskType, Task, TaskNode, TaskStatus } from '@app/contracts';
import type { Kernel } from '../kernel';
import { baseRefOf } from '../workflow-run';
import type { TaskHandler } from './task-handler';

/**
 * JOIN: IN_PROGRESS until every task in `joinOn` has ended, then COMPLETED with `{ref: output}` of each
 * — COMPLETED_WITH_ERRORS when an optional one failed (it counts as ended, COMPLETED_WITH_ERRORS itself).
 * A joined task that failed for good has already ended the workflow.
 */
export const joinHandler: TaskHandler = {
  acceptsResults: false,
  schedule(k, node, opts) {
    // Conductor's JoinTaskMapper records what it joins on in the task's input; after a dynamic fork, that
    // is the branches the fork made, known only now.
    const inputData = { ...k.inputsOf(node.task), joinOn: joinOnOf(k, node) };
    k.addTask(k.newTask(node, opts, { status: TaskStatus.InProgress, startTime: k.now, inputData }), 'start.begin');
  },
  evaluate(k, join) {
    const joinOn = refsOf(join.inputData.joinOn);
    const joined = joinOn.map((ref) => k.latest(ref));
    if (joinScriptOf(join)) return evaluateJoinScript(k, join, joinOn, joined);
    if (joined.some((t) => !t || !isTerminalTaskStatus(t.status))) return false;
    // A permissive task that failed let its siblings run on; once all ended, the JOIN fails on it (the
    // workflow with it), its output the failed tasks' outputs, as Conductor's Join does.
    const permitted = joined.filter((t): t is Readonly<Task> => !!t && !isSuccessfulTaskStatus(t.status) && !!t.workflowTask?.permissive);
    if (permitted.length) {
      const outputData = Object.fromEntries(permitted.map((t) => [baseRefOf(t.referenceTaskName), t.outputData]));
      k.failTask(join, { status: TaskStatus.Failed, reason: permitted[0].reasonForIncompletion ?? `${permitted[0].referenceTaskName} failed`, patch: { outputData } });
      return true;
    }
    if (joined.some((t) => t && !isSuccessfulTaskStatus(t.status))) return false; // the workflow is ending
    const outputData = joinedOutputs(joinOn, joined);
    // Conductor's Join: tolerated (optional) failures make the JOIN itself COMPLETED_WITH_ERRORS, naming them.
    const tolerated = joined.filter((t): t is Readonly<Task> => !!t && t.status === TaskStatus.CompletedWithErrors);
    if (!tolerated.length) k.completeTask(join, { outputData });
    else k.completeTask(join, { outputData, reasonForIncompletion: `${tolerated.map((t) => `${t.taskDefName}/${t.taskId}`).join(' ')} completed with errors` }, { withErrors: true });
    return true;
  },
};

const joinedOutputs = (joinOn: readonly string[], joined: ReadonlyArray<Readonly<Task> | undefined>): Record<string, unknown> =>
  Object.fromEntries(joinOn.map((ref, i) => [ref, joined[i]?.outputData ?? {}]));

const joinScriptOf = (join: Readonly<Task>): string | undefined => {
  const expression = join.workflowTask?.expression;
  return typeof expression === 'string' && expression.trim() ? expression : undefined;
};

/**
 * A JOIN with a join script (`expression`, Orkes' join script): the script decides when the JOIN ends, in
 * place of the all-ended rule. It runs whenever a task it joins on changed, with `$` = the JOIN's input
 * (`$.joinOn` included) and `$[ref]` = each joined task's `{ status, outputData, reasonForIncompletion }`
 * (null before it is scheduled). It returns `true` (complete), a falsy value (wait), or
 * `{ status, outputData, reasonForIncompletion }`: COMPLETED completes (its outputData over the usual
 * `{ref: output}`), COMPLETED_WITH_ERRORS completes with errors, FAILED / FAILED_WITH_TERMINAL_ERROR fail the
 * JOIN, IN_PROGRESS waits (its outputData shown on the JOIN). A script that throws fails the JOIN for
 * good, and so does one that still waits once every joined task has ended — it would wait for ever.
 */
function evaluateJoinScript(k: Kernel, join: Readonly<Task>, joinOn: readonly string[], joined: ReadonlyArray<Readonly<Task> | undefined>): boolean {
  // Only what changed can change the answer: the JOIN just scheduled, or a joined task that moved.
  if (!k.changedNow(join) && !joined.some((t) => t && k.changedNow(t))) return false;
  const view = (t: Readonly<Task> | undefined) => (t ? { status: t.status, outputData: t.outputData, ...(t.reasonForIncompletion ? { reasonForIncompletion: t.reasonForIncompletion } : {}) } : null);
  const input: Record<string, unknown> = { ...join.inputData, ...Object.fromEntries(joinOn.map((ref, i) => [ref, view(joined[i])])) };
  const evaluated = k.evaluators.javascript(joinScriptOf(join) as string, input);
  const fail = (status: typeof TaskStatus.Failed | typeof TaskStatus.FailedWithTerminalError, reason: string, outputData: Record<string, unknown> = {}) => {
    k.failTask(join, { status, reason, patch: { outputData: { ...join.outputData, ...outputData } } });
    return true;
  };
  if (!evaluated.ok) return fail(TaskStatus.FailedWithTerminalError, `Error evaluating the join script \`${evaluated.message}\``);
  const verdict = joinVerdictOf(evaluated.value);
  const allEnded = joined.every((t) => t && isTerminalTaskStatus(t.status));
  switch (verdict.status) {
    case TaskStatus.Completed:
    case TaskStatus.CompletedWithErrors:
      k.completeTask(
        join,
        { outputData: { ...joinedOutputs(joinOn, joined), ...verdict.outputData }, ...(verdict.reason ? { reasonForIncompletion: verdict.reason } : {}) },
        { withErrors: verdict.status === TaskStatus.CompletedWithErrors },
      );
      return true;
    case TaskStatus.Failed:
    case TaskStatus.FailedWithTerminalError:
      return fail(verdict.status, verdict.reason ?? 'the join script failed the JOIN', verdict.outputData);
    case TaskStatus.InProgress:
      if (allEnded) return fail(TaskStatus.FailedWithTerminalError, 'the join script kept the JOIN in progress after every task it joins on had ended', verdict.outputData);
      if (verdict.outputData || verdict.reason) {
        k.patchTask(join.taskId, { outputData: { ...join.outputData, ...verdict.outputData }, ...(verdict.reason ? { reasonForIncompletion: verdict.reason } : {}) });
      }
      return false;
    default:
      return fail(TaskStatus.FailedWithTerminalError, `the join script returned status ${verdict.status}, which a JOIN cannot take (COMPLETED, COMPLETED_WITH_ERRORS, FAILED, FAILED_WITH_TERMINAL_ERROR or IN_PROGRESS)`);
  }
}

/** What a join script's value says: `true`, falsy, or an object naming a status. */
function joinVerdictOf(value: unknown): { status: string; outputData?: Record<string, unknown>; reason?: string } {
  if (value === true) return { status: TaskStatus.Completed };
  if (!value) return { status: TaskStatus.InProgress };
  if (typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    const outputData = v.outputData && typeof v.outputData === 'object' && !Array.isArray(v.outputData) ? (v.outputData as Record<string, unknown>) : undefined;
    const reason = typeof v.reasonForIncompletion === 'string' ? v.reasonForIncompletion : undefined;
    return { status: typeof v.status === 'string' ? v.status.toUpperCase() : TaskStatus.Completed, ...(outputData ? { outputData } : {}), ...(reason ? { reason } : {}) };
  }
  return { status: `${JSON.stringify(value)} (not true, false or an object)` };
}

/** The task references in a value that should be a list of them (an input as stored); anything else is none. */
export const refsOf = (value: unknown): string[] => (Array.isArray(value) ? value.filter((r): r is string => typeof r === 'string') : []);

/** What a JOIN waits for: its `joinOn`, or right after a FORK_JOIN_DYNAMIC, the branches that fork made. */
function joinOnOf(k: Kernel, node: TaskNode): string[] {
  const before = node.list.nodes.filter((n) => n.index < node.index).pop();
  if (before?.type === SystemTaskType.ForkJoinDynamic && before.ref) {
    const fork = k.latest(before.ref);
    if (fork) return refsOf(fork.inputData.forkedTasks);
  }
  return node.task.joinOn ?? [];
}

import { SystemTaskType, TaskStatus, WorkflowTask } from '@app/contracts';
import { evaluateExpression, ScriptResult } from '../evaluators';
import type { Kernel } from '../kernel';
import type { TaskHandler } from './task-handler';

/**
 * SWITCH (and the deprecated DECISION): decided in place. The `value-param` evaluator reads the input
 * parameter named by `expression` (DECISION: `caseValueParam`); `javascript`/`graaljs` (DECISION:
 * `caseExpression`) runs the expression in the sandbox with `$` bound to the task's input. The case is
 * the value's text (`null` included); a script that fails fails the task, and with it the workflow.
 * The task completes at once, recording the case, and the flow enters the matching case — `defaultCase`
 * only when no case has that name; a SWITCH case that is present but empty runs nothing (a DECISION's
 * falls back to `defaultCase`, as Conductor's DecisionTaskMapper does).
 */
export const switchHandler: TaskHandler = {
  acceptsResults: false,
  schedule(k, node, opts) {
    const wt = node.task;
    const decision = wt.type === SystemTaskType.Decision;
    const inputData = k.inputsOf(wt);
    const evaluated = caseValueOf(k, wt, decision, inputData);
    if (!evaluated.ok) {
      const failed = k.addTask(k.newTask(node, opts, { status: TaskStatus.InProgress, inputData, startTime: k.now }), 'start.begin');
      return k.failTask(failed, { status: TaskStatus.Failed, reason: evaluated.message, patch: { outputData: { error: evaluated.message } } });
    }
    const value = evaluated.value;
    const selected = value === undefined || value === null ? 'null' : typeof value === 'object' ? JSON.stringify(value) : String(value);
    const matched = node.children.find((l) => l.field === 'decisionCases' && l.caseName === selected);
    // SWITCH runs an explicitly empty case (nothing); DECISION's mapper falls back to the default for it.
    const list = matched && (!decision || matched.nodes.length) ? matched : node.children.find((l) => l.field === 'defaultCase');
    const outputData = decision ? { caseOutput: [selected] } : { evaluationResult: [selected], selectedCase: selected };
    // Done at once, but the flow does not pass it yet: what follows the switch runs when its case ends.
    const done = k.addTask(
      k.newTask(node, opts, { status: TaskStatus.Completed, inputData: { ...inputData, case: selected }, outputData, startTime: k.now, endTime: k.now, executed: true }),
      'start.success',
    );
    if (list && list.nodes.length) k.schedule(list.nodes[0]);
    else k.advance(done);
  },
  onListEnded(k, task) {
    k.advance(task);
  },
};

/** The value that picks the case, or why it could not be had. */
function caseValueOf(k: Kernel, wt: WorkflowTask, decision: boolean, input: Record<string, unknown>): ScriptResult {
  if (decision) {
    if (!wt.caseValueParam && wt.caseExpression) return explained(k.evaluators.javascript(wt.caseExpression, input), 'caseExpression');
    return { ok: true, value: wt.caseValueParam === undefined ? undefined : input[wt.caseValueParam] };
  }
  const type = wt.evaluatorType ?? 'value-param';
  if (type === 'value-param') return { ok: true, value: wt.expression === undefined ? undefined : input[wt.expression] };
  return explained(evaluateExpression(k.evaluators, type, wt.expression ?? '', input), 'expression');
}

const explained = (result: ScriptResult, field: string): ScriptResult =>
  result.ok ? result : { ...result, message: `Error evaluating the ${field}: ${result.message}` };

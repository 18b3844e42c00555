import { SystemTaskType, TaskStatus } from '@app/contracts';
import type { TaskHandler } from './task-handler';

/**
 * SWITCH (and the deprecated DECISION): decided in place. The `value-param` evaluator reads the input
 * parameter named by `expression` (DECISION: `caseValueParam`); the case is its text (`null` included).
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
    const param = decision ? wt.caseValueParam : wt.expression;
    const value = param === undefined ? undefined : inputData[param];
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

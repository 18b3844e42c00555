import { buildDefinitionGraph, loopRefOf, SystemTaskType, Task, TaskStatus, whyNotRunnable, WorkflowTask } from '@app/contracts';
import { isJson } from '../expressions';
import type { Kernel } from '../kernel';
import { FORK_TASK_TYPE } from './fork-join.handler';
import type { TaskHandler } from './task-handler';

type DynamicForkTask = WorkflowTask & { dynamicForkJoinTasksParam?: string };

/** The branches a dynamic fork makes, each one WorkflowTask with its input; or why it cannot. */
type Plan = { readonly ok: true; readonly branches: ReadonlyArray<{ readonly task: WorkflowTask; readonly input: Record<string, unknown> }> } | { readonly ok: false; readonly reason: string };

/**
 * FORK_JOIN_DYNAMIC: decided in place, like FORK_JOIN, but its branches are given at run time — one
 * WorkflowTask per branch, in any of the forms Conductor accepts:
 * - `dynamicForkTasksParam` names the input holding the list of WorkflowTasks, and
 *   `dynamicForkTasksInputParamName` the input holding each one's input by reference name;
 * - "simple" mode: `forkTaskName` (with `forkTaskType`, SIMPLE by default) or `forkTaskWorkflow` (with
 *   `forkTaskWorkflowVersion`: a SUB_WORKFLOW per item) and the list `forkTaskInputs`: one branch per item,
 *   referenced `_<name>_<i>`, its input the item (a non-object item under `input`) plus `__index`;
 * - the deprecated `dynamicForkJoinTasksParam`: the input holding `{ dynamicTasks: [{ taskName,
 *   referenceName, type, input, workflowName }] }`.
 * The FORK task (type `FORK`) completes at once recording `forkedTasks` (the branches' references) and
 * `forkedTaskInputs`; every branch is scheduled, and the JOIN that must follow waits for exactly those.
 * Branch tasks keep their own WorkflowTask (the definition does not have it) and the task definition
 * they carry, else the ad-hoc defaults. A list that is not one, a branch without a name or reference, a
 * reference already used, or a branch of a type this version cannot run fails the fork with a terminal
 * error.
 */
export const forkJoinDynamicHandler: TaskHandler = {
  acceptsResults: false,
  schedule(k, node, opts) {
    const wt = node.task as DynamicForkTask;
    const input = k.inputsOf(wt);
    const plan = planOf(k, wt, input, k.enclosingLoop(node));
    if (!plan.ok) {
      const fork = k.addTask(k.newTask(node, opts, { taskType: FORK_TASK_TYPE, status: TaskStatus.InProgress, startTime: k.now, inputData: input }), 'start.begin');
      return k.failTask(fork, { status: TaskStatus.FailedWithTerminalError, reason: plan.reason });
    }
    const forkedTasks = plan.branches.map((b) => b.task.taskReferenceName);
    const forkedTaskInputs = Object.fromEntries(plan.branches.map((b) => [b.task.taskReferenceName, b.input]));
    const fork = k.addTask(
      k.newTask(node, opts, {
        taskType: FORK_TASK_TYPE,
        status: TaskStatus.Completed,
        inputData: { ...input, forkedTasks, forkedTaskInputs },
        startTime: k.now,
        endTime: k.now,
        executed: true,
      }),
      'start.success',
    );
    // A branch's input is its own inputParameters (resolved as anywhere) with the given input over them, as
    // Conductor's mapper merges them. The given input is a value, not expressions: `$${` keeps a `${` text.
    for (const b of plan.branches) k.scheduleDynamic({ ...b.task, inputParameters: { ...(b.task.inputParameters ?? {}), ...(escaped(b.input) as Record<string, unknown>) } }, node);
    k.advance(fork);
  },
  onListEnded() {
    // Branches belong to no list of the fork's: the JOIN after it notices their end.
  },
};

function planOf(k: Kernel, wt: DynamicForkTask, input: Record<string, unknown>, loop: Readonly<Task> | undefined): Plan {
  let branches: Array<{ task: WorkflowTask; input: Record<string, unknown> }>;
  if (wt.dynamicForkTasksParam) {
    const tasks = input[wt.dynamicForkTasksParam];
    const inputs = wt.dynamicForkTasksInputParamName ? input[wt.dynamicForkTasksInputParamName] : {};
    if (!Array.isArray(tasks)) return { ok: false, reason: `Input '${wt.dynamicForkTasksParam}' of the dynamic fork is not a list of tasks` };
    if (inputs !== undefined && inputs !== null && !isJson(inputs)) return { ok: false, reason: `Input to the dynamically forked tasks is not a map -> expecting a map of K,V but found ${JSON.stringify(inputs)}` };
    branches = tasks.map((t) => {
      const task = (isJson(t) ? t : {}) as unknown as WorkflowTask;
      const own = isJson(inputs) ? inputs[task.taskReferenceName] : undefined;
      return { task, input: isJson(own) ? own : {} };
    });
  } else if (wt.dynamicForkJoinTasksParam) {
    const list = input[wt.dynamicForkJoinTasksParam];
    const dynamicTasks = isJson(list) ? list.dynamicTasks : undefined;
    if (!Array.isArray(dynamicTasks)) return { ok: false, reason: `Input '${wt.dynamicForkJoinTasksParam}' of the dynamic fork is not a DynamicForkJoinTaskList` };
    branches = dynamicTasks.map((d) => {
      const item = isJson(d) ? d : {};
      const sub = typeof item.workflowName === 'string' && item.workflowName;
      const task = {
        name: String(item.taskName ?? item.workflowName ?? ''),
        taskReferenceName: String(item.referenceName ?? ''),
        type: sub ? SystemTaskType.SubWorkflow : typeof item.type === 'string' ? item.type : SystemTaskType.Simple,
        ...(sub ? { subWorkflowParam: { name: item.workflowName as string } } : {}),
      } as WorkflowTask;
      return { task, input: isJson(item.input) ? item.input : {} };
    });
  } else {
    const items = input.forkTaskInputs;
    if (!Array.isArray(items)) return { ok: false, reason: "Input 'forkTaskInputs' of the dynamic fork is not a list" };
    const workflow = typeof input.forkTaskWorkflow === 'string' && input.forkTaskWorkflow ? input.forkTaskWorkflow : undefined;
    const name = workflow ?? (typeof input.forkTaskName === 'string' ? input.forkTaskName : '');
    const type = workflow ? SystemTaskType.SubWorkflow : typeof input.forkTaskType === 'string' && input.forkTaskType ? input.forkTaskType : SystemTaskType.Simple;
    const version = input.forkTaskWorkflowVersion;
    branches = items.map((item, i) => ({
      task: {
        name,
        taskReferenceName: `_${name}_${i}`,
        type,
        ...(workflow ? { subWorkflowParam: { name: workflow, ...(version !== undefined && version !== null && version !== '' ? { version: Number(version) } : {}) } } : {}),
      } as WorkflowTask,
      input: { ...(isJson(item) ? item : { input: item }), __index: i },
    }));
  }
  const seen = new Set<string>();
  for (const { task } of branches) {
    const ref = task.taskReferenceName;
    if (typeof task.name !== 'string' || !task.name || typeof ref !== 'string' || !ref) return { ok: false, reason: 'Every dynamically forked task needs a name and a taskReferenceName' };
    // Inside a DO_WHILE a branch is the iteration's `<ref>__<n>`: earlier iterations' branches are no clash.
    if (seen.has(ref) || k.graph.byRef.has(ref) || k.latest(loop ? loopRefOf(ref, loop.iteration) : ref)) return { ok: false, reason: `Dynamically forked task reference '${ref}' is already used in this workflow` };
    // Checked at start for the definition's tasks; a branch arrives now, and must not reach a missing handler.
    for (const n of buildDefinitionGraph([task]).all) {
      const why = whyNotRunnable(n.task);
      if (why) return { ok: false, reason: `Dynamically forked task '${n.ref ?? ref}': ${why}` };
    }
    seen.add(ref);
  }
  return { ok: true, branches };
}

/** A given value made safe from parameter resolution: every `${` in its strings becomes `$${`. */
function escaped(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\$\{/g, () => '$${');
  if (Array.isArray(value)) return value.map(escaped);
  if (isJson(value)) return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, escaped(v)]));
  return value;
}

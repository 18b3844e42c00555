import { rillExecutionIdOf, RillFunctionTask, TaskStatus, WorkflowDef, WorkflowStatus } from '@app/contracts';
import type { TaskHandler } from '../handlers/task-handler';
import { childWorkflowIdFor } from '../task-ids';
import { mapOutput, rillInput, rillOf } from './rill-task';

/**
 * A Rill Flow `function` task whose resource is `rillflow://<descriptorId>`: it runs that DAG as a child
 * execution (the translation embeds the child's definition, resolved when the parent was submitted), its
 * context the task's input. `flow_sync`: the task ends when the child does, the child's final context its
 * output. `flow_async`: the task succeeds as soon as the child is started (its `execution_id` the output),
 * and the child runs on its own.
 */
export const rillSubFlowHandler: TaskHandler = {
  acceptsResults: true,
  schedule(k, node, opts) {
    const rill = rillOf({ workflowTask: node.task }) as RillFunctionTask;
    const { input, error } = rillInput(k, rill);
    const draft = k.newTask(node, opts, { status: TaskStatus.InProgress, inputData: input, startTime: k.now });
    const childWorkflowId = childWorkflowIdFor(draft.taskId);
    const definition = node.task.subWorkflowParam?.workflowDefinition as WorkflowDef | undefined;
    const executionId = definition?.rill ? rillExecutionIdOf(definition.rill.descriptorId, childWorkflowId) : childWorkflowId;
    const sync = rill.subFlow?.mode !== 'async';
    const task = k.addTask({ ...draft, ...(sync ? { subWorkflowId: childWorkflowId } : {}), outputData: { execution_id: executionId } }, 'start.begin');
    if (error) return k.failTask(task, { status: TaskStatus.FailedWithTerminalError, reason: error });
    if (!definition) return k.failTask(task, { status: TaskStatus.FailedWithTerminalError, reason: `no definition was resolved for ${rill.resourceName}` });
    k.command({
      type: 'child.start',
      childWorkflowId,
      name: definition.name,
      version: definition.version,
      workflowDef: definition,
      input,
      correlationId: executionId,
      priority: k.workflow.priority,
      ...(sync ? { parent: { workflowId: k.workflow.workflowId, taskId: task.taskId } } : {}),
    });
    if (!sync) k.completeTask(task);
  },
  onChildEnded(k, task, e) {
    const outputData = { ...e.output, execution_id: task.outputData.execution_id };
    if (e.status === WorkflowStatus.Completed) return void k.completeTask(task, { outputData });
    const reason = e.reasonForIncompletion ?? `sub-flow ${String(task.outputData.execution_id)} ended ${e.status}`;
    k.failTask(task, { status: e.status === WorkflowStatus.TimedOut ? TaskStatus.TimedOut : TaskStatus.Failed, reason, patch: { outputData } });
  },
  onCompleting: (k, task) => mapOutput(k, task),
};

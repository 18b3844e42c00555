import { ErrorCode, SystemTaskType, TaskStatus } from '@app/contracts';
import type { Rejection } from '../commands';
import type { WakeUp } from '../events';
import { MAX_WORKFLOW_VARIABLES_BYTES } from '../handlers/set-variable.handler';
import type { Kernel } from '../kernel';
import { rillOf } from './rill-task';

/**
 * Rill Flow's trigger (or wakeup) of a suspense task: what the call carries is merged into the DAG's
 * context; the settle that ends every decision then has each waiting suspense look at its conditions again.
 * A suspense with no conditions waits for exactly this call, so the named one succeeds now. Refused when
 * the named task is not a suspense that waits (404), or the context would outgrow the variables' limit.
 */
export function wakeUp(k: Kernel, e: WakeUp): Rejection | undefined {
  const task = k.latest(e.taskRefName);
  if (!task || task.workflowTask.type !== SystemTaskType.RillSuspense || task.status !== TaskStatus.InProgress || !k.isActive) {
    return { code: ErrorCode.TaskNotFound, message: `No suspense task ${e.taskRefName} waits in execution ${k.workflow.correlationId ?? k.workflow.workflowId}` };
  }
  const context = { ...(k.workflow.variables ?? {}), ...e.context };
  if (Buffer.byteLength(JSON.stringify(context)) > MAX_WORKFLOW_VARIABLES_BYTES) {
    return { code: ErrorCode.InvalidArgument, message: `the context would exceed ${MAX_WORKFLOW_VARIABLES_BYTES} bytes` };
  }
  k.setWorkflow({ variables: context });
  const rill = rillOf(task);
  if (rill.category === 'suspense' && !rill.conditions.length && !rill.interruptions.length && k.isRunning) k.completeTask(task, { outputData: { ...e.context } });
  return undefined;
}

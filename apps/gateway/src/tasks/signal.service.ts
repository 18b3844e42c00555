import { Injectable } from '@nestjs/common';
import { BatonError, ErrorCode, isUuid, TaskResultStatus } from '@app/contracts';
import { ExecutionQueries } from '@app/persistence';
import { randomUUID } from 'node:crypto';
import { ReturnStrategy, SignalResponse, SyncExecution } from '../workflows/sync-execution';
import { WorkflowWatcher } from '../workflows/workflow-watcher';
import { watchFor, WorkflowService } from '../workflows/workflow.service';
import { TaskService } from './task.service';

/** `POST /api/tasks/{workflowId}/{status}/signal[/sync]`: completes (or fails) what a workflow waits on. */
@Injectable()
export class SignalService {
  constructor(
    private readonly query: ExecutionQueries,
    private readonly tasks: TaskService,
    private readonly workflows: WorkflowService,
    private readonly sync: SyncExecution,
    private readonly watcher: WorkflowWatcher,
  ) {}

  /** Updates the first task the workflow waits on; false when none waits. */
  /** `watchMs`: the caller waits on the workflow this long (`signal/sync`): its changes, and its sub-workflow's, are notified meanwhile. */
  async signal(workflowId: string, status: TaskResultStatus, output: Record<string, unknown>, watchMs?: number): Promise<boolean> {
    const target = isUuid(workflowId) ? await this.query.workflow(workflowId, true) : null;
    if (!target) throw new BatonError(ErrorCode.WorkflowNotFound, `No such workflow found by id: ${workflowId}`);
    const blocking = await this.sync.blocking(target);
    if (!blocking) return false;
    // The waiting caller must hear of the target's changes too, not only of the sub-workflow it signals.
    if (watchMs && blocking.workflow.workflowId !== workflowId) await this.workflows.nudge(workflowId, 'workflow.decide', watchMs);
    await this.tasks.update({ workflowInstanceId: blocking.workflow.workflowId, taskId: blocking.task.taskId, status, outputData: output }, undefined, watchMs);
    return true;
  }

  /** Signals, then waits for the workflow to end or wait again, answering as `strategy` says. */
  async signalSync(workflowId: string, status: TaskResultStatus, output: Record<string, unknown>, strategy: ReturnStrategy, timeoutMs: number): Promise<SignalResponse> {
    const watch = this.watcher.arm(workflowId);
    try {
      const signalled = await this.signal(workflowId, status, output, watchFor(timeoutMs));
      // Nothing waited: the workflow is answered as it stands.
      return await this.sync.await(workflowId, { untilTaskRefs: [], timeoutMs: signalled ? timeoutMs : 0, strategy, requestId: randomUUID() }, watch);
    } finally {
      watch.cancel();
    }
  }
}

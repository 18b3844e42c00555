import { Injectable } from '@nestjs/common';
import { BatonError, ErrorCode, Workflow, workflowIdOfRillExecution } from '@app/contracts';
import { WorkflowService } from '../workflows/workflow.service';

/** Finds the workflow a Rill Flow execution id names: the id inside it, checked against its correlation. */
@Injectable()
export class RillExecutionLookup {
  constructor(private readonly workflows: WorkflowService) {}

  /** 400 when no id is given, 404 when there is no such execution (a malformed id names none). */
  async find(executionId: string | undefined, field = 'execution_id'): Promise<Workflow> {
    if (!executionId) throw new BatonError(ErrorCode.ValidationFailed, `${field} is required`, [{ path: field, message: `${field} is required` }]);
    const workflowId = workflowIdOfRillExecution(executionId);
    const wf = workflowId ? await this.workflows.get(workflowId, true).catch(() => undefined) : undefined;
    if (!wf || wf.correlationId !== executionId) throw new BatonError(ErrorCode.WorkflowNotFound, `No execution ${executionId}`);
    return wf;
  }
}

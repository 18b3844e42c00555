import { Inject, Injectable } from '@nestjs/common';
import {
  BatonError,
  CommandReply,
  ErrorCode,
  StartWorkflowCommand,
  StartWorkflowReply,
  Topic,
  unwrapReply,
  Workflow,
} from '@app/contracts';
import { MessageBus, ownerDeadlineMs } from '@app/bus';
import { ExecutionQueries } from '@app/persistence';
import { Clock, IdGenerator } from '@app/runtime';

export interface StartRequest {
  readonly name: string;
  readonly version?: number;
  readonly input: Record<string, unknown>;
  readonly correlationId?: string;
  readonly priority: number;
}

@Injectable()
export class WorkflowService {
  constructor(
    @Inject(MessageBus) private readonly bus: MessageBus,
    private readonly query: ExecutionQueries,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  /**
   * Starts a workflow: the id is chosen here, the command goes to the partition that will own the
   * workflow, and the id is returned only after the executor committed it.
   */
  async start(req: StartRequest): Promise<string> {
    const command: StartWorkflowCommand = {
      type: 'workflow.start',
      commandId: this.ids.next(),
      issuedAt: this.clock.now(),
      deadline: this.clock.now() + ownerDeadlineMs(this.bus),
      workflowId: this.ids.next(),
      name: req.name,
      version: req.version,
      input: req.input,
      correlationId: req.correlationId,
      priority: req.priority,
    };
    const reply = await this.bus.request<CommandReply<StartWorkflowReply>>({ topic: Topic.ExecutorCommands, key: command.workflowId, value: command });
    return unwrapReply(reply).workflowId;
  }

  async get(workflowId: string, includeTasks: boolean): Promise<Workflow> {
    const workflow = await this.query.workflow(workflowId, includeTasks);
    if (!workflow) throw new BatonError(ErrorCode.WorkflowNotFound, `No such workflow found by id: ${workflowId}`);
    return workflow;
  }
}

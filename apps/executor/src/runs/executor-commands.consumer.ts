import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { BatonError, CommandReply, ErrorCode, ExecutorCommand, Topic, replyOk } from '@app/contracts';
import { toErrorReply } from '@app/bus';
import { WorkflowExecutionService } from './workflow-execution.service';

/** Commands for the workflows on this executor's partitions: parse, make one service call, reply. */
@Controller()
export class ExecutorCommandsConsumer {
  constructor(private readonly executions: WorkflowExecutionService) {}

  @MessagePattern(Topic.ExecutorCommands)
  async handle(@Payload() command: ExecutorCommand): Promise<CommandReply<unknown>> {
    try {
      switch (command?.type) {
        case 'workflow.start':
          return replyOk(await this.executions.start(command));
        case 'task.claim':
          return replyOk(await this.executions.claim(command));
        case 'task.update':
          return replyOk(await this.executions.update(command));
        default:
          throw new BatonError(ErrorCode.InvalidArgument, `unknown executor command: ${JSON.stringify((command as { type?: unknown })?.type)}`);
      }
    } catch (err) {
      return toErrorReply(err, `executor ${command?.type}`);
    }
  }
}

import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { BatonError, CommandReply, ErrorCode, ExecutorCommand, isExpired, Topic, replyOk } from '@app/contracts';
import { Clock } from '@app/runtime';
import { toErrorReply } from '@app/bus';
import { WorkflowExecutionService } from './workflow-execution.service';

/** Commands for the workflows on this executor's partitions: parse, make one service call, reply. */
@Controller()
export class ExecutorCommandsConsumer {
  constructor(
    private readonly executions: WorkflowExecutionService,
    private readonly clock: Clock,
  ) {}

  @MessagePattern(Topic.ExecutorCommands)
  async handle(@Payload() command: ExecutorCommand): Promise<CommandReply<unknown>> {
    try {
      if (isExpired(command, this.clock.now())) {
        throw new BatonError(ErrorCode.Unavailable, `${command.type} arrived after its requester stopped waiting; nothing was done`);
      }
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

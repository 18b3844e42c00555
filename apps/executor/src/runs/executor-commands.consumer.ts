import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { BatonError, CommandReply, ErrorCode, ExecutorCommand, Topic } from '@app/contracts';
import { Clock } from '@app/runtime';
import { answerCommand } from '@app/bus';
import { WorkflowExecutionService } from './workflow-execution.service';

/** Commands for the workflows on this executor's partitions: parse, make one service call, reply. */
@Controller()
export class ExecutorCommandsConsumer {
  constructor(
    private readonly executions: WorkflowExecutionService,
    private readonly clock: Clock,
  ) {}

  @MessagePattern(Topic.ExecutorCommands)
  handle(@Payload() command: ExecutorCommand): Promise<CommandReply<unknown>> {
    return answerCommand(command, this.clock.now(), 'executor', (c) => this.dispatch(c));
  }

  private dispatch(command: ExecutorCommand): Promise<unknown> {
    switch (command?.type) {
      case 'workflow.start':
        return this.executions.start(command);
      case 'task.claim':
        return this.executions.claim(command);
      case 'task.update':
        return this.executions.update(command);
      default:
        throw new BatonError(ErrorCode.InvalidArgument, `unknown executor command: ${JSON.stringify((command as { type?: unknown })?.type)}`);
    }
  }
}

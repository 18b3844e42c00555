import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { BatonError, CommandReply, ErrorCode, MetadataCommand, replyOk, Topic } from '@app/contracts';
import { toErrorReply } from '@app/bus';
import { DefinitionService } from './definition.service';

/** Definition writes: parse, make one service call, reply. */
@Controller()
export class MetadataCommandsConsumer {
  constructor(private readonly definitions: DefinitionService) {}

  @MessagePattern(Topic.MetadataCommands)
  async handle(@Payload() command: MetadataCommand): Promise<CommandReply<unknown>> {
    try {
      switch (command?.type) {
        case 'taskdefs.register':
          return replyOk(await this.definitions.registerTaskDefs(command));
        case 'workflowdef.register':
          return replyOk(await this.definitions.registerWorkflowDef(command));
        default:
          throw new BatonError(ErrorCode.InvalidArgument, `unknown metadata command: ${JSON.stringify((command as { type?: unknown })?.type)}`);
      }
    } catch (err) {
      return toErrorReply(err, `metadata ${command?.type}`);
    }
  }
}

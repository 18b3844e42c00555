import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { BatonError, CommandReply, ErrorCode, isExpired, MetadataCommand, replyOk, Topic } from '@app/contracts';
import { Clock } from '@app/runtime';
import { toErrorReply } from '@app/bus';
import { DefinitionService } from './definition.service';

/** Definition writes: parse, make one service call, reply. */
@Controller()
export class MetadataCommandsConsumer {
  constructor(
    private readonly definitions: DefinitionService,
    private readonly clock: Clock,
  ) {}

  @MessagePattern(Topic.MetadataCommands)
  async handle(@Payload() command: MetadataCommand): Promise<CommandReply<unknown>> {
    try {
      if (isExpired(command, this.clock.now())) {
        throw new BatonError(ErrorCode.Unavailable, `${command.type} arrived after its requester stopped waiting; nothing was done`);
      }
      return replyOk(await this.dispatch(command));
    } catch (err) {
      return toErrorReply(err, `metadata ${command?.type}`);
    }
  }

  private dispatch(command: MetadataCommand): Promise<unknown> | unknown {
    switch (command?.type) {
      case 'taskdefs.register':
        return this.definitions.registerTaskDefs(command);
      case 'taskdef.update':
        return this.definitions.updateTaskDef(command);
      case 'taskdef.delete':
        return this.definitions.deleteTaskDef(command);
      case 'workflowdef.register':
        return this.definitions.registerWorkflowDef(command);
      case 'workflowdefs.upsert':
        return this.definitions.upsertWorkflowDefs(command);
      case 'workflowdef.delete':
        return this.definitions.deleteWorkflowDef(command);
      case 'workflowdef.validate':
        return this.definitions.validateWorkflowDef(command);
      case 'eventhandler.add':
      case 'eventhandler.update':
        return this.definitions.saveEventHandler(command);
      case 'eventhandler.delete':
        return this.definitions.deleteEventHandler(command);
      case 'rill.descriptor.add':
        return this.definitions.addRillDescriptor(command);
      default:
        throw new BatonError(ErrorCode.InvalidArgument, `unknown metadata command: ${JSON.stringify((command as { type?: unknown })?.type)}`);
    }
  }
}

import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { BatonError, CommandReply, ErrorCode, MetadataCommand, Topic } from '@app/contracts';
import { Clock } from '@app/runtime';
import { answerCommand } from '@app/bus';
import { DefinitionService } from './definition.service';

/** Definition writes: parse, make one service call, reply. */
@Controller()
export class MetadataCommandsConsumer {
  constructor(
    private readonly definitions: DefinitionService,
    private readonly clock: Clock,
  ) {}

  @MessagePattern(Topic.MetadataCommands)
  handle(@Payload() command: MetadataCommand): Promise<CommandReply<unknown>> {
    return answerCommand(command, this.clock.now(), 'metadata', (c) => this.dispatch(c));
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
      case 'rill.business.modify':
        return this.definitions.modifyRillBusiness(command);
      case 'rill.feature.modify':
        return this.definitions.modifyRillFeature(command);
      case 'rill.alias.modify':
        return this.definitions.modifyRillAlias(command);
      case 'rill.gray.modify':
        return this.definitions.modifyRillGray(command);
      default:
        throw new BatonError(ErrorCode.InvalidArgument, `unknown metadata command: ${JSON.stringify((command as { type?: unknown })?.type)}`);
    }
  }
}

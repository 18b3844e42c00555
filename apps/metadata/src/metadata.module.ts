import { Module } from '@nestjs/common';
import { Clock, IdGenerator } from '@app/runtime';
import { DefinitionRepository } from './definitions/definition.repository';
import { DefinitionService } from './definitions/definition.service';
import { MetadataCommandsConsumer } from './definitions/metadata-commands.consumer';

/** The definition registry: the only writer of task and workflow definitions. */
@Module({
  controllers: [MetadataCommandsConsumer],
  providers: [DefinitionService, DefinitionRepository, Clock, IdGenerator],
})
export class MetadataModule {}

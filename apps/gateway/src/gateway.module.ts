import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TaskQueue } from '@app/persistence';
import { Clock, IdGenerator } from '@app/runtime';
import { ConductorErrorFilter } from './errors/conductor-error.filter';
import { EventController } from './events/event.controller';
import { HealthController } from './health/health.controller';
import { RillDescriptorQueryRepository } from './rill-flow/rill-descriptor-query.repository';
import { RillFlowController } from './rill-flow/rill-flow.controller';
import { DefinitionQueryRepository } from './metadata/definition-query.repository';
import { MetadataController } from './metadata/metadata.controller';
import { MetadataService } from './metadata/metadata.service';
import { QueueWaiter } from './tasks/queue-waiter';
import { TaskController } from './tasks/task.controller';
import { TaskService } from './tasks/task.service';
import { ExecutionQueryRepository } from './workflows/execution-query.repository';
import { WorkflowController } from './workflows/workflow.controller';
import { WorkflowService } from './workflows/workflow.service';

/** The HTTP edge: Conductor's REST API. Stateless; commands go over the bus, reads come from the store. */
@Module({
  controllers: [HealthController, MetadataController, EventController, WorkflowController, TaskController, RillFlowController],
  providers: [
    { provide: APP_FILTER, useClass: ConductorErrorFilter },
    MetadataService,
    DefinitionQueryRepository,
    WorkflowService,
    ExecutionQueryRepository,
    TaskService,
    TaskQueue,
    QueueWaiter,
    RillDescriptorQueryRepository,
    Clock,
    IdGenerator,
  ],
})
export class GatewayModule {}

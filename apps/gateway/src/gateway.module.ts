import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { DefinitionQueries, ExecutionQueries, TaskQueue } from '@app/persistence';
import { Clock, IdGenerator } from '@app/runtime';
import { ConductorErrorFilter } from './errors/conductor-error.filter';
import { EventController } from './events/event.controller';
import { HealthController } from './health/health.controller';
import { RillFlowController } from './rill-flow/rill-flow.controller';
import { RillDescriptors } from './rill-flow/rill-descriptors';
import { RillGray } from './rill-flow/rill-gray';
import { RillRuntimeController } from './rill-flow/rill-runtime.controller';
import { RillExecutionLookup } from './rill-flow/rill-execution.lookup';
import { RillExecutionsController } from './rill-flow/rill-executions.controller';
import { MetadataController } from './metadata/metadata.controller';
import { MetadataService } from './metadata/metadata.service';
import { QueueWaiter } from './tasks/queue-waiter';
import { TaskController } from './tasks/task.controller';
import { TaskService } from './tasks/task.service';
import { WorkflowBulkController } from './workflows/workflow-bulk.controller';
import { TaskLogs } from './tasks/task-logs';
import { PollDataRecorder } from './tasks/poll-data';
import { QueueController } from './tasks/queue.controller';
import { AdminController } from './tasks/admin.controller';
import { WorkflowController } from './workflows/workflow.controller';
import { VersionController } from './health/version.controller';
import { SearchController } from './workflows/search.controller';
import { SipRsTaskController } from './tasks/siprs-task.controller';
import { DaprWorkflowController } from './dapr/dapr-workflow.controller';
import { ExternalStorageController } from './workflows/external-storage.controller';
import { SyncExecution } from './workflows/sync-execution';
import { SignalService } from './tasks/signal.service';
import { WorkflowWatcher } from './workflows/workflow-watcher';
import { WorkflowStreamController } from './workflows/workflow-stream.controller';
import { STREAM_CONFIG, streamConfigFrom } from './workflows/stream.config';
import { WorkflowService } from './workflows/workflow.service';
import { SearchService } from './workflows/search.service';
import { UiModule } from './ui/ui.module';

/** The HTTP edge: Conductor's REST API. Stateless; commands go over the bus, reads through the owners' query modules. */
@Module({
  imports: [UiModule],
  controllers: [HealthController, VersionController, SearchController, ExternalStorageController, MetadataController, EventController, WorkflowBulkController, WorkflowController, WorkflowStreamController, TaskController, QueueController, AdminController, RillFlowController, RillRuntimeController, RillExecutionsController, SipRsTaskController, DaprWorkflowController],
  providers: [
    { provide: APP_FILTER, useClass: ConductorErrorFilter },
    MetadataService,
    DefinitionQueries,
    RillDescriptors,
    RillGray,
    RillExecutionLookup,
    WorkflowService,
    SearchService,
    WorkflowWatcher,
    // Read at boot: a bad BATON_STREAM_HEARTBEAT_MS stops the gateway naming it.
    { provide: STREAM_CONFIG, useFactory: () => streamConfigFrom(process.env) },
    SyncExecution,
    SignalService,
    ExecutionQueries,
    TaskService,
    TaskLogs,
    PollDataRecorder,
    TaskQueue,
    QueueWaiter,
    Clock,
    IdGenerator,
  ],
})
export class GatewayModule {}

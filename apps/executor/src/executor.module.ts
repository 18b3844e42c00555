import { Module } from '@nestjs/common';
import { Clock, IdGenerator } from '@app/runtime';
import { DefinitionCache } from './definitions/definition.cache';
import { DefinitionReader } from './definitions/definition.reader';
import { OutboxRelay } from './outbox/outbox.relay';
import { OutboxRepository } from './outbox/outbox.repository';
import { ExecutorCommandsConsumer } from './runs/executor-commands.consumer';
import { TaskQueueWriter } from './runs/task-queue.writer';
import { WorkflowExecutionService } from './runs/workflow-execution.service';
import { WorkflowRunRepository } from './runs/workflow-run.repository';

/**
 * The decider app: owns workflow and task execution state. Expects the database and the bus from the
 * process that hosts it (its own main, or the embedded one).
 */
@Module({
  controllers: [ExecutorCommandsConsumer],
  providers: [
    WorkflowExecutionService,
    WorkflowRunRepository,
    TaskQueueWriter,
    OutboxRepository,
    OutboxRelay,
    DefinitionReader,
    DefinitionCache,
    Clock,
    IdGenerator,
  ],
})
export class ExecutorModule {}

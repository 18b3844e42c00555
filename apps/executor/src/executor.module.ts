import { Module } from '@nestjs/common';
import { DefinitionQueries, TaskQueue } from '@app/persistence';
import { Clock, IdGenerator } from '@app/runtime';
import { DefinitionCache } from './definitions/definition.cache';
import { DefinitionReader } from './definitions/definition.reader';
import { ConductorEventsConsumer } from './events/conductor-events.consumer';
import { EventProcessor } from './events/event-processor';
import { KafkaTaskDispatcher } from './kafka-delivery/kafka-task.dispatcher';
import { WorkerReportService } from './kafka-delivery/worker-report.service';
import { WorkerReportsConsumer } from './kafka-delivery/worker-reports.consumer';
import { WorkerTopics } from './kafka-delivery/worker-topics';
import { Reconciler } from './reconciler/reconciler';
import { OutboxRelay } from './outbox/outbox.relay';
import { OutboxRepository } from './outbox/outbox.repository';
import { BatchWriter } from './runs/batch.writer';
import { DecisionBatcher } from './runs/decision-batcher';
import { DecisionEffects } from './runs/decision-effects';
import { ExecutorCommandsConsumer } from './runs/executor-commands.consumer';
import { RunCache } from './runs/run-cache';
import { ScriptEvaluators } from './runs/script-evaluators';
import { WorkflowExecutionService } from './runs/workflow-execution.service';
import { WorkflowRunRepository } from './runs/workflow-run.repository';
import { HttpTaskWorker } from './system-tasks/http-task.worker';
import { CallbackSender } from './callbacks/callback.sender';
import { KafkaPublishTaskWorker } from './system-tasks/kafka-publish-task.worker';
import { RillFunctionWorker } from './system-tasks/rill/rill-function.worker';
import { TimerWakeup } from './timers/timer-wakeup';
import { TimerRepository } from './timers/timer.repository';
import { TimerSweeper } from './timers/timer.sweeper';

/**
 * The decider app: owns workflow and task execution state. Expects the database and the bus from the
 * process that hosts it (its own main, or the embedded one).
 */
@Module({
  controllers: [ExecutorCommandsConsumer, ConductorEventsConsumer, WorkerReportsConsumer, CallbackSender],
  providers: [
    WorkflowExecutionService,
    DecisionBatcher,
    // Users' scripts and jq: the WASM is compiled once, at boot, before any decision needs it.
    { provide: ScriptEvaluators, useFactory: () => ScriptEvaluators.load() },
    BatchWriter,
    DecisionEffects,
    RunCache,
    WorkflowRunRepository,
    TaskQueue,
    TimerRepository,
    TimerWakeup,
    TimerSweeper,
    OutboxRepository,
    OutboxRelay,
    DefinitionReader,
    DefinitionCache,
    DefinitionQueries,
    EventProcessor,
    Reconciler,
    HttpTaskWorker,
    KafkaPublishTaskWorker,
    RillFunctionWorker,
    // Native Kafka workers: the dispatcher produces KAFKA-delivered tasks, the service applies their reports.
    KafkaTaskDispatcher,
    WorkerReportService,
    WorkerTopics,
    Clock,
    IdGenerator,
  ],
})
export class ExecutorModule {}

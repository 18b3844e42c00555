import { Injectable } from '@nestjs/common';
import { SystemTaskType, Task } from '@app/contracts';
import { kafkaPublishLeaseMs } from '../decider/handlers/kafka-publish.handler';
import { KafkaPublisher } from './kafka/kafka-publish';
import { QueuedSystemTaskWorker, SystemTaskOutcome } from './system-task.worker';

/** The engine's worker for KAFKA_PUBLISH tasks: publishes to the cluster each task names. */
@Injectable()
export class KafkaPublishTaskWorker extends QueuedSystemTaskWorker {
  protected readonly type = SystemTaskType.KafkaPublish;
  private readonly publisher = new KafkaPublisher();

  protected perform(task: Task, signal: AbortSignal): Promise<SystemTaskOutcome> {
    return this.publisher.publish(task.inputData, signal);
  }

  protected deadlineMs(task: Task): number {
    return kafkaPublishLeaseMs(task.responseTimeoutSeconds);
  }

  protected override dispose(): Promise<void> {
    return this.publisher.close();
  }
}

import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { KAFKA_DELIVERABLE_NAME, NotificationChannel, TaskDeliveryMode, workerTopicOf } from '@app/contracts';
import { MessageBus } from '@app/bus';
import { DefinitionQueries, PgNotificationHub } from '@app/persistence';

/**
 * The topics of KAFKA-delivered task types (`workerTopicOf`), which the boot-time provisioning cannot know:
 * made sure of when such a task definition is registered (every executor hears the definitions'
 * notification; creating a topic that exists is a no-op), for every one registered when the executor
 * starts, and — what correctness rests on, since Kafka may not create topics itself — before the first
 * task of a type is produced. Workers can subscribe as soon as their definition is registered.
 */
@Injectable()
export class WorkerTopics implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WorkerTopics.name);
  private unsubscribe?: () => void;

  constructor(
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(PgNotificationHub) private readonly hub: PgNotificationHub,
    private readonly definitions: DefinitionQueries,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.unsubscribe = await this.hub.subscribe(NotificationChannel.Definitions, (changed) => {
      if (changed.startsWith('taskdef:')) void this.provisionIfKafka(changed.slice('taskdef:'.length));
    });
    // Not awaited: the first produce of each type makes sure again, and a broker that is slow to answer
    // must not hold up the executor's start.
    void this.definitions
      .taskDefs()
      .then((defs) => this.provision(defs.filter(isKafkaDelivered).map((d) => d.name)))
      .catch((err: Error) => this.logger.warn(`could not provision the topics of KAFKA-delivered task types: ${err.message}`));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** Resolves once the type's topic exists (or this process already made sure of it). */
  ensure(taskDefName: string): Promise<void> {
    return this.bus.ensureTopics([workerTopicOf(taskDefName)]);
  }

  private async provisionIfKafka(name: string): Promise<void> {
    try {
      const def = await this.definitions.taskDef(name);
      if (def && isKafkaDelivered(def)) await this.provision([def.name]);
    } catch (err) {
      this.logger.warn(`could not provision the topic of task type ${name}: ${(err as Error).message}`);
    }
  }

  private async provision(names: readonly string[]): Promise<void> {
    if (names.length) await this.bus.ensureTopics(names.map(workerTopicOf));
  }
}

const isKafkaDelivered = (def: { name: string; deliveryMode?: string }): boolean => def.deliveryMode === TaskDeliveryMode.Kafka && KAFKA_DELIVERABLE_NAME.test(def.name);

import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { CustomTransportStrategy } from '@nestjs/microservices';
import { InProcessBroker } from './in-process/in-process.broker';
import { InProcessMessageBus } from './in-process/in-process.bus';
import { InProcessServer } from './in-process/in-process.server';
import { createKafkaServer, KafkaBusConfig, KafkaMessageBus, provisionTopics } from './kafka/kafka.bus';
import { MessageBus } from './message-bus';
import { InProcessShardOwnership, KafkaShardOwnership, ShardOwnership } from './shard-ownership';

export type BusSettings =
  | { readonly kind: 'in-process'; readonly lanes: number; readonly requestTimeoutMs?: number }
  | ({ readonly kind: 'kafka' } & KafkaBusConfig);

export interface BusModuleOptions {
  readonly settings: BusSettings;
  /** The consumer group this process's handlers belong to (one per app: `baton-executor`, …). */
  readonly groupId: string;
  /** Topics this process sends requests on (it then listens on their reply topics). */
  readonly requestTopics: readonly string[];
  /** Topics created at boot if missing (Kafka only). */
  readonly topics: readonly string[];
}

/** The options the bus was built with (injectable: what `/api/admin/config` reports). */
export const BUS_OPTIONS = Symbol('BUS_OPTIONS');

/** Gives a process's `main.ts` the server strategy that feeds its handlers, matching its bus. */
@Injectable()
export class BusTransport {
  constructor(
    @Inject(BUS_OPTIONS) private readonly options: BusModuleOptions,
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(ShardOwnership) private readonly ownership: ShardOwnership,
  ) {}

  serverStrategy(): CustomTransportStrategy {
    const s = this.options.settings;
    if (s.kind === 'kafka') return createKafkaServer(s, this.options.groupId, this.ownership as KafkaShardOwnership);
    return new InProcessServer((this.bus as InProcessMessageBus).broker);
  }
}

/** The bus for a process, chosen once from validated config: business code only sees `MessageBus`. */
@Global()
@Module({})
export class BusModule implements OnApplicationShutdown {
  constructor(@Inject(MessageBus) private readonly bus: MessageBus) {}

  static forRoot(options: BusModuleOptions): DynamicModule {
    return {
      module: BusModule,
      providers: [
        { provide: BUS_OPTIONS, useValue: options },
        {
          provide: MessageBus,
          useFactory: async (): Promise<MessageBus> => {
            const s = options.settings;
            if (s.kind === 'in-process') {
              return new InProcessMessageBus(new InProcessBroker({ lanes: s.lanes }), s.requestTimeoutMs ?? 15000);
            }
            await provisionTopics(s, options.topics);
            const bus = new KafkaMessageBus(s, options.groupId, options.requestTopics);
            await bus.connect();
            return bus;
          },
        },
        {
          provide: ShardOwnership,
          useFactory: (): ShardOwnership => {
            const s = options.settings;
            return s.kind === 'in-process' ? new InProcessShardOwnership(s.lanes) : new KafkaShardOwnership(s.partitions);
          },
        },
        BusTransport,
      ],
      exports: [MessageBus, BusTransport, ShardOwnership, BUS_OPTIONS],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.bus instanceof KafkaMessageBus) await this.bus.close();
  }
}

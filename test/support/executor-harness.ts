import { Global, Module } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { InProcessShardOwnership, MessageBus, ShardOwnership } from '@app/bus';
import { PgNotificationHub } from '@app/persistence';
import { DataSource } from 'typeorm';
import { RecordingBus } from './recording-bus';

/**
 * Hosts an app module on a real DataSource (and a real LISTEN hub on the same database) with a recording
 * bus and a shard ownership the test controls (every lane, unless given): no HTTP, no broker.
 */
export async function hostOnDatabase(
  appModule: unknown,
  dataSource: DataSource,
  options: { ownership?: ShardOwnership; bus?: RecordingBus } = {},
): Promise<{ moduleRef: TestingModule; bus: RecordingBus }> {
  const bus = options.bus ?? new RecordingBus();
  const ownership = options.ownership ?? new InProcessShardOwnership(16);
  const hub = new PgNotificationHub((dataSource.options as { url: string }).url);
  @Global()
  @Module({
    providers: [
      { provide: DataSource, useValue: dataSource },
      { provide: MessageBus, useValue: bus },
      { provide: PgNotificationHub, useValue: hub },
      { provide: ShardOwnership, useValue: ownership },
    ],
    exports: [DataSource, MessageBus, PgNotificationHub, ShardOwnership],
  })
  class InfraStub {
    async onApplicationShutdown(): Promise<void> {
      await hub.close();
    }
  }
  const moduleRef = await Test.createTestingModule({ imports: [InfraStub, appModule as never] }).compile();
  await moduleRef.init();
  return { moduleRef, bus };
}

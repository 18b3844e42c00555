import { Global, Module } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { MessageBus } from '@app/bus';
import { PgNotificationHub } from '@app/persistence';
import { DataSource } from 'typeorm';
import { RecordingBus } from './recording-bus';

/**
 * Hosts an app module on a real DataSource (and a real LISTEN hub on the same database) with a recording
 * bus: no HTTP, no broker.
 */
export async function hostOnDatabase(appModule: unknown, dataSource: DataSource): Promise<{ moduleRef: TestingModule; bus: RecordingBus }> {
  const bus = new RecordingBus();
  const hub = new PgNotificationHub((dataSource.options as { url: string }).url);
  @Global()
  @Module({
    providers: [
      { provide: DataSource, useValue: dataSource },
      { provide: MessageBus, useValue: bus },
      { provide: PgNotificationHub, useValue: hub },
    ],
    exports: [DataSource, MessageBus, PgNotificationHub],
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

import { Global, Module } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { MessageBus } from '@app/bus';
import { DataSource } from 'typeorm';
import { RecordingBus } from './recording-bus';

/** Hosts an app module on a real DataSource and a recording bus (no HTTP, no broker). */
export async function hostOnDatabase(appModule: unknown, dataSource: DataSource): Promise<{ moduleRef: TestingModule; bus: RecordingBus }> {
  const bus = new RecordingBus();
  @Global()
  @Module({ providers: [{ provide: DataSource, useValue: dataSource }, { provide: MessageBus, useValue: bus }], exports: [DataSource, MessageBus] })
  class InfraStub {}
  const moduleRef = await Test.createTestingModule({ imports: [InfraStub, appModule as never] }).compile();
  await moduleRef.init();
  return { moduleRef, bus };
}

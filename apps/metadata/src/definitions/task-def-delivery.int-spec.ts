import { BatonError, ErrorCode } from '@app/contracts';
import { DefinitionQueries } from '@app/persistence';
import { TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createMigratedDataSource, TestDatabase } from '../../../../test/support/database';
import { hostOnDatabase } from '../../../../test/support/executor-harness';
import { MetadataModule } from '../metadata.module';
import { DefinitionService } from './definition.service';

const cmd = () => ({ commandId: randomUUID(), issuedAt: 0 });

/** TaskDef `deliveryMode` (native Kafka workers): stored and served as registered, checked where it matters. */
describe('a task definition delivered over Kafka, on real Postgres', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let moduleRef: TestingModule;
  let definitions: DefinitionService;
  let queries: DefinitionQueries;

  beforeAll(async () => {
    ({ db, dataSource: ds } = await createMigratedDataSource('baton_meta_delivery'));
    ({ moduleRef } = await hostOnDatabase(MetadataModule, ds));
    definitions = moduleRef.get(DefinitionService);
    queries = new DefinitionQueries(ds);
  });

  afterAll(async () => {
    await moduleRef?.close();
    await ds?.destroy();
    await db?.drop();
  });

  it('keeps deliveryMode through registration, what GET /api/metadata/taskdefs/{name} reads, and an update that drops it', async () => {
    await definitions.registerTaskDefs({ ...cmd(), type: 'taskdefs.register', taskDefs: [{ name: 'mail.send', deliveryMode: 'KAFKA', responseTimeoutSeconds: 30 }] });

    expect(await queries.taskDef('mail.send')).toMatchObject({ name: 'mail.send', deliveryMode: 'KAFKA', responseTimeoutSeconds: 30, retryCount: 3 });

    await definitions.updateTaskDef({ ...cmd(), type: 'taskdef.update', taskDef: { name: 'mail.send', responseTimeoutSeconds: 30 } });
    expect((await queries.taskDef('mail.send'))?.deliveryMode).toBeUndefined();
  });

  it('refuses, storing nothing, a KAFKA task definition whose name a topic cannot carry, and an unknown mode, naming the field', async () => {
    const refusal = (taskDefs: Array<Record<string, unknown>>) =>
      definitions.registerTaskDefs({ ...cmd(), type: 'taskdefs.register', taskDefs: taskDefs as never }).then(
        () => null,
        (err: unknown) => err,
      );

    const badName = await refusal([{ name: 'ok_one', deliveryMode: 'KAFKA' }, { name: 'send mail', deliveryMode: 'KAFKA' }]);
    expect(badName).toBeInstanceOf(BatonError);
    expect(badName).toMatchObject({ code: ErrorCode.ValidationFailed, validationErrors: [expect.objectContaining({ path: '[1].name', invalidValue: 'send mail' })] });

    const badMode = await refusal([{ name: 'push_one', deliveryMode: 'PUSH' }]);
    expect(badMode).toMatchObject({ code: ErrorCode.ValidationFailed, validationErrors: [expect.objectContaining({ path: '[0].deliveryMode', message: 'deliveryMode must be one of POLL, KAFKA' })] });

    expect(await queries.taskDef('ok_one')).toBeNull();
    expect(await queries.taskDef('push_one')).toBeNull();
  });
});

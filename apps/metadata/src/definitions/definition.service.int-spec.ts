import { BatonError, ErrorCode, WorkflowDef } from '@app/contracts';
import { TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createMigratedDataSource, TestDatabase } from '../../../../test/support/database';
import { hostOnDatabase } from '../../../../test/support/executor-harness';
import { MetadataModule } from '../metadata.module';
import { DefinitionService } from './definition.service';

const cmd = { commandId: randomUUID(), issuedAt: 0 };
const aWorkflow = (extra: Partial<WorkflowDef> = {}): WorkflowDef => ({
  name: 'orders',
  tasks: [{ name: 'charge', taskReferenceName: 'charge' }],
  ...extra,
});

describe('DefinitionService on real Postgres', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let moduleRef: TestingModule;
  let definitions: DefinitionService;

  const stored = async (name: string) => ds.query('SELECT version, definition FROM workflow_def WHERE name = $1 ORDER BY version', [name]);

  beforeAll(async () => {
    ({ db, dataSource: ds } = await createMigratedDataSource('baton_meta'));
    ({ moduleRef } = await hostOnDatabase(MetadataModule, ds));
    definitions = moduleRef.get(DefinitionService);
  });

  afterAll(async () => {
    await moduleRef?.close();
    await ds?.destroy();
    await db?.drop();
  });

  it('stores a workflow definition with Conductor defaults filled in', async () => {
    await definitions.registerWorkflowDef({ ...cmd, type: 'workflowdef.register', workflowDef: aWorkflow(), overwrite: false });

    const [row] = await stored('orders');
    expect(row.version).toBe(1);
    expect(row.definition).toMatchObject({ schemaVersion: 2, restartable: true, timeoutPolicy: 'ALERT_ONLY', timeoutSeconds: 0 });
    expect(row.definition.tasks[0]).toMatchObject({ type: 'SIMPLE', optional: false, inputParameters: {} });
  });

  it('refuses to replace an existing name+version without overwrite (409), and replaces it with overwrite', async () => {
    const again = definitions.registerWorkflowDef({ ...cmd, type: 'workflowdef.register', workflowDef: aWorkflow({ description: 'v2' }), overwrite: false });
    await expect(again).rejects.toMatchObject({ code: ErrorCode.DefinitionConflict, message: 'Workflow with orders.1 already exists!' });
    expect((await stored('orders'))[0].definition.description).toBeUndefined();

    await definitions.registerWorkflowDef({ ...cmd, type: 'workflowdef.register', workflowDef: aWorkflow({ description: 'v2' }), overwrite: true });
    expect((await stored('orders'))[0].definition.description).toBe('v2');
  });

  it('rejects an invalid definition with one error per problem and writes nothing', async () => {
    const bad = { name: 'broken', tasks: [{ name: 'a', taskReferenceName: 'x' }, { name: 'b', taskReferenceName: 'x' }, { name: '', taskReferenceName: 'y', type: 'SWITCH' }] };

    const err = (await definitions.registerWorkflowDef({ ...cmd, type: 'workflowdef.register', workflowDef: bad as WorkflowDef, overwrite: false }).catch((e) => e)) as BatonError;

    expect(err.code).toBe(ErrorCode.ValidationFailed);
    expect(err.validationErrors.map((e) => e.path)).toEqual(expect.arrayContaining(['tasks[2].name']));
    expect(await stored('broken')).toEqual([]);
  });

  it('registers task definitions all or nothing', async () => {
    const err = await definitions
      .registerTaskDefs({ ...cmd, type: 'taskdefs.register', taskDefs: [{ name: 'ok_task' }, { name: 'bad', retryCount: -1 }] })
      .catch((e: BatonError) => e);
    expect((err as BatonError).validationErrors).toEqual([expect.objectContaining({ path: '[1].retryCount' })]);
    expect(await ds.query(`SELECT name FROM task_def WHERE name IN ('ok_task', 'bad')`)).toEqual([]);

    await definitions.registerTaskDefs({ ...cmd, type: 'taskdefs.register', taskDefs: [{ name: 'ok_task' }] });
    const [row] = await ds.query(`SELECT definition FROM task_def WHERE name = 'ok_task'`);
    expect(row.definition).toMatchObject({ retryCount: 3, retryDelaySeconds: 60, responseTimeoutSeconds: 3600, timeoutPolicy: 'TIME_OUT_WF', retryLogic: 'FIXED' });
  });
});

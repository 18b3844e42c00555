import { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase } from '../../../test/support/database';
import { assertMigrated, dataSourceOptions, MIGRATIONS, runMigrations } from './data-source';

describe('migrations on real Postgres', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('baton_migr');
    ds = await new DataSource(dataSourceOptions({ url: db.url, poolSize: 4 })).initialize();
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('refuses to boot a service on an unmigrated database', async () => {
    await expect(assertMigrated(ds)).rejects.toThrow(/npm run migrate/);
  });

  it('applies every migration once, even when several processes migrate at the same time', async () => {
    const results = await Promise.all([runMigrations(ds), runMigrations(ds), runMigrations(ds)]);

    expect(results.flat()).toEqual(MIGRATIONS.map((m) => m.name));
    await expect(assertMigrated(ds)).resolves.toBeUndefined();
    const tables = (await ds.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).map((r: { tablename: string }) => r.tablename);
    expect(tables).toEqual(expect.arrayContaining(['workflow', 'task', 'task_queue', 'outbox', 'task_def', 'workflow_def', 'search_workflow', 'search_task']));
  });

  it('guards statuses with a CHECK constraint', async () => {
    await expect(
      ds.query(`INSERT INTO workflow (workflow_id, workflow_name, workflow_version, status, priority, version, data, create_time, update_time)
                VALUES (gen_random_uuid(), 'w', 1, 'BOGUS', 0, 1, '{}', now(), now())`),
    ).rejects.toThrow(/check constraint/);
  });

  it('reverts cleanly and re-applies', async () => {
    for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration();
    expect((await ds.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename = 'workflow'`))[0].n).toBe(0);

    expect(await runMigrations(ds)).toHaveLength(MIGRATIONS.length);
  });
});

import { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase } from '../../../test/support/database';
import { dataSourceOptions, MIGRATIONS } from './data-source';
import { RillRegistryAndGray1765500000000 } from './migrations/1765500000000-rill-registry-and-gray';

/** The Rill Flow registry migration on a database that already holds descriptors: they are listed, and it reverts. */
describe('migration RillRegistryAndGray on real Postgres', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('baton_rillmig');
    const before = MIGRATIONS.filter((m) => m !== RillRegistryAndGray1765500000000);
    ds = await new DataSource({ ...dataSourceOptions({ url: db.url, poolSize: 2 }), migrations: before }).initialize();
    await ds.runMigrations({ transaction: 'each' });
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('lists the businesses and features of the descriptors already registered', async () => {
    for (const [business, feature, version, at] of [
      ['shop', 'checkout', 1, 3000],
      ['shop', 'checkout', 2, 5000],
      ['shop', 'refund', 1, 4000],
      ['media', 'transcode', 1, 1000],
    ] as const) {
      await ds.query(
        `INSERT INTO rill_descriptor (business_id, feature_name, version, yaml, dag, create_time) VALUES ($1, $2, $3, 'y', '{}', to_timestamp($4 / 1000.0))`,
        [business, feature, version, at],
      );
    }
    await ds.query(`INSERT INTO rill_descriptor_alias (business_id, feature_name, alias, version, update_time) VALUES ('shop', 'checkout', 'release', 2, now())`);

    await ds.destroy();
    ds = await new DataSource(dataSourceOptions({ url: db.url, poolSize: 2 })).initialize();
    expect((await ds.runMigrations({ transaction: 'each' })).map((m) => m.name)).toEqual(['RillRegistryAndGray1765500000000']);

    const businesses = await ds.query(`SELECT business_id, (extract(epoch FROM create_time) * 1000)::bigint AS at FROM rill_business ORDER BY 1`);
    expect(businesses).toEqual([
      { business_id: 'media', at: '1000' },
      { business_id: 'shop', at: '3000' },
    ]);
    expect(await ds.query(`SELECT business_id, feature_name FROM rill_feature ORDER BY 1, 2`)).toEqual([
      { business_id: 'media', feature_name: 'transcode' },
      { business_id: 'shop', feature_name: 'checkout' },
      { business_id: 'shop', feature_name: 'refund' },
    ]);
  });

  it('lets an alias point nowhere, cascades its gray rule, and reverts (dropping aliases that point nowhere)', async () => {
    await ds.query(`INSERT INTO rill_descriptor_alias (business_id, feature_name, alias, version, update_time) VALUES ('shop', 'checkout', 'gray', NULL, now())`);
    await ds.query(`INSERT INTO rill_gray_rule (business_id, feature_name, alias, rule, update_time) VALUES ('shop', 'checkout', 'gray', 'rand(100) < 10', now())`);
    // A rule needs its alias.
    await expect(
      ds.query(`INSERT INTO rill_gray_rule (business_id, feature_name, alias, rule, update_time) VALUES ('shop', 'checkout', 'nope', 'true', now())`),
    ).rejects.toThrow(/foreign key/);
    await ds.query(`DELETE FROM rill_descriptor_alias WHERE alias = 'gray'`);
    expect(await ds.query(`SELECT * FROM rill_gray_rule`)).toEqual([]);

    await ds.query(`INSERT INTO rill_descriptor_alias (business_id, feature_name, alias, version, update_time) VALUES ('shop', 'checkout', 'preview', NULL, now())`);
    await ds.undoLastMigration({ transaction: 'each' });
    expect(await ds.query(`SELECT alias FROM rill_descriptor_alias ORDER BY 1`)).toEqual([{ alias: 'release' }]);
    await expect(
      ds.query(`INSERT INTO rill_descriptor_alias (business_id, feature_name, alias, version, update_time) VALUES ('shop', 'checkout', 'x', NULL, now())`),
    ).rejects.toThrow(/null value/);
    const tables = (await ds.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'rill_%' ORDER BY 1`)).map((r: { tablename: string }) => r.tablename);
    expect(tables).toEqual(['rill_descriptor', 'rill_descriptor_alias']);
  });
});

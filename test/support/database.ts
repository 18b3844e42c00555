import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrations } from '@app/persistence';
import { testInfra } from './infra';

/**
 * A throw-away database on the test Postgres server, migrated with the real migrations: each test file gets
 * its own, so files never see each other's rows and can run in any order.
 */
export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(prefix = 'baton_test'): Promise<TestDatabase> {
  const admin = new URL(testInfra().databaseUrl);
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await withClient(admin.toString(), (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(admin.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => withClient(admin.toString(), (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** A migrated test database and an initialised DataSource on it. */
export async function createMigratedDataSource(prefix?: string): Promise<{ db: TestDatabase; dataSource: DataSource }> {
  const db = await createTestDatabase(prefix);
  const dataSource = await new DataSource(dataSourceOptions({ url: db.url, poolSize: 5 })).initialize();
  await runMigrations(dataSource);
  return { db, dataSource };
}

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

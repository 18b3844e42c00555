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
    drop: () => dropDatabase(admin.toString(), name),
  };
}

/**
 * Drops a test database, ending the connections still on it. An autovacuum worker busy on the database
 * cannot be ended by a non-superuser ("permission denied to terminate process"): it finishes in moments,
 * so the drop is tried again; a database that still cannot be dropped is left behind with a warning — a
 * leftover throw-away database is no failure of the tests that used it.
 */
async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      return;
    } catch (err) {
      if (!/permission denied to terminate process|is being accessed by other users/.test((err as Error).message)) throw err;
      if (attempt >= 20) {
        console.warn(`leaving test database ${name} behind: ${(err as Error).message}`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
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

import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrations } from './data-source';

/** `npm run migrate`: the deploy step that applies pending migrations to DATABASE_URL. */
async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required (e.g. postgres://baton:baton@localhost:5432/baton)');
  const ds = await new DataSource(dataSourceOptions({ url, poolSize: 2, applicationName: 'baton-migrate' })).initialize();
  try {
    const applied = await runMigrations(ds);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await ds.destroy();
  }
}

main().catch((err) => {
  console.error(`migrate failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});

import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { BusMessage, MessageBus } from '@app/bus';
import { assertMigrated, dataSourceOptions, ExecutionQueries, OpenSearchIndices, TaskQueue } from '@app/persistence';
import { loadInfraConfig } from '@app/runtime';
import { DataSource } from 'typeorm';
import { OpenSearchProjection } from './projection/opensearch-projection';
import { SearchProjection } from './projection/search-projection';
import { SearchProjectionRepository } from './projection/search-projection.repository';
import { reindex } from './reindex/reindexer';

/** What the projection would dead-letter has no bus here: it is logged, and the run fails at the end. */
class LoggedDeadLetters {
  count = 0;
  private readonly logger = new Logger('reindex');
  async publish(messages: readonly BusMessage[]): Promise<void> {
    this.count += messages.length;
    for (const m of messages) this.logger.error(`not indexed: ${JSON.stringify(m.value).slice(0, 500)}`);
  }
}

/**
 * `npm run reindex`: rebuilds the search index the configuration names (OpenSearch at OPENSEARCH_URL, else
 * the Postgres projection) from the execution store at DATABASE_URL. Run it after an index was lost or
 * recreated; it can run beside the live indexer (versions keep the newer document).
 */
async function main(): Promise<void> {
  const infra = loadInfraConfig(process.env, 'reindex', { requireExternal: false });
  if (infra.database.kind !== 'external') throw new Error('DATABASE_URL is required: the execution store to rebuild the index from');
  const ds = await new DataSource(dataSourceOptions({ url: infra.database.url, poolSize: 2, applicationName: 'baton-reindex' })).initialize();
  const deadLetters = new LoggedDeadLetters();
  const indices = infra.search.kind === 'opensearch' ? new OpenSearchIndices(infra.search) : undefined;
  try {
    await assertMigrated(ds);
    let projection: SearchProjection;
    if (indices) {
      const os = new OpenSearchProjection(indices, deadLetters as unknown as MessageBus);
      await os.onApplicationBootstrap();
      projection = os;
    } else {
      projection = new SearchProjectionRepository(ds);
    }
    const started = Date.now();
    const counts = await reindex(new ExecutionQueries(ds, new TaskQueue(ds)), projection, (c) => console.log(`… ${c.workflows} workflows, ${c.tasks} tasks`));
    console.log(`reindexed ${counts.workflows} workflows and ${counts.tasks} tasks into ${indices ? infra.search.kind : 'postgres'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (deadLetters.count) throw new Error(`${deadLetters.count} document(s) could not be indexed (logged above)`);
  } finally {
    await indices?.close();
    await ds.destroy();
  }
}

main().catch((err) => {
  console.error(`reindex failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});

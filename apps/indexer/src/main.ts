import 'reflect-metadata';
import { exitOnBootFailure, host, loadInfraConfig, onShutdownSignal } from '@app/runtime';
import { IndexerModule } from './indexer.module';

/** The indexer as its own process (distributed mode): requires DATABASE_URL and KAFKA_BROKERS. */
async function main(): Promise<void> {
  const infra = loadInfraConfig(process.env, 'indexer', { requireExternal: true });
  const app = await host({
    name: 'indexer',
    modules: [IndexerModule],
    groupId: 'baton-indexer',
    requestTopics: [],
    consumes: true,
    infra,
    databaseUrl: infra.database.kind === 'external' ? infra.database.url : '',
    migrations: 'verify',
  });
  onShutdownSignal(() => app.close());
}

main().catch(exitOnBootFailure);

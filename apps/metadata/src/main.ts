import 'reflect-metadata';
import { exitOnBootFailure, host, loadInfraConfig, onShutdownSignal } from '@app/runtime';
import { MetadataModule } from './metadata.module';

/** The metadata as its own process (distributed mode): requires DATABASE_URL and KAFKA_BROKERS. */
async function main(): Promise<void> {
  const infra = loadInfraConfig(process.env, 'metadata', { requireExternal: true });
  const app = await host({
    name: 'metadata',
    modules: [MetadataModule],
    groupId: 'baton-metadata',
    requestTopics: [],
    consumes: true,
    infra,
    databaseUrl: infra.database.kind === 'external' ? infra.database.url : '',
    migrations: 'verify',
  });
  onShutdownSignal(() => app.close());
}

main().catch(exitOnBootFailure);

import 'reflect-metadata';
import { exitOnBootFailure, host, loadInfraConfig, onShutdownSignal } from '@app/runtime';
import { ExecutorModule } from './executor.module';

/** The executor as its own process (distributed mode): requires DATABASE_URL and KAFKA_BROKERS. */
async function main(): Promise<void> {
  const infra = loadInfraConfig(process.env, 'executor', { requireExternal: true });
  const app = await host({
    name: 'executor',
    modules: [ExecutorModule],
    groupId: 'baton-executor',
    requestTopics: [],
    consumes: true,
    infra,
    databaseUrl: infra.database.kind === 'external' ? infra.database.url : '',
    migrations: 'verify',
  });
  onShutdownSignal(() => app.close());
}

main().catch(exitOnBootFailure);

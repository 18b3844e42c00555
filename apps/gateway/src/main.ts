import 'reflect-metadata';
import { REQUEST_TOPICS } from '@app/contracts';
import { exitOnBootFailure, host, loadHttpConfig, loadInfraConfig, onShutdownSignal } from '@app/runtime';
import { GatewayModule } from './gateway.module';
import { setupOpenApi } from './openapi/openapi.setup';
import { TEXT_BODY_ROUTES } from './http/text-body-routes';

/** The gateway as its own process (distributed mode): requires DATABASE_URL and KAFKA_BROKERS. */
async function main(): Promise<void> {
  const infra = loadInfraConfig(process.env, 'gateway', { requireExternal: true });
  const http = loadHttpConfig(process.env, 'gateway');
  const app = await host({
    name: 'gateway',
    modules: [GatewayModule],
    groupId: 'baton-gateway',
    requestTopics: REQUEST_TOPICS,
    consumes: false,
    http,
    configureHttp: setupOpenApi,
    textBodyRoutes: TEXT_BODY_ROUTES,
    infra,
    databaseUrl: infra.database.kind === 'external' ? infra.database.url : '',
    migrations: 'verify',
  });
  onShutdownSignal(() => app.close());
}

main().catch(exitOnBootFailure);

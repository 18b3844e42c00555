import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { REQUEST_TOPICS } from '@app/contracts';
import { EmbeddedPostgresServer } from '@app/persistence';
import { InProcessMessageBus, MessageBus } from '@app/bus';
import type { INestApplication } from '@nestjs/common';
// The worker SDK and its example: a native worker run in this process, on the in-process bus.
import { silentLogger, Worker } from '../../../packages/worker-sdk/src';
import { greeter, GREETER_TASK_TYPE } from '../../../packages/worker-sdk/examples/greeter-handler';
import { exitOnBootFailure, host, loadHttpConfig, loadInfraConfig, onShutdownSignal } from '@app/runtime';
// The composition root of embedded mode: the one place allowed to import the apps' root modules.
import { ExecutorModule } from '../../executor/src/executor.module';
import { GatewayModule, OPENAPI_JSON_PATH, setupOpenApi, SWAGGER_UI_PATH, TEXT_BODY_ROUTES } from '../../gateway/src';
import { IndexerModule } from '../../indexer/src/indexer.module';
import { MetadataModule } from '../../metadata/src/metadata.module';

/**
 * `npm start`: all four apps in one process. PostgreSQL is started on the data directory unless
 * DATABASE_URL points elsewhere; the bus is in-process unless KAFKA_BROKERS is set.
 */
async function main(): Promise<void> {
  const infra = loadInfraConfig(process.env, 'baton', { requireExternal: false });
  const http = loadHttpConfig(process.env, 'baton');
  const pg =
    infra.database.kind === 'embedded'
      ? await EmbeddedPostgresServer.start({
          dataDir: infra.database.dataDir,
          port: infra.database.port,
          settings: infra.database.settings,
          // Say so when a boot cleans up after a Baton that was killed (stops the PostgreSQL it left running).
          warn: (line) => new Logger('embedded-postgres').warn(line),
        })
      : null;
  const databaseUrl = pg ? pg.url : infra.database.kind === 'external' ? infra.database.url : '';
  const stopPostgres = async () => {
    await pg?.stop().catch(() => undefined);
  };
  try {
    const app = await host({
      name: 'baton',
      modules: [GatewayModule, MetadataModule, ExecutorModule, IndexerModule],
      groupId: 'baton',
      requestTopics: REQUEST_TOPICS,
      consumes: true,
      http,
      configureHttp: setupOpenApi,
      textBodyRoutes: TEXT_BODY_ROUTES,
      infra,
      databaseUrl,
      migrations: 'run',
    });
    const example = process.env.BATON_EXAMPLE_WORKER === 'true' ? await startExampleWorker(app) : null;
    onShutdownSignal(async () => {
      await example?.stop({ timeoutMs: 5000 });
      await app.close();
      await stopPostgres();
    });
    const base = `http://localhost:${http.port}`;
    const where = infra.database.kind === 'embedded' ? `embedded PostgreSQL on ${infra.database.dataDir}` : 'DATABASE_URL';
    console.log(
      [
        '',
        `Baton is running (embedded: all services in one process, ${where}, ${infra.bus.kind} bus).`,
        `  Conductor API:  ${base}/api`,
        `  Web UI:         ${base}/ui`,
        `  Swagger UI:     ${base}/${SWAGGER_UI_PATH}`,
        `  OpenAPI:        ${base}/${OPENAPI_JSON_PATH}`,
        `  Health:         ${base}/health`,
        ...(example ? [`  Example worker: a native worker of "${GREETER_TASK_TYPE}" on the in-process bus (register the task definition with deliveryMode KAFKA)`] : []),
        '',
      ].join('\n'),
    );
  } catch (err) {
    await stopPostgres();
    throw err;
  }
}

/**
 * BATON_EXAMPLE_WORKER=true: the worker SDK's example (a `greet` handler) runs in this process as a native
 * worker, over the in-process bus — what a Kafka worker group is in distributed mode — so native delivery
 * can be tried with `npm start` alone. With KAFKA_BROKERS set, run the example against the broker instead.
 */
async function startExampleWorker(app: INestApplication): Promise<Worker | null> {
  const bus = app.get<MessageBus>(MessageBus);
  if (!(bus instanceof InProcessMessageBus)) {
    new Logger('example-worker').warn('BATON_EXAMPLE_WORKER runs on the in-process bus only; with KAFKA_BROKERS set, run packages/worker-sdk/examples/greeter.ts with BATON_TRANSPORT=kafka');
    return null;
  }
  const worker = new Worker({
    taskType: GREETER_TASK_TYPE,
    workerId: 'embedded-example',
    concurrency: 4,
    logger: silentLogger,
    transport: {
      kind: 'bus',
      bus: {
        subscribe: (topic, handler) => bus.broker.subscribe(topic, (m) => handler({ key: m.key, value: m.value })),
        publish: (topic, key, value) => bus.publish([{ topic, key, value }]),
      },
    },
    handler: greeter,
  });
  await worker.start();
  return worker;
}

main().catch(exitOnBootFailure);

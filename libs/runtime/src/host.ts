import { DynamicModule, INestApplication, Logger, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { BusModule, BusSettings, BusTransport } from '@app/bus';
import { PersistenceModule, SearchModule } from '@app/persistence';
import { ALL_TOPICS } from '@app/contracts';
import type { BusConfig, HttpConfig, InfraConfig } from './infra.config';
import { loadInfraConfig, logLevelsFrom } from './infra.config';

export interface HostSpec {
  /** Process name, used in logs and as the Kafka client id suffix. */
  readonly name: string;
  /** The app modules this process hosts (one in a distributed deployment, all four embedded). */
  readonly modules: readonly Type<unknown>[];
  /** Consumer group of this process's handlers. */
  readonly groupId: string;
  /** Topics this process sends requests on. */
  readonly requestTopics: readonly string[];
  /** Whether this process serves bus handlers (every app but the gateway). */
  readonly consumes: boolean;
  /** Serve HTTP on this address (the gateway). */
  readonly http?: HttpConfig;
  /**
   * POST routes whose body is taken as text whatever its content type says (Conductor binds it to a String:
   * a task log line, which clients send as `application/json` without quoting it).
   */
  readonly textBodyRoutes?: readonly RegExp[];
  /** Called before the server listens (the gateway adds its OpenAPI document and Swagger UI). */
  readonly configureHttp?: (app: INestApplication) => void;
  readonly infra: InfraConfig;
  readonly databaseUrl: string;
  readonly migrations: 'run' | 'verify';
}

/** Conductor payloads can be megabytes (its own default threshold is 5 MB); Express's default is 100 kB. */
const BODY_LIMIT = '10mb';
const BODY_LIMIT_BYTES = 10 * 1024 * 1024;

type Req = NodeJS.ReadableStream & { method?: string; url?: string; body?: unknown; _body?: boolean };
type Res = { status(code: number): { json(body: unknown): void } };

/** Reads the body of a POST to one of `routes` as UTF-8 text, before any other body parser sees it. */
function textBodies(routes: readonly RegExp[]) {
  return (req: Req, res: Res, next: (err?: unknown) => void): void => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'POST' || !routes.some((r) => r.test(path))) return next();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= BODY_LIMIT_BYTES) chunks.push(chunk);
    });
    req.on('error', next);
    req.on('end', () => {
      if (size > BODY_LIMIT_BYTES) return res.status(413).json({ status: 413, message: `Request body larger than ${BODY_LIMIT}`, instance: 'baton', retryable: false });
      req.body = Buffer.concat(chunks).toString('utf8');
      req._body = true; // the other body parsers leave a parsed body alone
      next();
    });
  };
}

/**
 * Boots one Baton process: the database, the bus and the given app modules, chosen once from validated
 * config. The same code hosts a single service or all four.
 */
export async function host(spec: HostSpec): Promise<INestApplication> {
  const root: DynamicModule = {
    module: class BatonHostModule {},
    imports: [
      PersistenceModule.forRoot({ url: spec.databaseUrl, migrations: spec.migrations, applicationName: `baton-${spec.name}` }),
      SearchModule.forRoot(spec.infra.search),
      BusModule.forRoot({ settings: busSettings(spec.infra.bus), groupId: spec.groupId, requestTopics: spec.requestTopics, topics: ALL_TOPICS }),
      ...spec.modules,
    ],
  };
  const app = await NestFactory.create<NestExpressApplication>(root, { logger: logLevelsFrom(spec.infra.logLevel), bodyParser: false, abortOnError: false });
  if (spec.textBodyRoutes?.length) app.use(textBodies(spec.textBodyRoutes));
  // Not strict: a JSON body may be a bare string (a task log line, as Conductor's clients send one); every
  // endpoint checks the shape of what it takes.
  app.useBodyParser('json', { limit: BODY_LIMIT, reviver: rejectNul, strict: false });
  // SipRS's task API takes form fields (PUT /task/{id}/reRun).
  app.useBodyParser('urlencoded', { limit: BODY_LIMIT, extended: false });
  // YAML definitions (Rill Flow descriptors) arrive as text.
  app.useBodyParser('text', { limit: BODY_LIMIT, type: ['text/plain', 'text/yaml', 'application/yaml', 'application/x-yaml'] });
  if (spec.consumes) {
    app.connectMicroservice({ strategy: app.get(BusTransport).serverStrategy() }, { inheritAppConfig: true });
    await app.startAllMicroservices();
  }
  spec.configureHttp?.(app);
  if (spec.http) await app.listen(spec.http.port, spec.http.host);
  else await app.init();
  new Logger(spec.name).log(`${spec.name} is up (bus: ${spec.infra.bus.kind}, database: ${redact(spec.databaseUrl)}, search: ${spec.infra.search.kind === 'opensearch' ? spec.infra.search.url : 'postgres'})`);
  return app;
}

/** PostgreSQL cannot store U+0000 in text or jsonb: refuse it while parsing (a 400), not at the database (a 500). */
function rejectNul(_key: string, value: unknown): unknown {
  if (typeof value === 'string' && value.includes('\u0000')) throw new SyntaxError('strings may not contain the NUL character (\\u0000)');
  return value;
}

/**
 * `main` of a service that consumes the bus (metadata, executor, indexer) in a distributed deployment,
 * and sends commands on `requestTopics` (the executor's HTTP worker reports results): DATABASE_URL and
 * KAFKA_BROKERS are required, migrations must already be applied.
 */
export function runService(name: string, module: Type<unknown>, options: { readonly requestTopics?: readonly string[] } = {}): void {
  const start = async () => {
    const infra = loadInfraConfig(process.env, name, { requireExternal: true });
    const app = await host({
      name,
      modules: [module],
      groupId: `baton-${name}`,
      requestTopics: options.requestTopics ?? [],
      consumes: true,
      infra,
      databaseUrl: infra.database.kind === 'external' ? infra.database.url : '',
      migrations: 'verify',
    });
    onShutdownSignal(() => app.close());
  };
  start().catch(exitOnBootFailure);
}

function busSettings(bus: BusConfig): BusSettings {
  return bus.kind === 'kafka' ? bus : { kind: 'in-process', lanes: bus.lanes };
}

export const redact = (url: string): string => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');

/** Stops the process cleanly on SIGINT/SIGTERM, running `stop` once. */
export function onShutdownSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    new Logger('shutdown').log(`${signal} received, stopping`);
    stop()
      .then(() => process.exit(0))
      .catch((err) => {
        console.error(err);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => handler('SIGINT'));
  process.on('SIGTERM', () => handler('SIGTERM'));
}

/**
 * For mains: report a boot failure (a ConfigError lists every bad variable) and exit non-zero. Whatever
 * was thrown, the output says what failed: libraries reject with `undefined`, plain objects or errors
 * with an empty message (a refused connection to several addresses is an AggregateError with none).
 */
export function exitOnBootFailure(err: unknown): never {
  const describe = (e: unknown): string => {
    if (e instanceof Error) {
      const nested = e instanceof AggregateError ? e.errors.map(describe).filter(Boolean) : [];
      const message = e.message || nested.join('; ') || (e as NodeJS.ErrnoException).code || e.name;
      return e.cause !== undefined ? `${message}\n  caused by: ${describe(e.cause)}` : message;
    }
    if (e === undefined || e === null) return `a startup step failed without an error to show (it rejected with ${String(e)})`;
    if (typeof e === 'object') {
      try {
        return `a startup step failed with a non-error value: ${JSON.stringify(e)}`;
      } catch {
        // circular: fall through to String
      }
    }
    return `a startup step failed with a non-error value: ${String(e)}`;
  };
  console.error(`Baton could not start: ${describe(err)}`);
  // Configuration and environment problems are explained by their message; anything else is a bug.
  const explained = err instanceof Error && (err.name === 'ConfigError' || (err as { userFacing?: boolean }).userFacing);
  if (err instanceof Error && !explained && err.stack) console.error(err.stack);
  process.exit(1);
}

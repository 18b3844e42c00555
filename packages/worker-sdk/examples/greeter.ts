/**
 * A worker for `greet` tasks: `{ name }` in, `{ greeting }` out.
 *
 *   BATON_URL=http://localhost:8080 npx ts-node packages/worker-sdk/examples/greeter.ts
 *   BATON_TRANSPORT=kafka KAFKA_BROKERS=127.0.0.1:9092 npx ts-node packages/worker-sdk/examples/greeter.ts
 *
 * or, without ts-node: `npm run example:greeter` in packages/worker-sdk (compiles, then runs).
 *
 * Environment: BATON_TRANSPORT (`http`, default, or `kafka`), BATON_URL (default http://localhost:8080),
 * KAFKA_BROKERS (default 127.0.0.1:9092), TASK_TYPE (default `greet`), CONCURRENCY (default 4),
 * LOG_LEVEL (debug | info | warn | error; default info).
 */
import { consoleLogger, LogLevel, runUntilSignal, TransportOptions, Worker } from '../src';
import { greeter, GREETER_TASK_TYPE } from './greeter-handler';

const env = process.env;
const transport: TransportOptions =
  env.BATON_TRANSPORT === 'kafka'
    ? { kind: 'kafka', brokers: (env.KAFKA_BROKERS || '127.0.0.1:9092').split(','), topicPrefix: env.KAFKA_TOPIC_PREFIX || '' }
    : { kind: 'http', baseUrl: env.BATON_URL || 'http://localhost:8080' };

const worker = new Worker({
  taskType: env.TASK_TYPE || GREETER_TASK_TYPE,
  concurrency: Number(env.CONCURRENCY || 4),
  transport,
  logger: consoleLogger((env.LOG_LEVEL as LogLevel | undefined) || 'info'),
  handler: greeter,
});

runUntilSignal(worker, { timeoutMs: 10_000 }).then(
  (signal) => console.error(`greeter: stopped after ${signal}`),
  (err: unknown) => {
    console.error('greeter: failed to start:', err);
    process.exitCode = 1;
  },
);

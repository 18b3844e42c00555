// A native Kafka worker process for the e2e suites, built on the worker SDK (packages/worker-sdk/dist,
// built by `npm run build`): runs TASK_TYPE's tasks with CONCURRENCY handlers, appends each execution's
// task id to RUN_LOG (one line per run, so a re-run after a crash shows), and prints "ready" once it has
// joined its group. Plain CommonJS: the e2e tier spawns it with node as it is.
const { appendFileSync } = require('node:fs');
const { Worker, silentLogger } = require('../../../packages/worker-sdk/dist');

const env = process.env;
const worker = new Worker({
  taskType: env.TASK_TYPE,
  workerId: env.WORKER_ID,
  concurrency: Number(env.CONCURRENCY || 8),
  logger: silentLogger,
  transport: {
    kind: 'kafka',
    brokers: env.KAFKA_BROKERS.split(','),
    topicPrefix: env.KAFKA_TOPIC_PREFIX || '',
    // The broker's minimum: a killed worker's partitions move to the others after 6 s, not 30.
    consumer: { sessionTimeout: 6000, heartbeatInterval: 1000 },
  },
  handler: async (task) => {
    appendFileSync(env.RUN_LOG, `${task.taskId}\n`);
    await new Promise((resolve) => setTimeout(resolve, Number(env.WORK_MS || 5)));
    return { n: Number(task.inputData.n ?? 0) + 1, by: env.WORKER_ID };
  },
});

worker.start().then(
  () => console.log('ready'),
  (err) => {
    console.error(`worker ${env.WORKER_ID} failed to start: ${err && err.stack ? err.stack : err}`);
    process.exit(1);
  },
);
process.on('SIGTERM', () => void worker.stop({ timeoutMs: 5000 }).then(() => process.exit(0)));

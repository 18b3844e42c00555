#!/usr/bin/env node
// Waits until a Kafka broker answers real metadata requests, using the same client
// (kafkajs) the app uses: an open port alone does not mean the KRaft controller has
// elected itself and the broker has registered.
//
// usage: node wait-ready.mjs <host:port> <timeoutSeconds> [pid]
//   pid: give up at once if that process dies (the broker we just launched).
// exit: 0 ready, 1 not ready in time (or pid died), 2 kafkajs cannot be loaded.
//
// usage: node wait-ready.mjs --check-client
//   only checks that kafkajs loads, so start.sh can fail before launching a broker.
//
// kafkajs is resolved from the repo's node_modules (or NODE_PATH), never installed here.

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const [brokers = '127.0.0.1:9092', timeoutArg = '90', pidArg] = process.argv.slice(2);
const deadline = Date.now() + Number(timeoutArg) * 1000;
const pid = pidArg ? Number(pidArg) : undefined;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
let kafkajs;
try {
  kafkajs = createRequire(path.join(repoRoot, 'package.json'))('kafkajs');
} catch (err) {
  console.error(
    `kafka: error: cannot load kafkajs from ${repoRoot}/node_modules (${err.code ?? err.message}); ` +
      'run `npm ci` in the repo, or point NODE_PATH at a node_modules that has kafkajs',
  );
  process.exit(2);
}
if (process.argv[2] === '--check-client') process.exit(0);
const { Kafka, logLevel } = kafkajs;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function processAlive(p) {
  try {
    process.kill(p, 0);
    return true;
  } catch {
    return false;
  }
}

async function probe() {
  const kafka = new Kafka({
    clientId: 'baton-infra-wait-ready',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 5000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    // A controller id of -1 / null means KRaft has not finished electing itself.
    if (!cluster.brokers.length || cluster.controller == null || cluster.controller < 0) {
      throw new Error(`cluster not ready: ${JSON.stringify(cluster)}`);
    }
    await admin.listTopics();
    // Forces the group coordinator up (the broker creates __consumer_offsets on the
    // first FindCoordinator); otherwise the first test consumer logs
    // "The group coordinator is not available" errors while it waits for it.
    await admin.describeGroups(['baton-infra-wait-ready']);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

let lastError;
for (;;) {
  try {
    await probe();
    process.exit(0);
  } catch (err) {
    lastError = err;
  }
  if (pid !== undefined && !processAlive(pid)) {
    console.error(`kafka: error: broker process ${pid} exited while waiting for it`);
    process.exit(1);
  }
  if (Date.now() >= deadline) break;
  await sleep(500);
}
console.error(`kafka: error: no working Kafka on ${brokers} after ${timeoutArg}s: ${lastError?.message ?? lastError}`);
process.exit(1);

#!/usr/bin/env node
// Waits until an OpenSearch node answers on HTTP and its cluster is at least yellow. An open port alone
// does not mean the node has elected itself and recovered its indices; a 200 from `/` alone does not
// mean the cluster state has recovered either (indices created before a restart come back red first).
//
// usage: node wait-ready.mjs [--set-defaults] <url> <timeoutSeconds> [pid]
//   pid: give up at once if that process dies (the node we just launched).
//   --set-defaults: once ready, apply the test node's persistent cluster settings (DEFAULTS below).
// exit: 0 ready, 1 not ready in time (or pid died), 3 something answers HTTP there but is not OpenSearch.
//
// Node's own fetch: no dependency, so this works before `npm ci` too.

const args = process.argv.slice(2);
const setDefaults = args[0] === '--set-defaults';
if (setDefaults) args.shift();
const [url = 'http://127.0.0.1:9200', timeoutArg = '120', pidArg] = args;
const base = url.replace(/\/+$/, '');
const deadline = Date.now() + Number(timeoutArg) * 1000;
const pid = pidArg ? Number(pidArg) : undefined;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function processAlive(p) {
  try {
    process.kill(p, 0);
    return true;
  } catch {
    return false;
  }
}

class NotOpenSearch extends Error {}

// One node cannot hold replicas: indices that do not ask for replicas get none, so they are green, not
// yellow. This is a cluster-state setting: index creation ignores it in opensearch.yml. Persistent, so it
// survives restarts; applied again on every start (idempotent) so that it also reaches an old data dir.
const DEFAULTS = { persistent: { 'cluster.default_number_of_replicas': 0 } };

async function applyDefaults() {
  const res = await fetch(`${base}/_cluster/settings`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(DEFAULTS),
    signal: AbortSignal.timeout(30000),
  });
  if (!res.ok) throw new Error(`PUT /_cluster/settings answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
}

async function getJson(path) {
  const res = await fetch(base + path, { signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new NotOpenSearch(`GET ${path} answered ${res.status} with a non-JSON body: ${text.slice(0, 120).replace(/\s+/g, ' ')}`);
  }
  return { status: res.status, body };
}

async function probe() {
  const root = await getJson('/');
  if (root.status !== 200) throw new Error(`GET / answered ${root.status}: ${JSON.stringify(root.body).slice(0, 200)}`);
  if (root.body?.version?.distribution !== 'opensearch') {
    throw new NotOpenSearch(`GET / does not describe an OpenSearch node: ${JSON.stringify(root.body).slice(0, 200)}`);
  }
  // 408 with timed_out=true while the cluster is still red; short server-side wait, we poll anyway.
  const health = await getJson('/_cluster/health?wait_for_status=yellow&timeout=2s');
  if (health.status !== 200 || health.body.timed_out || !['green', 'yellow'].includes(health.body.status)) {
    throw new Error(`cluster not ready: ${JSON.stringify(health.body)}`);
  }
  return `${root.body.version.number}, cluster ${health.body.status}`;
}

let lastError;
for (;;) {
  try {
    const what = await probe();
    if (setDefaults) {
      try {
        await applyDefaults();
      } catch (err) {
        console.error(`opensearch: error: ${err.message}`);
        process.exit(1);
      }
    }
    if (process.env.WAIT_READY_VERBOSE) console.error(`opensearch: ready at ${base} (${what})`);
    process.exit(0);
  } catch (err) {
    lastError = err;
    // Something that is not OpenSearch will not turn into it: no point waiting.
    if (err instanceof NotOpenSearch) {
      console.error(`opensearch: error: ${base} is not OpenSearch: ${err.message}`);
      process.exit(3);
    }
  }
  if (pid !== undefined && !processAlive(pid)) {
    console.error(`opensearch: error: node process ${pid} exited while waiting for it`);
    process.exit(1);
  }
  if (Date.now() >= deadline) break;
  await sleep(250);
}
const cause = lastError?.cause?.code ?? lastError?.cause?.message;
console.error(
  `opensearch: error: no working OpenSearch at ${base} after ${timeoutArg}s: ${lastError?.message ?? lastError}${cause ? ` (${cause})` : ''}`,
);
process.exit(1);

/**
 * The program of the thread that runs jq (see `JqTransformer`). It is source text, run with
 * `new Worker(source, { eval: true })`, rather than a module: a worker thread loads plain JavaScript, and
 * this file is TypeScript under Jest but JavaScript in dist/ — as text it is the same in both, and no
 * compiler or coverage instrumenter rewrites it.
 *
 * Protocol: `workerData` = `{ port, signal, jqPath, maxHeapBytes }`. Each request `{ seq, query, json }`
 * on `port` gets one reply `{ seq, ok: true, output }` or `{ seq, ok: false, message, fatal }` on `port`,
 * after which `signal[0]` is set to `seq` and notified, so the caller can block on it with Atomics.wait
 * and then take the reply with receiveMessageOnPort. `signal[1]` becomes 1 once jq is loaded, and the
 * thread also posts 'ready' to its parent. `fatal` means jq's WebAssembly aborted (out of memory, or a
 * crash): its state can no longer be trusted and the thread must be replaced.
 */
export const JQ_WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { port, signal, jqPath, maxHeapBytes } = workerData;
const state = new Int32Array(signal);

// Emscripten grows jq's heap through this method and turns a refusal into a failed malloc, on which jq
// stops with "cannot allocate memory". This thread's realm holds nothing but jq, so the cap is jq's alone.
const grow = WebAssembly.Memory.prototype.grow;
WebAssembly.Memory.prototype.grow = function (pages) {
  if (this.buffer.byteLength + pages * 65536 > maxHeapBytes) throw new RangeError('jq heap limit reached');
  return grow.call(this, pages);
};

// jq-web echoes jq's stderr (debug, stderr) through console.warn and Emscripten reports aborts through
// console.error: a user's query must not write into the engine's log.
console.log = console.warn = console.error = () => undefined;

require(jqPath).then((jq) => {
  port.on('message', ({ seq, query, json }) => {
    let reply;
    try {
      // '--' ends jq's options, so a query that starts with '-' is still a query.
      reply = { seq, ok: true, output: jq.raw(json, query, ['-c', '--']) ?? '' };
    } catch (error) {
      const stderr = typeof error?.stderr === 'string' ? error.stderr.trim() : '';
      const message = stderr || (typeof error?.message === 'string' ? error.message : String(error));
      reply = { seq, ok: false, message, fatal: typeof error?.exitCode !== 'number' };
    }
    port.postMessage(reply);
    Atomics.store(state, 0, seq);
    Atomics.notify(state, 0);
  });
  Atomics.store(state, 1, 1);
  Atomics.notify(state, 1);
  parentPort.postMessage('ready');
});
`;

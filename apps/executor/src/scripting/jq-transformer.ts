import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { JQ_WORKER_SOURCE } from './jq.worker';

/**
 * JSON_JQ_TRANSFORM's engine: the real jq (1.7, compiled to WebAssembly by the jq-web package), not a
 * re-implementation, so queries behave as on the command line. (Conductor itself uses jackson-jq, a Java
 * port of jq 1.6 that lacks a few 1.7 built-ins; jq is the reference both follow.)
 *
 * jq runs in a worker thread and `transform` blocks on it with Atomics.wait, which keeps the call
 * synchronous for the decider while making a runaway query stoppable: WebAssembly cannot be interrupted
 * from inside its own thread, and `def f: f; f` or `repeat(1)` never return, so past `timeoutMs` the
 * thread is terminated and replaced. A round trip to the thread costs about 0.2 ms over jq's own ~0.9 ms
 * (jq compiles its built-in library on every run).
 *
 * The task maps the results the way Conductor does: `result` is `results[0]` (null when there is none)
 * and `resultList` is `results`; the jq input is the task's whole input, `queryExpression` included.
 */

export interface JqLimits {
  /** Wall-clock budget of one transform, enforced by terminating the thread. */
  readonly timeoutMs: number;
  /** How far jq's heap may grow beyond its initial 16 MiB; past it jq stops with "cannot allocate memory". */
  readonly memoryLimitBytes: number;
  /** How long a call may wait for a (re)started thread to load jq before it gives up. */
  readonly startupTimeoutMs: number;
}

export const DEFAULT_JQ_LIMITS: JqLimits = {
  timeoutMs: 1_000,
  memoryLimitBytes: 64 * 1024 * 1024,
  startupTimeoutMs: 10_000,
};

export type JqOutcome = { ok: true; results: unknown[] } | { ok: false; message: string };

type JqRequest = { seq: number; query: string; json: string };
type JqReply = { seq: number; ok: true; output: string } | { seq: number; ok: false; message: string; fatal: boolean };

/** jq-web's initial memory (Emscripten's default); the heap limit is counted on top of it. */
const JQ_BASE_BYTES = 16 * 1024 * 1024;

export class JqTransformer {
  private constructor(
    private readonly limits: JqLimits,
    private thread: JqThread,
  ) {}

  static async create(limits: Partial<JqLimits> = {}): Promise<JqTransformer> {
    const resolved = { ...DEFAULT_JQ_LIMITS, ...limits };
    for (const [name, value] of Object.entries(resolved)) {
      if (!Number.isFinite(value) || value <= 0) throw new RangeError(`JqLimits.${name} must be a positive number, got ${value}`);
    }
    const thread = JqThread.start(resolved);
    await thread.loaded;
    return new JqTransformer(resolved, thread);
  }

  /** Runs `query` over `input` and returns every value it emits, in order. Never throws. */
  transform(query: string, input: unknown): JqOutcome {
    let json: string | undefined;
    try {
      json = JSON.stringify(input ?? null);
    } catch (error) {
      return { ok: false, message: `the jq input is not JSON: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (this.thread.exited) this.restart();
    const reply = this.thread.call(query, json ?? 'null', this.limits);
    if (reply === 'timeout') {
      this.restart();
      return { ok: false, message: `jq timed out after ${this.limits.timeoutMs} ms` };
    }
    if (reply === 'not-started') return { ok: false, message: `jq did not start within ${this.limits.startupTimeoutMs} ms` };
    if (!reply.ok) {
      if (!reply.fatal) return { ok: false, message: tidy(reply.message) };
      this.restart();
      const limit = /cannot allocate memory/.test(reply.message) ? ` (heap limit ${this.limits.memoryLimitBytes / (1024 * 1024)} MiB)` : '';
      return { ok: false, message: `${tidy(reply.message)}${limit}` };
    }
    return parseOutput(reply.output);
  }

  /** Stops the jq thread; the transformer is unusable afterwards. */
  async dispose(): Promise<void> {
    await this.thread.stop();
  }

  private restart(): void {
    void this.thread.stop();
    this.thread = JqThread.start(this.limits);
  }
}

/** One worker thread running jq, and the synchronous call into it. */
class JqThread {
  /** [0]: seq of the latest reply; [1]: 1 once jq is loaded. */
  private readonly signal: Int32Array;
  private seq = 0;
  exited = false;

  private constructor(
    private readonly worker: Worker,
    private readonly port: MessagePort,
    signal: SharedArrayBuffer,
    /** Settles when jq is loaded (or failed to load); only `create` awaits it, calls block on `signal`. */
    readonly loaded: Promise<void>,
  ) {
    this.signal = new Int32Array(signal);
  }

  static start(limits: JqLimits): JqThread {
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
    const worker = new Worker(JQ_WORKER_SOURCE, {
      eval: true,
      workerData: { port: port2, signal, jqPath: require.resolve('jq-web'), maxHeapBytes: JQ_BASE_BYTES + limits.memoryLimitBytes },
      transferList: [port2],
      // jq-web collects output a byte per array element: this bounds what a huge output can take before the
      // thread dies (and is replaced) instead of the process.
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    });
    // The thread must not keep the process alive, and it is replaced, never awaited, after a timeout.
    worker.unref();
    port1.unref();
    const loaded = new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the jq thread exited with code ${code} before jq was loaded`)));
    });
    // create() reports a failed load; a replacement's failure shows up as 'not-started' on its next call.
    loaded.catch(() => undefined);
    const thread = new JqThread(worker, port1, signal, loaded);
    // Without an 'error' listener a dying thread would take the process with it.
    worker.on('error', () => undefined);
    worker.on('exit', () => {
      thread.exited = true;
    });
    return thread;
  }

  call(query: string, json: string, limits: JqLimits): JqReply | 'timeout' | 'not-started' {
    if (!this.waitFor(1, 0, limits.startupTimeoutMs)) return 'not-started';
    const seq = ++this.seq;
    this.port.postMessage({ seq, query, json } satisfies JqRequest);
    if (!this.waitFor(0, seq - 1, limits.timeoutMs)) return 'timeout';
    // Replies to earlier, timed-out requests never reach a live thread's port (their thread was replaced),
    // but skipping stale ones costs nothing.
    for (let received = receiveMessageOnPort(this.port); received !== undefined; received = receiveMessageOnPort(this.port)) {
      const reply = received.message as JqReply;
      if (reply.seq === seq) return reply;
    }
    return 'timeout';
  }

  async stop(): Promise<void> {
    this.port.close();
    await this.worker.terminate();
  }

  /** Blocks until `signal[index]` is no longer `from`, for at most `timeoutMs`. */
  private waitFor(index: number, from: number, timeoutMs: number): boolean {
    const deadline = performance.now() + timeoutMs;
    while (Atomics.load(this.signal, index) === from) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) return false;
      Atomics.wait(this.signal, index, from, remaining);
    }
    return true;
  }
}

function parseOutput(output: string): JqOutcome {
  // -c prints one value per line, and a newline inside a string is escaped.
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  try {
    return { ok: true, results: lines.map((line) => JSON.parse(line) as unknown) };
  } catch (error) {
    return { ok: false, message: `jq printed something that is not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** jq's messages were written for a shell: drop the shell hints and name the input plainly. */
function tidy(message: string): string {
  return message
    .replace(/ \(Unix shell quoting issues\?\)/g, '')
    .replace(/\binputString\b/g, '<input>')
    .trim();
}

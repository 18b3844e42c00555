import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  RELEASE_SYNC,
  Scope,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSSyncVariant,
  type QuickJSWASMModule,
} from 'quickjs-emscripten';

/**
 * The `javascript` / `graaljs` evaluator of INLINE, SWITCH and DO_WHILE (Conductor runs GraalJS): QuickJS
 * compiled to WebAssembly, so a workflow author's script has no way to the host — no `require`, `process`,
 * `fetch`, timers or file system; only the language and its built-ins — and runs under a time, memory and
 * stack limit.
 *
 * `evaluate` is synchronous because the decider is: `create` loads the WASM, and every evaluation after
 * that is plain function calls into it.
 */

export interface ScriptLimits {
  /**
   * Wall-clock budget of one evaluation. QuickJS asks its interrupt handler every few thousand bytecode
   * instructions and inside regular-expression matching, so a loop or a catastrophic regex stops close to
   * it; one long native call (sorting or filling a huge array) runs to its end first, which the memory
   * limit bounds. Conductor's GraalJS allows 4 s; a decider pass should not wait that long.
   */
  readonly timeoutMs: number;
  /** Memory one evaluation may allocate: objects, strings, array buffers, the input `$` and the result. */
  readonly memoryLimitBytes: number;
  /**
   * QuickJS's recursion guard. QuickJS measures its stack in WASM linear memory, but every interpreted call
   * also takes V8 stack, and this guard must trip before V8's does. At 128 KiB a script recurses about 700
   * deep and leaves half of Node's default stack to the caller (measured on Node 20); at 256 KiB it gets
   * 1,500 deep but V8's stack runs out first once the caller is a quarter of the way down it.
   */
  readonly maxStackSizeBytes: number;
}

export const DEFAULT_SCRIPT_LIMITS: ScriptLimits = {
  timeoutMs: 1_000,
  memoryLimitBytes: 32 * 1024 * 1024,
  maxStackSizeBytes: 128 * 1024,
};

/**
 * - `timeout`: ran past `timeoutMs` (a script cannot catch the interrupt);
 * - `memory`: ran out of memory or stack, built a string longer than QuickJS allows, or came with more
 *   input than the memory limit leaves room for;
 * - `syntax`: the script does not parse (a SyntaxError thrown while running, as by `JSON.parse`, is `runtime`);
 * - `runtime`: the script threw;
 * - `result`: the script's value has no JSON form (a function, symbol, bigint, or a cycle).
 */
export type ScriptFailureKind = 'timeout' | 'memory' | 'syntax' | 'runtime' | 'result';

export type ScriptOutcome = { ok: true; value: unknown } | { ok: false; kind: ScriptFailureKind; message: string };

/**
 * Deeper input than this is refused before it reaches QuickJS, whose JSON.parse recurses on the V8 stack
 * without tripping QuickJS's own guard. Jackson, which reads Conductor's payloads, refuses the same depth.
 */
const MAX_INPUT_DEPTH = 1_000;

/**
 * The library copies the script and the input's JSON into WASM memory without checking that the
 * allocation succeeded; held to a quarter of the memory limit, the copies cannot fail (a fresh runtime
 * starts with the limit's worth of room). Parsing the input takes several times its JSON size anyway.
 */
const MAX_SOURCE_SHARE = 1 / 4;

/** Named in error positions ("line 1, column 5" refers to the script as written). */
const SCRIPT_FILENAME = 'script.js';

export class ScriptSandbox {
  private reloading: Promise<void> | undefined;

  private constructor(
    private readonly limits: ScriptLimits,
    /** Where evaluations run; undefined only while a crash has used up the spare and its reload is pending. */
    private engine: Engine | undefined,
    /** Takes over synchronously when `engine` is retired (see `evaluate`). */
    private spare: Engine | undefined,
  ) {}

  static async create(limits: Partial<ScriptLimits> = {}): Promise<ScriptSandbox> {
    const resolved = { ...DEFAULT_SCRIPT_LIMITS, ...limits };
    for (const [name, value] of Object.entries(resolved)) {
      if (!Number.isFinite(value) || value <= 0) throw new RangeError(`ScriptLimits.${name} must be a positive number, got ${value}`);
    }
    const [engine, spare] = await Promise.all([Engine.load(resolved), Engine.load(resolved)]);
    return new ScriptSandbox(resolved, engine, spare);
  }

  /**
   * Runs `script` with `$` bound to a copy of `input` and returns the value of its last expression
   * statement as JSON (eval semantics: `$.a * 2`, or `function f() { … } f();`). Never throws.
   *
   * The value converts as JSON.stringify converts it: undefined and NaN become null, a Date its ISO
   * string, a function inside an object vanishes. A function, symbol or bigint as the value itself is a
   * `result` failure rather than null, since it nearly always means a forgotten call, as in
   * `(function () { … })` without the `()`. A promise has no settled value (nothing runs after the
   * script) and converts to `{}`.
   */
  evaluate(script: string, input: Record<string, unknown>): ScriptOutcome {
    const inputJson = serializeInput(input);
    if (typeof inputJson !== 'string') return inputJson;
    const sourceBytes = Buffer.byteLength(script) + Buffer.byteLength(inputJson);
    if (sourceBytes > this.limits.memoryLimitBytes * MAX_SOURCE_SHARE) {
      return failure('memory', `the script and its input (${sourceBytes} bytes of JSON) are too large for the ${formatBytes(this.limits.memoryLimitBytes)} memory limit`);
    }
    const engine = this.engine;
    if (engine === undefined) {
      this.reload();
      return failure('runtime', 'the script engine is restarting after a crash; try again');
    }
    try {
      return engine.evaluate(script, inputJson, this.limits);
    } catch (error) {
      // QuickJS reports every script failure as a value, so an exception came from below it: V8's stack ran
      // out inside the interpreter (source nested 1,000 parentheses deep recurses in QuickJS's parser past
      // its guard) or the WASM trapped. Either leaves the module's C state half unwound: it is dropped,
      // unfreed, and the spare takes over.
      this.engine = this.spare;
      this.spare = undefined;
      this.reload();
      return hostFailure(error);
    }
  }

  /** Resolves once any reload that a crash started has finished. */
  async whenReady(): Promise<void> {
    while (this.reloading !== undefined) await this.reloading;
  }

  private reload(): void {
    if (this.reloading !== undefined) return;
    this.reloading = Engine.load(this.limits).then(
      (loaded) => {
        this.reloading = undefined;
        if (this.engine === undefined) this.engine = loaded;
        else this.spare = loaded;
        // Two crashes in a row took the spare as well.
        if (this.spare === undefined) this.reload();
      },
      () => {
        // Nobody to tell; the next evaluation that finds no engine tries again.
        this.reloading = undefined;
      },
    );
  }
}

/**
 * The release build without asyncify (the smallest and fastest), with its Emscripten module loaded by
 * `require`: the published variant uses `import()`, which Jest's CommonJS runtime refuses without
 * --experimental-vm-modules. It is the same package's CommonJS build of the same file.
 */
const ENGINE_VARIANT: QuickJSSyncVariant = {
  ...RELEASE_SYNC,
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above: import() is what fails.
  importModuleLoader: async () => require('@jitl/quickjs-wasmfile-release-sync/emscripten-module'),
};

/** Node has it; the project's libs (ES2023, no DOM) do not declare it. */
declare const WebAssembly: { Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory };
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

const WASM_PAGE_BYTES = 64 * 1024;
/** The build's initial memory (Emscripten's default): static data, its 5 MB C stack and malloc's first arena. */
const ENGINE_BASE_BYTES = 16 * 1024 * 1024;

/**
 * One QuickJS WebAssembly module: our own rather than the library's shared singleton, so nothing else in
 * the process shares (or can break) the one scripts run in.
 *
 * Its memory cannot grow past its base plus `memoryLimitBytes`, and that cap is what enforces the memory
 * limit. QuickJS's own limit (set too) cannot count bytes in this build — Emscripten has no
 * malloc_usable_size — so it refuses any single allocation above the limit but counts 8 bytes per block:
 * 100 strings of 1 MB pass a 32 MiB limit, and the memory would grow to 2 GiB and stay there. At the cap
 * malloc fails and QuickJS throws "out of memory", or, with no memory left to build an error, throws null;
 * `exhausted` tells that null from a script's own `throw null`.
 */
class Engine {
  private exhausted = false;

  private constructor(private readonly quickjs: QuickJSWASMModule) {}

  static async load(limits: ScriptLimits): Promise<Engine> {
    const memory = new WebAssembly.Memory({
      initial: ENGINE_BASE_BYTES / WASM_PAGE_BYTES,
      maximum: Math.ceil((ENGINE_BASE_BYTES + limits.memoryLimitBytes) / WASM_PAGE_BYTES),
    });
    const engine = new Engine(await newQuickJSWASMModuleFromVariant(newVariant(ENGINE_VARIANT, { wasmMemory: memory })));
    // Emscripten grows the heap through this method; a refusal is a RangeError that it turns into a failed malloc.
    const grow = memory.grow.bind(memory);
    memory.grow = (pages) => {
      try {
        return grow(pages);
      } catch (error) {
        engine.exhausted = true;
        throw error;
      }
    };
    return engine;
  }

  /**
   * A fresh runtime and context per evaluation. At about 0.18 ms against 0.16 ms for a fresh context in a
   * shared runtime (measured), the difference does not pay for what a shared runtime would carry from one
   * script to the next: its job queue (promise callbacks a script left behind), atoms, and whatever a hit
   * limit left. Handles are freed only when nothing threw from below QuickJS (see `ScriptSandbox.evaluate`):
   * freeing into a broken module can abort it again.
   */
  evaluate(script: string, inputJson: string, limits: ScriptLimits): ScriptOutcome {
    this.exhausted = false;
    const runtime = this.quickjs.newRuntime();
    runtime.setMemoryLimit(limits.memoryLimitBytes);
    runtime.setMaxStackSize(limits.maxStackSizeBytes);
    const deadline = performance.now() + limits.timeoutMs;
    let interrupted = false;
    // Once past the deadline the handler keeps answering true, so a getter or toJSON that runs while the
    // result is read is stopped as well.
    runtime.setInterruptHandler(() => (interrupted ||= performance.now() > deadline));
    const context = runtime.newContext();
    const scope = new Scope();
    const outcome = run(context, scope, script, inputJson, (error) => describeError(context, scope.manage(error), script, { interrupted, exhausted: this.exhausted }, limits));
    scope.dispose();
    context.dispose();
    runtime.dispose();
    return outcome;
  }
}

function run(context: QuickJSContext, scope: Scope, script: string, inputJson: string, failed: (error: QuickJSHandle) => ScriptOutcome): ScriptOutcome {
  // Taken before the script runs, so a script that reassigns JSON cannot change how its value is read.
  const json = scope.manage(context.getProp(context.global, 'JSON'));
  const parse = scope.manage(context.getProp(json, 'parse'));
  const stringify = scope.manage(context.getProp(json, 'stringify'));

  const parsed = context.callFunction(parse, context.undefined, scope.manage(context.newString(inputJson)));
  if (parsed.error) return failed(parsed.error);
  context.setProp(context.global, '$', scope.manage(parsed.value));

  const evaluated = context.evalCode(script, SCRIPT_FILENAME, { type: 'global' });
  if (evaluated.error) return failed(evaluated.error);
  const value = scope.manage(evaluated.value);

  const type = context.typeof(value);
  if (type === 'undefined') return { ok: true, value: null };
  if (type === 'function' || type === 'symbol' || type === 'bigint') {
    return failure('result', `the script's value is a ${type}, which has no JSON form (a missing call?)`);
  }
  const text = context.callFunction(stringify, context.undefined, value);
  if (text.error) {
    const outcome = failed(text.error);
    return outcome.ok || outcome.kind !== 'runtime' ? outcome : failure('result', `the script's value cannot be converted to JSON: ${outcome.message}`);
  }
  const serialized = scope.manage(text.value);
  // JSON.stringify yields undefined for a value whose toJSON returns undefined.
  return { ok: true, value: context.typeof(serialized) === 'string' ? JSON.parse(context.getString(serialized)) : null };
}

function describeError(
  context: QuickJSContext,
  error: QuickJSHandle,
  script: string,
  state: { interrupted: boolean; exhausted: boolean },
  limits: ScriptLimits,
): ScriptOutcome {
  if (state.interrupted) return failure('timeout', `the script timed out after ${limits.timeoutMs} ms`);
  const thrown: unknown = context.dump(error);
  const text = isErrorLike(thrown) ? `${thrown.name}: ${thrown.message}${position(thrown.stack)}` : `threw ${JSON.stringify(thrown) ?? String(thrown)}`;
  const internal = isErrorLike(thrown) && thrown.name === 'InternalError' ? thrown.message : undefined;
  if (state.exhausted || internal === 'out of memory') {
    // Out of memory, QuickJS may have had no room left for an Error and thrown null instead.
    const detail = isErrorLike(thrown) ? `: ${text}` : '';
    return failure('memory', `the script ran out of memory (limit ${formatBytes(limits.memoryLimitBytes)})${detail}`);
  }
  if (internal === 'stack overflow') return failure('memory', `the script recursed too deeply (stack limit ${formatBytes(limits.maxStackSizeBytes)}): ${text}`);
  if (internal === 'string too long') return failure('memory', `the script built a string longer than the interpreter allows: ${text}`);
  if (!isErrorLike(thrown)) return failure('runtime', `the script ${text}`);
  if (thrown.name === 'SyntaxError' && !compiles(context, script)) return failure('syntax', text);
  return failure('runtime', text);
}

/** Tells a script that does not parse from one that threw a SyntaxError (JSON.parse, eval) while running. */
function compiles(context: QuickJSContext, script: string): boolean {
  const compiled = context.evalCode(script, SCRIPT_FILENAME, { type: 'global', compileOnly: true });
  (compiled.error ?? compiled.value).dispose();
  return compiled.error === undefined;
}

interface ErrorLike {
  name: string;
  message: string;
  stack?: string;
}

function isErrorLike(value: unknown): value is ErrorLike {
  return typeof value === 'object' && value !== null && typeof (value as ErrorLike).name === 'string' && typeof (value as ErrorLike).message === 'string';
}

/** The script's own frame nearest the throw, e.g. " (line 3, column 12)". */
function position(stack: string | undefined): string {
  const match = stack?.match(/script\.js:(\d+):(\d+)/);
  return match ? ` (line ${match[1]}, column ${match[2]})` : '';
}

function hostFailure(error: unknown): ScriptOutcome {
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return failure('memory', 'the script nests or recurses too deeply for the interpreter (host stack exhausted)');
  }
  return failure('runtime', `the script engine crashed and was restarted: ${error instanceof Error ? error.message : String(error)}`);
}

function serializeInput(input: Record<string, unknown>): string | ScriptOutcome {
  // Also ends on a cyclic input, which JSON.stringify would then refuse.
  if (depthExceeds(input, MAX_INPUT_DEPTH)) return failure('runtime', `the script input is nested deeper than ${MAX_INPUT_DEPTH} levels`);
  try {
    return JSON.stringify(input ?? {});
  } catch (error) {
    return failure('runtime', `the script input is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function depthExceeds(value: unknown, remaining: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (remaining === 0) return true;
  for (const child of Array.isArray(value) ? value : Object.values(value)) {
    if (depthExceeds(child, remaining - 1)) return true;
  }
  return false;
}

function failure(kind: ScriptFailureKind, message: string): ScriptOutcome {
  return { ok: false, kind, message };
}

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

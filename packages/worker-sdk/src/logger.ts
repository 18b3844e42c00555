/** One structured log record: a stable dotted event name and flat fields (taskType, taskId, error, …). */
export type LogFn = (event: string, fields?: Record<string, unknown>) => void;

/**
 * The logging hook. Plug in pino, winston or anything else by adapting these four functions; the SDK
 * never writes anywhere else. Events worth alerting on are `error`: `result.unreported` (a result that
 * could not be delivered), `consumer.crashed`.
 */
export interface WorkerLogger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

export type LogLevel = keyof WorkerLogger;

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** Discards everything. */
export const silentLogger: WorkerLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * One JSON line per record on stderr, from `minLevel` up. The default (`warn`) is quiet: a healthy worker
 * prints nothing; a failing poll prints once when it starts failing and once when it recovers.
 */
export function consoleLogger(minLevel: LogLevel = 'warn', write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): WorkerLogger {
  const from = LEVELS.indexOf(minLevel);
  const at =
    (level: LogLevel): LogFn =>
    (event, fields = {}) => {
      if (LEVELS.indexOf(level) < from) return;
      write(JSON.stringify({ time: new Date().toISOString(), level, event, ...serializable(fields) }));
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Errors do not survive JSON.stringify; give their message (and an HTTP status when there is one). */
function serializable(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = v instanceof Error ? errorFields(v) : v;
  return out;
}

export function errorFields(err: unknown): Record<string, unknown> | string {
  if (!(err instanceof Error)) return String(err);
  const status = (err as { status?: unknown }).status;
  return { name: err.name, message: err.message, ...(typeof status === 'number' ? { status } : {}) };
}

import { validateHeaderName, validateHeaderValue } from 'node:http';

/**
 * Reads an HTTP task's resolved input into the request to send, the way Conductor's HttpTask (3.32.1)
 * binds it to `HttpTask.Input`: `http_request` when present, else the same keys directly in the input.
 * Pure: no I/O, so every refusal below happens before a connection is opened.
 *
 * `vipAddress` and `appName` are read by nobody: they named a Eureka service for Netflix's own
 * RestTemplate provider, and OSS Conductor's default provider only logs them too.
 */

/**
 * Spring's `HttpMethod` constants, which Conductor accepts and nothing else; case matters there too
 * ("get" fails with "Invalid HTTP method: get"). TRACE is on the list because Conductor sends it.
 */
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Conductor's own wording, kept so that anything matching on it keeps working. */
export const MISSING_URI = 'Missing HTTP URI.  See documentation for HttpTask for required input parameters';
export const MISSING_METHOD = 'No HTTP method specified';

/** HttpTask.Input's defaults. */
const DEFAULT_MEDIA_TYPE = 'application/json';
export const DEFAULT_TIMEOUT_MS = 3000;
/** Node fires a longer timer at once (it only warns), so a bigger value must be refused, not passed on. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface HttpRequestSpec {
  readonly url: URL;
  readonly method: HttpMethod;
  /**
   * Header lines in sending order. A name may repeat: Conductor adds the task's `headers` after its own
   * Accept and Content-Type instead of replacing them, so `headers: { Accept: 'x/y' }` goes out as a
   * second Accept line, and the receiver sees both.
   */
  readonly headers: ReadonlyArray<readonly [name: string, value: string]>;
  readonly body?: Buffer;
  readonly connectTimeoutMs: number;
  /** Longest silence on the connection once it is open, as Java's SO_TIMEOUT: not a total deadline. */
  readonly readTimeoutMs: number;
}

export type ParsedHttpRequest = { readonly ok: true; readonly request: HttpRequestSpec } | { readonly ok: false; readonly reason: string };

const refuse = (reason: string): ParsedHttpRequest => ({ ok: false, reason });

export function parseHttpRequest(input: Record<string, unknown>): ParsedHttpRequest {
  // Conductor falls back to the whole input only when `http_request` is null or absent.
  const source = input.http_request ?? input;
  if (!isObject(source)) {
    // Conductor throws while binding a non-object, which leaves its task SCHEDULED for good; failing says why.
    return refuse(`Invalid http_request: expected an object with uri and method, got ${typeName(source)}`);
  }

  if (source.uri === undefined || source.uri === null) return refuse(MISSING_URI);
  if (source.method === undefined || source.method === null) return refuse(MISSING_METHOD);

  const method = source.method;
  if (typeof method !== 'string' || !(HTTP_METHODS as readonly string[]).includes(method)) {
    return refuse(`Invalid HTTP method: ${describe(method)} (expected one of ${HTTP_METHODS.join(', ')})`);
  }
  const url = parseUrl(source.uri);
  if (typeof url === 'string') return refuse(url);

  const accept = mediaTypes(source.accept);
  if (accept === undefined) return refuse(`Invalid accept: expected a media type or a list of them, got ${describe(source.accept)}`);
  const contentType = source.contentType ?? DEFAULT_MEDIA_TYPE;
  if (typeof contentType !== 'string' || contentType.trim() === '') return refuse(`Invalid contentType: expected a media type, got ${describe(source.contentType)}`);

  const headers = headerLines(accept, contentType, source.headers);
  if (typeof headers === 'string') return refuse(headers);

  const body = encodeBody(source.body, contentType);
  if (typeof body === 'string') return refuse(body);

  const connectTimeoutMs = timeoutMs(source.connectionTimeOut, 'connectionTimeOut');
  if (typeof connectTimeoutMs === 'string') return refuse(connectTimeoutMs);
  const readTimeoutMs = timeoutMs(source.readTimeOut, 'readTimeOut');
  if (typeof readTimeoutMs === 'string') return refuse(readTimeoutMs);

  return { ok: true, request: { url, method: method as HttpMethod, headers, body: body ?? undefined, connectTimeoutMs, readTimeoutMs } };
}

/** The parsed URL, or why it cannot be called. */
export function parseUrl(uri: unknown, base?: URL): URL | string {
  if (typeof uri !== 'string') return `Invalid HTTP URI: expected a string, got ${describe(uri)}`;
  let url: URL;
  try {
    url = new URL(uri, base);
  } catch {
    return `Invalid HTTP URI "${uri}": not an absolute URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `Unsupported URI scheme "${url.protocol.slice(0, -1)}" in "${uri}": only http and https can be called`;
  }
  return url;
}

/** `accept` is a string or, since Conductor 3.32, a list; an empty or missing one means JSON. */
function mediaTypes(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return [DEFAULT_MEDIA_TYPE];
  if (typeof value === 'string') return value === '' ? [DEFAULT_MEDIA_TYPE] : [value];
  if (!Array.isArray(value)) return undefined;
  const types = value.filter((v) => v !== null && v !== undefined).map(javaText);
  return types.length === 0 ? [DEFAULT_MEDIA_TYPE] : types;
}

function headerLines(accept: string[], contentType: string, headers: unknown): Array<[string, string]> | string {
  if (headers !== undefined && headers !== null && !isObject(headers)) return `Invalid headers: expected an object, got ${typeName(headers)}`;
  // Spring writes a list of media types as one Accept line.
  const lines: Array<[string, string]> = [
    ['Accept', accept.join(', ')],
    ['Content-Type', contentType],
  ];
  for (const [name, value] of Object.entries(headers ?? {})) {
    // Conductor skips null values and sends the rest as Java's toString would print them.
    if (value === null || value === undefined) continue;
    lines.push([name, javaText(value)]);
  }
  for (const [name, value] of lines) {
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch (err) {
      return `Invalid header "${name}": ${(err as Error).message}`;
    }
  }
  return lines;
}

/**
 * Spring picks the converter by the body's type: a string goes out as it is whatever the content type
 * (so `body: "abc"` with JSON is `abc`, not `"abc"`); anything else needs a JSON content type, and with
 * another one Conductor fails with "No HttpMessageConverter for java.util.LinkedHashMap and content type
 * text/plain" — refused here before calling, the same outcome (with application/xml Conductor would write
 * Jackson XML; refused here too). Strings are always sent as UTF-8, where Conductor sends a non-JSON
 * one as Latin-1.
 */
function encodeBody(body: unknown, contentType: string): Buffer | null | string {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (!isJsonMediaType(contentType)) {
    return `Cannot send a ${typeName(body)} body as "${contentType}": only a string body can be sent with a content type other than JSON`;
  }
  return Buffer.from(JSON.stringify(body), 'utf8');
}

/** What Jackson's converter writes: application/json and application/*+json. */
export function isJsonMediaType(mediaType: string): boolean {
  const essence = mediaType.split(';', 1)[0].trim().toLowerCase();
  return essence === 'application/json' || (essence.startsWith('application/') && essence.endsWith('+json'));
}

/**
 * Missing means Conductor's 3000 ms; Jackson also takes a numeric string and drops a fraction. Zero is
 * the default too, not Java's "wait forever": the decider leases the task for about connect + read
 * timeout (httpHandler, which reads 0 as the default as well), and a call outliving its lease is handed
 * out again and runs twice.
 */
function timeoutMs(value: unknown, field: string): number | string {
  if (value === undefined || value === null) return DEFAULT_TIMEOUT_MS;
  const ms = typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_TIMER_MS) {
    return `Invalid ${field}: expected milliseconds from 0 to ${MAX_TIMER_MS}, got ${describe(value)}`;
  }
  return Math.trunc(ms) === 0 ? DEFAULT_TIMEOUT_MS : Math.trunc(ms);
}

/** A JSON value as Java's toString prints it once Jackson made it a List or Map: `[1, 2]`, `{a=1}`. */
function javaText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(javaText).join(', ')}]`;
  if (isObject(value)) return `{${Object.entries(value).map(([k, v]) => `${k}=${javaText(v)}`).join(', ')}}`;
  return String(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  return typeof value === 'object' ? 'object' : typeof value;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? value : `${JSON.stringify(value)} (${typeName(value)})`;
}

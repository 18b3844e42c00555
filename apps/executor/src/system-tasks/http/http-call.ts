import * as http from 'node:http';
import * as https from 'node:https';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { parseHttpRequest, parseUrl, type HttpRequestSpec } from './http-request';

/**
 * The call behind Conductor's HTTP system task, made the way Conductor 3.32.1's HttpTask makes it
 * (Spring's RestTemplate on Apache HttpClient 5), checked against that server: statuses, output shape,
 * redirects, header and body encoding, and the wording of the reasons.
 *
 * Built on `node:http`/`node:https` rather than the global `fetch`: fetch has no connect timeout of its
 * own (only a total one through AbortSignal), merges repeated response headers into one comma-joined
 * string and lower-cases their names, while Conductor reports each header as a list of its values under
 * the name as the server wrote it; `rawHeaders` gives exactly that.
 *
 * The deliberate differences from Conductor:
 * - a non-2xx response keeps `response` (with its body) in the output; Conductor replaces it with the
 *   exception text. The reason keeps Conductor's wording, minus the Java class name;
 * - a failure without a response (refused, timed out, too large) leaves the output empty; Conductor
 *   copies the reason into `output.response` as a string;
 * - the response body is capped (`maxResponseBytes`) and the body quoted in a reason is shortened;
 * - a 2xx status Spring has no constant for (299) completes; Conductor fails it ("No matching constant");
 * - a response body is decoded by its charset, UTF-8 when it names none (Conductor reads a body without
 *   a charset as Latin-1, so "héllo" comes back as "hÃ©llo"); a string request body is always sent as
 *   UTF-8 (Conductor sends one with a non-JSON content type as Latin-1);
 * - an object body with an XML content type is refused (Conductor writes it as Jackson XML);
 * - the connect timeout also bounds the DNS lookup, and a timeout of 0 is the default, not "forever";
 * - an `http_request` that is not an object fails the task (Conductor leaves it SCHEDULED for good).
 * `asyncComplete` is not read here: the executor's decider parks a COMPLETED outcome IN_PROGRESS when the task asks for it.
 */

export interface HttpTaskOutcome {
  /**
   * Never FAILED_WITH_TERMINAL_ERROR here: Conductor fails even a malformed request with FAILED, so the
   * task definition's retries apply to every failure alike.
   */
  readonly status: 'COMPLETED' | 'FAILED' | 'FAILED_WITH_TERMINAL_ERROR';
  /** `{ response: { body, headers, statusCode, reasonPhrase } }` when a response arrived, else empty. */
  readonly outputData: Record<string, unknown>;
  readonly reasonForIncompletion?: string;
}

export interface HttpCallOptions {
  /** Aborting it stops the call; the promise then rejects with the signal's reason (no outcome to report). */
  readonly signal?: AbortSignal;
  /** Largest response body kept, after decompression; past it the task fails. */
  readonly maxResponseBytes?: number;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/** Apache HttpClient's default limit. */
const MAX_REDIRECTS = 50;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** HttpClient 5.5 does not follow a redirect to another host when the request carries these. */
const SENSITIVE_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);
/** Enough of an error body to see what the server said, without copying megabytes into the task row. */
const MAX_REASON_BODY_CHARS = 2000;
/** Conductor's prefix for everything that went wrong during the call. */
const CALL_FAILED = 'Failed to invoke HTTP task due to: ';

/**
 * Pooled connections of their own, as Conductor pools them per RestTemplate: HTTP tasks neither
 * starve nor borrow the process's global agent. Idle sockets are unref'd by Node, so they keep no
 * process alive.
 */
const AGENTS = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) } as const;

/** HttpClient asks for these and decodes them; br is decoded too, for a server that sends it when asked. */
const ACCEPT_ENCODING = 'gzip, x-gzip, deflate';
type Decoder = (body: Buffer, options: zlib.ZlibOptions | zlib.BrotliOptions) => Promise<Buffer>;
const gunzip: Decoder = promisify(zlib.gunzip);
const inflate: Decoder = promisify(zlib.inflate);
const inflateRaw: Decoder = promisify(zlib.inflateRaw);
const brotli: Decoder = promisify(zlib.brotliDecompress);
const DECODERS = new Map<string, Decoder>([
  ['gzip', gunzip],
  ['x-gzip', gunzip],
  // "deflate" is meant to be zlib-wrapped, but some servers send it raw; HttpClient reads both.
  [
    'deflate',
    (body, options) =>
      inflate(body, options).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ERR_BUFFER_TOO_LARGE') throw err;
        return inflateRaw(body, options);
      }),
  ],
  ['br', brotli],
]);

/** Why a call produced no usable response; its message becomes the task's reason. */
class CallFailure extends Error {}

export async function performHttpTask(input: Record<string, unknown>, options: HttpCallOptions = {}): Promise<HttpTaskOutcome> {
  const { signal, maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES } = options;
  signal?.throwIfAborted();
  const parsed = parseHttpRequest(input);
  if (!parsed.ok) return failed(parsed.reason);

  const original = parsed.request;
  let request = original;
  const visited = new Set([original.url.href]);
  try {
    for (let redirects = 0; ; redirects++) {
      const response = await exchange(request, maxResponseBytes, signal);
      const next = redirectOf(request, response);
      if (next === undefined) return outcomeOf(original, response);
      if (redirects === MAX_REDIRECTS) throw ioFailure(original, `Maximum redirects (${MAX_REDIRECTS}) exceeded`);
      if (visited.has(next.url.href)) throw ioFailure(original, `Circular redirect to '${next.url.href}'`);
      visited.add(next.url.href);
      request = next;
    }
  } catch (err) {
    // Anything else is the signal's reason: the engine is stopping, and there is no outcome to report.
    if (err instanceof CallFailure) return failed(err.message);
    throw err;
  }
}

function failed(reason: string): HttpTaskOutcome {
  return { status: 'FAILED', outputData: {}, reasonForIncompletion: reason };
}

/** Spring's ResourceAccessException wording: `I/O error on GET request for "uri": detail`. */
function ioFailure(request: HttpRequestSpec, detail: string): CallFailure {
  return new CallFailure(`${CALL_FAILED}I/O error on ${request.method} request for "${request.url.href}": ${detail}`);
}

interface Response {
  readonly statusCode: number;
  /** The phrase on the status line, as the server wrote it. */
  readonly statusMessage: string;
  readonly headers: Record<string, string[]>;
  readonly body: Buffer;
}

/**
 * 2xx completes; anything else fails (so the task definition's retries apply) with Spring's
 * HttpStatusCodeException wording, which names the status and quotes the body. The original URI is the
 * one named, as RestTemplate names it.
 */
function outcomeOf(request: HttpRequestSpec, response: Response): HttpTaskOutcome {
  const contentType = response.headers[headerKey(response.headers, 'content-type') ?? '']?.[0];
  const outputData = {
    response: {
      body: bodyValue(response.body, contentType),
      headers: response.headers,
      statusCode: response.statusCode,
      reasonPhrase: http.STATUS_CODES[response.statusCode] ?? response.statusMessage,
    },
  };
  if (response.statusCode >= 200 && response.statusCode < 300) return { status: 'COMPLETED', outputData };
  const statusText = response.statusMessage || http.STATUS_CODES[response.statusCode] || '';
  const reason = `${CALL_FAILED}${response.statusCode} ${statusText} on ${request.method} request for "${request.url.href}": ${quotedBody(response.body, contentType)}`;
  return { status: 'FAILED', outputData, reasonForIncompletion: reason };
}

/**
 * Jackson's readTree as HttpTask uses it: objects, arrays and numbers stay JSON, a JSON string becomes
 * its text, and true/false/null become the strings "true"/"false"/"null" (asText). What does not parse
 * is kept as text; an empty body is null. The content type is not consulted: `7` as text/plain is 7.
 */
function bodyValue(body: Buffer, contentType: string | undefined): unknown {
  if (body.length === 0) return null;
  const text = decodeText(body, contentType);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  return value === null || typeof value === 'boolean' ? String(value) : value;
}

/** As Spring's LogFormatUtils quotes a body in an error message. */
function quotedBody(body: Buffer, contentType: string | undefined): string {
  if (body.length === 0) return '[no body]';
  let text = decodeText(body, contentType);
  if (text.length > MAX_REASON_BODY_CHARS) text = `${text.slice(0, MAX_REASON_BODY_CHARS)}… (${text.length - MAX_REASON_BODY_CHARS} more characters)`;
  return `"${text.replace(/\n/g, '<LF>').replace(/\r/g, '<CR>').replace(/\t/g, '<TAB>')}"`;
}

function decodeText(body: Buffer, contentType: string | undefined): string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}

/**
 * The request HttpClient's redirect handling would send next, or undefined when `response` is final:
 * not a redirect, no Location, or a hop to another host that would carry credentials along. A 303 turns
 * into a GET (a HEAD stays a HEAD), as does a POST answered with 301 or 302; 307 and 308 repeat the
 * request, body included.
 */
function redirectOf(request: HttpRequestSpec, response: Response): HttpRequestSpec | undefined {
  if (!REDIRECT_STATUSES.has(response.statusCode)) return undefined;
  const location = response.headers[headerKey(response.headers, 'location') ?? '']?.[0];
  if (location === undefined) return undefined;
  const url = parseUrl(location, request.url);
  if (typeof url === 'string') throw ioFailure(request, `Invalid redirect to '${location}': ${url}`);
  if (url.origin !== request.url.origin && request.headers.some(([name]) => SENSITIVE_HEADERS.has(name.toLowerCase()))) return undefined;
  const toGet = (response.statusCode === 303 && request.method !== 'GET' && request.method !== 'HEAD') || (response.statusCode <= 302 && request.method === 'POST');
  return toGet ? { ...request, url, method: 'GET', body: undefined } : { ...request, url };
}

/**
 * One request and its whole response. Rejects with a CallFailure, or with the signal's reason. The
 * timeouts follow HttpClient's: the connect timeout runs until the socket is connected (a pooled socket
 * needs none), then the read timeout bounds every silence on the connection, not the whole exchange, so
 * a slow but steady body is not cut off.
 */
function exchange(request: HttpRequestSpec, maxResponseBytes: number, signal: AbortSignal | undefined): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    // Between two hops of a redirect the signal may already have fired, and would not fire again.
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const cleanups: Array<() => void> = [];
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      for (const cleanup of cleanups) cleanup();
      finish();
    };
    const fail = (reason: unknown) => {
      settle(() => reject(reason));
      outgoing?.destroy();
    };
    const tooLarge = () =>
      new CallFailure(`${CALL_FAILED}the response to ${request.method} request for "${request.url.href}" is larger than the ${maxResponseBytes}-byte limit`);

    let outgoing: http.ClientRequest | undefined;
    try {
      outgoing = (request.url.protocol === 'https:' ? https : http).request(request.url, {
        method: request.method,
        headers: nodeHeaders(request),
        agent: AGENTS[request.url.protocol as keyof typeof AGENTS],
      });
    } catch (err) {
      fail(ioFailure(request, (err as Error).message));
      return;
    }

    if (signal) {
      const onAbort = () => fail(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => signal.removeEventListener('abort', onAbort));
    }
    outgoing.on('error', (err) => fail(ioFailure(request, networkDetail(request.url, err))));
    outgoing.once('socket', (socket) => {
      if (!socket.connecting) return;
      const timer = setTimeout(() => {
        fail(ioFailure(request, `Connect to ${request.url.origin} failed: Connect timed out after ${request.connectTimeoutMs} ms (connectionTimeOut)`));
      }, request.connectTimeoutMs);
      socket.once('connect', () => clearTimeout(timer));
      cleanups.push(() => clearTimeout(timer));
    });
    outgoing.setTimeout(request.readTimeoutMs, () => {
      fail(ioFailure(request, `Read timed out after ${request.readTimeoutMs} ms (readTimeOut)`));
    });

    outgoing.on('response', (incoming) => {
      incoming.on('error', (err) => fail(ioFailure(request, networkDetail(request.url, err))));
      incoming.on('close', () => {
        if (!incoming.complete) fail(ioFailure(request, 'Premature end of the response body (the connection closed)'));
      });
      const headers = headerMap(incoming.rawHeaders);
      const encoding = headers[headerKey(headers, 'content-encoding') ?? '']?.[0]?.trim().toLowerCase();
      const decoder = encoding === undefined ? undefined : DECODERS.get(encoding);
      // Refuse a declared oversize body before reading any of it.
      if (decoder === undefined && Number(incoming.headers['content-length']) > maxResponseBytes) {
        fail(tooLarge());
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      incoming.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxResponseBytes) fail(tooLarge());
        else chunks.push(chunk);
      });
      incoming.on('end', () => {
        if (settled) return;
        const raw = Buffer.concat(chunks);
        const finish = (body: Buffer) =>
          settle(() => resolve({ statusCode: incoming.statusCode ?? 0, statusMessage: incoming.statusMessage ?? '', headers, body }));
        if (decoder === undefined || raw.length === 0) return finish(raw);
        // As HttpClient does, the decoded response no longer claims an encoding or the wire length.
        for (const name of ['content-encoding', 'content-length', 'content-md5']) {
          const key = headerKey(headers, name);
          if (key !== undefined) delete headers[key];
        }
        decoder(raw, { maxOutputLength: maxResponseBytes }).then(finish, (err: NodeJS.ErrnoException) => {
          fail(err.code === 'ERR_BUFFER_TOO_LARGE' ? tooLarge() : ioFailure(request, `Cannot decode the ${encoding} response body: ${err.message}`));
        });
      });
    });

    outgoing.end(request.body);
  });
}

/**
 * The request's header lines as Node takes them: one key per name, a list where Conductor sends the name
 * twice. HttpClient adds Accept-Encoding and its User-Agent unless the task set them.
 */
function nodeHeaders(request: HttpRequestSpec): http.OutgoingHttpHeaders {
  const byName = new Map<string, { name: string; values: string[] }>();
  const add = (name: string, value: string) => {
    const entry = byName.get(name.toLowerCase());
    if (entry) entry.values.push(value);
    else byName.set(name.toLowerCase(), { name, values: [value] });
  };
  for (const [name, value] of request.headers) add(name, value);
  if (!byName.has('accept-encoding')) add('Accept-Encoding', ACCEPT_ENCODING);
  if (!byName.has('user-agent')) add('User-Agent', 'Baton-HttpTask');
  if (request.body !== undefined && !byName.has('content-length') && !byName.has('transfer-encoding')) add('Content-Length', String(request.body.length));
  return Object.fromEntries([...byName.values()].map(({ name, values }) => [name, values.length === 1 ? values[0] : values]));
}

/**
 * Response headers as Spring's HttpHeaders serialise them: each name once, as the server first wrote
 * it, with the list of its values in order (two Set-Cookie lines are two values).
 */
function headerMap(rawHeaders: string[]): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  const keys = new Map<string, string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    const key = keys.get(name.toLowerCase()) ?? name;
    keys.set(name.toLowerCase(), key);
    (headers[key] ??= []).push(rawHeaders[i + 1]);
  }
  return headers;
}

function headerKey(headers: Record<string, string[]>, lowerCaseName: string): string | undefined {
  return Object.keys(headers).find((key) => key.toLowerCase() === lowerCaseName);
}

/** Java's wording for the common network errors, which is also the clearest; the code for the rest. */
function networkDetail(url: URL, err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return `Connect to ${url.origin} failed: Connection refused`;
    case 'ENOTFOUND':
      return `${url.hostname}: Name or service not known`;
    case 'EAI_AGAIN':
      return `${url.hostname}: Temporary failure in name resolution`;
    case 'ECONNRESET':
      return 'Connection reset';
    default:
      return err.code ? `${err.code}: ${err.message}` : err.message;
  }
}

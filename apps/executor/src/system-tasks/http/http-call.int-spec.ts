import { spawn } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { performHttpTask, type HttpTaskOutcome } from './http-call';
import { MISSING_METHOD, MISSING_URI } from './http-request';

/**
 * Against real sockets: a local server (two ports, for cross-origin redirects) whose routes mimic what
 * Conductor 3.32.1 was observed calling, and which records every request it receives.
 */

interface Received {
  readonly method: string;
  readonly path: string;
  readonly port: number;
  readonly rawHeaders: string[];
  readonly body: string;
}

const received: Received[] = [];
/** Emits each request's path once its body is in, so a test can wait for the server to be reached. */
const arrivals = new EventEmitter();
let base: string;
let otherBase: string;
const servers: http.Server[] = [];

const BIG_BODY = 'x'.repeat(64 * 1024);
const BOMB = gzipSync('x'.repeat(1024 * 1024));

function route(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
  const json = (status: number, value: unknown, headers: http.OutgoingHttpHeaders = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(value));
  };
  switch (url.pathname) {
    case '/json':
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('X-Multi', ['a', 'b']);
      return void res.end('{"a":1,"list":[1,2]}');
    case '/created':
      return json(201, { id: 7 });
    case '/body': {
      // The body and content type the test asks for (in the charset the type names), to see how it is read back.
      const contentType = url.searchParams.get('ct') ?? 'application/json';
      res.setHeader('Content-Type', contentType);
      return void res.end(Buffer.from(url.searchParams.get('b') ?? '', /iso-8859-1/i.test(contentType) ? 'latin1' : 'utf8'));
    }
    case '/gzip':
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
      return void res.end(gzipSync('{"z":true}'));
    case '/missing':
      return json(404, { error: 'nope' });
    case '/boom':
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      return void res.end('boom');
    case '/redirect':
      // To `to`, or back to itself.
      res.writeHead(Number(url.searchParams.get('status')), { Location: url.searchParams.get('to') ?? req.url });
      return void res.end();
    case '/hang':
      return; // never answers
    case '/stall':
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      return void res.write('the first half'); // and never the rest
    case '/big':
      return void res.end(BIG_BODY);
    case '/big-chunked':
      for (let i = 0; i < 64; i++) res.write(BIG_BODY.slice(0, 1024));
      return void res.end();
    case '/bomb':
      res.writeHead(200, { 'Content-Encoding': 'gzip' });
      return void res.end(BOMB);
    default:
      return json(404, { error: `no route ${url.pathname}` });
  }
}

async function startServer(): Promise<string> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://server');
      received.push({ method: req.method ?? '', path: url.pathname, port: req.socket.localPort ?? 0, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks).toString() });
      arrivals.emit(url.pathname);
      route(req, res, url);
    });
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  [base, otherBase] = await Promise.all([startServer(), startServer()]);
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

beforeEach(() => {
  received.length = 0;
});

const call = (request: Record<string, unknown>, options?: Parameters<typeof performHttpTask>[1]) => performHttpTask({ http_request: request }, options);

const responseOf = (outcome: HttpTaskOutcome) => outcome.outputData.response as { body: unknown; headers: Record<string, string[]>; statusCode: number; reasonPhrase: string };

/** Every value the server received for a header, in order (repeated lines stay separate). */
const valuesOf = (request: Received, name: string): string[] => {
  const values: string[] = [];
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    if (request.rawHeaders[i].toLowerCase() === name) values.push(request.rawHeaders[i + 1]);
  }
  return values;
};

describe('performHttpTask', () => {
  describe('a 2xx answer completes the task with the response in the output', () => {
    it('GET: a JSON body is parsed; headers are lists of values under the name the server wrote', async () => {
      const outcome = await call({ uri: `${base}/json`, method: 'GET' });

      expect(outcome.status).toBe('COMPLETED');
      expect(outcome.reasonForIncompletion).toBeUndefined();
      const response = responseOf(outcome);
      expect(response).toMatchObject({ body: { a: 1, list: [1, 2] }, statusCode: 200, reasonPhrase: 'OK' });
      expect(response.headers).toMatchObject({ 'Content-Type': ['application/json'], 'X-Multi': ['a', 'b'], 'Content-Length': ['20'] });

      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ method: 'GET', path: '/json', body: '' });
      expect(valuesOf(received[0], 'accept')).toEqual(['application/json']);
      // Conductor sends its content type even without a body.
      expect(valuesOf(received[0], 'content-type')).toEqual(['application/json']);
    });

    it("POST: the body goes out as JSON, and headers as Conductor prints them (null dropped, lists as Java's [a, b])", async () => {
      const outcome = await call({
        uri: `${base}/created`,
        method: 'POST',
        headers: { 'X-Token': 't', 'X-Num': 5, 'X-List': [1, 2], 'X-Null': null },
        body: { k: [1, 'two'], nested: { ok: true } },
      });

      expect(outcome.status).toBe('COMPLETED');
      expect(responseOf(outcome)).toMatchObject({ body: { id: 7 }, statusCode: 201, reasonPhrase: 'Created' });
      const [request] = received;
      expect(request.method).toBe('POST');
      expect(JSON.parse(request.body)).toEqual({ k: [1, 'two'], nested: { ok: true } });
      expect(valuesOf(request, 'content-type')).toEqual(['application/json']);
      expect(valuesOf(request, 'x-token')).toEqual(['t']);
      expect(valuesOf(request, 'x-num')).toEqual(['5']);
      expect(valuesOf(request, 'x-list')).toEqual(['[1, 2]']);
      expect(valuesOf(request, 'x-null')).toEqual([]);
    });

    it.each([['text/plain'], ['application/json']])('a string body goes out as it is with content type %s', async (contentType) => {
      await call({ uri: `${base}/created`, method: 'PUT', contentType, body: 'a "raw" text' });

      expect(received[0].body).toBe('a "raw" text');
      expect(valuesOf(received[0], 'content-type')).toEqual([contentType]);
    });

    it('accept may be a list, sent as one line; an Accept in headers is added after it, not instead', async () => {
      await call({ uri: `${base}/json`, method: 'GET', accept: ['text/plain', 'application/xml'], headers: { Accept: 'x/y' } });

      expect(valuesOf(received[0], 'accept')).toEqual(['text/plain, application/xml', 'x/y']);
    });

    it.each([
      ['text', 'text/plain', 'hello world', 'hello world'],
      ['a JSON number (even as text/plain)', 'text/plain', '42', 42],
      ['a JSON array', 'application/json', '[1,"a",{"b":null}]', [1, 'a', { b: null }]],
      ['a JSON string, as its text', 'application/json', '"quoted"', 'quoted'],
      ['a JSON boolean, as text (Jackson asText)', 'application/json', 'true', 'true'],
      ['JSON null, as text', 'application/json', 'null', 'null'],
      ['JSON that does not parse, as text', 'application/json', '{"a":', '{"a":'],
      ['an empty body, as null', 'application/json', '', null],
      ['UTF-8 text', 'text/plain', 'héllo ✓', 'héllo ✓'],
      ['Latin-1 text, by the charset its type names', 'text/plain; charset=ISO-8859-1', 'héllo', 'héllo'],
    ])('reads %s', async (_name, ct, body, expected) => {
      const outcome = await call({ uri: `${base}/body?${new URLSearchParams({ ct, b: body })}`, method: 'GET' });

      expect(outcome.status).toBe('COMPLETED');
      expect(responseOf(outcome).body).toEqual(expected);
    });

    it('decodes a gzip body and drops the headers that described the wire form', async () => {
      const outcome = await call({ uri: `${base}/gzip`, method: 'GET' });

      expect(responseOf(outcome).body).toEqual({ z: true });
      expect(Object.keys(responseOf(outcome).headers).map((h) => h.toLowerCase())).not.toContain('content-encoding');
      expect(valuesOf(received[0], 'accept-encoding')).toEqual(['gzip, x-gzip, deflate']);
    });

    it('HEAD: the headers without a body', async () => {
      const outcome = await call({ uri: `${base}/json`, method: 'HEAD' });

      expect(outcome.status).toBe('COMPLETED');
      expect(responseOf(outcome)).toMatchObject({ body: null, statusCode: 200 });
      expect(responseOf(outcome).headers['X-Multi']).toEqual(['a', 'b']);
      expect(received[0].method).toBe('HEAD');
    });
  });

  describe('any other status fails the task (so it is retried), keeping the response', () => {
    it('404 with a JSON body', async () => {
      const outcome = await call({ uri: `${base}/missing`, method: 'GET' });

      expect(outcome.status).toBe('FAILED');
      expect(outcome.reasonForIncompletion).toBe(`Failed to invoke HTTP task due to: 404 Not Found on GET request for "${base}/missing": "{"error":"nope"}"`);
      expect(responseOf(outcome)).toMatchObject({ body: { error: 'nope' }, statusCode: 404, reasonPhrase: 'Not Found' });
    });

    it('500 with a text body', async () => {
      const outcome = await call({ uri: `${base}/boom`, method: 'DELETE' });

      expect(outcome.status).toBe('FAILED');
      expect(outcome.reasonForIncompletion).toBe(`Failed to invoke HTTP task due to: 500 Internal Server Error on DELETE request for "${base}/boom": "boom"`);
      expect(responseOf(outcome)).toMatchObject({ body: 'boom', statusCode: 500, reasonPhrase: 'Internal Server Error' });
    });
  });

  describe('redirects, as HttpClient follows them', () => {
    const redirect = (status: number, to = '/created') => `${base}/redirect?${new URLSearchParams({ status: String(status), to })}`;

    it.each([
      [302, 'POST', 'GET', ''],
      [303, 'PUT', 'GET', ''],
      [307, 'POST', 'POST', '{"a":1}'],
      [308, 'PATCH', 'PATCH', '{"a":1}'],
      [301, 'DELETE', 'DELETE', '{"a":1}'],
    ])('%s after %s is followed with %s', async (status, method, followedWith, body) => {
      const outcome = await call({ uri: redirect(status), method, body: { a: 1 } });

      expect(outcome.status).toBe('COMPLETED');
      expect(received.map((r) => r.path)).toEqual(['/redirect', '/created']);
      expect(received[1]).toMatchObject({ method: followedWith, body });
    });

    it('a redirect loop fails', async () => {
      const start = `${base}/redirect?status=307&to=${encodeURIComponent('/redirect?status=302')}`;
      const outcome = await call({ uri: start, method: 'GET' });

      expect(outcome.status).toBe('FAILED');
      expect(outcome.reasonForIncompletion).toBe(`Failed to invoke HTTP task due to: I/O error on GET request for "${start}": Circular redirect to '${base}/redirect?status=302'`);
      expect(received).toHaveLength(2);
    });

    it('goes to another origin, but not with credentials: then the 3xx is the answer', async () => {
      const away = redirect(302, `${otherBase}/json`);

      const plain = await call({ uri: away, method: 'GET' });
      expect(plain.status).toBe('COMPLETED');
      expect(received[1].port).toBe(Number(new URL(otherBase).port));

      const withToken = await call({ uri: away, method: 'GET', headers: { Authorization: 'Bearer secret' } });
      expect(withToken.status).toBe('FAILED');
      expect(responseOf(withToken)).toMatchObject({ statusCode: 302, reasonPhrase: 'Found', headers: { Location: [`${otherBase}/json`] } });
      expect(received).toHaveLength(3);
    });
  });

  describe('no answer fails the task and says why', () => {
    it('connection refused', async () => {
      const closed = net.createServer().listen(0, '127.0.0.1');
      await once(closed, 'listening');
      const { port } = closed.address() as AddressInfo;
      closed.close();
      await once(closed, 'close');

      const outcome = await call({ uri: `http://127.0.0.1:${port}/x`, method: 'GET' });

      expect(outcome).toEqual({
        status: 'FAILED',
        outputData: {},
        reasonForIncompletion: `Failed to invoke HTTP task due to: I/O error on GET request for "http://127.0.0.1:${port}/x": Connect to http://127.0.0.1:${port} failed: Connection refused`,
      });
    });

    it('connect timeout', async () => {
      const target = await unconnectablePort();
      try {
        const started = Date.now();
        const outcome = await call({ uri: `http://127.0.0.1:${target.port}/x`, method: 'GET', connectionTimeOut: 150, readTimeOut: 2000 });

        expect(outcome.status).toBe('FAILED');
        expect(outcome.reasonForIncompletion).toBe(
          `Failed to invoke HTTP task due to: I/O error on GET request for "http://127.0.0.1:${target.port}/x": Connect to http://127.0.0.1:${target.port} failed: Connect timed out after 150 ms (connectionTimeOut)`,
        );
        expect(Date.now() - started).toBeLessThan(1000);
      } finally {
        target.close();
      }
    });

    it.each([
      ['before the response starts', '/hang'],
      ['while the body is coming', '/stall'],
    ])('read timeout %s', async (_when, path) => {
      const started = Date.now();
      const outcome = await call({ uri: `${base}${path}`, method: 'GET', readTimeOut: 100 });

      expect(outcome).toEqual({
        status: 'FAILED',
        outputData: {},
        reasonForIncompletion: `Failed to invoke HTTP task due to: I/O error on GET request for "${base}${path}": Read timed out after 100 ms (readTimeOut)`,
      });
      expect(Date.now() - started).toBeLessThan(1000);
    });

    it.each([
      ['declared by its Content-Length', '/big'],
      ['streamed without a length', '/big-chunked'],
      ['only once decompressed', '/bomb'],
    ])('a body over maxResponseBytes, %s', async (_how, path) => {
      expect(BOMB.length).toBeLessThan(4096); // so the bomb passes the cap compressed and only trips it decoded
      const outcome = await call({ uri: `${base}${path}`, method: 'GET' }, { maxResponseBytes: 4096 });

      expect(outcome).toEqual({
        status: 'FAILED',
        outputData: {},
        reasonForIncompletion: `Failed to invoke HTTP task due to: the response to GET request for "${base}${path}" is larger than the 4096-byte limit`,
      });
    });
  });

  describe('a request that cannot be made fails without a call', () => {
    it.each<[string, Record<string, unknown>, string]>([
      ['no uri', { http_request: { method: 'GET' } }, MISSING_URI],
      ['no method', { http_request: { uri: 'http://127.0.0.1:1/' } }, MISSING_METHOD],
      ['a lower-case method', { http_request: { uri: 'http://127.0.0.1:1/', method: 'get' } }, 'Invalid HTTP method: get (expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE)'],
      ['an unknown method', { http_request: { uri: 'http://127.0.0.1:1/', method: 'FETCH' } }, 'Invalid HTTP method: FETCH'],
      ['a relative uri', { http_request: { uri: '/only/a/path', method: 'GET' } }, 'Invalid HTTP URI "/only/a/path": not an absolute URL'],
      ['an ftp uri', { http_request: { uri: 'ftp://127.0.0.1/x', method: 'GET' } }, 'Unsupported URI scheme "ftp" in "ftp://127.0.0.1/x": only http and https can be called'],
      ['an object body with a text content type', { http_request: { uri: 'http://127.0.0.1:1/', method: 'POST', contentType: 'text/plain', body: { a: 1 } } }, 'Cannot send a object body as "text/plain"'],
      ['a negative timeout', { http_request: { uri: 'http://127.0.0.1:1/', method: 'GET', readTimeOut: -1 } }, 'Invalid readTimeOut'],
      ['a header value with a line break', { http_request: { uri: 'http://127.0.0.1:1/', method: 'GET', headers: { 'X-A': 'a\r\nX-B: b' } } }, 'Invalid header "X-A"'],
      ['an http_request that is not an object', { http_request: 'GET /' }, 'Invalid http_request: expected an object with uri and method, got string'],
    ])('%s', async (_name, input, reason) => {
      const outcome = await performHttpTask(input);

      expect(outcome.status).toBe('FAILED');
      expect(outcome.outputData).toEqual({});
      expect(outcome.reasonForIncompletion).toContain(reason);
    });

    it('missing uri and method are both reported with Conductor’s exact words', async () => {
      expect((await performHttpTask({ http_request: { method: 'GET' } })).reasonForIncompletion).toBe('Missing HTTP URI.  See documentation for HttpTask for required input parameters');
      expect((await performHttpTask({ http_request: { uri: `${base}/json` } })).reasonForIncompletion).toBe('No HTTP method specified');
      expect(received).toHaveLength(0);
    });
  });

  describe('where the request is read from', () => {
    it('the keys directly in the input when there is no http_request', async () => {
      const outcome = await performHttpTask({ uri: `${base}/created`, method: 'PATCH', body: { x: 1 } });

      expect(outcome.status).toBe('COMPLETED');
      expect(received[0]).toMatchObject({ method: 'PATCH', path: '/created', body: '{"x":1}' });
    });

    it('http_request when both are there', async () => {
      await performHttpTask({ http_request: { uri: `${base}/json`, method: 'GET' }, uri: `${base}/created`, method: 'DELETE' });

      expect(received[0]).toMatchObject({ method: 'GET', path: '/json' });
    });
  });

  describe('the engine stopping', () => {
    it('aborting the signal stops a call in flight and rejects with its reason', async () => {
      const controller = new AbortController();
      const pending = call({ uri: `${base}/hang`, method: 'GET', readTimeOut: 5000 }, { signal: controller.signal });
      await once(arrivals, '/hang');
      controller.abort();

      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    });

    it('an aborted signal makes no call', async () => {
      await expect(call({ uri: `${base}/json`, method: 'GET' }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
      expect(received).toHaveLength(0);
    });
  });
});

/**
 * A local port that never completes a connection, which is what an unreachable host looks like, without
 * a network. A child process listens with a backlog of 1 and blocks its event loop (Atomics.wait, no
 * CPU), so it accepts nothing; once a few connections fill its accept queue, the kernel drops further
 * SYNs and a connect waits. Should the queue not be full, the call connects and then hits its read
 * timeout instead, which the test would report.
 */
async function unconnectablePort(): Promise<{ port: number; close: () => void }> {
  const script = `
    const server = require('node:net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      require('node:fs').writeSync(1, server.address().port + '\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10000);
      process.exit(0);
    });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  const port = Number(line.toString().trim());
  const fillers = Array.from({ length: 6 }, () => net.connect(port, '127.0.0.1').on('error', () => undefined));
  await once(fillers[0], 'connect');
  return {
    port,
    close: () => {
      for (const filler of fillers) filler.destroy();
      child.kill();
    },
  };
}

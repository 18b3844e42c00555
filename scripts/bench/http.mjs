// HTTP/1.1 clients for the load driver. Both keep connections alive and bound every request with a timeout.
//
//   raw  (default) a minimal HTTP/1.1 client on net.Socket: one request at a time per pooled connection, the
//        request written as one string, the response parsed straight from the socket's buffers (status line,
//        Content-Length or chunked body). No streams, no header objects, no per-request timer: the load driver
//        has to stay cheap next to an engine doing 1,000 tasks/s on the same two cores.
//   node node:http with a keep-alive Agent: the reference, to cross-check the raw client (--client node).
import http from 'node:http';
import net from 'node:net';

export class HttpError extends Error {
  constructor(method, path, status, text) {
    super(`${method} ${path}: ${status} ${String(text).slice(0, 300)}`);
    this.status = status;
    this.text = text;
  }
}

export function createClient(baseUrl, { timeoutMs = 30_000, kind = 'raw' } = {}) {
  const u = new URL(baseUrl);
  if (u.protocol !== 'http:') throw new Error(`only http:// URLs are supported (got ${baseUrl})`);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = u.port ? Number(u.port) : 80;
  const base = u.pathname.replace(/\/$/, '');
  const transport = kind === 'node' ? nodeTransport(host, port, base) : rawTransport(host, port, u.host, base);
  const request = (method, path, body, timeout = timeoutMs) => transport.request(method, path, body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body), timeout);

  /** The body of a 2xx answer (parsed when it looks like JSON), else throws HttpError. */
  async function call(method, path, body, timeout) {
    const res = await request(method, path, body, timeout);
    if (res.status >= 300) throw new HttpError(method, path, res.status, res.text);
    const c = res.text.charCodeAt(0);
    return c === 123 /* { */ || c === 91 /* [ */ ? JSON.parse(res.text) : res.text;
  }

  return { url: baseUrl, kind, request, call, close: () => transport.close(), connections: () => transport.connections() };
}

// ---- node:http ----------------------------------------------------------------------------------------------------
function nodeTransport(host, port, base) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024, scheduling: 'lifo' });
  const JSON_HEADERS = { 'content-type': 'application/json' };
  return {
    request: (method, path, payload, timeout) =>
      new Promise((resolve, reject) => {
        const req = http.request({ host, port, method, path: base + path, agent, headers: payload === undefined ? undefined : JSON_HEADERS, timeout }, (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
          res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeout} ms`)));
        req.on('error', reject);
        req.end(payload);
      }),
    close: () => agent.destroy(),
    connections: () => Object.values(agent.sockets).reduce((a, l) => a + l.length, 0) + Object.values(agent.freeSockets).reduce((a, l) => a + l.length, 0),
  };
}

// ---- raw HTTP/1.1 over net.Socket ---------------------------------------------------------------------------------
const CRLFCRLF = Buffer.from('\r\n\r\n');
const IDLE_MS = 4000; // Node servers close idle keep-alive sockets after 5 s: never reuse one that close to it
const MAX_CONNECTIONS = 1024;

function rawTransport(host, port, hostHeader, base) {
  const free = []; // idle connections, most recently used last
  const waiting = []; // requests queued while MAX_CONNECTIONS are busy
  const active = new Set();
  let open = 0;
  let closed = false;

  // one sweep a second fails requests past their deadline (instead of a timer per request)
  const sweeper = setInterval(() => {
    const now = performance.now();
    for (const c of active) if (c.req && c.req.deadline < now) c.fail(new Error(`${c.req.method} ${c.req.path}: no answer within ${c.req.timeout} ms`));
    while (free.length && now - free[0].idleSince > IDLE_MS) free.shift().destroy();
  }, 1000);
  sweeper.unref();

  class Conn {
    constructor() {
      open++;
      this.req = null;
      this.buf = null; // bytes received and not yet consumed
      this.idleSince = 0;
      this.dead = false;
      this.socket = net.connect({ host, port, noDelay: true });
      this.socket.on('data', (d) => this.onData(d));
      this.socket.on('error', (err) => this.fail(err));
      this.socket.on('close', () => this.fail(new Error('connection closed by the server')));
    }

    send(req) {
      this.req = req;
      this.buf = null;
      active.add(this);
      this.socket.write(req.head);
    }

    destroy() {
      if (this.dead) return;
      this.dead = true;
      open--;
      active.delete(this);
      this.socket.destroy();
    }

    fail(err) {
      const req = this.req;
      this.req = null;
      const wasDead = this.dead;
      this.destroy();
      if (req) req.reject(err);
      if (!wasDead) pump();
    }

    onData(d) {
      const req = this.req;
      if (!req) return this.fail(new Error('unexpected bytes from the server'));
      const b = this.buf === null ? d : Buffer.concat([this.buf, d]);
      const headEnd = b.indexOf(CRLFCRLF);
      if (headEnd < 0) return void (this.buf = b);
      // "HTTP/1.1 200 OK"
      const status = (b[9] - 48) * 100 + (b[10] - 48) * 10 + (b[11] - 48);
      const head = b.toString('latin1', 0, headEnd).toLowerCase();
      const bodyStart = headEnd + 4;
      let body;
      const cl = head.indexOf('\r\ncontent-length:');
      if (cl >= 0) {
        let e = head.indexOf('\r\n', cl + 17);
        if (e < 0) e = head.length;
        const len = parseInt(head.slice(cl + 17, e), 10);
        if (b.length < bodyStart + len) return void (this.buf = b);
        body = b.toString('utf8', bodyStart, bodyStart + len);
      } else if (head.includes('\r\ntransfer-encoding: chunked')) {
        body = dechunk(b, bodyStart);
        if (body === null) return void (this.buf = b);
      } else if (status === 204 || status === 304 || (status >= 100 && status < 200)) {
        body = '';
      } else {
        return this.fail(new Error(`${req.method} ${req.path}: a response without Content-Length is not supported`));
      }
      this.buf = null;
      this.req = null;
      active.delete(this);
      if (head.includes('\r\nconnection: close')) this.destroy();
      else {
        this.idleSince = performance.now();
        free.push(this);
      }
      req.resolve({ status, text: body });
      pump();
    }
  }

  function pump() {
    while (waiting.length && !closed) {
      const c = take();
      if (!c) return;
      c.send(waiting.shift());
    }
  }

  function take() {
    const now = performance.now();
    while (free.length) {
      const c = free.pop();
      if (!c.dead && now - c.idleSince < IDLE_MS) return c;
      c.destroy();
    }
    return open < MAX_CONNECTIONS ? new Conn() : null;
  }

  return {
    request: (method, path, payload, timeout) =>
      new Promise((resolve, reject) => {
        if (closed) return reject(new Error('client closed'));
        const p = base + path;
        const head =
          payload === undefined
            ? `${method} ${p} HTTP/1.1\r\nHost: ${hostHeader}\r\n\r\n`
            : `${method} ${p} HTTP/1.1\r\nHost: ${hostHeader}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`;
        const req = { method, path, head, resolve, reject, timeout, deadline: performance.now() + timeout };
        const c = take();
        if (c) c.send(req);
        else waiting.push(req);
      }),
    close: () => {
      closed = true;
      clearInterval(sweeper);
      for (const c of [...free, ...active]) c.destroy();
      for (const r of waiting.splice(0)) r.reject(new Error('client closed'));
    },
    connections: () => open,
  };
}

/** The body of a complete chunked message starting at `at`, or null while chunks are still missing. */
function dechunk(b, at) {
  const parts = [];
  let i = at;
  for (;;) {
    const eol = b.indexOf('\r\n', i);
    if (eol < 0) return null;
    const size = parseInt(b.toString('latin1', i, eol), 16);
    if (size === 0) return b.indexOf('\r\n', eol + 2) < 0 ? null : Buffer.concat(parts).toString();
    if (b.length < eol + 2 + size + 2) return null;
    parts.push(b.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
}

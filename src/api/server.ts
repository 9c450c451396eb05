import { serve, type ServerType } from '@hono/node-server';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/index.js';
import type { App } from './app.js';
import { addAcceptors } from './accept.js';
import { servedInTurns, type AcceptCount } from './turns.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * A request line with raw bytes ≥ 0x80 (a Cyrillic query typed into curl without --data-urlencode): Node's parser
 * refuses it before the app sees it (HPE_INVALID_URL). Say what to do (issue 13.5) instead of a bare malformed_http.
 */
function rawUrlProblem(err: NodeJS.ErrnoException & { rawPacket?: Buffer }): { field: 'query' | 'path'; message: string } | undefined {
  if (err.code !== 'HPE_INVALID_URL' || !err.rawPacket) return undefined;
  const end = err.rawPacket.indexOf('\r\n');
  const line = err.rawPacket.subarray(0, end < 0 ? Math.min(err.rawPacket.length, 8192) : end);
  const bad = line.findIndex((b) => b >= 0x80);
  if (bad < 0) return undefined;
  const field = line.subarray(0, bad).includes(0x3f /* ? */) ? 'query' : 'path';
  return {
    field,
    message:
      `Адрес запроса содержит символы вне ASCII без кодирования (${field === 'query' ? 'в параметрах' : 'в пути'}): ` +
      'закодируйте их в UTF-8 percent-encoding (RFC 3986), например q=молоко → q=%D0%BC%D0%BE%D0%BB%D0%BE%D0%BA%D0%BE ' +
      '(encodeURIComponent в JavaScript, curl --get --data-urlencode)',
  };
}

/**
 * Mozilla's "intermediate" TLS profile (ssl-config.mozilla.org, v5.7): TLS 1.3 suites, and on TLS 1.2 only
 * forward-secret ECDHE/DHE key exchange with AEAD ciphers. Node's default list also took static-RSA (AES128-SHA,
 * AES256-GCM-SHA384) and CBC-SHA1 suites (issue 13.8). The client's order is honoured, as the profile says: every
 * suite here is strong, and a phone without AES hardware prefers ChaCha20.
 */
export const MOZILLA_INTERMEDIATE = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'DHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
  'DHE-RSA-CHACHA20-POLY1305',
].join(':');

/** Two years, Mozilla's recommendation; only on ReGate's own HTTPS (behind Apache/IIS the proxy sends it). */
const HSTS = 'max-age=63072000';

function withHsts(fetch: App['fetch']): App['fetch'] {
  return async (req, ...rest) => {
    const res = await fetch(req, ...rest);
    try {
      res.headers.set('Strict-Transport-Security', HSTS);
      return res;
    } catch {
      // immutable headers (a fetched Response passed through): copy
      const headers = new Headers(res.headers);
      headers.set('Strict-Transport-Security', HSTS);
      return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
    }
  };
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A request body with a Content-Length within the limit is read off the socket here, as Node buffers, before the
 * app sees the request, and handed to @hono/node-server as `incoming.rawBody` (its convention for a body read
 * already). Without it the adapter wrapped the socket in a web stream (Readable.toWeb and its per-chunk promises)
 * for each booking: 4 % of the API thread in the booking burst's profile (500 connections, load 11, 2026-12-03).
 * Chunked bodies and bodies over the limit go the adapter's way as before (bodyLimit answers 413 from the header).
 * A client that leaves mid-body gets no answer: there is no one to send it to.
 */
function readBodies(limit: number, listener: Listener): Listener {
  return (req, res) => {
    const method = req.method;
    const length = req.headers['content-length'];
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || method === 'TRACE' || length === undefined || req.headers['transfer-encoding'] !== undefined) return listener(req, res);
    const expected = Number(length);
    if (!(expected >= 0 && expected <= limit)) return listener(req, res);
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('close', onGone);
    };
    const onEnd = () => {
      cleanup();
      (req as IncomingMessage & { rawBody?: Buffer }).rawBody = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      listener(req, res);
    };
    const onGone = () => {
      cleanup();
      res.destroy();
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onGone);
    req.once('close', onGone);
  };
}

export interface RunningServer {
  server: ServerType;
  url: string;
  port: number;
  /** Copies of the listening socket besides its own (config server.listenCopies), and why fewer if so. */
  listenCopies: { listening: number; problem?: string };
  close(): Promise<void>;
}

/**
 * Listens with TLS (1.2 minimum) when a certificate is configured. Plain HTTP is refused on anything but loopback
 * unless server.allowPlainHttp is set: Basic credentials cross the wire in every request.
 */
export async function startServer(app: App, config: Config, opts: { port?: number; host?: string } = {}): Promise<RunningServer> {
  const host = opts.host ?? config.server.host;
  const port = opts.port ?? config.server.port;
  const { cert, key, minVersion } = config.server.tls;
  const tls = Boolean(cert && key);
  if (!tls && !LOOPBACK.has(host) && !config.server.allowPlainHttp) {
    throw new Error(
      `refusing plain HTTP on ${host}: set server.tls.cert and server.tls.key (TLS 1.2+), ` +
        `or listen on 127.0.0.1 behind Apache/IIS, or set server.allowPlainHttp: true explicitly`,
    );
  }
  // New connections since the last turn: while they come, turns are short (turns.ts ACCEPTING_BUDGET_MS).
  const connections: AcceptCount = { accepted: 0 };
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve(
      {
        fetch: tls ? withHsts(app.fetch) : app.fetch,
        port,
        hostname: host,
        createServer: ((options: object, listener: Listener) => {
          const handler = readBodies(config.server.bodyLimitBytes, servedInTurns(listener, config.tuning.turnBudgetMs, connections));
          return tls ? createHttpsServer(options, handler) : createHttpServer(options, handler);
        }) as never,
        ...(tls
          ? {
              serverOptions: { cert: readFileSync(cert!), key: readFileSync(key!), minVersion, ciphers: MOZILLA_INTERMEDIATE, honorCipherOrder: false, ecdhCurve: 'X25519:prime256v1:secp384r1' },
            }
          : {}),
      },
      () => resolve(s),
    );
    s.once('error', reject);
  });
  // Every connection, taken by the server's own descriptor or a copy (accept.ts emits 'connection' on the server).
  server.on('connection', () => {
    connections.accepted++;
  });
  // Malformed HTTP never reaches the app: Node's parser answers it. Answer it in the one JSON error shape too.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: import('node:stream').Duplex) => {
    if (!socket.writable || (err as { code?: string }).code === 'ECONNRESET') return socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const unencoded = status === 400 ? rawUrlProblem(err) : undefined;
    const body = JSON.stringify({
      error: unencoded
        ? { code: 'url_not_encoded', message: unencoded.message, fields: [{ field: unencoded.field, message: 'символы вне ASCII без percent-encoding' }], requestId: '' }
        : { code: status === 431 ? 'headers_too_large' : status === 408 ? 'request_timeout' : 'malformed_http', message: 'Некорректный HTTP-запрос', fields: [], requestId: '' },
    });
    socket.end(`HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request'}\r\nContent-Type: application/json; charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
  // Slow clients must not hold sockets forever (slowloris); keep-alive idle sockets are closed after 65 s.
  (server as import('node:http').Server).requestTimeout = config.server.requestTimeoutMs;
  (server as import('node:http').Server).keepAliveTimeout = 65_000;
  const actualPort = (server.address() as AddressInfo).port;
  const acceptors = await addAcceptors(server as import('node:net').Server, config.server.listenCopies);
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    server,
    port: actualPort,
    url: `${tls ? 'https' : 'http'}://${shownHost}:${actualPort}`,
    listenCopies: { listening: acceptors.listening, problem: acceptors.problem },
    close: async () => {
      // Every descriptor stops listening first; then the connections (whichever descriptor took them, the HTTP
      // server holds them all) are closed, and each server's close settles once its connections are gone.
      const copies = acceptors.close();
      const own = new Promise<void>((resolve) => server.close(() => resolve()));
      (server as import('node:http').Server).closeAllConnections?.();
      await Promise.all([copies, own]);
    },
  };
}

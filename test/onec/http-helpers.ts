import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Seen {
  method: string;
  /** Raw request target as sent (still percent-encoded). */
  rawUrl: string;
  /** Decoded path after /odata/standard.odata/ */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: Seen, res: ServerResponse, raw: IncomingMessage) => unknown;

/** A tiny HTTP server for client tests: records every request and answers through `handler`. */
export async function startServer(handler: Handler) {
  const seen: Seen[] = [];
  let active = 0;
  let maxActive = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const s: Seen = {
        method: req.method ?? '',
        rawUrl: req.url ?? '',
        path: decodeURIComponent(u.pathname.replace(/^.*?\/odata\/standard\.odata\/?/, '')),
        query: u.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(s);
      active++;
      maxActive = Math.max(maxActive, active);
      res.on('close', () => active--);
      try {
        await handler(s, res, req);
      } catch (e) {
        res.statusCode = 599;
        res.end(String(e));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/ut/odata/standard.odata`,
    seen,
    get maxActive() {
      return maxActive;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

export function sendError(res: ServerResponse, status: number, code: string, value: string) {
  sendJson(res, status, { 'odata.error': { code, message: { lang: 'ru', value } } });
}

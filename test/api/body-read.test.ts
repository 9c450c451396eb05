import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { OpenAPIHono } from '@hono/zod-openapi';
import { parseConfig } from '../../src/config/index.js';
import type { App } from '../../src/api/app.js';
import { ApiError } from '../../src/api/errors.js';
import { utf8Body } from '../../src/api/middleware/charset.js';
import { startServer, type RunningServer } from '../../src/api/server.js';

// src/api/server.ts reads a body with a Content-Length off the socket before the app (incoming.rawBody), and the
// UTF-8 check keeps the decoded text for c.req.json(): the route sees the same body whichever way it came (a length,
// chunked), a body that is not UTF-8 is still a 400, and a client that leaves mid-body does not hurt the next one.
let server: RunningServer;
beforeAll(async () => {
  const config = parseConfig({ server: { host: '127.0.0.1', port: 0, bodyLimitBytes: 1024 } });
  const app = new OpenAPIHono();
  app.onError((e, c) => c.json({ code: (e as ApiError).code ?? 'error' }, ((e as ApiError).status ?? 500) as 400));
  app.use('*', utf8Body());
  app.post('/echo', async (c) => {
    const raw = (c.env as { incoming: { rawBody?: unknown } }).incoming.rawBody;
    return c.json({ body: await c.req.json(), readFirst: Buffer.isBuffer(raw) });
  });
  server = await startServer(app as unknown as App, config);
});
afterAll(async () => server?.close());

const send = (request: Buffer | string, { half = false } = {}) =>
  new Promise<string>((resolve, reject) => {
    let out = '';
    const s = net.connect(server.port, '127.0.0.1', () => {
      s.write(request);
      if (half) s.destroy();
    });
    s.on('data', (d) => (out += d));
    s.on('end', () => resolve(out));
    s.on('close', () => resolve(out));
    s.on('error', (e) => (half ? resolve(out) : reject(e)));
  });
const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));

describe('request bodies over the socket', () => {
  it('a body with a Content-Length is read before the app and parsed once; a chunked one the adapter’s way', async () => {
    const json = Buffer.from(JSON.stringify({ name: 'Йошкар-Ола' }));
    const sized = await send(Buffer.concat([Buffer.from(`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${json.length}\r\nConnection: close\r\n\r\n`), json]));
    expect(sized).toMatch(/^HTTP\/1\.1 200/);
    expect(bodyOf(sized)).toEqual({ body: { name: 'Йошкар-Ола' }, readFirst: true });

    const framed = Buffer.concat([Buffer.from(`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${json.length.toString(16)}\r\n`), json, Buffer.from('\r\n0\r\n\r\n')]);
    const viaAdapter = await send(framed);
    expect(viaAdapter).toMatch(/^HTTP\/1\.1 200/);
    expect(bodyOf(viaAdapter)).toEqual({ body: { name: 'Йошкар-Ола' }, readFirst: false });
  });

  it('bytes that are not UTF-8 are still a 400; a client gone mid-body leaves the server answering the next', async () => {
    const bad = Buffer.concat([Buffer.from('{"name":"M'), Buffer.from([0xfc]), Buffer.from('ller"}')]);
    const answer = await send(Buffer.concat([Buffer.from(`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${bad.length}\r\nConnection: close\r\n\r\n`), bad]));
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(bodyOf(answer).code).toBe('invalid_utf8');

    await send(`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"name":`, { half: true });
    const next = await send(`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`);
    expect(bodyOf(next)).toEqual({ body: {}, readFirst: true });
  });
});

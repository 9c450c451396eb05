import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { parseConfig } from '../../src/config/index.js';
import { openDb } from '../../src/db/open.js';
import { createApp } from '../../src/api/app.js';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { silentLogger } from '../../src/log.js';

let server: RunningServer;
beforeAll(async () => {
  const config = parseConfig({ server: { host: '127.0.0.1', port: 0 } });
  openDb(':memory:');
  server = await startServer(createApp({ config, logger: silentLogger, services: { health: { ready: async () => ({ ready: true, checks: [] }) } } }), config);
});
afterAll(async () => server?.close());

const raw = (text: string) =>
  new Promise<string>((resolve, reject) => {
    let out = '';
    const s = net.connect(server.port, '127.0.0.1', () => s.write(text));
    s.on('data', (d) => (out += d));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });

describe('HTTP server', () => {
  it('malformed HTTP, answered by Node before the app, still gets the one JSON error shape', async () => {
    const answer = await raw('GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
    expect(body.error.code).toBe('malformed_http');
  });

  it('oversized headers: 431 in JSON', async () => {
    const answer = await raw(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431/);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).error.code).toBe('headers_too_large');
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { parseConfig } from '../../src/config/index.js';
import { createApp } from '../../src/api/app.js';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { silentLogger } from '../../src/log.js';

// What src/api/accept.ts is for: libuv ≥ 1.45 accepts one connection per listening descriptor per turn of the event
// loop, so a loop kept busy (a booking burst) took a reconnect storm's connections one per 100-150 ms turn.
const servers: RunningServer[] = [];
const clients: net.Socket[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const s of servers.splice(0)) await s.close();
});

async function start(listenCopies: number) {
  const config = parseConfig({ server: { host: '127.0.0.1', port: 0, listenCopies } });
  const app = createApp({ config, logger: silentLogger, services: { health: { ready: async () => ({ ready: true, checks: [] }) } } });
  const s = await startServer(app, config);
  servers.push(s);
  return s;
}

/** Connections the server took in one turn of its loop after a busy stretch during which `n` arrived. */
async function acceptedInOneTurn(s: RunningServer, n: number): Promise<number> {
  let seen = 0;
  const count = () => seen++;
  s.server.on('connection', count);
  try {
    // Between two consecutive check phases (setImmediate) the loop polls exactly once.
    const counted = new Promise<number>((resolve) =>
      setImmediate(() => {
        const before = seen;
        setImmediate(() => resolve(seen - before));
      }),
    );
    for (let i = 0; i < n; i++) clients.push(net.connect(s.port, '127.0.0.1').on('error', () => undefined));
    // The loop is busy while the kernel completes the handshakes and queues the connections (as in a burst's turn).
    const until = Date.now() + 300;
    while (Date.now() < until);
    return await counted;
  } finally {
    await new Promise((r) => setTimeout(r, 50));
    s.server.off('connection', count);
  }
}

describe('extra copies of the listening socket (server.listenCopies)', () => {
  it('a busy loop takes one waiting connection per copy in one turn, not one', async () => {
    const one = await start(0);
    expect(one.listenCopies).toEqual({ listening: 0, problem: undefined });
    expect(await acceptedInOneTurn(one, 20)).toBe(1);

    const five = await start(4);
    expect(five.listenCopies.listening).toBe(4);
    expect(await acceptedInOneTurn(five, 20)).toBe(5);
  });

  it('a connection taken by a copy is the server\'s own: HTTP, keep-alive and the app answer it', async () => {
    const s = await start(8);
    // Many connections at once land on several descriptors; every one is answered by the app, twice on one socket.
    const answers = await Promise.all(
      Array.from({ length: 30 }, async () => {
        const sock = net.connect(s.port, '127.0.0.1');
        clients.push(sock);
        let text = '';
        sock.on('data', (d) => (text += d));
        await new Promise((r) => sock.once('connect', r));
        sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/state HTTP/1.1\r\nHost: x\r\n\r\n');
        for (let i = 0; i < 100 && (text.match(/HTTP\/1\.1 /g) ?? []).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
        return text;
      }),
    );
    for (const text of answers) {
      expect(text).toMatch(/^HTTP\/1\.1 200/);
      // the second request on the same connection: the API asks for Basic credentials, in the one error shape
      expect(text).toMatch(/HTTP\/1\.1 401[\s\S]*"code":"unauthorized"/);
    }
  });

  it('close() stops every copy: the port takes no more connections', async () => {
    const s = await start(4);
    await s.close();
    servers.splice(servers.indexOf(s), 1);
    const refused = await new Promise<string>((resolve) => {
      const c = net.connect(s.port, '127.0.0.1');
      c.once('connect', () => resolve('connected'));
      c.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
  });
});

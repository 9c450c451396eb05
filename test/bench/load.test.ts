import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load } from '../../bench/lib/load.js';

// The load generator's latencies: a connection's first request counts from its socket's connect, not from when
// autocannon built its client (it builds all of them in one loop before any socket connects).
describe('bench load', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    // Each request is answered 20 ms after it arrived: no answer can take less, however it is counted.
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => setTimeout(() => res.end('{}'), 20));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("counts first requests from their connection's connect, and keeps autocannon's own figures beside", async () => {
    const r = await load({ url, connections: 300, durationS: 1, next: () => ({ path: '/x' }) });
    expect(r.ok).toBeGreaterThan(300);
    expect(r.firstAnswer.unanswered).toBe(0);
    // Every connection's client was built before its socket connected: the time between was measured for each.
    expect(r.stamped).toBeDefined();
    expect(r.stamped!.unsentMax).toBeGreaterThan(0);
    expect(r.stamped!.unsentMax).toBeGreaterThanOrEqual(r.stamped!.unsentP50);
    // Less is taken off than was counted: no answer comes faster than the server's 20 ms.
    expect(r.latency.p50).toBeGreaterThanOrEqual(19);
    expect(r.latency.max).toBeLessThanOrEqual(r.stamped!.max);
    expect(r.latency.p99).toBeLessThanOrEqual(r.stamped!.p99);
  });
});

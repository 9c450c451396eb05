import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Faults, type Emulator } from '../../src/emulator/index.js';
import { G, startTest, u } from './fixture.js';

let em: Emulator | undefined;
afterEach(async () => {
  await em?.close();
  em = undefined;
});

const list = (e: Emulator) => `${e.url}/${u('Catalog_Склады')}?$format=json`;

/** A request with node:http and no agent (no retries, no pooling surprises); resolves the status or the error code. */
function rawCall(url: string, method = 'GET', body?: string, timeoutMs = 2000): Promise<{ status?: number; error?: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const req = request(url, { method, agent: false, headers: body ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: Date.now() - t0 }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'CLIENT_TIMEOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message, ms: Date.now() - t0 }));
    req.end(body);
  });
}

describe('fault injection', () => {
  it('latency + jitter delays answers', async () => {
    em = await startTest({ faults: { latencyMs: 120, jitterMs: 30, seed: 1 } });
    const r = await rawCall(list(em));
    expect(r.status).toBe(200);
    expect(r.ms).toBeGreaterThanOrEqual(115);
    await em.faults.set({ latencyMs: null, jitterMs: null });
    expect((await rawCall(list(em))).ms).toBeLessThan(100);
  });

  it('slowFirstCallAfterIdleMs: only the first call after an idle period is slow', async () => {
    em = await startTest({ faults: { slowFirstCallAfterIdleMs: 200, idleMs: 150 } });
    await new Promise((r) => setTimeout(r, 170));
    const first = await rawCall(list(em));
    const second = await rawCall(list(em));
    expect(first.ms).toBeGreaterThanOrEqual(190);
    expect(second.ms).toBeLessThan(150);
  });

  it('errorRate 1 → 500 code -1 and nothing written', async () => {
    em = await startTest({ faults: { errorRate: 1 } });
    const res = await fetch(list(em), { method: 'POST', body: JSON.stringify({ Description: 'X' }) });
    expect(res.status).toBe(500);
    expect(((await res.json()) as any)['odata.error'].code).toBe('-1');
    expect(em.store.count('Catalog_Склады')).toBe(2);
  });

  it('timeoutRate 1 → accepted and never answered', async () => {
    em = await startTest({ faults: { timeoutRate: 1 } });
    const r = await rawCall(list(em), 'GET', undefined, 300);
    expect(r.error).toBe('CLIENT_TIMEOUT');
    expect(r.ms).toBeGreaterThanOrEqual(290);
  });

  it('lostResponseRate 1 → the write is applied, the client gets a socket error', async () => {
    em = await startTest({ faults: { lostResponseRate: 1 } });
    const r = await rawCall(list(em), 'POST', JSON.stringify({ Description: 'Потерянный ответ' }));
    expect(r.status).toBeUndefined();
    expect(r.error).toBe('ECONNRESET');
    expect(em.store.list('Catalog_Склады').map((x) => x.Description)).toContain('Потерянный ответ');
  });

  it('session pool: at most poolSize in progress; waiting past poolTimeoutMs → 503', async () => {
    em = await startTest({ faults: { poolSize: 2, poolTimeoutMs: 100, latencyMs: 300 } });
    const results = await Promise.all([1, 2, 3].map(() => rawCall(list(em!))));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 503]);
    // A waiter that gets a slot within the timeout is served.
    await em.faults.set({ poolTimeoutMs: 1000 });
    const again = await Promise.all([1, 2, 3].map(() => rawCall(list(em!))));
    expect(again.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(Math.max(...again.map((r) => r.ms))).toBeGreaterThanOrEqual(590);
  });

  it('down → connection refused; up → listening again on the same port', async () => {
    em = await startTest();
    const port = em.port;
    await em.faults.down();
    const r = await rawCall(list(em));
    expect(r.error).toBe('ECONNREFUSED');
    await em.faults.up();
    expect(em.port).toBe(port);
    expect((await rawCall(list(em))).status).toBe(200);
  });

  it('the admin endpoint sets faults from another process; downForMs brings it back', async () => {
    em = await startTest();
    const set = await fetch(`${em.adminUrl}/faults`, { method: 'POST', body: JSON.stringify({ errorRate: 1, seed: 7 }) });
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ errorRate: 1, seed: 7 });
    expect((await rawCall(list(em))).status).toBe(500);
    const got = (await (await fetch(`${em.adminUrl}/faults`)).json()) as any;
    expect(got.errorRate).toBe(1);
    await fetch(`${em.adminUrl}/faults/reset`, { method: 'POST' });
    expect((await rawCall(list(em))).status).toBe(200);
    await fetch(`${em.adminUrl}/faults`, { method: 'POST', body: JSON.stringify({ down: true, downForMs: 200 }) });
    await new Promise((r) => setTimeout(r, 30));
    expect((await rawCall(list(em))).error).toBe('ECONNREFUSED');
    await new Promise((r) => setTimeout(r, 300));
    expect((await rawCall(list(em))).status).toBe(200);
  });

  it('a separate admin port stays up while the OData listener is down', async () => {
    em = await startTest({ adminPort: 0 });
    expect(new URL(em.adminUrl).port).not.toBe(String(em.port));
    await fetch(`${em.adminUrl}/faults`, { method: 'POST', body: JSON.stringify({ down: true }) });
    expect((await rawCall(list(em))).error).toBe('ECONNREFUSED');
    expect((await fetch(`${em.adminUrl}/faults`)).status).toBe(200);
    await fetch(`${em.adminUrl}/faults`, { method: 'POST', body: JSON.stringify({ down: false }) });
    expect((await rawCall(list(em))).status).toBe(200);
  });

  it('the same seed gives the same fault sequence', () => {
    const seq = (seed: number) => {
      const f = new Faults({ errorRate: 0.3, timeoutRate: 0.2, lostResponseRate: 0.1, seed });
      return Array.from({ length: 40 }, () => f.decide());
    };
    expect(seq(42)).toEqual(seq(42));
    expect(seq(42)).not.toEqual(seq(43));
    const s = seq(42);
    expect(s).toContain('ok');
    expect(s).toContain('error');
    expect(s).toContain('timeout');
  });

  it('faults do not touch writes made in process; lost-response write also appears for documents', async () => {
    em = await startTest({ faults: { lostResponseRate: 1 } });
    const before = em.store.count('Document_ЗаказКлиента');
    const r = await rawCall(`${em.url}/${u(`Document_ЗаказКлиента(guid'${G.order1}')/Post`)}?$format=json`, 'POST', '');
    expect(r.error).toBe('ECONNRESET');
    expect(em.store.get('Document_ЗаказКлиента', G.order1)!.Posted).toBe(true);
    expect(em.store.count('Document_ЗаказКлиента')).toBe(before);
  });
});

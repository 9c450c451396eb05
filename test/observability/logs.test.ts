import { describe, expect, it } from 'vitest';
import { basic, buildApp, from, PASSWORD, USER } from './app.js';
import { S1 } from '../fixtures/mirror.js';

const json = { 'Content-Type': 'application/json' };

describe('request log', () => {
  it('one JSON line per request: id, method, route template, status, duration, user, address', async () => {
    const t = buildApp();
    const r = await t.app.request(`/api/v1/assortment?store=${S1}&pageSize=2`, { headers: { Authorization: basic() } }, from('203.0.113.7'));
    expect(r.status).toBe(200);
    const id = r.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const lines = t.lines.filter((l) => l.msg === 'request');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      app: 'regate',
      requestId: id,
      method: 'GET',
      route: '/api/v1/assortment',
      path: '/api/v1/assortment',
      status: 200,
      user: USER,
      remote: '203.0.113.7',
    });
    expect(typeof lines[0]!.ms).toBe('number');
    expect(typeof lines[0]!.time).toBe('string');
  });

  it('the client’s X-Request-Id is kept, answered in the header and in the error body, and logged', async () => {
    const t = buildApp();
    const r = await t.app.request('/api/v1/bookingstate?orderId=nope', { headers: { Authorization: basic(), 'X-Request-Id': 'store-req-42' } });
    expect(r.status).toBe(404);
    expect(r.headers.get('x-request-id')).toBe('store-req-42');
    expect(((await r.json()) as any).error.requestId).toBe('store-req-42');
    expect(t.lines.find((l) => l.msg === 'request')).toMatchObject({ requestId: 'store-req-42', status: 404, route: '/api/v1/bookingstate' });
  });

  it('401 and unknown paths are logged too, with the route template or "unmatched", never the attempted user', async () => {
    const t = buildApp();
    const r = await t.app.request('/api/v1/assortment', { headers: { Authorization: basic('intruder', 'guess') } });
    expect(r.status).toBe(401);
    expect(r.headers.get('x-request-id')).toBeTruthy();
    expect(((await r.json()) as any).error.requestId).toBe(r.headers.get('x-request-id'));
    await t.app.request('/no/such/path?password=oops');
    const lines = t.lines.filter((l) => l.msg === 'request');
    expect(lines.map((l) => [l.route, l.status, l.user])).toEqual([
      ['/api/v1/assortment', 401, null],
      ['unmatched', 404, null],
    ]);
    expect(t.raw.join('')).not.toContain('intruder');
    expect(t.raw.join('')).not.toContain('oops'); // the query string is not logged
  });

  it('Basic credentials and a body with a password never reach the log (valid and invalid credentials, 2xx and 4xx)', async () => {
    const t = buildApp();
    const secret = 'S3cr3t-В-Теле-Запроса';
    const body = JSON.stringify({ clientId: 'C-1', name: 'Иванов', password: secret, inn: 'not-an-inn' });
    const good = await t.app.request('/api/v1/client', { method: 'POST', headers: { ...json, Authorization: basic() }, body }, from('198.51.100.1'));
    const bad = await t.app.request('/api/v1/client', { method: 'POST', headers: { ...json, Authorization: basic(USER, secret) }, body }, from('198.51.100.1'));
    const malformed = await t.app.request('/api/v1/client', { method: 'POST', headers: { ...json, Authorization: basic() }, body: `{"password":"${secret}"` });
    expect([good.status, bad.status, malformed.status]).toEqual([expect.any(Number), 401, 400]);
    expect(good.status).toBeLessThan(500);
    const all = t.raw.join('');
    expect(t.lines.filter((l) => l.msg === 'request')).toHaveLength(3);
    for (const leak of [PASSWORD, secret, basic(), basic(USER, secret), basic().slice(6), 'authorization', 'Authorization'])
      expect(all, `log contains ${leak}`).not.toContain(leak);
  });

  it('a 5xx is logged at level error with the request id; the body says nothing internal', async () => {
    const t = buildApp({}, { health: { ready: async () => { throw new Error('db path /var/lib/regate/secret.sqlite is gone'); } } });
    const r = await t.app.request('/readyz');
    expect(r.status).toBe(500);
    const body = (await r.json()) as any;
    expect(body.error.code).toBe('internal');
    expect(JSON.stringify(body)).not.toContain('secret.sqlite');
    const line = t.lines.find((l) => l.msg === 'request')!;
    expect(line).toMatchObject({ level: 50, status: 500, route: '/readyz', requestId: body.error.requestId });
  });

  it('log.requests: false turns the access line off (errors are still logged)', async () => {
    const t = buildApp({ log: { requests: false } });
    await t.app.request('/healthz');
    expect(t.lines.filter((l) => l.msg === 'request')).toHaveLength(0);
  });

  it('behind a proxy on loopback the client address is the last X-Forwarded-For entry; from elsewhere the header is ignored', async () => {
    const t = buildApp();
    await t.app.request('/healthz', { headers: { 'X-Forwarded-For': '1.1.1.1, 203.0.113.9' } }, from('127.0.0.1'));
    await t.app.request('/healthz', { headers: { 'X-Forwarded-For': '203.0.113.9' } }, from('198.51.100.5'));
    const t2 = buildApp({ server: { trustProxy: false } });
    await t2.app.request('/healthz', { headers: { 'X-Forwarded-For': '203.0.113.9' } }, from('::ffff:127.0.0.1'));
    expect(t.lines.filter((l) => l.msg === 'request').map((l) => l.remote)).toEqual(['203.0.113.9', '198.51.100.5']);
    expect(t2.lines.find((l) => l.msg === 'request')!.remote).toBe('127.0.0.1');
  });
});

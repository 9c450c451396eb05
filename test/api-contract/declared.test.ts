import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { hashPassword } from '../../src/install/password.js';
import { silentLogger } from '../../src/log.js';
import { orderable } from '../helpers/orderable.js';
import { DEMO_AUTH, startDemo, type Demo } from './demo.js';
import { mismatches, observe, type Observation } from './observed.js';

/**
 * What the server really answers, against what the document declares (issue 15): the demo (emulator, runtime,
 * outbox delivering to 1C) driven through every operation, its successes and the failures an integrator meets —
 * 304, 400, 401, 403, 404, 409, 413, 415, 422, 429, 504 — and every status, media type and header compared with the
 * operation's declaration. A header the server sends that the document does not name is a failure, and so is a
 * status the document does not list.
 */
let demo: Demo;
let doc: any;
const seen: Observation[] = [];
const SHOP_AUTH = 'Basic ' + Buffer.from('shop:shop').toString('base64');

async function call(method: string, path: string, opts: { body?: unknown; raw?: string; headers?: Record<string, string>; auth?: string | null } = {}) {
  const headers: Record<string, string> = { ...(opts.auth === null ? {} : { Authorization: opts.auth ?? DEMO_AUTH }), ...opts.headers };
  let body: string | undefined = opts.raw;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const res = await fetch(`${demo.url}${path}`, { method, headers, body });
  seen.push(observe(doc, method, path, res));
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  demo = await startDemo({
    listen: true,
    config: { auth: { users: [{ name: 'demo', passwordHash: await hashPassword('demo'), role: 'bank' }, { name: 'shop', passwordHash: await hashPassword('shop') }] } },
  });
  doc = await (await fetch(`${demo.url}/openapi.json`)).json();
}, 120_000);

afterAll(async () => {
  await demo?.close();
});

describe('the demo answers only what the document declares', () => {
  it('catalogue: 200, 304 with the same ETag, 400, 401, 404, pictures', async () => {
    await call('GET', '/healthz', { auth: null });
    await call('GET', '/readyz', { auth: null });
    const state = await call('GET', '/api/v1/state');
    expect(state.status).toBe(200);
    expect((await call('GET', '/api/v1/state', { headers: { 'If-None-Match': state.headers.get('etag')! } })).status).toBe(304);
    expect((await call('GET', '/api/v1/state', { auth: null })).status).toBe(401);
    expect((await call('GET', '/api/v1/state', { auth: 'Basic ' + Buffer.from('demo:wrong').toString('base64') })).status).toBe(401);
    const cities = await call('GET', '/api/v1/city');
    const city = cities.json.cities[0].name as string;
    const stores = await call('GET', `/api/v1/citystore?city=${encodeURIComponent(city)}`);
    expect(stores.status).toBe(200);
    expect((await call('GET', '/api/v1/citystore?city=%D0%9D%D0%B5%D1%82%D1%82%D0%B0%D0%BA%D0%BE%D0%B3%D0%BE')).status).toBe(404);
    expect((await call('GET', '/api/v1/citystore')).status).toBe(400);
    const store = stores.json.stores[0].id as string;
    expect((await call('GET', `/api/v1/storetable?store=${store}`)).status).toBe(200);
    expect((await call('GET', `/api/v1/storetable?store=${store.toUpperCase()}`)).status).toBe(200);
    expect((await call('GET', '/api/v1/storetable?store=00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await call('GET', '/api/v1/storetable?store=nope')).status).toBe(400);
    expect((await call('GET', '/api/v1/properties')).status).toBe(200); // issue 17
    const page = await call('GET', `/api/v1/assortment?store=${store}&pageSize=5`);
    expect(page.status).toBe(200);
    expect((await call('GET', `/api/v1/assortment?store=${store}&pageSize=5`, { headers: { 'If-None-Match': page.headers.get('etag')! } })).status).toBe(304);
    expect((await call('GET', `/api/v1/assortment?store=${store}&pageSize=0`)).status).toBe(400);
    const icon = (page.json.items as { icons: string[] }[]).flatMap((i) => i.icons)[0];
    if (icon) expect((await call('GET', new URL(icon).pathname)).status).toBe(200);
    expect((await call('GET', '/api/v1/picture/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('orders: client, booking, payment, state, refund and their refusals', async () => {
    const { store, items } = orderable(demo.rt.db, 2);
    const client = { clientId: 'RS-C-контракт', name: 'ООО «Контракт»', inn: '7707083893', email: 'c@example.ru' };
    expect([200, 201, 202]).toContain((await call('POST', '/api/v1/client', { body: client })).status);
    expect([200, 201, 202]).toContain((await call('POST', '/api/v1/client', { body: client })).status);
    expect((await call('POST', '/api/v1/client', { body: { ...client, clientId: 'RS-C-другой' } })).status).toBe(409);
    expect((await call('POST', '/api/v1/client', { body: { clientId: 'x', inn: '12' } })).status).toBe(400);
    expect((await call('POST', '/api/v1/client', { body: { clientId: 'RS-C-незнакомый' } })).status).toBe(404); // a lookup by id alone (issue 14.6)
    expect((await call('POST', '/api/v1/client', { raw: '{"clientId":', headers: { 'Content-Type': 'application/json' } })).status).toBe(400);
    expect((await call('POST', '/api/v1/client', { raw: JSON.stringify(client), headers: { 'Content-Type': 'text/plain' } })).status).toBe(415);
    expect((await call('POST', '/api/v1/client', { raw: JSON.stringify(client), headers: { 'Content-Type': 'application/json; charset=windows-1251' } })).status).toBe(415);
    expect((await call('POST', '/api/v1/client', { raw: JSON.stringify({ ...client, name: 'x'.repeat(300_000) }), headers: { 'Content-Type': 'application/json' } })).status).toBe(413);
    expect((await call('POST', '/api/v1/clientupd', { body: { clientId: client.clientId, phone: '+7 900 111-22-33' } })).status).toBe(202);
    expect((await call('POST', '/api/v1/clientupd', { body: { clientId: 'RS-C-нет', phone: '1' } })).status).toBe(404);

    const booking = { orderId: 'RS-O-контракт-1', clientId: client.clientId, store, deliveryAddress: 'Москва, ул. Тверская, 1', items: [{ itemId: items[0], quantity: 1 }] };
    const booked = await call('POST', '/api/v1/booking', { body: booking, headers: { 'Idempotency-Key': 'contract-1' } });
    expect([201, 202]).toContain(booked.status);
    expect([200, 201, 202]).toContain((await call('POST', '/api/v1/booking', { body: booking, headers: { 'Idempotency-Key': 'contract-1' } })).status);
    expect((await call('POST', '/api/v1/booking', { body: { ...booking, deliveryAddress: 'другой' } })).status).toBe(409);
    expect((await call('POST', '/api/v1/booking', { body: { ...booking, orderId: 'RS-O-контракт-2', items: [{ itemId: items[0], quantity: 1e8 }] } })).status).toBe(422);
    expect((await call('POST', '/api/v1/booking', { body: { ...booking, orderId: 'RS-O-контракт-3', clientId: 'RS-C-нет' } })).status).toBe(404);
    expect((await call('POST', '/api/v1/refund', { body: { orderId: booking.orderId } })).status).toBe(409);
    const amount = booked.json.amount as number;
    const pay = { orderId: booking.orderId, provider: 'ЮKassa', transactionId: 'contract-tx-1', amount, paidAt: new Date().toISOString() };
    expect((await call('POST', '/api/v1/paycard', { body: { ...pay, amount: amount + 1 } })).status).toBe(422);
    expect((await call('POST', '/api/v1/paycard', { body: pay })).status).toBe(200);
    expect((await call('POST', '/api/v1/paycard', { body: { ...pay, orderId: 'RS-O-нет' } })).status).toBe(404);
    expect((await call('GET', `/api/v1/bookingstate?orderId=${encodeURIComponent(booking.orderId)}`)).status).toBe(200);
    expect((await call('GET', '/api/v1/bookingstate?orderId=RS-O-none')).status).toBe(404);
    expect((await call('POST', '/api/v1/refund', { body: { orderId: booking.orderId, reason: 'контракт' } })).status).toBe(200);
    // cancelling: an unpaid order → 200 (and its repeat), a paid one → 409 refund_first, an unknown one → 404
    const unpaid = { ...booking, orderId: 'RS-O-контракт-отмена', items: [{ itemId: items[0], quantity: 1 }] };
    expect([201, 202]).toContain((await call('POST', '/api/v1/booking', { body: unpaid })).status);
    expect((await call('POST', '/api/v1/bookingcancel', { body: { orderId: unpaid.orderId, reason: 'Клиент передумал' } })).status).toBe(200);
    expect((await call('POST', '/api/v1/bookingcancel', { body: { orderId: unpaid.orderId } })).status).toBe(200);
    expect((await call('POST', '/api/v1/bookingcancel', { body: { orderId: 'RS-O-нет' } })).status).toBe(404);
    // changing (issue 14.2): an unpaid order at its revision → 200, the same revision again with another body → 409
    const editable = { ...booking, orderId: 'RS-O-контракт-правка' };
    expect([201, 202]).toContain((await call('POST', '/api/v1/booking', { body: editable })).status);
    expect((await call('POST', '/api/v1/bookingupd', { body: { orderId: editable.orderId, revision: 1, comment: 'Позвонить за час' } })).status).toBe(200);
    expect((await call('POST', '/api/v1/bookingupd', { body: { orderId: editable.orderId, revision: 1, comment: 'другое' } })).status).toBe(409);
    expect((await call('POST', '/api/v1/bookingupd', { body: { orderId: 'RS-O-нет', revision: 1, comment: 'x' } })).status).toBe(404);
  });

  it('events feed: 200, and 400 for an after that is not an event id', async () => {
    const all = await call('GET', '/api/v1/events?limit=5');
    expect(all.status).toBe(200);
    expect((await call('GET', '/api/v1/events?after=17')).status).toBe(400);
  });

  it('bank review list: 200 with the role bank, 403 without', async () => {
    expect((await call('GET', '/api/v1/bank/unmatched?limit=10')).status).toBe(200);
    expect((await call('GET', '/api/v1/bank/unmatched', { auth: SHOP_AUTH })).status).toBe(403);
  });

  it('a raw non-ASCII query is a JSON 400 from the socket layer, still in the declared shape', async () => {
    const port = demo.server!.port;
    const raw = await new Promise<string>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => s.end(Buffer.concat([Buffer.from('GET /api/v1/citystore?city='), Buffer.from('Казань'), Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n')])));
      let data = '';
      s.on('data', (d) => (data += d.toString('utf8')));
      s.on('end', () => resolve(data));
      s.on('error', reject);
    });
    const [head, body] = raw.split('\r\n\r\n');
    const status = Number(head.split(' ')[1]);
    const headers: Record<string, string> = {};
    for (const line of head.split('\r\n').slice(1)) headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim();
    expect(status).toBe(400);
    expect(JSON.parse(body).error.code).toBe('url_not_encoded');
    seen.push({ method: 'GET', path: '/api/v1/citystore', template: '/api/v1/citystore', status, headers });
  });

  it('429 from the per-user limit and 504 from the request timeout, on the same services', async () => {
    const appWith = (auth: object, server: object) =>
      createApp({ config: { ...demo.config, auth: { ...demo.config.auth, ...auth }, server: { ...demo.config.server, ...server } }, services: demo.rt.services, logger: silentLogger });
    const req = async (app: ReturnType<typeof createApp>, method: string, path: string, body?: unknown) => {
      const res = await app.request(path, { method, headers: { Authorization: DEMO_AUTH, ...(body ? { 'Content-Type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      seen.push(observe(doc, method, path, res));
      await res.arrayBuffer();
      return res.status;
    };
    const tight = appWith({ rateLimitPerMinute: 6 }, {}); // a bucket of one request, refilled every 10 s
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push(await req(tight, 'GET', '/api/v1/city'));
    expect(statuses).toEqual([200, 429, 429]);
    // 1C answers slower than the timeout: the booking waits for its confirmation and the client gets 504
    const hasty = appWith({}, { requestTimeoutMs: 200 });
    await demo.em.faults.set({ latencyMs: 1500 });
    try {
      const { store, items } = orderable(demo.rt.db, 1);
      const status = await req(hasty, 'POST', '/api/v1/booking', { orderId: 'RS-O-контракт-504', clientId: 'RS-C-контракт', store, deliveryAddress: 'Москва', items: [{ itemId: items[0], quantity: 1 }] });
      expect(status).toBe(504);
    } finally {
      await demo.em.faults.set({ latencyMs: 0 });
    }
  }, 30_000);

  it('every answer above conforms to its operation: status, media type, headers', () => {
    const problems = seen.flatMap((o) => mismatches(doc, o));
    const byOp = new Map<string, Set<number>>();
    for (const o of seen) byOp.set(`${o.method} ${o.template}`, (byOp.get(`${o.method} ${o.template}`) ?? new Set()).add(o.status));
    console.log(`${seen.length} answers compared with the document:\n${[...byOp].map(([k, v]) => `  ${k.padEnd(38)} ${[...v].sort().join(' ')}`).join('\n')}`);
    expect(problems).toEqual([]);
    const statuses = new Set(seen.map((o) => o.status));
    for (const s of [200, 201, 202, 304, 400, 401, 403, 404, 409, 413, 415, 422, 429, 504]) expect(statuses, String(s)).toContain(s);
    // every operation of the document was exercised with a success
    const ok = new Set(seen.filter((o) => o.status < 300).map((o) => `${o.method} ${o.template}`));
    const all = Object.entries<any>(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`));
    expect(all.filter((k) => !ok.has(k))).toEqual([]);
  });
});

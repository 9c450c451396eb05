import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { silentLogger } from '../../src/log.js';
import { orderable } from '../helpers/orderable.js';
import { DEMO_AUTH, startDemo, type Demo } from './demo.js';

/**
 * The conventions an integrator relies on (issue 15): Russian messages in every error, charset=utf-8 on JSON, the
 * RateLimit header fields, a 400 that explains a query in the wrong encoding, and one paging convention (limit,
 * after, next) with the old page/pageSize still answering the same.
 */
let demo: Demo;
const api = async (path: string, init: RequestInit = {}) => {
  const res = await demo.rt.app.request(path, { ...init, headers: { Authorization: DEMO_AUTH, ...(init.body ? { 'Content-Type': 'application/json' } : {}), ...init.headers } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
};
const post = (path: string, body: unknown) => api(path, { method: 'POST', body: JSON.stringify(body) });

beforeAll(async () => {
  demo = await startDemo();
}, 120_000);
afterAll(async () => {
  await demo?.close();
});

const ENGLISH = /\b(Invalid|Expected|expected|received|Required|Too (small|big)|Unrecognized|must|should)\b/;
const CYRILLIC = /[А-Яа-яЁё]/;

describe('validation messages in Russian, end to end', () => {
  it('every field message of wrong bodies and queries is Russian, with no zod English left', async () => {
    const { store, items } = orderable(demo.rt.db, 1);
    const answers = [
      await post('/api/v1/client', {}),
      await post('/api/v1/client', { clientId: 5, name: ['x'], inn: true, email: 7, phone: {}, extra: 1 }),
      await post('/api/v1/client', { clientId: 'x'.repeat(65), name: 'x'.repeat(151), inn: '123' }),
      await post('/api/v1/booking', { orderId: 'RS-1', clientId: 'C', store, deliveryAddress: 'a', items: [] }),
      await post('/api/v1/booking', { orderId: 'RS-1', clientId: 'C', store, deliveryAddress: 'a', items: [{ itemId: items[0], quantity: 'два' }, {}] }),
      await post('/api/v1/booking', { orderId: 'RS 1', clientId: 'C', store: 'склад', deliveryAddress: 7 }),
      await post('/api/v1/paycard', { orderId: 'RS-1', provider: 'p', transactionId: 't', amount: -1, paidAt: 'вчера', rrn: 1 }),
      await post('/api/v1/paycard', { orderId: 'RS-1', provider: 'p', transactionId: 't', amount: 1.001, paidAt: '2026-11-29' }),
      await post('/api/v1/refund', { orderId: null, amount: '10' }),
      await api(`/api/v1/assortment?store=${store}&pageSize=abc&page=0&changedSince=вчера`),
      await api('/api/v1/bank/unmatched?limit=0&after=-1'),
      await api('/api/v1/storetable'),
    ];
    const messages: string[] = [];
    for (const a of answers) {
      expect(a.status).toBe(400);
      expect(a.body.error.message).toMatch(CYRILLIC);
      for (const f of a.body.error.fields) messages.push(`${f.field}: ${f.message}`);
    }
    const english = messages.filter((m) => ENGLISH.test(m) || !CYRILLIC.test(m));
    console.log(`${messages.length} field messages checked, e.g.:\n  ${messages.slice(0, 12).join('\n  ')}`);
    expect(english).toEqual([]);
    expect(messages.length).toBeGreaterThan(25);
    expect(messages).toContain('clientId: Обязательное поле');
    expect(messages).toContain('extra: неизвестное поле');
  });
});

describe('charset=utf-8 on every JSON answer', () => {
  it('successes, cached catalogue pages, errors from every layer and unknown paths', async () => {
    const { store } = orderable(demo.rt.db, 1);
    const paths: [string, RequestInit?][] = [
      ['/api/v1/city'],
      [`/api/v1/assortment?store=${store}&limit=2`],
      ['/api/v1/city', { headers: { Authorization: 'Basic eDp5' } }],
      ['/api/v1/nothing-here'],
      ['/api/v1/client', { method: 'POST', body: '{', headers: { 'Content-Type': 'application/json' } }],
      ['/api/v1/client', { method: 'POST', body: '{}', headers: { 'Content-Type': 'text/plain' } }],
      ['/healthz'],
      ['/openapi.json'],
    ];
    for (const [p, init] of paths) {
      const res = await demo.rt.app.request(p, { ...init, headers: { Authorization: DEMO_AUTH, ...init?.headers } });
      expect(res.headers.get('content-type'), p).toMatch(/^application\/json; charset=utf-8$/i);
    }
  });
});

describe('RateLimit header fields (draft-ietf-httpapi-ratelimit-headers)', () => {
  it('each answer names both policies and what is left; the 429 says r=0 and Retry-After', async () => {
    const app = createApp({ config: { ...demo.config, auth: { ...demo.config.auth, rateLimitPerMinute: 120 } }, services: demo.rt.services, logger: silentLogger });
    const seen: { status: number; policy: string; limit: string; retry: string | null }[] = [];
    for (let i = 0; i < 22; i++) {
      const res = await app.request('/api/v1/city', { headers: { Authorization: DEMO_AUTH } });
      await res.arrayBuffer();
      seen.push({ status: res.status, policy: res.headers.get('ratelimit-policy')!, limit: res.headers.get('ratelimit')!, retry: res.headers.get('retry-after') });
    }
    // 120/min: a bucket of 20 that refills in 10 s
    expect(seen[0].policy).toBe('"address";q=50000;w=10, "user";q=20;w=10');
    const user = (s: string) => /"user";r=(\d+);t=(\d+)/.exec(s)!.slice(1).map(Number);
    expect(user(seen[0].limit)).toEqual([19, 1]);
    expect(user(seen[9].limit)[0]).toBeLessThanOrEqual(10);
    const limited = seen.filter((s) => s.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(user(limited[0].limit)[0]).toBe(0);
    expect(Number(limited[0].retry)).toBeGreaterThanOrEqual(1);
    // a structured-field list: quoted keys, integer parameters
    for (const s of seen) expect(s.limit).toMatch(/^"address";r=\d+;t=\d+, "user";r=\d+;t=\d+$/);
  });
});

describe('a query string in the wrong encoding', () => {
  it('windows-1251 escapes: 400 query_not_utf8 naming the parameter and showing the bytes read as windows-1251', async () => {
    const r = await api('/api/v1/citystore?city=%CA%E0%E7%E0%ED%FC');
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('query_not_utf8');
    expect(r.body.error.fields).toEqual([{ field: 'city', message: 'не UTF-8' }]);
    expect(r.body.error.message).toContain('«Казань»');
    expect(r.body.error.message).toContain('%D0%9A%D0%B0%D0%B7%D0%B0%D0%BD%D1%8C');
    // the UTF-8 spelling of the same city is found
    const ok = await api('/api/v1/citystore?city=%D0%9A%D0%B0%D0%B7%D0%B0%D0%BD%D1%8C');
    expect([200, 404]).toContain(ok.status);
    expect(ok.body.error?.code).not.toBe('query_not_utf8');
  });

  it('a lone % is a 400 saying how to write %', async () => {
    const r = await api('/api/v1/citystore?city=100%');
    expect(r.status).toBe(400);
    expect(r.body.error.fields[0]).toEqual({ field: 'city', message: 'неверная percent-последовательность' });
  });
});

describe('one paging convention: limit, after, next', () => {
  it('following next from the first page gives every item once; page/pageSize give the same pages', async () => {
    const { store } = orderable(demo.rt.db, 1);
    const first = await api(`/api/v1/assortment?store=${store}&limit=7`);
    expect(first.status).toBe(200);
    const total = first.body.total as number;
    expect(total).toBeGreaterThan(14);
    const ids: string[] = [];
    let page = first;
    let pages = 0;
    for (;;) {
      pages++;
      ids.push(...page.body.items.map((i: { id: string }) => i.id));
      if (!page.body.next) break;
      expect(page.body.next).toMatch(/^\/api\/v1\/assortment\?store=[^&]+&limit=7&after=\d+$/);
      page = await api(page.body.next);
      expect(page.status).toBe(200);
    }
    expect(ids.length).toBe(total);
    expect(new Set(ids).size).toBe(total);
    expect(pages).toBe(Math.ceil(total / 7));
    // the old style: the same items page by page
    const old = await api(`/api/v1/assortment?store=${store}&pageSize=7&page=2`);
    expect(old.body.items.map((i: { id: string }) => i.id)).toEqual(ids.slice(7, 14));
    expect(old.body.next).toBe(`/api/v1/assortment?store=${store}&limit=7&after=14`);
    // filters travel with next
    const q = await api(`/api/v1/assortment?store=${store}&q=${encodeURIComponent('а')}&limit=2`);
    if (q.body.next) expect(q.body.next).toContain('q=%D0%B0');
  });

  it('mixing the styles or a cursor off the page grid is a 400 that says what to send', async () => {
    const { store } = orderable(demo.rt.db, 1);
    const mixed = await api(`/api/v1/assortment?store=${store}&page=2&after=7`);
    expect(mixed.status).toBe(400);
    expect(mixed.body.error.fields[0].field).toBe('after');
    const off = await api(`/api/v1/assortment?store=${store}&limit=7&after=5`);
    expect(off.status).toBe(400);
    expect(off.body.error.fields[0].message).toContain('next');
  });

  it('the bank review list pages by limit/after with next too', async () => {
    const r = await api('/api/v1/bank/unmatched?limit=5');
    expect(r.status).toBe(200);
    expect(r.body).toHaveProperty('next');
    if (r.body.items.length < 5) expect(r.body.next).toBeNull();
    else expect(r.body.next).toBe(`/api/v1/bank/unmatched?limit=5&after=${r.body.items[4].id}`);
  });
});

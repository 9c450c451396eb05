import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { countBankImport, countBankImportReport, createMetrics, targetOf } from '../../src/metrics.js';
import { Transport } from '../../src/onec/transport.js';
import { enqueue } from '../../src/outbox/index.js';
import { basic, buildApp, from, parseProm, sample, type TestApp } from './app.js';
import { S1 } from '../fixtures/mirror.js';

let server: RunningServer | undefined;
let fake1c: Server | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await new Promise<void>((r) => (fake1c ? fake1c.close(() => r()) : r()));
  fake1c = undefined;
});

async function serve(t: TestApp) {
  server = await startServer(t.app, t.config, { host: '127.0.0.1', port: 0 });
  return server.url;
}

describe('/metrics', () => {
  it('a real scrape over HTTP: request counters and latency per route/method/status, outbox, mirror, 1C, sync, bank', async () => {
    const t = buildApp();
    const url = await serve(t);
    const auth = { Authorization: basic() };
    for (let i = 0; i < 3; i++) expect((await fetch(`${url}/api/v1/assortment?store=${S1}`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${url}/api/v1/assortment?store=nope`, { headers: auth })).status).toBe(400);
    expect((await fetch(`${url}/api/v1/city`)).status).toBe(401);
    // Two jobs pending, one dead: the gauges are read from the database at scrape time.
    const now = Date.now();
    t.db.transaction(() => {
      enqueue(t.db, { kind: 'client.ensure', key: 'client:A', payload: {} }, now - 90_000);
      enqueue(t.db, { kind: 'client.ensure', key: 'client:B', payload: {} }, now);
      enqueue(t.db, { kind: 'client.ensure', key: 'client:C', payload: {} }, now);
    })();
    t.db.prepare(`UPDATE outbox_jobs SET state = 'dead', attempts = 12 WHERE key = 'client:C'`).run();
    t.db.prepare(`UPDATE outbox_jobs SET attempts = 3 WHERE key = 'client:A'`).run();
    t.metrics.observeSync('full', { ms: 4_200, requests: 19, ok: true });
    t.metrics.observeSync('stock', { ms: 800, requests: 0, ok: false });
    countBankImport('folder', 'imported', { matched: 2, review: 1 });

    // A fake 1C: the transport's observer feeds latency and errors by method and status.
    fake1c = createServer((req, res) => {
      res.writeHead(req.url!.includes('Broken') ? 500 : 200, { 'content-type': 'application/json' });
      res.end('{"value":[]}');
    });
    await new Promise<void>((r) => fake1c!.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(fake1c.address() as AddressInfo).port}/base/odata/standard.odata`;
    const tr = new Transport({ user: 'u', password: 'p', sessions: 2, timeoutMs: 5_000, readRetries: 0, maxUrlLength: 2000, observer: t.metrics.observeOneC });
    await tr.request('GET', `${base}/Catalog_%D0%A1%D0%BA%D0%BB%D0%B0%D0%B4%D1%8B(guid'00000000-0000-0000-0000-000000000001')?$format=json`);
    await expect(tr.request('GET', `${base}/Catalog_Broken?$top=1`)).rejects.toThrow();
    await tr.close();

    const r = await fetch(`${url}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const p = parseProm(await r.text());
    for (const [name, type] of Object.entries({
      regate_http_requests_total: 'counter',
      regate_http_request_duration_seconds: 'histogram',
      regate_outbox_pending_jobs: 'gauge',
      regate_outbox_oldest_pending_age_seconds: 'gauge',
      regate_outbox_max_attempts: 'gauge',
      regate_outbox_dead_jobs: 'gauge',
      regate_onec_requests_total: 'counter',
      regate_onec_errors_total: 'counter',
      regate_onec_request_duration_seconds: 'histogram',
      regate_mirror_age_seconds: 'gauge',
      regate_sync_last_duration_seconds: 'gauge',
      regate_sync_last_requests: 'gauge',
      regate_bank_imports_total: 'counter',
    }))
      expect(p.types.get(name), name).toBe(type);

    const ok = { route: '/api/v1/assortment', method: 'GET', status: '200' };
    expect(sample(p, 'regate_http_requests_total', ok)).toBe(3);
    expect(sample(p, 'regate_http_requests_total', { ...ok, status: '400' })).toBe(1);
    expect(sample(p, 'regate_http_requests_total', { route: '/api/v1/city', status: '401' })).toBe(1);
    expect(sample(p, 'regate_http_request_duration_seconds_count', ok)).toBe(3);
    expect(sample(p, 'regate_http_request_duration_seconds_bucket', { ...ok, le: '+Inf' })).toBe(3);
    // No label carries a URL with a query: one series per route template.
    expect(p.samples.some((s) => (s.labels.route ?? '').includes('?'))).toBe(false);

    expect(sample(p, 'regate_outbox_pending_jobs')).toBe(2);
    expect(sample(p, 'regate_outbox_dead_jobs')).toBe(1);
    expect(sample(p, 'regate_outbox_max_attempts')).toBe(3);
    expect(sample(p, 'regate_outbox_oldest_pending_age_seconds')).toBeGreaterThanOrEqual(90);
    expect(sample(p, 'regate_outbox_oldest_pending_age_seconds')).toBeLessThan(200);

    expect(sample(p, 'regate_onec_requests_total', { method: 'GET', target: 'Catalog_Склады', status: '200' })).toBe(1);
    expect(sample(p, 'regate_onec_errors_total', { method: 'GET', target: 'Catalog_Broken', status: '500' })).toBe(1);
    expect(sample(p, 'regate_onec_errors_total', { target: 'Catalog_Склады' })).toBeUndefined();
    expect(sample(p, 'regate_onec_request_duration_seconds_count', { method: 'GET', status: '500' })).toBe(1);

    expect(sample(p, 'regate_mirror_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(p, 'regate_mirror_age_seconds')).toBeLessThan(600);
    expect(sample(p, 'regate_sync_last_duration_seconds', { kind: 'full' })).toBe(4.2);
    expect(sample(p, 'regate_sync_last_requests', { kind: 'full' })).toBe(19);
    expect(sample(p, 'regate_sync_last_requests', { kind: 'stock' })).toBeUndefined(); // a failed run is not a "last" count
    expect(sample(p, 'regate_sync_runs_total', { kind: 'stock', result: 'failed' })).toBe(1);
    expect(sample(p, 'regate_bank_imports_total', { source: 'folder', result: 'imported' })).toBeGreaterThanOrEqual(1);
    expect(sample(p, 'regate_bank_payments_total', { outcome: 'matched' })).toBeGreaterThanOrEqual(2);
    // The scrape itself is counted on the next one.
    const again = parseProm(await (await fetch(`${url}/metrics`)).text());
    expect(sample(again, 'regate_http_requests_total', { route: '/metrics', status: '200' })).toBe(1);
  });

  it('access: direct loopback without auth; a relayed or remote request needs Basic auth; auth mode always; open never', async () => {
    const t = buildApp();
    const url = await serve(t);
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
    // The local Apache/IIS relays from 127.0.0.1 but adds X-Forwarded-*: that is the outside world.
    const relayed = await fetch(`${url}/metrics`, { headers: { 'X-Forwarded-For': '203.0.113.5' } });
    expect(relayed.status).toBe(401);
    expect(((await relayed.json()) as any).error.code).toBe('unauthorized');
    expect((await fetch(`${url}/metrics`, { headers: { 'X-Forwarded-Proto': 'https' } })).status).toBe(401);
    expect((await fetch(`${url}/metrics`, { headers: { 'X-Forwarded-For': '203.0.113.5', Authorization: basic() } })).status).toBe(200);
    expect((await t.app.request('/metrics', {}, from('198.51.100.2'))).status).toBe(401);
    expect((await t.app.request('/metrics', { headers: { Authorization: basic() } }, from('198.51.100.2'))).status).toBe(200);
    expect((await t.app.request('/metrics', { headers: { Authorization: basic('rs', 'wrong') } }, from('198.51.100.2'))).status).toBe(401);

    const authOnly = buildApp({ metrics: { access: 'auth' } });
    expect((await authOnly.app.request('/metrics', {}, from('127.0.0.1'))).status).toBe(401);
    const open = buildApp({ metrics: { access: 'open' } });
    expect((await open.app.request('/metrics', {}, from('198.51.100.2'))).status).toBe(200);
    const off = buildApp({ metrics: { enabled: false } });
    expect((await off.app.request('/metrics', {}, from('127.0.0.1'))).status).toBe(404);
  });

  it('bank: an importer report counts as one import and its payments by outcome; a duplicate file as duplicate', async () => {
    const m = createMetrics({ processMetrics: false });
    const before = parseProm(await m.render());
    const n = (p: ReturnType<typeof parseProm>, name: string, labels: Record<string, string>) => sample(p, name, labels) ?? 0;
    countBankImportReport({ source: 'tochka', duplicate: false, matched: 5, partial: 2, review: 1 }, new Date('2020-01-01T00:00:00Z'));
    countBankImportReport({ source: 'tochka', duplicate: true, matched: 0, partial: 0, review: 0 });
    countBankImport('tochka', 'failed');
    const after = parseProm(await m.render());
    const d = (name: string, labels: Record<string, string>) => n(after, name, labels) - n(before, name, labels);
    expect(d('regate_bank_imports_total', { source: 'tochka', result: 'imported' })).toBe(1);
    expect(d('regate_bank_imports_total', { source: 'tochka', result: 'duplicate' })).toBe(1);
    expect(d('regate_bank_imports_total', { source: 'tochka', result: 'failed' })).toBe(1);
    expect(d('regate_bank_payments_total', { outcome: 'matched' })).toBe(3);
    expect(d('regate_bank_payments_total', { outcome: 'partial' })).toBe(2);
    expect(d('regate_bank_payments_total', { outcome: 'review' })).toBe(1);
    // The duplicate (later, real clock) counts as the last import; a failure never does.
    expect(sample(after, 'regate_bank_last_import_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 60);
  });

  it('the HTTP histogram is cumulative per series, with sum and count', async () => {
    const m = createMetrics({ processMetrics: false });
    for (const ms of [0.5, 3, 3, 40, 12_000, 90_000]) m.observeRequest('/api/v1/booking', 'POST', 202, ms);
    m.observeRequest('/api/v1/booking', 'POST', 409, 2);
    const p = parseProm(await m.render());
    const b = (le: string) => sample(p, 'regate_http_request_duration_seconds_bucket', { route: '/api/v1/booking', status: '202', le });
    expect([b('0.001'), b('0.0025'), b('0.005'), b('0.05'), b('10'), b('30'), b('+Inf')]).toEqual([1, 1, 3, 4, 4, 5, 6]);
    expect(sample(p, 'regate_http_request_duration_seconds_count', { status: '202' })).toBe(6);
    expect(sample(p, 'regate_http_request_duration_seconds_sum', { status: '202' })).toBeCloseTo(102.0465, 6);
    expect(sample(p, 'regate_http_requests_total', { route: '/api/v1/booking', status: '409' })).toBe(1);
  });

  it('a failing database (closed at shutdown) does not fail the scrape', async () => {
    const closed = () => {
      throw new Error('The database connection is not open');
    };
    const m = createMetrics({ processMetrics: false, sources: { outbox: closed, mirror: closed } });
    m.observeRequest('/healthz', 'GET', 200, 1);
    const p = parseProm(await m.render());
    expect(p.types.get('regate_outbox_pending_jobs')).toBe('gauge');
    expect(sample(p, 'regate_http_requests_total', { route: '/healthz' })).toBe(1);
  });

  it('an empty mirror reports an age of +Inf (an age alert fires), not 0 or 56 years', async () => {
    const m = createMetrics({ processMetrics: false, sources: { mirror: () => ({ generation: 0, syncedAt: null, stockSyncedAt: null }) } });
    const text = await m.render();
    expect(text).toMatch(/^regate_mirror_age_seconds \+Inf$/m);
    expect(sample(parseProm(text), 'regate_mirror_stock_age_seconds')).toBe(Infinity);
  });

  it('process metrics are on by default (event loop lag, memory)', async () => {
    const p = parseProm(await createMetrics().render());
    expect(p.types.get('regate_process_resident_memory_bytes') ?? p.types.get('regate_nodejs_heap_size_used_bytes')).toBe('gauge');
    expect(p.types.has('regate_nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it('1C target labels are bounded: keys and queries dropped, Cyrillic decoded', () => {
    expect(targetOf("http://h/b/odata/standard.odata/Catalog_%D0%A1%D0%BA%D0%BB%D0%B0%D0%B4%D1%8B(guid'x')?$format=json")).toBe('Catalog_Склады');
    expect(targetOf('http://h/b/odata/standard.odata/AccumulationRegister_X/Balance(Period=datetime\'2026-01-01T00:00:00\')?$select=a')).toBe('AccumulationRegister_X/Balance');
    expect(targetOf('http://h/b/odata/standard.odata/$metadata')).toBe('$metadata');
    expect(targetOf('http://h/other')).toBe('other');
  });
});

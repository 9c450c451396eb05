/**
 * Do variants (issue 17) multiply the cost of a cold page? The same mirror twice in one process: as synced (items in
 * characteristics with their stock, prices and barcodes) and a copy with the variants taken out; the same page URLs
 * asked of each in turn, each the first request for its URL in its runtime (cold), through app.request without gzip.
 * Per page: wall time and the API thread's CPU (/proc schedstat), with the load average.
 *
 *   npx tsx bench/variant-cost.ts <mirror.sqlite> [--pages 200]
 */
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../src/config/index.js';
import { createLogger } from '../src/log.js';
import { createRuntime } from '../src/runtime.js';
import { hashPassword } from '../src/install/password.js';

const args = process.argv.slice(2);
const mirror = resolve(args[0]);
const pagesWanted = Number(args.includes('--pages') ? args[args.indexOf('--pages') + 1] : 200);
const NEVER = '0 0 1 1 *';
const hash = await hashPassword('b');
const copies = { with: `${mirror}.vc-with-${process.pid}`, without: `${mirror}.vc-without-${process.pid}` };
for (const p of Object.values(copies)) copyFileSync(mirror, p);
{
  const db = new Database(copies.without);
  db.exec(`DELETE FROM catalog_variant_barcodes; DELETE FROM catalog_variant_prices; DELETE FROM catalog_variant_stock; DELETE FROM catalog_variants;`);
  db.close();
}
const runtime = (path: string) =>
  createRuntime(
    loadConfig({
      env: {},
      overrides: {
        'onec.url': 'http://127.0.0.1:9/base/odata/standard.odata', 'onec.user': 'x', 'onec.password': 'x', 'database.path': path, 'server.port': 0,
        'auth.users': [{ name: 'b', passwordHash: hash }], 'sync.catalogCron': NEVER, 'sync.stockCron': NEVER, 'orders.expiryCron': NEVER, 'orders.reconcileCron': NEVER,
        'auth.rateLimitPerMinute': 1e9, 'auth.rateLimitPerAddressPerMinute': 1e9, 'log.level': 'error',
      },
    }),
    createLogger('error'),
  );
const rts = { with: runtime(copies.with), without: runtime(copies.without) };
const headers = { authorization: `Basic ${Buffer.from('b:b').toString('base64')}`, 'accept-encoding': 'identity' };
const threadNs = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
const get = async (rt: ReturnType<typeof runtime>, path: string) => {
  const c = threadNs();
  const t = performance.now();
  const r = await rt.app.request(path, { headers });
  const body = await r.text();
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${body.slice(0, 200)}`);
  return { ms: performance.now() - t, cpuMs: (threadNs() - c) / 1e6, variants: (JSON.parse(body) as { items: { variants?: unknown[] }[] }).items.filter((x) => x.variants).length };
};
// The password check once per runtime, outside the figures.
for (const rt of Object.values(rts)) await rt.app.request('/api/v1/city', { headers });

const db = rts.with.db;
const stores = db.prepare('SELECT id FROM catalog_stores ORDER BY id').pluck().all() as string[];
const paths: string[] = [];
for (const s of stores) {
  const total = (await (await rts.with.app.request(`/api/v1/assortment?store=${s}&page=1&pageSize=1`, { headers })).json()) as { total: number };
  for (let p = 1; p <= Math.ceil(total.total / 100); p++) paths.push(`/api/v1/assortment?store=${s}&page=${p}&pageSize=100`);
}
let a = 17;
const rnd = () => ((a = (Math.imul(a, 1103515245) + 12345) >>> 0) / 4294967296);
const chosen = [...new Set(Array.from({ length: pagesWanted }, () => paths[Math.floor(rnd() * paths.length)]))];
const rows: { path: string; variants: number; with: { ms: number; cpuMs: number }; without: { ms: number; cpuMs: number } }[] = [];
for (const [i, path] of chosen.entries()) {
  // Alternate which goes first, so neither always follows the other's warm-up of shared caches.
  const first = i % 2 === 0 ? 'with' : 'without';
  const r1 = await get(rts[first], path);
  const r2 = await get(rts[first === 'with' ? 'without' : 'with'], path);
  const w = first === 'with' ? r1 : r2;
  const wo = first === 'with' ? r2 : r1;
  rows.push({ path, variants: w.variants, with: { ms: w.ms, cpuMs: w.cpuMs }, without: { ms: wo.ms, cpuMs: wo.cpuMs } });
}
const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)];
const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
const report = (label: string, rs: typeof rows) =>
  rs.length &&
  console.log(
    `${label}: ${rs.length} pages, ${(sum(rs.map((r) => r.variants)) / rs.length).toFixed(1)} items with variants a page; API-thread CPU per page with variants median ${med(rs.map((r) => r.with.cpuMs)).toFixed(2)} ms (mean ${(sum(rs.map((r) => r.with.cpuMs)) / rs.length).toFixed(2)}), without ${med(rs.map((r) => r.without.cpuMs)).toFixed(2)} ms (mean ${(sum(rs.map((r) => r.without.cpuMs)) / rs.length).toFixed(2)}): ${(sum(rs.map((r) => r.with.cpuMs)) / sum(rs.map((r) => r.without.cpuMs))).toFixed(2)}×; wall median ${med(rs.map((r) => r.with.ms)).toFixed(1)} vs ${med(rs.map((r) => r.without.ms)).toFixed(1)} ms`,
  );
report('all pages', rows);
report('pages with ≥ 10 items in variants', rows.filter((r) => r.variants >= 10));
report('pages with none', rows.filter((r) => r.variants === 0));
console.log(`load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
for (const rt of Object.values(rts)) rt.db.close();
for (const p of Object.values(copies)) for (const s of ['', '-wal', '-shm']) rmSync(p + s, { force: true });
process.exit(0);

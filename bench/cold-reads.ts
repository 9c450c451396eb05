/**
 * Cold reads against a mirror already built (issue 19.3's targets at 300k without the scale suite's 20–35 minutes of
 * emulator and sync): the scale suite's cold sequence, in this process, through app.request as it times them —
 * the first page of every warehouse, four depths of the largest, 30 random pages, 12 q= searches (an article, the
 * first word of a name, a 5-letter piece of one), 12 exact barcodes — each the first request for its URL, one at a
 * time, without gzip. Each figure is the wall time and the API thread's own CPU time (/proc schedstat, ns), with the
 * load average; the CPU figure holds better than the wall time on a loaded host.
 *
 *   npx tsx bench/cold-reads.ts <mirror.sqlite> [--src <tree>] [--json out.json] [--queries 'a|b|c'] [--profile out.cpuprofile]
 *     [--warm service|app] [--gap-ms 2]
 *
 * The mirror is copied first (migrations of the tree run on the copy). `--src`: take the product code from another
 * checkout (a worktree or `git archive` of an earlier commit, with node_modules linked) for a same-run before/after.
 */
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const mirror = resolve(args[0]);
const src = resolve(opt('--src') ?? resolve(import.meta.dirname, '..'));
const imp = (p: string) => import(pathToFileURL(resolve(src, p)).href);
const { loadConfig } = await imp('src/config/index.ts');
const { createLogger } = await imp('src/log.ts');
const { createRuntime } = await imp('src/runtime.ts');
const { hashPassword } = await imp('src/install/password.ts');

const dbPath = `${mirror}.cold-${process.pid}`;
for (const s of ['', '-wal', '-shm']) rmSync(dbPath + s, { force: true });
copyFileSync(mirror, dbPath);
const NEVER = '0 0 1 1 *';
const config = loadConfig({
  env: {},
  overrides: {
    'onec.url': 'http://127.0.0.1:9/base/odata/standard.odata',
    'onec.user': 'x',
    'onec.password': 'x',
    'database.path': dbPath,
    'server.port': 0,
    'auth.users': [{ name: 'b', passwordHash: await hashPassword('b') }],
    'sync.catalogCron': NEVER,
    'sync.stockCron': NEVER,
    'orders.expiryCron': NEVER,
    'orders.reconcileCron': NEVER,
    'auth.rateLimitPerMinute': 1e9,
    'auth.rateLimitPerAddressPerMinute': 1e9,
    'log.level': 'error',
  },
});
const rt = createRuntime(config, createLogger('error'));
const profile = opt('--profile');
const prof = profile ? await import('./lib/profile.js') : undefined;
await rt.app.request('/healthz');
// --warm service|app: one page read before the measured ones (the service alone, or through the app), not counted.
const warm = opt('--warm');
const firstStore = rt.db.prepare('SELECT id FROM catalog_stores ORDER BY id DESC LIMIT 1').pluck().get() as string;
if (warm === 'service') rt.catalog.assortment({ store: firstStore, page: 7, pageSize: 100 });
if (warm === 'app') await rt.app.request(`/api/v1/assortment?store=${firstStore}&page=7&pageSize=100`, { headers: { authorization: `Basic ${Buffer.from('b:b').toString('base64')}`, 'accept-encoding': 'identity' } });
if (prof) await prof.startProfile(100);
const headers = { authorization: `Basic ${Buffer.from('b:b').toString('base64')}`, 'accept-encoding': 'identity' };
const threadNs = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
const load1 = () => Math.round(loadavg()[0] * 100) / 100;

interface Sample { kind: string; path: string; ms: number; cpuMs: number; total: number; load: number }
const samples: Sample[] = [];
type Item = { id: string; name: string; article: string; barcodes: string[] };
// A server's event loop turns between two requests from a client (the socket's I/O): background work queued with
// setImmediate (the search order's slices, src/catalog/store-orders.ts) runs there. app.request alone resolves in
// microtasks and would starve it, so each request here comes after a short idle gap, as after a client's round trip.
const gapMs = Number(opt('--gap-ms') ?? 2);
const get = async (kind: string, path: string) => {
  await new Promise((r) => setTimeout(r, gapMs));
  const c = threadNs();
  const t = performance.now();
  const r = await rt.app.request(path, { headers });
  const body = await r.text();
  const ms = performance.now() - t;
  const cpuMs = (threadNs() - c) / 1e6;
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${body.slice(0, 300)}`);
  const json = JSON.parse(body) as { total: number; items: Item[] };
  if (kind === 'auth') console.log(`first authenticated request (password check): ${ms.toFixed(1)} ms, API-thread cpu ${cpuMs.toFixed(1)} ms`);
  samples.push({ kind, path, ms: Math.round(ms * 100) / 100, cpuMs: Math.round(cpuMs * 100) / 100, total: json.total, load: load1() });
  return json;
};

// The user's first request pays the password check (scrypt, then cached): kept apart, as the scale suite does.
await get('auth', '/api/v1/city');
let a = 300_000; // the scale suite's seed is the item count
const rnd = () => ((a = (Math.imul(a, 1103515245) + 12345) >>> 0) / 4294967296);
const stores = rt.db.prepare('SELECT id FROM catalog_stores ORDER BY id').pluck().all() as string[];
const assortment = (store: string, extra: string) => `/api/v1/assortment?store=${store}${extra}`;
const totals: { store: string; total: number }[] = [];
const seen: Item[] = [];
for (const store of stores) {
  const r = await get('page', assortment(store, '&page=1&pageSize=100'));
  totals.push({ store, total: r.total });
  seen.push(...r.items);
}
const biggest = totals.reduce((x, y) => (y.total > x.total ? y : x));
const last = Math.max(1, Math.ceil(biggest.total / 100));
for (const p of [Math.ceil(last / 4), Math.ceil(last / 2), Math.ceil((3 * last) / 4), last]) seen.push(...(await get('page', assortment(biggest.store, `&page=${p}&pageSize=100`))).items);
const all: string[] = [];
for (const { store, total } of totals) for (let p = 2; p <= Math.max(1, Math.ceil(total / 100)); p++) all.push(assortment(store, `&page=${p}&pageSize=100`));
const asked = new Set<string>();
for (let i = 0; i < 30; i++) {
  const path = all[Math.floor(rnd() * all.length)];
  if (asked.has(path)) continue;
  asked.add(path);
  seen.push(...(await get('page', path)).items);
}
const given = opt('--queries')?.split('|');
const queries: string[] = given ?? [];
if (!given)
  for (let i = 0; i < 12; i++) {
    const it = seen[Math.floor(rnd() * seen.length)];
    const words = it.name.split(/[\s«»"(),.]+/).filter((w) => w.length >= 4);
    queries.push(i % 3 === 0 ? it.article : i % 3 === 1 ? (words[0] ?? it.name).toLowerCase() : it.name.slice(Math.floor(it.name.length / 3), Math.floor(it.name.length / 3) + 5));
  }
for (const [i, q] of queries.entries()) await get(`search ${JSON.stringify(q)}`, assortment(totals[i % totals.length].store, `&q=${encodeURIComponent(q)}&page=1&pageSize=100`));
const withBarcodes = seen.filter((x) => x.barcodes.length);
for (let i = 0; i < 12 && withBarcodes.length; i++) await get('barcode', assortment(totals[i % totals.length].store, `&q=${withBarcodes[Math.floor(rnd() * withBarcodes.length)].barcodes[0]}&page=1&pageSize=100`));

if (prof && profile) {
  const p = await prof.stopProfile(profile);
  console.log(p.bySrcFrame.slice(0, 30).map((f) => `${f.pct}% ${f.ms.toFixed(0)} ms ${f.frame}`).join('\n'));
  console.log('--- functions');
  console.log(p.functions.slice(0, 30).map((f) => `${f.pct}% ${f.ms.toFixed(0)} ms ${f.fn} ${f.where}`).join('\n'));
}
if (process.env.COLD_DEBUG) console.log('orders in memory:', JSON.stringify([...((rt.catalog as { storeOrders?: { entries?: Map<string, unknown> } }).storeOrders?.entries?.keys() ?? [])]));
const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)];
const summary: Record<string, { n: number; msMedian: number; msWorst: number; cpuMedian: number; cpuWorst: number; load: string }> = {};
for (const kind of ['page', 'search', 'barcode']) {
  const s = samples.filter((x) => x.kind.startsWith(kind));
  if (!s.length) continue;
  summary[kind] = {
    n: s.length,
    msMedian: med(s.map((x) => x.ms)),
    msWorst: Math.max(...s.map((x) => x.ms)),
    cpuMedian: med(s.map((x) => x.cpuMs)),
    cpuWorst: Math.max(...s.map((x) => x.cpuMs)),
    load: `${Math.min(...s.map((x) => x.load))}–${Math.max(...s.map((x) => x.load))}`,
  };
}
for (const s of samples.filter((x) => x.kind !== 'page')) console.log(`${s.kind.padEnd(34)} total ${String(s.total).padStart(7)}  ${s.ms.toFixed(1).padStart(7)} ms  cpu ${s.cpuMs.toFixed(1).padStart(6)} ms  load ${s.load}`);
console.log(JSON.stringify({ src, mirror, summary }));
if (opt('--json')) writeFileSync(opt('--json')!, JSON.stringify({ src, mirror, at: new Date().toISOString(), summary, samples }, null, 1));
rt.db.close();
for (const s of ['', '-wal', '-shm']) rmSync(dbPath + s, { force: true });
process.exit(0);

/**
 * Overhead of the request middleware (access log, metrics, rate limits, timeout) on the hot read path.
 *
 *   npx tsx test/observability/bench-overhead.ts [seconds=10] [connections=256]
 *
 * Starts the real app on loopback in this process, with a 500-item mirror, and runs autocannon in a child process
 * (so the load generator does not share the server's event loop) against /healthz and an assortment page of 100
 * items. The logger is the daemon's own (createLogger: JSON lines to stdout); run it with stdout redirected, as
 * under systemd — the figures are printed to stderr:
 *   npx tsx test/observability/bench-overhead.ts 10 256 > /tmp/regate-bench.log
 * Not a vitest file: it takes tens of seconds and its numbers depend on the machine.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { openDb } from '../../src/db/open.js';
import { parseConfig } from '../../src/config/index.js';
import { createApp } from '../../src/api/app.js';
import { startServer } from '../../src/api/server.js';
import { CatalogService } from '../../src/catalog/service.js';
import { writeSnapshot } from '../../src/catalog/writer.js';
import { hashPassword } from '../../src/install/password.js';
import { createLogger } from '../../src/log.js';
import { item, snapshot, S1, PK } from '../fixtures/mirror.js';

const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 256);

const db = openDb(':memory:');
const items = Array.from({ length: 500 }, (_, i) => item(`bbbbbbbb-0000-4000-8000-${String(i + 1).padStart(12, '0')}`, `Товар ${i}`));
writeSnapshot(db, {
  ...snapshot,
  items,
  prices: items.map((it, i) => ({ itemId: it.id, priceKindId: PK.retail, price: 100 + i })),
  stock: items.map((it) => ({ storeId: S1, itemId: it.id, quantity: 10 })),
});
const config = parseConfig({
  auth: { users: [{ name: 'rs', passwordHash: await hashPassword('pw') }], rateLimitPerMinute: 10_000_000 },
  server: { port: 0 },
  // Switches to find where the cost is (absent from the baseline's schema, so only set when asked).
  ...(process.env.BENCH_NOLOG ? { log: { requests: false } } : {}),
});
const logger = createLogger('info');
const catalog = new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
const services: Record<string, unknown> = { catalog, health: { ready: async () => ({ ready: true, checks: [] }) } };
try {
  const m = (await import('../../src/metrics.js' as string)) as { createMetrics?: (o: object) => unknown };
  if (m.createMetrics && !process.env.BENCH_NOMETRICS) services.metrics = m.createMetrics({});
} catch {
  // before src/metrics.ts existed: the baseline run
}
const app = createApp({ config, logger, services: services as never });
const server = await startServer(app, config, { host: '127.0.0.1', port: 0 });
const auth = 'Basic ' + Buffer.from('rs:pw').toString('base64');

const exec = promisify(execFile);

// execFile, not spawnSync: the server lives in this process and must keep its event loop.
async function run(path: string, headers: Record<string, string> = {}) {
  const args = ['-c', String(connections), '-d', String(seconds), '-j'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}=${v}`);
  // Warm-up (JIT, the catalogue cache, the auth cache) so the measured run is steady state.
  await exec('node_modules/.bin/autocannon', ['-c', '16', '-d', '2', ...args.slice(4), `${server.url}${path}`]);
  // Server CPU per request as well as throughput: on a shared box the req/s move with the neighbours' load, the
  // server's own CPU time per request much less.
  const cpu0 = process.cpuUsage();
  const r = await exec('node_modules/.bin/autocannon', [...args, `${server.url}${path}`], { maxBuffer: 64 << 20 });
  const cpu = process.cpuUsage(cpu0);
  const j = JSON.parse(r.stdout) as { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number; '2xx': number };
  const total = j['2xx'] + j.non2xx;
  return { path, reqPerSec: Math.round(j.requests.average), cpuUsPerReq: Math.round(((cpu.user + cpu.system) / Math.max(1, total)) * 10) / 10, p50: j.latency.p50, p99: j.latency.p99, ok: j['2xx'], non2xx: j.non2xx, errors: j.errors };
}

const results = [await run('/healthz')];
if (!process.env.BENCH_HEALTHZ_ONLY) results.push(await run(`/api/v1/assortment?store=${S1}&page=2&pageSize=100`, { Authorization: auth }));
console.error(results.map((r) => `${r.path.padEnd(40).slice(0, 40)} ${String(r.reqPerSec).padStart(7)} req/s  server CPU ${r.cpuUsPerReq} µs/req  p50 ${r.p50} ms  p99 ${r.p99} ms  2xx ${r.ok}  non-2xx ${r.non2xx}  errors ${r.errors}`).join('\n'));
await server.close();
db.close();

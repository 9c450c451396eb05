/**
 * Benchmark child: ReGate as `regate serve` runs it (createRuntime + startServer), in its own process, against the
 * emulator child. Before answering 'ready' it runs a full sync (so the mirror is filled, as on a live server) and
 * verifies the API user once (so the first burst does not pay scrypt — see the note in run.ts).
 * The cron schedules are set to a date that does not come during a run: a stock sync firing in the middle of a
 * 10-second measurement would be noise, not a figure.
 */
import { readFileSync, rmSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { createRuntime } from '../../src/runtime.js';
import { startServer } from '../../src/api/server.js';
import { runFullSync } from '../../src/catalog/sync.js';
import { hashPassword } from '../../src/install/password.js';
import { stats as outboxStats } from '../../src/outbox/index.js';
import { argsOf, serveParent } from '../lib/proc.js';
import { startProfile, stopProfile } from '../lib/profile.js';
import { narrowState } from '../lib/state-fix.js';
import { syncJobs, type SyncJobs } from '../../src/workers/index.js';
import { lockOf, lockStats } from '../../src/workers/write-lock.js';
import { registerDelivery } from '../../src/orders/delivery/index.js';
import { ResponseCache } from '../../src/api/response-cache.js';

const args = argsOf<{
  onecUrl: string;
  onecUser: { name: string; password: string };
  apiUser: { name: string; password: string };
  dbPath: string;
  sessions?: number;
  confirmWindowMs?: number;
  pageSize?: number;
  /** Start the outbox worker (booking benchmark). */
  worker?: boolean;
  /** The outbox worker on the API's thread (as before issue 19.1) instead of its own (rt.start()'s default). */
  outboxInline?: boolean;
  /** Start the sync worker before answering ready (the stall benchmark). */
  syncWorker?: boolean;
  /** Give the response cache the mirror's change log (see below; the stall benchmark). */
  changeFeed?: boolean;
  /** The database was filled by a sync child already (the scale bench measures the sync there): keep it, no sync. */
  reuseDb?: boolean;
  /** The readfix prototype (see bench/suites/readfix.ts); never set by the real benchmarks. */
  prototype?: boolean;
  /** REGATE_* variables for the config (e.g. REGATE_TUNING_WRITE_LOCK=0: a suite's same-run before); the host's own
   *  environment is never read. */
  env?: Record<string, string>;
}>();

const NEVER = '0 0 1 1 *'; // 1 January, 00:00
let loopWatch: { histogram: IntervalHistogram; gcFrom: number } | undefined;
/** The last garbage-collection pauses of this thread: [start, duration] in performance.now() ms (timedGet). */
const gcPauses: [number, number][] = [];
/** This thread's GC so far, by kind (scavenges, mark-compacts, incremental marking steps, weak callbacks): count and
 *  pause ms, so a bench can tell what a burst cost in collections (the 'cpu' call returns it). */
const gcTotals: Record<string, { n: number; ms: number }> = {};
const gcKindName: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weak' };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcPauses.push([e.startTime, e.duration]);
    const kind = gcKindName[((e as { detail?: { kind?: number } }).detail)?.kind ?? 0] ?? 'other';
    const t = (gcTotals[kind] ??= { n: 0, ms: 0 });
    t.n++;
    t.ms += e.duration;
  }
  if (gcPauses.length > 8192) gcPauses.splice(0, gcPauses.length - 4096);
}).observe({ entryTypes: ['gc'] });
if (!args.reuseDb) for (const suffix of ['', '-wal', '-shm']) rmSync(`${args.dbPath}${suffix}`, { force: true });
const config = loadConfig({
  env: args.env ?? {},
  overrides: {
    'onec.url': args.onecUrl,
    'onec.user': args.onecUser.name,
    'onec.password': args.onecUser.password,
    'onec.sessions': args.sessions ?? 4,
    'database.path': args.dbPath,
    'server.host': '127.0.0.1',
    'server.port': 0,
    'auth.users': [{ name: args.apiUser.name, passwordHash: await hashPassword(args.apiUser.password) }],
    'outbox.confirmWindowMs': args.confirmWindowMs ?? 3000,
    'sync.catalogCron': NEVER,
    'sync.stockCron': NEVER,
    'orders.expiryCron': NEVER,
    'orders.reconcileCron': NEVER,
    // Limits are policy, not capacity: lifted so the figures do not depend on them. (The per-user default was
    // 6,000/min = 100/s until 76cbc82 and answered 429 to 95% of the target read load; it is 5,000/s now.)
    'auth.rateLimitPerMinute': 1_000_000_000,
    'auth.rateLimitPerAddressPerMinute': 1_000_000_000,
    // Logging stays at the defaults (info, one line per request), as a production daemon runs.
    ...(args.pageSize ? { 'sync.pageSize': args.pageSize } : {}),
  },
});
const logger = createLogger(config.log.level);
const rt = createRuntime(config, logger);
const sync = args.reuseDb ? null : await runFullSync(rt);
if (args.prototype) narrowState(rt);
const server = await startServer(rt.app, config);
// Responses written, so a suite can divide the CPU it measures by the requests the server really answered (the load
// generator stops counting at its deadline; the server still finishes what was in flight).
let answered = 0;
server.server.on('request', (_req: unknown, res: import('node:http').ServerResponse) => res.once('finish', () => answered++));
if (args.worker && args.outboxInline) {
  // As before issue 19.1: the delivery handlers on this thread's worker (the daemon hands them to a thread).
  registerDelivery(rt, { schedules: false });
  rt.worker.start();
} else if (args.worker) rt.start();
// As the daemon has it once a sync has finished (src/runtime.ts warms them after every sync and at start): the
// warehouses' orders for q= in memory. A cold search is measured as a shopper meets it seconds after a sync, not in
// the few hundred milliseconds the reads take.
if (!(args.worker && !args.outboxInline)) rt.catalog.warmSearch();
for (const end = Date.now() + 60_000; rt.catalog.storeOrders.warming && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));

// One authenticated request, so the credential is in the verified cache before the load starts.
const auth = `Basic ${Buffer.from(`${args.apiUser.name}:${args.apiUser.password}`).toString('base64')}`;
const warm = await fetch(`${server.url}/api/v1/state`, { headers: { authorization: auth } });
if (warm.status !== 200) throw new Error(`warm-up /api/v1/state answered ${warm.status}: ${await warm.text()}`);

// The syncs of the stall benchmark: in a worker thread as the daemon runs them (src/runtime.ts), or on the API's own
// thread as before issue 19.1 (the same-run "before").
// 'plain': the worker thread as it was before its priority was lowered (src/workers/priority.ts), the same-run before.
const jobs: Record<'worker' | 'plain' | 'inline', SyncJobs> = {
  worker: syncJobs({ config, logger, db: rt.db, onec: rt.onec }),
  plain: syncJobs({ config, logger, db: rt.db, onec: rt.onec, nice: 0 }),
  inline: syncJobs({ config, logger, db: rt.db, onec: rt.onec, inline: true }),
};
// As the daemon has it once started (runtime.start warms it): the thread is up before the first measured sync.
if (args.syncWorker) await Promise.all([jobs.worker.warm(), jobs.plain.warm()]);
// The response cache's change feed (issue 19.3), switched per sync by the stall benchmark: on, the cache gets the
// mirror's change log (what src/api/routes/catalog.ts wires); off, it drops every page at a new generation (before).
let feedOn = true;
// Answers computed (response cache misses), so the stall benchmark can say how many pages a sync's generation dropped.
let computed = 0;
{
  // render() is where every answer is computed (a miss of gzipOf or of answer, which compresses off the thread).
  const proto = ResponseCache.prototype as unknown as { render(key: string, compute: () => unknown): unknown };
  const render = proto.render;
  proto.render = function (key, compute) {
    return render.call(this, key, () => (computed++, compute()));
  };
}
if (args.changeFeed) {
  const proto = ResponseCache.prototype as unknown as { advance(this: { changes?: unknown }, g: number): void };
  const advance = proto.advance;
  proto.advance = function (g) {
    const own = this.changes;
    this.changes = feedOn ? own ?? ((a: number, b: number) => rt.catalog.changesBetween(a, b)) : undefined;
    try {
      return advance.call(this, g);
    } finally {
      this.changes = own;
    }
  };
}

serveParent(
  { url: server.url, sync, stores: rt.db.prepare('SELECT id FROM catalog_stores ORDER BY id').pluck().all() },
  {
    /** A full or stock sync in a worker thread or on this thread; its report and this process's RSS high-water. */
    sync: async (kind: 'full' | 'stock', mode: 'worker' | 'plain' | 'inline') => {
      const t = performance.now();
      const report = kind === 'full' ? await jobs[mode].full(rt.profileOf().features) : await jobs[mode].stock(rt.profileOf().features);
      // What the daemon does after every sync (src/runtime.ts), so its cost is in what the stall probes see.
      rt.catalog.warmSearch();
      return { report, ms: performance.now() - t, maxRssMB: process.resourceUsage().maxRSS / 1024 };
    },
    feed: (on: boolean) => void (feedOn = on),
    computed: () => computed,
    onecStats: () => structuredClone(rt.onec.stats),
    outbox: () => outboxStats(rt.db),
    /** Orders by status (0 = not yet in 1C). */
    orderStatuses: (prefix: string) =>
      rt.db.prepare(`SELECT status, COUNT(*) AS n FROM orders WHERE id LIKE ? GROUP BY status`).all(`${prefix}%`),
    memory: () => process.memoryUsage(),
    /** This thread's clock (ms since its start, as --trace-gc stamps its lines): to place a client-side timeline
     *  against the daemon's own traces. */
    clock: () => performance.now(),
    /** CPU used so far (ms): the whole process, and this (the API's) thread alone (Linux /proc; null elsewhere). */
    cpu: () => {
      const u = process.cpuUsage();
      let main: number | null = null;
      try {
        // utime and stime (fields 14, 15) in clock ticks (100 Hz on Linux), after the parenthesised command name.
        const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
        main = ((Number(f[11]) + Number(f[12])) * 1000) / 100;
      } catch {
        main = null;
      }
      const lock = lockOf(rt.db);
      // The checkpoint thread's counts (src/workers/checkpoint.ts); null where SQLite's autocheckpoint does them.
      const checkpoints = rt.checkpoints?.stats() ?? null;
      return { processMs: (u.user + u.system) / 1000, mainMs: main, answered, lock: lock ? lockStats(lock) : null, gc: structuredClone(gcTotals), checkpoints };
    },
    /** One GET through the app in this process, timed here: the server's cost of an answer without the sockets and
     *  the load generator's scheduling (the scale bench's cold figures; on a loaded 2-core host those add 5–30 ms). */
    /** The event loop's delay and the GC pauses over a stretch of load (the scale suite's cycled pass). */
    loopWatchStart: () => {
      loopWatch = { histogram: monitorEventLoopDelay({ resolution: 10 }), gcFrom: performance.now() };
      loopWatch.histogram.enable();
    },
    loopWatchStop: () => {
      const w = loopWatch!;
      w.histogram.disable();
      const gcs = gcPauses.filter(([at]) => at >= w.gcFrom).map(([, ms]) => ms);
      const r1 = (x: number) => Math.round(x * 10) / 10;
      return { maxMs: r1(w.histogram.max / 1e6), p99Ms: r1(w.histogram.percentile(99) / 1e6), gcMaxMs: r1(Math.max(0, ...gcs)), gcMs: r1(gcs.reduce((a, b) => a + b, 0)), gcs: gcs.length };
    },
    /** One GET through the app, timed here, with what else the process did meanwhile: garbage collection (pauses
     *  of this thread overlapping the request) and the process's CPU (less than the wall time: the core was taken). */
    timedGet: async (path: string, headers: Record<string, string>) => {
      const cpu = process.cpuUsage();
      const t = performance.now();
      const r = await rt.app.request(path, { headers });
      const body = await r.text();
      const end = performance.now();
      const used = process.cpuUsage(cpu);
      const cpuMs = (used.user + used.system) / 1000;
      // Observers are told of a pause a turn later.
      await new Promise((resolve) => setTimeout(resolve, 2));
      const gcMs = gcPauses.filter(([at, ms]) => at < end && at + ms > t).reduce((sum, [, ms]) => sum + ms, 0);
      return { ms: end - t, status: r.status, body, gcMs: Math.round(gcMs * 10) / 10, cpuMs: Math.round(cpuMs * 10) / 10 };
    },
    /**
     * Where a booking's CPU goes, layer by layer, on this (the API's) thread: the same bodies through the service
     * alone (validation of lines, the promise check, pricing, the group commit's transaction with its fsync), through
     * the app without sockets (middleware, zod, JSON), and — measured by the suite — over HTTP. `inFlight` at a time;
     * CPU from /proc so the figure holds on a loaded host.
     */
    bookingCost: async (arg: { layer: 'service' | 'app'; bodies: string[]; inFlight: number; auth: string; profile?: string }) => {
      const cpuNow = () => {
        const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
        return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
      };
      if (arg.profile) await startProfile();
      const statuses: Record<string, number> = {};
      const one = async (body: string) => {
        if (arg.layer === 'service') {
          try {
            const r = await rt.orders.book(JSON.parse(body));
            statuses[r.status] = (statuses[r.status] ?? 0) + 1;
          } catch (e) {
            const k = (e as { kind?: string }).kind ?? 'error';
            statuses[k] = (statuses[k] ?? 0) + 1;
          }
          return;
        }
        const r = await rt.app.request('/api/v1/booking', { method: 'POST', headers: { authorization: arg.auth, 'content-type': 'application/json' }, body });
        await r.arrayBuffer();
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      };
      const c0 = cpuNow();
      const t0 = performance.now();
      let next = 0;
      await Promise.all(Array.from({ length: arg.inFlight }, async () => {
        while (next < arg.bodies.length) await one(arg.bodies[next++]);
      }));
      const wallMs = performance.now() - t0;
      const cpuMs = cpuNow() - c0;
      const profile = arg.profile ? await stopProfile(arg.profile) : undefined;
      return { n: arg.bodies.length, wallMs, cpuMs, statuses, profile };
    },
    profileStart: () => startProfile(),
    profileStop: (file: string) => stopProfile(file),
  },
  async () => {
    await Promise.all([jobs.worker.close(), jobs.plain.close()]);
    await server.close();
    await rt.stop();
  },
);

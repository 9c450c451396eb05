/**
 * The API while the daemon syncs (issue 19.1/19.6): ReGate serving a mirror of the demo base (bench/proc/regate.ts)
 * is probed every 25 ms with an authenticated assortment page (a cycle of pages of every warehouse, gzip, as a
 * store pulls them) while nothing runs (idle), then during a full sync and a stock sync — each run once on the
 * API's own thread (how syncs ran before: the same-run "before") and once in the worker thread (src/workers, how
 * the daemon runs them now). Before each sync the emulator gets a working hour of changes (stock movements, new
 * prices, renamed items for the full sync), so the syncs write something. Probes are open-loop: one starts every
 * 25 ms whether or not the previous answered, so a stalled loop shows as many long probes, as shoppers would see it.
 *
 * Targets (worker): p99 during a sync ≤ 2× the idle p99 of the same run, max ≤ 1 s. The machine's load average is
 * recorded with every figure (a shared 2-core host: the worker, the emulator and the API share the cores).
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { forkChild } from '../lib/proc.js';
import { basic } from '../lib/load.js';
import { finish, type Figure } from '../lib/report.js';
import { API_USER, ONEC_USER, type SuiteContext, type SuiteResult } from './types.js';

export const STALL_TARGET = { p99Ratio: 2, maxMs: 1000, everyMs: 25 };

const load1 = () => Math.round(loadavg()[0] * 100) / 100;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};
const round = (x: number) => Math.round(x * 10) / 10;

interface Probe {
  n: number;
  p50: number;
  p99: number;
  max: number;
  failed: number;
  load: number;
}

/** Probes `paths` every 25 ms until `until` settles; latencies as the client sees them. */
async function probe(url: string, paths: string[], until: Promise<unknown>): Promise<Probe> {
  const headers = { authorization: basic(API_USER), 'accept-encoding': 'gzip' };
  const ms: number[] = [];
  const inFlight = new Set<Promise<void>>();
  let failed = 0;
  let i = 0;
  let done = false;
  const l = load1();
  void until.finally(() => (done = true));
  while (!done) {
    const t = performance.now();
    const path = paths[i++ % paths.length];
    const p = fetch(url + path, { headers })
      .then(async (r) => {
        await r.arrayBuffer();
        if (r.status !== 200) failed++;
        ms.push(performance.now() - t);
      })
      .catch(() => void failed++);
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    await new Promise((r) => setTimeout(r, STALL_TARGET.everyMs));
  }
  await Promise.all(inFlight);
  return { n: ms.length, p50: round(pct(ms, 50)), p99: round(pct(ms, 99)), max: round(Math.max(...ms)), failed, load: l };
}

export interface StallPoint {
  items: number;
  idle: Probe;
  runs: { kind: 'full' | 'stock'; mode: 'inline' | 'worker'; probe: Probe; syncMs: number; swapMs?: number; changed?: number }[];
}

export async function runStall(ctx: SuiteContext): Promise<SuiteResult> {
  const sizes = ctx.quick ? [2000] : [20_000, 100_000];
  const points: StallPoint[] = [];
  for (const items of sizes) points.push(await measure(ctx, items));
  const figures: Figure[] = [];
  for (const p of points) {
    const k = `${p.items / 1000}k`;
    figures.push(finish({ bench: 'stall', name: `${k}: API p99 idle (probe every 25 ms), load ${p.idle.load}`, value: p.idle.p99, unit: 'ms', note: `max ${p.idle.max} ms, ${p.idle.n} probes` }));
    for (const r of p.runs) {
      const what = `${k}: ${r.kind} sync ${r.mode === 'worker' ? 'in the worker' : 'on the API thread (before)'}`;
      figures.push(
        finish({ bench: 'stall', name: `${what}: API p99, load ${r.probe.load}`, value: r.probe.p99, unit: 'ms', baseline: { name: 'idle p99', value: p.idle.p99 }, target: r.mode === 'worker' ? { on: 'ratio', op: '<=', value: STALL_TARGET.p99Ratio } : undefined, note: `sync ${(r.syncMs / 1000).toFixed(1)} s, ${r.probe.n} probes, ${r.probe.failed} failed` }),
        finish({ bench: 'stall', name: `${what}: API max`, value: r.probe.max, unit: 'ms', target: r.mode === 'worker' ? { on: 'value', op: '<=', value: STALL_TARGET.maxMs } : undefined, note: r.swapMs !== undefined ? `final transaction ${r.swapMs.toFixed(0)} ms` : undefined }),
      );
    }
  }
  return { figures, details: { points } };
}

async function measure(ctx: SuiteContext, items: number): Promise<StallPoint> {
  ctx.log(`stall: demo base of ${items.toLocaleString('en-US')} items (load ${load1()})`);
  const em = await forkChild<{ url: string }>('emulator.ts', { items, user: ONEC_USER }, { verbose: ctx.verbose, readyTimeoutMs: 1_800_000, execArgv: ['--max-old-space-size=12288'] });
  try {
    const rg = await forkChild<{ url: string; stores: string[]; sync: { items: number } }>(
      'regate.ts',
      { onecUrl: em.ready.url, onecUser: ONEC_USER, apiUser: API_USER, dbPath: join(ctx.tmpDir, `stall-${items}.sqlite`), syncWorker: true, changeFeed: process.env.BENCH_CHANGE_FEED === '1' },
      { verbose: ctx.verbose, readyTimeoutMs: 3_600_000 },
    );
    try {
      const url = rg.ready.url;
      // 40 pages over the warehouses: cached between syncs, computed again after one (the generation moves).
      const paths = Array.from({ length: 40 }, (_, i) => `/api/v1/assortment?store=${rg.ready.stores[i % rg.ready.stores.length]}&page=${1 + Math.floor(i / rg.ready.stores.length)}&pageSize=100`);
      // Each page once first: the idle figure is of kept pages, as between two syncs.
      for (const path of paths) await (await fetch(url + path, { headers: { authorization: basic(API_USER), 'accept-encoding': 'gzip' } })).arrayBuffer();
      const idle = await probe(url, paths, new Promise((r) => setTimeout(r, ctx.quick ? 3000 : 10_000)));
      ctx.log(`stall ${items}: idle p50 ${idle.p50} ms, p99 ${idle.p99} ms, max ${idle.max} ms (${idle.n} probes, load ${idle.load})`);
      const runs: StallPoint['runs'] = [];
      const changes = Math.max(20, Math.round(items / 1000));
      for (const mode of ['inline', 'worker'] as const) {
        for (const kind of ['full', 'stock'] as const) {
          await em.call('touch', changes, kind === 'full');
          const sync = rg.call<{ report: { apply?: { swapMs: number }; changed?: number }; ms: number }>('sync', kind, mode);
          const p = await probe(url, paths, sync);
          const s = await sync;
          runs.push({ kind, mode, probe: p, syncMs: Math.round(s.ms), swapMs: s.report.apply?.swapMs, changed: s.report.changed });
          ctx.log(`stall ${items}: ${kind} sync ${mode} ${(s.ms / 1000).toFixed(1)} s (final transaction ${s.report.apply?.swapMs?.toFixed(0) ?? '—'} ms): API p50 ${p.p50} ms, p99 ${p.p99} ms, max ${p.max} ms, ${p.failed} failed of ${p.n} (load ${p.load})`);
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
      return { items, idle, runs };
    } finally {
      await rg.stop();
    }
  } finally {
    await em.stop();
  }
}

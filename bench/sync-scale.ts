/**
 * Sync cost by base size: `npx tsx bench/sync-scale.ts [items…]` (default 20000 100000). For each size, the demo
 * base in an emulator child (bench/proc/emulator.ts) and a sync child (bench/proc/sync.ts) with an empty database:
 * a cold full sync, a warm full sync (nothing changed) and a stock sync, each with its time, requests against the
 * lower bound and the sync process's peak RSS (getrusage high-water: the cold sync's peak is the process's), its
 * heap capped as the daemon's sync worker's is (HEAP_MB); BENCH_NODE_FLAGS adds Node flags to the sync child (what
 * a flag would cost the sync thread if it reached it: the daemon's --max-semi-space-size does not, src/node-flags.ts). The
 * machine's load average is printed with every line (the host is shared).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { forkChild } from './lib/proc.js';
import { ONEC_USER } from './suites/types.js';
import { HEAP_MB } from '../src/workers/index.js';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const dir = mkdtempSync(join(tmpdir(), 'regate-sync-scale-'));
try {
  for (const items of sizes.length ? sizes : [20_000, 100_000]) {
    const em = await forkChild<{ url: string; generateMs: number }>('emulator.ts', { items, user: ONEC_USER }, { readyTimeoutMs: 1_800_000, execArgv: ['--max-old-space-size=12288'] });
    try {
      // The daemon's sync worker runs with its heap capped at HEAP_MB (src/workers): the same cap here.
      const sy = await forkChild<{ pageSize: number }>('sync.ts', { onecUrl: em.ready.url, onecUser: ONEC_USER, dbPath: join(dir, `sync-${items}.sqlite`) }, { readyTimeoutMs: 600_000, execArgv: [`--max-old-space-size=${HEAP_MB}`, ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean)] });
      type Apply = { apply?: { swapMs: number } };
      type Full = { report: { items: number; requests: number; lowerBound: number; keyed: number; ms: number } & Apply; rssBeforeMB: number; maxRssAfterMB: number; cpuMs: number };
      type Stock = { report: { stockRows: number; priceRows: number; changed: number } & Apply; ms: number; requests: number; maxRssAfterMB: number; cpuMs: number };
      const swap = (r: Apply) => (r.apply ? `, final transaction ${r.apply.swapMs.toFixed(0)} ms` : '');
      const l0 = load();
      const cold = await sy.call<Full>('run');
      console.log(`${items} items: cold full sync ${(cold.report.ms / 1000).toFixed(1)} s, ${cold.report.requests} requests (${cold.report.keyed} by key; paging bound ${cold.report.lowerBound}), peak RSS ${cold.maxRssAfterMB.toFixed(0)} MB (${cold.rssBeforeMB.toFixed(0)} before), cpu ${(cold.cpuMs / 1000).toFixed(1)} s${swap(cold.report)}; load ${l0}`);
      const l1 = load();
      const warm = await sy.call<Full>('run');
      console.log(`${items} items: warm full sync ${(warm.report.ms / 1000).toFixed(1)} s, ${warm.report.requests} requests (${warm.report.keyed} by key; paging bound ${warm.report.lowerBound}), peak RSS so far ${warm.maxRssAfterMB.toFixed(0)} MB, cpu ${(warm.cpuMs / 1000).toFixed(1)} s${swap(warm.report)}; load ${l1}`);
      const l2 = load();
      const stock = await sy.call<Stock>('stock');
      console.log(`${items} items: stock sync ${(stock.ms / 1000).toFixed(1)} s, ${stock.requests} requests, ${stock.report.stockRows} stock + ${stock.report.priceRows} price rows, ${stock.report.changed} changed, peak RSS so far ${stock.maxRssAfterMB.toFixed(0)} MB, cpu ${(stock.cpuMs / 1000).toFixed(1)} s${swap(stock.report)}; load ${l2}`);
      await sy.stop();
    } finally {
      await em.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

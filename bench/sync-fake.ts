/**
 * A sync of a base larger than the emulator can hold: `npx tsx bench/sync-fake.ts [items…]` (default 1000000).
 * 1C is bench/lib/fake-onec.ts (rows generated from the item number, no HTTP): what is measured is ReGate's side —
 * a cold full sync, a warm full sync (nothing changed) and a stock sync into a database file, each with its wall
 * time, its CPU and the process's peak RSS, in a process whose heap is capped as the daemon's sync worker's is
 * (src/workers HEAP_MB). The load average is printed with every line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { HEAP_MB } from '../src/workers/index.js';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
if (getHeapStatistics().heap_size_limit > (HEAP_MB + 64) * 1024 * 1024) {
  // Run again under the worker's heap cap.
  const r = spawnSync(process.execPath, ['--import', 'tsx', `--max-old-space-size=${HEAP_MB}`, import.meta.filename, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
const { openDb } = await import('../src/db/open.js');
const { parseConfig } = await import('../src/config/index.js');
const { runFullSync, runStockSync } = await import('../src/catalog/sync.js');
const { fakeOneC } = await import('./lib/fake-onec.js');
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const cpu = () => {
  const u = process.resourceUsage();
  return (u.userCPUTime + u.systemCPUTime) / 1e6;
};
const rss = () => process.resourceUsage().maxRSS / 1024;
const dir = mkdtempSync(join(tmpdir(), 'regate-sync-fake-'));
try {
  console.log(`heap limit ${(getHeapStatistics().heap_size_limit / 1048576).toFixed(0)} MB, RSS at start ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`);
  for (const items of sizes.length ? sizes : [1_000_000]) {
    const config = parseConfig({ onec: { url: 'http://fake.invalid' }, database: { path: join(dir, `fake-${items}.sqlite`) } });
    const db = openDb(config.database.path);
    const onec = fakeOneC(items);
    // BENCH_FAKE_KINDS=cold,stock skips the warm full sync (the bench's scale suite: a 1M run at load 9 is minutes each).
    const only = process.env.BENCH_FAKE_KINDS?.split(',');
    for (const kind of (['cold full', 'warm full', 'stock'] as const).filter((k) => !only || only.includes(k.split(' ')[0]))) {
      const l = load();
      const c0 = cpu();
      const t0 = performance.now();
      const r = kind === 'stock' ? await runStockSync({ db, onec, config }) : await runFullSync({ db, onec, config });
      const s = (performance.now() - t0) / 1000;
      const what = 'items' in r ? `${r.items} items, ${r.changed} changed, ${r.requests} requests (bound ${r.lowerBound})` : `${r.stockRows} stock + ${r.priceRows} price rows, ${r.changed} changed, ${r.requests} requests`;
      console.log(`${items}: ${kind} sync ${s.toFixed(1)} s, cpu ${(cpu() - c0).toFixed(1)} s, ${what}, final transaction ${r.apply?.swapMs.toFixed(0)} ms, peak RSS so far ${rss().toFixed(0)} MB; load ${l}`);
    }
    db.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

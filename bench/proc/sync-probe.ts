/**
 * Benchmark child: bench/proc/sync.ts with a memory probe — every 100 ms the process's RSS, V8 heap and external
 * memory are sampled and the highest of each kept with the sync step that was running (onProgress), so a peak can
 * be traced to the set being read. Used by bench/sync-scale.ts --probe.
 */
import { rmSync } from 'node:fs';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { openDb } from '../../src/db/open.js';
import { ODataClient } from '../../src/onec/index.js';
import { runFullSync } from '../../src/catalog/sync.js';
import { argsOf, serveParent, usageNow } from '../lib/proc.js';

const args = argsOf<{ onecUrl: string; onecUser: { name: string; password: string }; dbPath: string }>();
for (const suffix of ['', '-wal', '-shm']) rmSync(`${args.dbPath}${suffix}`, { force: true });
const config = loadConfig({ env: {}, overrides: { 'onec.url': args.onecUrl, 'onec.user': args.onecUser.name, 'onec.password': args.onecUser.password, 'database.path': args.dbPath, 'log.level': 'error' } });
const db = openDb(config.database.path);
const onec = new ODataClient({ ...config.onec });

serveParent({}, {
  run: async () => {
    let step = 'start';
    const peak = { rss: 0, heap: 0, external: 0, rssStep: '', heapStep: '', externalStep: '' };
    const timer = setInterval(() => {
      const m = process.memoryUsage();
      if (m.rss > peak.rss) Object.assign(peak, { rss: m.rss, rssStep: step });
      if (m.heapUsed > peak.heap) Object.assign(peak, { heap: m.heapUsed, heapStep: step });
      if (m.external + m.arrayBuffers > peak.external) Object.assign(peak, { external: m.external + m.arrayBuffers, externalStep: step });
    }, 100);
    const steps: string[] = [];
    const t0 = performance.now();
    const report = await runFullSync({ db, onec, config, logger: createLogger('error'), onProgress: (s) => { step = `after ${s}`; steps.push(`${s} ${((performance.now() - t0) / 1000).toFixed(1)}s`); } });
    clearInterval(timer);
    const MB = (x: number) => Math.round(x / 1048576);
    return { ms: report.ms, steps, peak: { rss: MB(peak.rss), rssStep: peak.rssStep, heap: MB(peak.heap), heapStep: peak.heapStep, external: MB(peak.external), externalStep: peak.externalStep }, maxRssMB: usageNow().maxRssMB };
  },
}, async () => { await onec.close(); db.close(); });

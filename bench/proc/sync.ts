/**
 * Benchmark child: one cold full sync (empty database) against the emulator child, in a process that does nothing
 * else, so its peak RSS is the sync's; `run` again is a warm full sync, `stock` a stock sync. Reports runFullSync's own report (requests, lower bound, rows per set, ms),
 * the client's request stats, and RSS: at start (node + modules) and the high-water mark after the sync.
 */
import { rmSync } from 'node:fs';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { openDb } from '../../src/db/open.js';
import { ODataClient } from '../../src/onec/index.js';
import { runFullSync, runStockSync } from '../../src/catalog/sync.js';
import { argsOf, serveParent, usageNow } from '../lib/proc.js';

const args = argsOf<{ onecUrl: string; onecUser: { name: string; password: string }; dbPath: string; pageSize?: number; timeoutMs?: number }>();
for (const suffix of ['', '-wal', '-shm']) rmSync(`${args.dbPath}${suffix}`, { force: true });
const config = loadConfig({
  env: {},
  overrides: {
    'onec.url': args.onecUrl,
    'onec.user': args.onecUser.name,
    'onec.password': args.onecUser.password,
    'database.path': args.dbPath,
    'log.level': 'error',
    ...(args.pageSize ? { 'sync.pageSize': args.pageSize } : {}),
    // The emulator answers a 300k base's SliceLast in minutes on a loaded host (ODataTimeout at the default 60 s).
    ...(args.timeoutMs ? { 'onec.timeoutMs': args.timeoutMs } : {}),
  },
});
const db = openDb(config.database.path);
const onec = new ODataClient({ ...config.onec });

serveParent(
  { pageSize: config.sync.pageSize, sessions: config.onec.sessions },
  {
    run: async () => {
      const before = usageNow();
      const rssBeforeMB = process.memoryUsage().rss / 1024 / 1024;
      const report = await runFullSync({ db, onec, config, logger: createLogger('error') });
      const after = usageNow();
      return { report, onecStats: structuredClone(onec.stats), rssBeforeMB, maxRssBeforeMB: before.maxRssMB, maxRssAfterMB: after.maxRssMB, cpuMs: after.userCpuMs + after.systemCpuMs - before.userCpuMs - before.systemCpuMs };
    },
    /** A stock sync on the mirror the run above filled (the frequent job). */
    stock: async () => {
      const before = usageNow();
      const requestsBefore = onec.stats.total;
      const t0 = performance.now();
      const report = await runStockSync({ db, onec, config, logger: createLogger('error') });
      const after = usageNow();
      return { report, ms: performance.now() - t0, requests: onec.stats.total - requestsBefore, maxRssAfterMB: after.maxRssMB, cpuMs: after.userCpuMs + after.systemCpuMs - before.userCpuMs - before.systemCpuMs };
    },
  },
  async () => {
    await onec.close();
    db.close();
  },
);

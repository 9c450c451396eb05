import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoBase } from '../../src/emulator/demo/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { openDb, type Db } from '../../src/db/open.js';
import { parseConfig, type Config } from '../../src/config/index.js';
import { ODataClient, type TransportAttempt } from '../../src/onec/index.js';
import { createLogger } from '../../src/log.js';
import { CatalogService } from '../../src/catalog/service.js';
import { syncJobs } from '../../src/workers/index.js';

// The syncs run in a worker thread with their own connection to the same database file (issue 19.1): the mirror
// they write is the one the API's connection reads, a failed job fails its caller and the next job runs, 1C request
// observations and logs come back to the main thread, and close() ends the thread.
let em: Emulator;
let dir: string;
let config: Config;
let db: Db;
let onec: ODataClient;
beforeAll(async () => {
  em = await startEmulator({ base: generateDemoBase({ seed: 12, items: 150 }) });
  dir = mkdtempSync(join(tmpdir(), 'regate-sync-worker-'));
  config = parseConfig({ onec: { url: em.url, readRetries: 0 }, database: { path: join(dir, 'regate.sqlite') }, sync: { pageSize: 40 } });
  db = openDb(config.database.path, { busyTimeoutMs: 250 });
  onec = new ODataClient(config.onec);
});
afterAll(async () => {
  await onec?.close();
  db?.close();
  await em?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('syncs in a worker thread', () => {
  it('fill the mirror the API reads, report back, survive a failed job and close', async () => {
    const seen: TransportAttempt[] = [];
    const logs: string[] = [];
    const logger = createLogger('error');
    const info = logger.info.bind(logger);
    logger.info = ((obj: unknown, msg?: string) => {
      logs.push(String(msg ?? obj));
      return info(obj as object, msg);
    }) as typeof logger.info;
    const jobs = syncJobs({ config, logger, observeOneC: (a) => seen.push(a), db, onec });
    expect(jobs.mode).toBe('worker');
    const catalog = new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
    expect(catalog.state().generation).toBe(0);

    const report = await jobs.full();
    expect(report.items).toBe(150);
    expect(report.requests).toBe(seen.length); // every request the worker sent was observed here
    expect(logs).toContain('catalogue sync done');
    const state = catalog.state();
    expect(state.generation).toBe(1);
    const store = db.prepare(`SELECT id FROM catalog_stores ORDER BY rowid LIMIT 1`).pluck().get() as string;
    expect(catalog.assortment({ store, page: 1, pageSize: 10 }).total).toBeGreaterThan(0);

    // 1C fails every request: the job fails with 1C's error, the mirror stays, and the next job runs.
    em.faults.set({ errorRate: 1, seed: 1 });
    await expect(jobs.stock()).rejects.toThrow();
    em.faults.set({ errorRate: 0 });
    expect(catalog.state()).toEqual(state);
    const stock = await jobs.stock();
    expect(stock.stockRows).toBeGreaterThan(0);
    expect(stock.changed).toBe(0);
    expect(catalog.state().generation).toBe(state.generation); // nothing a shop sees changed

    await jobs.close();
    // A job after close (a scheduled sync that was still reading $metadata when the daemon stopped) is refused and
    // starts no thread: one started then kept `regate serve` alive after SIGTERM.
    await expect(jobs.pictures()).rejects.toThrow(/sync worker closed/);
    await jobs.close();
    expect(threadId).toBe(0); // this test ran on the main thread all along
  });

  it('a job asked for while the thread starts, then close(): the job fails with the reason, nothing is left unhandled', async () => {
    const unhandled: unknown[] = [];
    const on = (r: unknown) => unhandled.push(r);
    process.on('unhandledRejection', on);
    try {
      const jobs = syncJobs({ config, logger: createLogger('error'), db, onec });
      const job = jobs.stock().then(
        () => null,
        (e: Error) => e,
      );
      await jobs.close();
      expect((await job)?.message).toMatch(/sync worker (closed|exited)/);
      await new Promise((r) => setTimeout(r, 200));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', on);
    }
  });

  it('run on this thread for a database in memory (a thread cannot share it)', async () => {
    const mem = openDb(':memory:');
    const jobs = syncJobs({ config: { ...config, database: { ...config.database, path: ':memory:' } }, logger: createLogger('error'), db: mem, onec });
    expect(jobs.mode).toBe('inline');
    expect((await jobs.full()).items).toBe(150);
    expect(mem.prepare(`SELECT count(*) FROM catalog_items`).pluck().get()).toBe(150);
  });
});

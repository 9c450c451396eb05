import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { openDb } from '../../src/db/open.js';
import { createLogger } from '../../src/log.js';
import { ODataClient } from '../../src/onec/index.js';
import { syncJobs } from '../../src/workers/index.js';
import { DELIVERY_NICE, SYNC_NICE } from '../../src/workers/priority.js';
import { outboxThread } from '../../src/workers/outbox.js';
import { newHolder } from '../../src/outbox/index.js';

// The sync thread runs below the API's thread (src/workers/priority.ts): on a busy host the kernel gives the API's
// requests a core first. Only that thread's nice moves; the process's other threads keep theirs.
const linux = process.platform === 'linux';
/** nice of every thread of this process, by thread name (field 19 of /proc/self/task/<tid>/stat). */
function threads(): { tid: number; nice: number }[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { tid: Number(tid), nice: Number(fields[16]) };
  });
}

describe.skipIf(!linux)('sync thread priority', () => {
  it('the sync thread gets SYNC_NICE, the main thread keeps 0; nice 0 leaves it as the process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'regate-prio-'));
    const config = parseConfig({ onec: { url: 'http://127.0.0.1:9/base/odata/standard.odata' }, database: { path: join(dir, 'regate.sqlite') } });
    const db = openDb(config.database.path);
    const onec = new ODataClient(config.onec);
    try {
      const before = new Set(threads().filter((t) => t.nice === SYNC_NICE).map((t) => t.tid));
      expect(threads().find((t) => t.tid === process.pid)!.nice).toBe(0);
      const jobs = syncJobs({ config, logger: createLogger('error'), db, onec });
      await jobs.warm();
      const lowered = threads().filter((t) => t.nice === SYNC_NICE && !before.has(t.tid));
      expect(lowered).toHaveLength(1); // the sync thread, and only it
      expect(threads().find((t) => t.tid === process.pid)!.nice).toBe(0);
      await jobs.close();

      const plain = syncJobs({ config, logger: createLogger('error'), db, onec, nice: 0 });
      await plain.warm();
      expect(threads().filter((t) => t.nice === SYNC_NICE && !before.has(t.tid))).toHaveLength(0);
      await plain.close();
    } finally {
      await onec.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

// The delivery thread asks for a higher priority than the API's (DELIVERY_NICE) where the process may grant it (root,
// CAP_SYS_NICE, LimitNICE); this suite runs as root on the bench host and in CI containers.
describe('tuning.deliveryNice', () => {
  it('defaults to DELIVERY_NICE; REGATE_TUNING_DELIVERY_NICE=0 keeps the process priority (the bench\'s same-run before); a positive or below -20 is refused', async () => {
    const { loadConfig } = await import('../../src/config/index.js');
    expect(parseConfig({}).tuning.deliveryNice).toBe(DELIVERY_NICE);
    expect(loadConfig({ env: { REGATE_TUNING_DELIVERY_NICE: '0' } }).tuning.deliveryNice).toBe(0);
    expect(() => parseConfig({ tuning: { deliveryNice: 3 } })).toThrow();
    expect(() => parseConfig({ tuning: { deliveryNice: -21 } })).toThrow();
  });
});

describe.skipIf(!linux || process.getuid?.() !== 0)('delivery thread priority', () => {
  it('the delivery thread gets DELIVERY_NICE, and only it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'regate-prio-'));
    const config = parseConfig({ onec: { url: 'http://127.0.0.1:9/base/odata/standard.odata' }, database: { path: join(dir, 'regate.sqlite') } });
    const db = openDb(config.database.path);
    const t = outboxThread({ config, db, logger: createLogger('error'), holder: newHolder() });
    try {
      const before = new Set(threads().filter((x) => x.nice === DELIVERY_NICE).map((x) => x.tid));
      t.start();
      const end = Date.now() + 20_000;
      let raised: { tid: number }[] = [];
      while (!raised.length && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 50));
        raised = threads().filter((x) => x.nice === DELIVERY_NICE && !before.has(x.tid));
      }
      expect(raised).toHaveLength(1);
      expect(threads().find((x) => x.tid === process.pid)!.nice).toBe(0);
    } finally {
      await t.stop(1000);
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

/**
 * PROTOTYPE for the readfix benchmark, not product code: CatalogService.state() reading only the three meta keys
 * it returns. Today it reads every `mirror.%` key, and `mirror.packagingRatios` is a JSON of ~411 KB on a
 * 20,000-item mirror: each call copies it out of SQLite into a JS string (0.176 ms vs 0.004 ms for the three
 * keys, measured on the 20k mirror) and leaves it to the GC; every catalogue request calls state() at least once.
 */
import type { Runtime } from '../../src/runtime.js';

export function narrowState(rt: Runtime): void {
  const three = rt.db.prepare(`SELECT key, value FROM meta WHERE key IN ('mirror.generation', 'mirror.syncedAt', 'mirror.stockSyncedAt', 'mirror.stockReadAt')`);
  rt.catalog.state = () => {
    const m = Object.fromEntries((three.all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
    return {
      generation: Number(m['mirror.generation'] ?? 0),
      syncedAt: m['mirror.syncedAt'] ?? null,
      stockSyncedAt: m['mirror.stockSyncedAt'] ?? m['mirror.syncedAt'] ?? null,
      stockReadAt: m['mirror.stockReadAt'] ?? null,
    };
  };
}

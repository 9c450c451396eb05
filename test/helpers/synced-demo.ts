import { parseConfig, type Config } from '../../src/config/index.js';
import { runFullSync } from '../../src/catalog/sync.js';
import { openDb, type Db } from '../../src/db/open.js';
import { generateDemoBase } from '../../src/emulator/demo/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { ODataClient } from '../../src/onec/index.js';

export interface SyncedDemo {
  em: Emulator;
  config: Config;
  onec: ODataClient;
  db: Db;
}

/**
 * The catalogue tests' setup: a УТ demo base generated into the real dump (11.5.20 or 11.4.2), its emulator, and one
 * full sync into a mirror in memory. `virtualRows` makes the virtual-table reads come in small parts.
 */
export async function syncedDemo(o: { seed: string; items: number; variant?: 'ut11.5' | 'ut11.4'; virtualRows?: number }): Promise<SyncedDemo> {
  const em = await startEmulator({ base: generateDemoBase({ seed: o.seed, items: o.items, ...(o.variant ? { variant: o.variant } : {}) }) });
  const config = parseConfig({ onec: { url: em.url, ...(o.variant ? { profile: o.variant } : {}) } });
  const onec = new ODataClient(config.onec);
  const db = openDb(':memory:');
  await runFullSync({ db, onec, config, ...(o.virtualRows ? { virtualRows: o.virtualRows } : {}) });
  return { em, config, onec, db };
}

export async function closeDemo(d: Partial<SyncedDemo>): Promise<void> {
  await d.onec?.close();
  await d.em?.close();
  d.db?.close();
}

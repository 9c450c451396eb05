import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoBase } from '../../src/emulator/demo/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { openDb, type Db } from '../../src/db/open.js';
import { parseConfig, type Config } from '../../src/config/index.js';
import { ODataClient } from '../../src/onec/index.js';
import { runFullSync, runStockSync } from '../../src/catalog/sync.js';
import { CatalogService } from '../../src/catalog/service.js';

// 1C answers an EMPTY set, not an error, when the ReGate user's record-level rights hide every row (we read with
// allowedOnly=true) or a register's rights were narrowed: that is not "the catalogue is now empty". A sync that
// gets nothing where the mirror has something must keep the previous mirror serving, as a failed sync does.
let em: Emulator;
let db: Db;
let onec: ODataClient;
let config: Config;
const count = (t: string) => db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get() as number;
const snapshotOf = () => ({ items: count('catalog_items'), stores: count('catalog_stores'), stock: count('catalog_stock'), prices: count('catalog_prices') });

beforeAll(async () => {
  em = await startEmulator({ base: generateDemoBase({ seed: 5, items: 120 }) });
  config = parseConfig({ onec: { url: em.url, readRetries: 0 }, sync: { pageSize: 50 } });
  db = openDb(':memory:');
  onec = new ODataClient({ ...config.onec, retryBaseMs: 1 });
  await runFullSync({ db, onec, config });
});
afterAll(async () => {
  await onec?.close();
  await em?.close();
});

/** The client as a user whose rights hide `set` (or the virtual table of `register`): 200 with no rows. */
function hiding(what: { set?: string; balance?: boolean; sliceLast?: boolean }): ODataClient {
  const c = new ODataClient({ ...config.onec, retryBaseMs: 1 });
  const all = c.all.bind(c);
  const list = c.list.bind(c);
  const balance = c.balance.bind(c);
  const sliceLast = c.sliceLast.bind(c);
  // Small sets are read whole (all), large ones page by page (list with $top/$skip): hidden either way.
  c.all = (set, o) => (set === what.set ? Promise.resolve([]) : all(set, o));
  c.list = (set, o) => (set === what.set ? Promise.resolve([]) : list(set, o));
  c.balance = (r, p, o) => (what.balance ? Promise.resolve([]) : balance(r, p, o));
  c.sliceLast = (r, p, o) => (what.sliceLast ? Promise.resolve([]) : sliceLast(r, p, o));
  return c;
}

describe('a sync that gets an empty set from 1C', () => {
  it('keeps the mirror when Catalog_Номенклатура, Catalog_Склады, stock or prices come back empty', async () => {
    const catalog = new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
    const before = snapshotOf();
    const generation = catalog.state().generation;
    expect(before.items).toBe(120);
    expect(before.stock).toBeGreaterThan(0);
    expect(before.prices).toBeGreaterThan(0);
    for (const what of [{ set: 'Catalog_Номенклатура' }, { set: 'Catalog_Склады' }, { balance: true }, { sliceLast: true }]) {
      const c = hiding(what);
      await expect(runFullSync({ db, onec: c, config }), JSON.stringify(what)).rejects.toThrow(/empty|пуст/i);
      if (!what.set) await expect(runStockSync({ db, onec: c, config }), JSON.stringify(what)).rejects.toThrow(/empty|пуст/i);
      await c.close();
    }
    expect(snapshotOf()).toEqual(before);
    expect(catalog.state().generation).toBe(generation);
  });

  it('an administrator can still accept an empty answer on purpose (allowEmpty)', async () => {
    const c = hiding({ balance: true });
    await runStockSync({ db, onec: c, config, allowEmpty: true });
    expect(count('catalog_stock')).toBe(0);
    await c.close();
    // and a normal sync brings it back
    await runStockSync({ db, onec, config });
    expect(count('catalog_stock')).toBeGreaterThan(0);
  });
});

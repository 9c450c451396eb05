import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoBase } from '../../src/emulator/demo/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { openDb, type Db } from '../../src/db/open.js';
import { parseConfig, type Config } from '../../src/config/index.js';
import { ODataClient } from '../../src/onec/index.js';
import { runFullSync, runStockSync } from '../../src/catalog/sync.js';
import { CatalogService } from '../../src/catalog/service.js';

// A sync that fails part-way (1C goes away, or answers errors) must leave the previous mirror serving, whole.
let em: Emulator;
let db: Db;
let onec: ODataClient;
let config: Config;
const count = (t: string) => db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get() as number;

beforeAll(async () => {
  em = await startEmulator({ base: generateDemoBase({ seed: 3, items: 300 }) });
  config = parseConfig({ onec: { url: em.url, readRetries: 0 }, sync: { pageSize: 50 } });
  db = openDb(':memory:');
  onec = new ODataClient({ ...config.onec, retryBaseMs: 1 });
  await runFullSync({ db, onec, config });
});
afterAll(async () => {
  await onec?.close();
  await em?.close();
});

describe('a failed sync', () => {
  it('leaves the previous mirror (items, stock, prices, generation) untouched', async () => {
    const catalog = new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
    const before = { items: count('catalog_items'), stock: count('catalog_stock'), prices: count('catalog_prices'), state: catalog.state() };
    expect(before.items).toBe(300);
    // 1C answers every other request with a 500 (code -1): some pages succeed, then the sync fails mid-way.
    em.faults.set({ errorRate: 0.5, seed: 11 });
    await expect(runFullSync({ db, onec, config })).rejects.toThrow();
    await expect(runStockSync({ db, onec, config })).rejects.toThrow();
    em.faults.set({ errorRate: 0 });
    await em.faults.down();
    await expect(runFullSync({ db, onec, config })).rejects.toThrow();
    await em.faults.up();
    expect({ items: count('catalog_items'), stock: count('catalog_stock'), prices: count('catalog_prices'), state: catalog.state() }).toEqual(before);
    // And the next good sync replaces it as usual.
    const r = await runFullSync({ db, onec, config });
    expect(r.items).toBe(300);
    expect(catalog.state().generation).toBe(before.state.generation + 1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoBase, demoFacts } from '../../src/emulator/demo/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { openDb } from '../../src/db/open.js';
import { parseConfig } from '../../src/config/index.js';
import { ODataClient } from '../../src/onec/index.js';
import { runFullSync, runStockSync } from '../../src/catalog/sync.js';

// УТ 11.4 keeps prices in ЦеныНоменклатуры and free stock in СвободныеОстатки; the same sync must fill the mirror.
let em: Emulator;
let onec: ODataClient;
const base = generateDemoBase({ seed: 4, items: 120, variant: 'ut11.4' });
beforeAll(async () => {
  em = await startEmulator({ base });
  onec = new ODataClient({ url: em.url });
});
afterAll(async () => {
  await onec?.close();
  await em?.close();
});

describe('a УТ 11.4 base', () => {
  it('syncs items, prices from ЦеныНоменклатуры and stock from СвободныеОстатки', async () => {
    const db = openDb(':memory:');
    const config = parseConfig({ onec: { url: em.url, profile: 'ut11.4' } });
    const r = await runFullSync({ db, onec, config });
    const facts = demoFacts(base);
    expect(r.items).toBe(facts.itemCount);
    expect(r.rowsBySet['InformationRegister_ЦеныНоменклатуры/sliceLast']).toBeGreaterThan(0);
    expect(r.rowsBySet['AccumulationRegister_СвободныеОстатки/balance']).toBeGreaterThan(0);
    expect(db.prepare(`SELECT COUNT(*) FROM catalog_prices`).pluck().get()).toBeGreaterThan(0);
    expect(db.prepare(`SELECT COUNT(*) FROM catalog_stock`).pluck().get()).toBeGreaterThan(0);
    const s = await runStockSync({ db, onec, config });
    expect(s.stockRows).toBeGreaterThan(0);
    expect(s.priceRows).toBeGreaterThan(0);
  });
});

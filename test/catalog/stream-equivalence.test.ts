import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoBase } from '../../src/emulator/demo/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { openDb, type Db } from '../../src/db/open.js';
import { parseConfig, type Config } from '../../src/config/index.js';
import { ODataClient } from '../../src/onec/index.js';
import { runFullSync, runStockSync } from '../../src/catalog/sync.js';
import { CatalogService } from '../../src/catalog/service.js';
import * as legacy from './legacy/sync.js';

/**
 * The streamed sync (staging, code-range parts, differences applied in one final transaction, two copies of the
 * paging order) must leave the mirror the previous in-memory sync left, table by table and page by page, through a
 * sequence of full and stock syncs while 1C changes underneath: items renamed, marked deleted and created, stock
 * leaving and entering warehouses, prices changing. The oracle is that previous code (test/catalog/legacy/), run
 * against the same emulator into a database of its own. `virtualRows` small forces the virtual tables to be read
 * in many parts: by warehouse, by price kind, and by ranges of the item code.
 */
const PRICES = 'InformationRegister_ЦеныНоменклатуры25';
const STOCK = 'AccumulationRegister_ТоварыНаСкладах';
const ITEMS = 'Catalog_Номенклатура';

let em: Emulator;
let config: Config;
let onec: ODataClient;
beforeAll(async () => {
  em = await startEmulator({ base: generateDemoBase({ seed: 8, items: 200 }) });
  config = parseConfig({ onec: { url: em.url }, sync: { pageSize: 70 } });
  onec = new ODataClient(config.onec);
});
afterAll(async () => {
  await onec?.close();
  await em?.close();
});

/** Every table the API reads, keyed by ids (rowids are the database's own), changed_at as the sync that set it. */
function dump(db: Db, syncs: string[]) {
  const all = (q: string) => db.prepare(q).all();
  const when = (ts: string) => syncs.indexOf(ts);
  const items = (all(`SELECT * FROM catalog_items ORDER BY id`) as Record<string, unknown>[]).map(({ changed_at, ...r }) => ({ ...r, changed_at: when(String(changed_at)) }));
  const meta = (k: string) => db.prepare(`SELECT value FROM meta WHERE key = ?`).pluck().get(k);
  const known = `item_id IN (SELECT id FROM catalog_items)`;
  const ratios = db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'catalog_packagings'`).get()
    ? Object.fromEntries((all(`SELECT id, ratio FROM catalog_packagings`) as { id: string; ratio: number }[]).map((r) => [r.id, r.ratio]))
    : {};
  const metaRatios = meta('mirror.packagingRatios');
  const catalog = new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
  const stores = all(`SELECT id, name, city, address, retail_price_kind_id FROM catalog_stores ORDER BY id`) as { id: string }[];
  const pages: Record<string, string[]> = {};
  for (const s of stores) {
    const ids: string[] = [];
    for (let page = 1; ; page++) {
      const r = catalog.assortment({ store: s.id, page, pageSize: 37 });
      ids.push(...r.items.map((i) => `${i.id} ${i.stock} ${i.price}`));
      if (r.items.length < 37) break;
    }
    pages[s.id] = ids;
  }
  return {
    items,
    barcodes: all(`SELECT * FROM catalog_barcodes ORDER BY item_id, barcode`),
    // The kinds of clients' own agreements are mirrored since issue 17; the previous sync did not read them.
    prices: all(`SELECT * FROM catalog_prices WHERE ${known} AND price_kind_id NOT IN (SELECT price_kind_id FROM catalog_client_price_kinds) ORDER BY item_id, price_kind_id`),
    stock: all(`SELECT * FROM catalog_stock WHERE ${known} ORDER BY store_id, item_id`),
    stores,
    groups: all(`SELECT * FROM catalog_groups ORDER BY id`),
    kinds: all(`SELECT * FROM catalog_price_kinds ORDER BY id`),
    pictures: all(`SELECT id, item_id, extension, volume_path FROM catalog_pictures ORDER BY id`),
    ratios: metaRatios ? JSON.parse(String(metaRatios)) : ratios,
    organisation: meta('mirror.organisation'),
    configuration: meta('mirror.configuration'),
    generation: meta('mirror.generation'),
    pages,
  };
}

const moments = (db: Db, syncs: string[]) => {
  for (const k of ['mirror.syncedAt', 'mirror.stockSyncedAt']) {
    const v = String(db.prepare(`SELECT value FROM meta WHERE key = ?`).pluck().get(k));
    if (!syncs.includes(v)) syncs.push(v);
  }
};

describe('the streamed sync leaves the mirror the in-memory sync left', () => {
  it('through full and stock syncs while 1C changes, with virtual tables read in many small parts', async () => {
    const a = openDb(':memory:'); // the previous sync
    const b = openDb(':memory:'); // the streamed one
    const sa: string[] = [];
    const sb: string[] = [];
    const both = async (kind: 'full' | 'stock') => {
      if (kind === 'full') {
        await legacy.runFullSync({ db: a, onec, config });
        await runFullSync({ db: b, onec, config, virtualRows: 60 });
      } else {
        await legacy.runStockSync({ db: a, onec, config });
        await runStockSync({ db: b, onec, config, virtualRows: 60 });
      }
      moments(a, sa);
      moments(b, sb);
      expect(dump(b, sb)).toEqual(dump(a, sa));
    };
    const before = onec.stats.total;
    await both('full');
    expect(onec.stats.total - before).toBeGreaterThan(40); // many parts were read
    const { generation, pages: firstPages } = dump(b, sb);

    const items = em.store.list(ITEMS).filter((r) => r.IsFolder !== true);
    const stock = em.store.records(STOCK);
    const carried = stock.filter((r) => r.RecordType === 'Receipt');
    const doc = (n: number) => `dddddddd-0000-4000-8000-${String(n).padStart(12, '0')}`;
    // Stock: one item leaves a warehouse, another enters one, a third changes quantity.
    em.store.writeRecords(STOCK, doc(1), [
      { ...carried[0], RecordType: 'Expense' },
      { ...carried[5], RecordType: 'Receipt', Склад_Key: carried[9].Склад_Key, ВНаличии: 3 },
      { ...carried[12], RecordType: 'Receipt', ВНаличии: 1 },
    ], 'Document_ОприходованиеИзлишковТоваров');
    // Prices: two items get a new retail price.
    const prices = em.store.records(PRICES).slice(0, 2);
    em.store.writeRecords(PRICES, doc(2), prices.map((p) => ({ ...p, Period: '2030-01-01T00:00:00', Цена: Number(p.Цена) + 10 })), 'Document_УстановкаЦенНоменклатуры');
    await both('stock');
    const after = dump(b, sb);
    expect(after.generation).not.toBe(generation); // the changes were seen
    expect(after.pages).not.toEqual(firstPages);

    // The catalogue: renamed, marked deleted, created.
    em.store.update(ITEMS, String(items[3].Ref_Key), { Description: 'Аааа переименованный товар' });
    em.store.update(ITEMS, String(items[4].Ref_Key), { DeletionMark: true });
    em.store.insert(ITEMS, { Ref_Key: '00000000-0000-4000-8000-0000000000aa', Code: '000000001', Description: 'Новый товар', ТипНоменклатуры: 'Товар', IsFolder: false });
    await both('full');
    // Nothing changed: a stock sync keeps the generation; a full sync moves it but keeps every changed_at.
    await both('stock');
    await both('full');
    expect(dump(b, sb).items.some((i) => (i as { name?: string }).name === 'Новый товар')).toBe(true);
  });

  it('on a УТ 11.4 base (ЦеныНоменклатуры, СвободныеОстатки)', async () => {
    const em4 = await startEmulator({ base: generateDemoBase({ seed: 9, items: 150, variant: 'ut11.4' }) });
    const config4 = parseConfig({ onec: { url: em4.url, profile: 'ut11.4' }, sync: { pageSize: 70 } });
    const c = new ODataClient(config4.onec);
    try {
      const a = openDb(':memory:');
      const b = openDb(':memory:');
      const sa: string[] = [];
      const sb: string[] = [];
      for (const kind of ['full', 'stock', 'full'] as const) {
        if (kind === 'full') {
          await legacy.runFullSync({ db: a, onec: c, config: config4 });
          await runFullSync({ db: b, onec: c, config: config4, virtualRows: 40 });
        } else {
          await legacy.runStockSync({ db: a, onec: c, config: config4 });
          await runStockSync({ db: b, onec: c, config: config4, virtualRows: 40 });
        }
        moments(a, sa);
        moments(b, sb);
        expect(dump(b, sb)).toEqual(dump(a, sa));
      }
      expect(dump(b, sb).stock.length).toBeGreaterThan(0);
    } finally {
      await c.close();
      await em4.close();
    }
  });
});

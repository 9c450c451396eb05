import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogService, orderableItems } from '../../src/catalog/service.js';
import { openDb } from '../../src/db/open.js';
import { runStockSync } from '../../src/catalog/sync.js';
import { harness, type Harness } from './harness.js';

// Booking keeps an item's terms at a warehouse (name, limits, prices) per mirror generation and reads the stock and
// our holds live (src/catalog/service.ts orderableItems). What that must never change: a price 1C sets reaches the
// next booking after the sync that brings it; stock is never the kept one; a caller's changes stay its own.
const PRICES = 'InformationRegister_ЦеныНоменклатуры25';
let h: Harness;
const generation = () => Number(h.db.prepare(`SELECT value FROM meta WHERE key = 'mirror.generation'`).pluck().get());
const catalog = () => (h.noWait as unknown as { catalog: Parameters<typeof orderableItems>[1] }).catalog;

beforeAll(async () => {
  h = await harness({ start: false });
  await h.noWait.client({ clientId: 'OT-C', name: 'Условия' });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe('booking reads of the mirror', () => {
  it('a retail price set in 1C is charged by the next booking after the stock sync that reads it', async () => {
    const [item] = h.items;
    const first = await h.noWait.book({ orderId: 'OT-1', clientId: 'OT-C', store: h.store, deliveryAddress: 'Москва', items: [{ itemId: item, quantity: 1 }] });
    const was = first.body.amount;
    const row = h.em.store.records(PRICES).find((r) => r.Номенклатура_Key === item && Number(r.Цена) === was);
    expect(row, 'the item\'s retail price row in the emulator').toBeTruthy();
    h.em.store.writeRecords(PRICES, 'dddddddd-0000-4000-8000-0000000000b1', [{ ...row!, Period: '2030-01-01T00:00:00', Цена: was + 7 }], 'Document_УстановкаЦенНоменклатуры');
    const g = generation();
    await runStockSync({ db: h.db, onec: h.onec, config: h.config });
    expect(generation()).toBeGreaterThan(g);
    const next = await h.noWait.book({ orderId: 'OT-2', clientId: 'OT-C', store: h.store, deliveryAddress: 'Москва', items: [{ itemId: item, quantity: 1 }] });
    expect(next.body.amount).toBe(was + 7);
  });

  it('stock is read on every booking, at the same generation', () => {
    const [item] = h.items;
    const before = orderableItems(h.db, catalog(), h.store, [item]).get(item)!.stock;
    const g = generation();
    h.db.prepare(`UPDATE catalog_stock SET quantity = quantity + 5 WHERE store_id = ? AND item_id = ?`).run(h.store, item);
    try {
      expect(generation()).toBe(g);
      expect(orderableItems(h.db, catalog(), h.store, [item]).get(item)!.stock).toBe(before + 5);
    } finally {
      h.db.prepare(`UPDATE catalog_stock SET quantity = quantity - 5 WHERE store_id = ? AND item_id = ?`).run(h.store, item);
    }
  });

  it('what one booking changes on its items (a variant, a client\'s price kind) is not seen by the next', () => {
    const [item] = h.items;
    const a = orderableItems(h.db, catalog(), h.store, [item]).get(item)!;
    const price = a.prices.retail;
    a.prices.retail = 0.01;
    a.stock = 0;
    const b = orderableItems(h.db, catalog(), h.store, [item]).get(item)!;
    expect(b.prices.retail).toBe(price);
    expect(b.stock).toBeGreaterThan(0);
  });

  it('an unknown item or warehouse is still not orderable', () => {
    expect(orderableItems(h.db, catalog(), h.store, ['00000000-0000-4000-8000-00000000dead']).size).toBe(0);
    expect(() => orderableItems(h.db, catalog(), '00000000-0000-4000-8000-00000000dead', [h.items[0]])).toThrow(/Склад/);
  });
});

describe('the kept terms at their cap', () => {
  it('a booking whose kept item is pushed out by its own new ones still gets every item it names', () => {
    const db = openDb(':memory:');
    db.prepare(`INSERT INTO catalog_stores (id, name, city, address) VALUES ('s1', 'Склад', 'Город', 'Адрес')`).run();
    const ids = Array.from({ length: 20_002 }, (_, i) => `item-${String(i).padStart(5, '0')}`);
    const item = db.prepare(`INSERT INTO catalog_items (id, name, min_quantity, multiplicity, tier1_threshold, tier2_threshold, hash, changed_at) VALUES (?, ?, 1, 1, 0, 0, '', '')`);
    const stock = db.prepare(`INSERT INTO catalog_stock (store_id, item_id, quantity) VALUES ('s1', ?, 5)`);
    db.transaction(() => ids.forEach((id) => (item.run(id, id), stock.run(id))))();
    const catalog = new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
    // 20,000 kept (the cap), the first of them the oldest.
    for (let i = 0; i < 20_000; i += 100) orderableItems(db, catalog, 's1', ids.slice(i, i + 100));
    // The oldest (kept) and two new ones: keeping the new ones pushes the oldest out while this booking uses it.
    const got = orderableItems(db, catalog, 's1', [ids[0], ids[20_000], ids[20_001]]);
    expect([...got.keys()].sort()).toEqual([ids[0], ids[20_000], ids[20_001]]);
    expect(got.get(ids[0])!.stock).toBe(5);
    db.close();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { CatalogService } from '../../src/catalog/service.js';
import { parseConfig } from '../../src/config/index.js';
import { hashPassword } from '../../src/install/password.js';
import { silentLogger } from '../../src/log.js';
import { OrdersService, type BookingLineInput } from '../../src/orders/service.js';
import { getProfile } from '../../src/onec/profiles/index.js';
import { DomainError } from '../../src/orders/errors.js';
import { HOLDS_STALE_MAX_MS } from '../../src/orders/promise.js';
import { harness, until, ORDERS, type Harness } from '../orders/harness.js';

// Issue 17: booking by a packaging of the item (a box of 12: packagings[] of the assortment). The shop's quantity is in
// packs; stock is checked in units (packs × ratio); the ЗаказКлиента line in 1C (the emulator built from the real УТ
// 11.5.20 dump) carries Упаковка_Key, КоличествоУпаковок = packs, Количество = packs × ratio and Цена of one packaging,
// as УТ's own form fills them (ОбработкаТабличнойЧастиКлиентСервер 1008-1029, 1422-1435; ЦеныПредприятияЗаполнениеСервер
// 412-552; work1cblackbird/ut11 @cdf1be4f). And the assortment's variant stock drops with our own booking of the
// variant before the next stock sync.

let h: Harness;
let api: ReturnType<typeof appOf>;
/** An item sold by a box (ratio > 1), a store carrying it, and that box. */
let item: string;
let store: string;
let box: { id: string; name: string; ratio: number };
let unitPrice: number;
/** Another item's packaging (not this item's). */
let foreign: string;

const hash = await hashPassword('p');
const auth = 'Basic ' + Buffer.from('rs:p').toString('base64');
type Json = Record<string, any>;

function appOf(hh: Harness) {
  const config = parseConfig({ auth: { users: [{ name: 'rs', passwordHash: hash }] } });
  const catalog = new CatalogService(hh.db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
  const app = createApp({ config, logger: silentLogger, services: { catalog, orders: hh.orders, health: { ready: async () => ({ ready: true, checks: [] }) } } });
  const post = async (path: string, body: unknown) => {
    const r = await app.request(`/api/v1/${path}`, { method: 'POST', headers: { Authorization: auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as Json };
  };
  const get = async (path: string) => (await (await app.request(`/api/v1/${path}`, { headers: { Authorization: auth } })).json()) as Json;
  /** The item as the assortment answers it (searched by its name). */
  const shown = async (itemId: string, at = hh.store) => {
    const name = hh.db.prepare(`SELECT name FROM catalog_items WHERE id = ?`).pluck().get(itemId) as string;
    return ((await get(`assortment?store=${at}&q=${encodeURIComponent(name)}&pageSize=100`)).items as Json[]).find((i) => i.id === itemId);
  };
  return { post, get, shown };
}

const setMirrorStock = (itemId: string, quantity: number) => h.db.prepare(`UPDATE catalog_stock SET quantity = ? WHERE store_id = ? AND item_id = ?`).run(quantity, store, itemId);
/** The unit price the assortment gives for `units` (the X1/X2 tiers count units: a box of 12 × 2 is 24 units). */
const unitPriceFor = (it: Json, units: number): number => (units > it.x2 && it.priceOverX2 != null ? it.priceOverX2 : units > it.x1 && it.priceOverX1 != null ? it.priceOverX1 : it.price);
const boxPriceFor = (it: Json, units: number) => Math.round(unitPriceFor(it, units) * box.ratio * 100) / 100;
const booking = (orderId: string, items: BookingLineInput[], at = store) => ({ orderId, clientId: 'P-C-1', store: at, deliveryAddress: 'Москва, ул. Тверская, 1', items });

beforeAll(async () => {
  h = await harness();
  api = appOf(h);
  // Piece goods in stock (multiplicity 1, a retail price) with a box of more than one unit; a box of 12 if the base has one.
  const rows = h.db
    .prepare(
      `SELECT p.item_id, p.id, p.name, p.ratio, s.store_id FROM catalog_item_packagings p JOIN catalog_items i ON i.id = p.item_id
         JOIN catalog_stock s ON s.item_id = p.item_id
        WHERE p.ratio > 1 AND p.ratio = round(p.ratio) AND i.multiplicity = 1 AND i.min_quantity <= 1 AND i.sold_to_order = 0
          AND EXISTS (SELECT 1 FROM catalog_prices c JOIN catalog_price_kinds k ON k.id = c.price_kind_id AND k.name = 'Розничная' WHERE c.item_id = p.item_id AND c.price > 0)
          AND NOT EXISTS (SELECT 1 FROM catalog_variants v WHERE v.item_id = p.item_id)
        ORDER BY p.ratio = 12 DESC, p.item_id, s.store_id`,
    )
    .all() as { item_id: string; id: string; name: string; ratio: number; store_id: string }[];
  if (!rows.length) throw new Error('demo base: no piece item sold by a box');
  item = rows[0].item_id;
  store = rows[0].store_id;
  box = { id: rows[0].id, name: rows[0].name, ratio: rows[0].ratio };
  unitPrice = h.db.prepare(`SELECT c.price FROM catalog_prices c JOIN catalog_price_kinds k ON k.id = c.price_kind_id AND k.name = 'Розничная' WHERE c.item_id = ?`).pluck().get(item) as number;
  foreign = h.db.prepare(`SELECT id FROM catalog_item_packagings WHERE item_id <> ? AND id NOT IN (SELECT id FROM catalog_item_packagings WHERE item_id = ?) LIMIT 1`).pluck().get(item, item) as string;
  expect(foreign).toBeTruthy();
  expect((await api.post('client', { clientId: 'P-C-1', name: 'Сидоров Сидор' })).status).toBeLessThan(300);
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe('booking by a packaging', () => {
  it('the assortment offers the box; 2 boxes booked: the 1C line has that Упаковка, КоличествоУпаковок 2, Количество 2 × ratio, Цена of a box; bookingstate shows it', async () => {
    setMirrorStock(item, 2 * box.ratio + 6);
    const offered = await api.shown(item, store);
    expect(offered?.packagings).toContainEqual(expect.objectContaining({ id: box.id, name: box.name, ratio: box.ratio, price: Math.round(unitPrice * box.ratio * 100) / 100 }));

    const r = await api.post('booking', booking('P-O-1', [{ itemId: item, packagingId: box.id, quantity: 2 }]));
    expect(r.status).toBe(201);
    // Цена of one box at the tier its 2 × ratio units reach, kopecks half up; Сумма = Цена × КоличествоУпаковок.
    const boxPrice = boxPriceFor(offered!, 2 * box.ratio);
    expect(r.body.amount).toBeCloseTo(boxPrice * 2, 2);
    expect(await until(() => h.docs(ORDERS, 'P-O-1')[0]?.Posted === true)).toBe(true);
    const line = (h.docs(ORDERS, 'P-O-1')[0].Товары as Json[])[0];
    expect(line).toMatchObject({ Номенклатура_Key: item, Упаковка_Key: box.id, КоличествоУпаковок: 2, Количество: 2 * box.ratio, Цена: boxPrice });
    expect(line.Сумма).toBeCloseTo(boxPrice * 2, 2);

    const state = await api.get('bookingstate?orderId=P-O-1');
    expect(state.fulfilment.lines).toEqual([{ itemId: item, quantity: 2 * box.ratio, shipped: 0, packaging: { id: box.id, name: box.name, ratio: box.ratio, quantity: 2 } }]);
    // The stock the shop sees is in units, less the 24 held.
    expect((await api.shown(item, store))?.stock).toBe(6);
  });

  it('stock is checked in units: a box more than what is left is 422 on items.0.quantity', async () => {
    // 6 units left of 2 × ratio + 6: one box of `ratio` does not fit.
    const r = await api.post('booking', booking('P-O-2', [{ itemId: item, packagingId: box.id, quantity: 1 }]));
    expect(r.status).toBe(422);
    expect(r.body.error.fields).toHaveLength(1);
    expect(r.body.error.fields[0].field).toBe('items.0.quantity');
    expect(r.body.error.fields[0].message).toMatch(/^на складе только 6\b/);
    expect(r.body.error.fields[0].message).toContain(`заказано 1 упак. по ${box.ratio}`);
    // The same 6 by the unit are fine.
    expect((await api.post('booking', booking('P-O-3', [{ itemId: item, quantity: 6 }]))).status).toBe(201);
  });

  it('a packaging that is not the item’s is 422 naming items.N.packagingId', async () => {
    const other = h.db.prepare(`SELECT item_id FROM catalog_stock WHERE store_id = ? AND item_id <> ? AND quantity >= 1 LIMIT 1`).pluck().get(store, item) as string;
    for (const packagingId of [foreign, '00000000-0000-4000-8000-000000000017']) {
      const r = await api.post('booking', booking(`P-O-W-${packagingId.slice(0, 4)}`, [{ itemId: other, quantity: 1 }, { itemId: item, packagingId, quantity: 1 }]));
      expect(r.status).toBe(422);
      expect(r.body.error.fields.map((f: Json) => f.field)).toEqual(['items.1.packagingId']);
    }
    expect(h.db.prepare(`SELECT count(*) FROM orders WHERE id LIKE 'P-O-W-%'`).pluck().get()).toBe(0);
  });

  it('bookingupd by a packaging: the 1C line follows (КоличествоУпаковок 1, Количество = ratio)', async () => {
    const r = await api.post('bookingupd', { orderId: 'P-O-1', revision: 1, items: [{ itemId: item, packagingId: box.id, quantity: 1 }] });
    expect(r.status).toBe(200);
    expect(r.body.amount).toBeCloseTo(boxPriceFor((await api.shown(item, store))!, box.ratio), 2);
    expect(
      await until(() => {
        const l = (h.docs(ORDERS, 'P-O-1')[0].Товары as Json[]).filter((x) => x.Отменено !== true);
        return l.length === 1 && l[0].КоличествоУпаковок === 1;
      }),
    ).toBe(true);
    const line = (h.docs(ORDERS, 'P-O-1')[0].Товары as Json[]).find((x) => x.Отменено !== true)!;
    expect(line).toMatchObject({ Упаковка_Key: box.id, КоличествоУпаковок: 1, Количество: box.ratio });
    expect(h.db.prepare(`SELECT quantity, packaging_id, packs FROM order_lines WHERE order_id = 'P-O-1'`).get()).toEqual({ quantity: box.ratio, packaging_id: box.id, packs: 1 });
  });

  it('a base whose profile does not write lines by packaging refuses packagingId on that field', async () => {
    const catalog = new CatalogService(h.db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
    const unf = new OrdersService(h.db, catalog, { confirmWindowMs: 0, maxDepth: 1000, configurationName: () => 'УНФ 3', sellsByPackaging: () => getProfile('unf', parseConfig({})).sellsByPackaging === true });
    const e = await unf.book(booking('P-O-UNF', [{ itemId: item, packagingId: box.id, quantity: 1 }])).catch((x) => x);
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).fields?.map((f) => f.field)).toEqual(['items.0.packagingId']);
    // Which profiles write lines by packaging: УТ's and ERP's (УТ's ЗаказКлиента), none of the others.
    const cfg = parseConfig({});
    expect((['ut11.5', 'ut11.4', 'erp', 'unf', 'bp', 'roznica'] as const).filter((id) => getProfile(id, cfg).sellsByPackaging === true)).toEqual(['ut11.5', 'ut11.4', 'erp']);
  });
});

describe('the assortment’s variant stock and our own holds', () => {
  it('a booking of one variant lowers that variant’s stock before the next stock sync; the other variants keep theirs', async () => {
    const rows = h.db
      .prepare(
        `SELECT v.item_id, v.variant_id FROM catalog_variant_stock v JOIN catalog_items i ON i.id = v.item_id
          WHERE v.store_id = ? AND v.quantity >= 3 AND i.sold_to_order = 0 ORDER BY v.item_id, v.variant_id`,
      )
      .all(h.store) as { item_id: string; variant_id: string }[];
    // (the harness's store: the one with the most orderable items)
    const byItem = new Map<string, string[]>();
    for (const r of rows) byItem.set(r.item_id, [...(byItem.get(r.item_id) ?? []), r.variant_id]);
    const [vItem, [a, b]] = [...byItem.entries()].find(([, l]) => l.length >= 2)!;
    const before = (await api.shown(vItem))!;
    const stockOf = (it: Json, id: string) => (it.variants as Json[]).find((v) => v.id === id)!.stock as number;
    const [sa, sb] = [stockOf(before, a), stockOf(before, b)];
    const synced = h.db.prepare(`SELECT value FROM meta WHERE key = 'mirror.stockSyncedAt'`).pluck().get();

    expect((await api.post('booking', booking('P-O-V', [{ itemId: vItem, variantId: a, quantity: 2 }], h.store))).status).toBeLessThan(300);
    // At once, or (a holds read that cost 2 ms or more is kept that long: promise.ts holdsOf) within HOLDS_STALE_MAX_MS.
    const end = performance.now() + HOLDS_STALE_MAX_MS + 500;
    let after = (await api.shown(vItem))!;
    while (stockOf(after, a) !== sa - 2 && performance.now() < end) {
      await new Promise((r) => setTimeout(r, 25));
      after = (await api.shown(vItem))!;
    }
    expect(h.db.prepare(`SELECT value FROM meta WHERE key = 'mirror.stockSyncedAt'`).pluck().get()).toBe(synced);
    expect(stockOf(after, a)).toBe(sa - 2);
    expect(stockOf(after, b)).toBe(sb);
    expect(after.stock).toBe(before.stock - 2);
  });
});

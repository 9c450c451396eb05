import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, until, ORDERS, EXT, type Harness } from '../orders/harness.js';
import { DomainError } from '../../src/orders/errors.js';

// Issue 17: booking names a variant (variantId) and the ЗаказКлиента line in 1C (the emulator built from the real
// УТ 11.5 dump) carries it as Товары.Характеристика_Key; the line is priced at the variant's own price.
let h: Harness;
let item: string;
let variants: { id: string; price: number | null; quantity: number }[];

beforeAll(async () => {
  h = await harness();
  // An item sold in sizes that this store carries, with stock in at least two of its sizes.
  const rows = h.db
    .prepare(
      `SELECT v.item_id, v.id, s.quantity, (SELECT price FROM catalog_variant_prices p JOIN catalog_price_kinds k ON k.id = p.price_kind_id AND k.name = 'Розничная'
                                          WHERE p.item_id = v.item_id AND p.variant_id = v.id) AS price
         FROM catalog_variants v JOIN catalog_variant_stock s ON s.item_id = v.item_id AND s.variant_id = v.id AND s.store_id = ?
        WHERE s.quantity >= 2 ORDER BY v.item_id, v.id`,
    )
    .all(h.store) as { item_id: string; id: string; quantity: number; price: number | null }[];
  const byItem = new Map<string, typeof rows>();
  for (const r of rows) byItem.set(r.item_id, [...(byItem.get(r.item_id) ?? []), r]);
  const found = [...byItem.entries()].find(([, list]) => list.length >= 2);
  if (!found) throw new Error('demo base: no item in variants with stock at the harness store');
  item = found[0];
  variants = found[1].map((r) => ({ id: r.id, price: r.price, quantity: r.quantity }));
  await h.orders.client({ clientId: 'V-C-1', name: 'Петров Пётр', kind: 'person', phone: '+7 900 000-00-17' } as never);
}, 60_000);
afterAll(async () => {
  await h?.close();
});

const base = (orderId: string, items: { itemId: string; variantId?: string; quantity: number }[]) => ({ orderId, clientId: 'V-C-1', store: h.store, deliveryAddress: 'Москва, ул. Тверская, 1', items });

describe('booking a variant', () => {
  it('two sizes of one item: two 1C lines, each with its Характеристика_Key', async () => {
    const [a, b] = variants;
    const r = await h.orders.book(base('V-O-1', [{ itemId: item, variantId: a.id, quantity: 1 }, { itemId: item, variantId: b.id, quantity: 2 }]));
    expect(r.status).toBe(201);
    expect(await until(() => h.docs(ORDERS, 'V-O-1').length === 1 && h.docs(ORDERS, 'V-O-1')[0].Posted === true)).toBe(true);
    const doc = h.docs(ORDERS, 'V-O-1')[0];
    const lines = (doc.Товары as Record<string, unknown>[]).map((l) => [l.Номенклатура_Key, l.Характеристика_Key, l.Количество]);
    expect(lines).toEqual([[item, a.id, 1], [item, b.id, 2]]);
    expect(doc[EXT]).toBe('V-O-1');
    // The reserve 1C posted is per characteristic (ТоварыКОтгрузке has the Характеристика dimension).
    const reserve = h.em.store.records('AccumulationRegister_ТоварыКОтгрузке').filter((x) => x.ДокументОтгрузки === doc.Ref_Key);
    expect(reserve.map((x) => x.Характеристика_Key).sort()).toEqual([a.id, b.id].sort());
  });

  it('the variant’s own price applies when it has one', async () => {
    // The harness's small base may hold no size priced apart: the mirror gets one (a characteristic's own retail
    // price, as the sync writes it from ЦеныНоменклатуры*), the booking must take it over the item's.
    const kind = h.db.prepare(`SELECT id FROM catalog_price_kinds WHERE name = 'Розничная'`).pluck().get() as string;
    const itemPrice = h.db.prepare(`SELECT price FROM catalog_prices WHERE item_id = ? AND price_kind_id = ?`).pluck().get(item, kind) as number;
    const v = variants[1];
    h.db.prepare(`INSERT OR REPLACE INTO catalog_variant_prices (item_id, variant_id, price_kind_id, price) VALUES (?, ?, ?, ?)`).run(item, v.id, kind, itemPrice + 100);
    const r = await h.orders.book(base('V-O-2', [{ itemId: item, variantId: v.id, quantity: 1 }, { itemId: item, variantId: variants[0].id, quantity: 1 }]));
    expect(r.status).toBe(201);
    const lines = h.db.prepare(`SELECT variant_id, price_kopecks FROM order_lines WHERE order_id = 'V-O-2' ORDER BY line_no`).all();
    expect(lines).toEqual([{ variant_id: v.id, price_kopecks: Math.round((itemPrice + 100) * 100) }, { variant_id: variants[0].id, price_kopecks: Math.round(itemPrice * 100) }]);
  });

  it('refuses a line of an item in variants without variantId, an unknown variant, a variant of an item without them', async () => {
    const plain = h.items.find((i) => !h.db.prepare(`SELECT 1 FROM catalog_variants WHERE item_id = ?`).get(i))!;
    const refused = async (items: { itemId: string; variantId?: string; quantity: number }[]) => {
      try {
        await h.orders.book(base(`V-O-R-${Math.random()}`, items));
      } catch (e) {
        expect(e).toBeInstanceOf(DomainError);
        return (e as DomainError).fields;
      }
      throw new Error('accepted');
    };
    expect((await refused([{ itemId: item, quantity: 1 }]))?.map((f) => f.field)).toEqual(['items.0.variantId']);
    expect((await refused([{ itemId: item, variantId: '00000000-0000-4000-8000-000000000999', quantity: 1 }]))?.map((f) => f.field)).toEqual(['items.0.variantId']);
    expect((await refused([{ itemId: plain, variantId: variants[0].id, quantity: 1 }]))?.map((f) => f.field)).toEqual(['items.0.variantId']);
    // More of a size than its stock: refused on that line's quantity.
    const v = variants[0];
    expect((await refused([{ itemId: item, variantId: v.id, quantity: v.quantity + 1000 }]))?.map((f) => f.field)).toEqual(['items.0.quantity']);
  });
});

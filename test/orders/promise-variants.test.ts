import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/orders/errors.js';
import { holdsOf, promisedVariants } from '../../src/orders/promise.js';
import { harness, type Harness } from './harness.js';
import { mirrorChanged } from '../helpers/mirror.js';

/**
 * Issue 17, left by its session: what our own open orders hold is counted per variant, not only per item. Before,
 * a line with a variantId was checked against the variant's mirror stock with nothing held against it, so two
 * orders of one size could take that size twice while the item's other sizes covered the item's figure.
 * The worker is not started: every order stays unreserved in 1C, so each one is a hold.
 */
let h: Harness;
let item: string;
let sizes: string[];
const CLIENT = 'PV-C-1';

beforeAll(async () => {
  h = await harness({ start: false });
  const rows = h.db
    .prepare(`SELECT v.item_id AS item, v.id FROM catalog_variants v JOIN catalog_variant_stock s ON s.item_id = v.item_id AND s.variant_id = v.id AND s.store_id = ? ORDER BY v.item_id, v.id`)
    .all(h.store) as { item: string; id: string }[];
  const byItem = new Map<string, string[]>();
  for (const r of rows) byItem.set(r.item, [...(byItem.get(r.item) ?? []), r.id]);
  const found = [...byItem].find(([, list]) => list.length >= 2);
  if (!found) throw new Error('demo base: no item in variants with two sizes at the harness store');
  [item, sizes] = found;
  // Orderable by the unit, priced: the figures under test are the stock ones.
  h.db.prepare(`UPDATE catalog_items SET min_quantity = 1, multiplicity = 1, sold_to_order = 0 WHERE id = ?`).run(item);
  mirrorChanged(h.db);
  await h.noWait.client({ clientId: CLIENT, name: 'Покупатель размеров' });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

/** The mirror's figures: each size's own stock, and the item's (1C's sum over its sizes unless said otherwise). */
function mirror(perSize: number[], itemTotal = perSize.reduce((s, x) => s + x, 0)) {
  h.db.prepare(`DELETE FROM order_lines WHERE item_id = ?`).run(item);
  sizes.forEach((v, i) => h.db.prepare(`UPDATE catalog_variant_stock SET quantity = ? WHERE item_id = ? AND variant_id = ? AND store_id = ?`).run(perSize[i] ?? 0, item, v, h.store));
  h.db.prepare(`UPDATE catalog_stock SET quantity = ? WHERE item_id = ? AND store_id = ?`).run(itemTotal, item, h.store);
}

let seq = 0;
const book = (lines: { size: number; quantity: number }[]) =>
  h.noWait.book({ orderId: `PV-${++seq}`, clientId: CLIENT, store: h.store, deliveryAddress: 'Москва', items: lines.map((l) => ({ itemId: item, variantId: sizes[l.size], quantity: l.quantity })) }).then(
    (r) => ({ status: r.status as number, fields: [] as { field: string; message: string }[] }),
    (e) => {
      if (!(e instanceof DomainError)) throw e;
      return { status: 422, fields: e.fields ?? [] };
    },
  );

describe('available to promise per variant', () => {
  it('a size taken by one order is not promised again, though the item’s other sizes still cover the item', async () => {
    mirror([5, 5]);
    expect((await book([{ size: 0, quantity: 5 }])).status).toBe(202);
    // The item still has 5 (the other size): the old per-item check accepted this.
    const again = await book([{ size: 0, quantity: 1 }]);
    expect(again.status).toBe(422);
    expect(again.fields[0].field).toBe('items.0.quantity');
    expect(again.fields[0].message).toMatch(/^на складе только 0\b/);
    // The other size is untouched.
    expect((await book([{ size: 1, quantity: 5 }])).status).toBe(202);
    expect((await book([{ size: 1, quantity: 1 }])).status).toBe(422);
    expect(promisedVariants(h.db, h.store, sizes.map((variantId) => ({ itemId: item, variantId }))).get(`${item}#${sizes[0]}`)).toEqual({ stock: 5, held: 5, available: 0 });
    // The assortment's view of the holds carries them per variant too (keyed item#variant).
    const holds = holdsOf(h.db, h.store);
    expect(holds.variants.get(`${item}#${sizes[0]}`)).toBe(5);
    expect(holds.variants.get(`${item}#${sizes[1]}`)).toBe(5);
    expect(holds.held.get(item)).toBe(10);
  });

  it('concurrent bookings of one size: exactly its stock is accepted (the check in the write counts the variant)', async () => {
    mirror([3, 50]);
    const answers = await Promise.all(Array.from({ length: 12 }, () => book([{ size: 0, quantity: 1 }])));
    expect(answers.filter((a) => a.status === 202)).toHaveLength(3);
    expect(answers.filter((a) => a.status === 422)).toHaveLength(9);
    expect(h.db.prepare(`SELECT sum(quantity) FROM order_lines WHERE item_id = ? AND variant_id = ?`).pluck().get(item, sizes[0])).toBe(3);
  });

  it('two sizes in one order are bounded together by the item’s figure', async () => {
    // The item's figure below the sum of its sizes (1C's item-level free stock less a reserve without a size).
    mirror([4, 4], 6);
    const r = await book([
      { size: 0, quantity: 4 },
      { size: 1, quantity: 4 },
    ]);
    expect(r.status).toBe(422);
    expect(r.fields.map((f) => f.field)).toEqual(['items.0.quantity', 'items.1.quantity']);
    expect(r.fields[0].message).toMatch(/на все варианты товара \(в заказе 8\)/);
    expect((await book([{ size: 0, quantity: 3 }, { size: 1, quantity: 3 }])).status).toBe(202);
  });
});

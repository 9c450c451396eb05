import type { Db } from '../../src/db/open.js';

/**
 * The store with the most items a shopper can order one by one (stock ≥ 20, no minimum, multiplicity 1, not sold to
 * order, with a retail price), and up to `n` of those items: what the end-to-end tests book.
 */
export function orderable(db: Db, n = 3): { store: string; items: string[] } {
  const store = db
    .prepare(
      `SELECT s.store_id FROM catalog_stock s JOIN catalog_items i ON i.id = s.item_id
        WHERE s.quantity >= 20 AND i.min_quantity <= 1 AND i.multiplicity = 1 AND i.sold_to_order = 0
        GROUP BY s.store_id ORDER BY COUNT(*) DESC LIMIT 1`,
    )
    .pluck()
    .get() as string;
  const items = db
    .prepare(
      `SELECT s.item_id FROM catalog_stock s JOIN catalog_items i ON i.id = s.item_id
         JOIN catalog_prices p ON p.item_id = s.item_id JOIN catalog_price_kinds k ON k.id = p.price_kind_id AND k.name = 'Розничная'
        WHERE s.store_id = ? AND s.quantity >= 20 AND i.min_quantity <= 1 AND i.multiplicity = 1 AND i.sold_to_order = 0 LIMIT ?`,
    )
    .pluck()
    .all(store, n) as string[];
  return { store, items };
}

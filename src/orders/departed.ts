import type { Db } from '../db/open.js';
import type { AssortmentItem, CatalogService } from '../catalog/service.js';
import { atStorePrice } from '../catalog/store-prices.js';
import { foldForSearch } from '../catalog/writer.js';

/**
 * Items that left a warehouse after a moment (issue 14.7): 1C answers no balance for an item sold out, the sync
 * deletes its stock row and the item is no longer in the warehouse's assortment, so `changedSince` — which walks
 * what the warehouse carries — never said it was gone. stock_departures (migration 027, kept by triggers on
 * catalog_stock) remembers when each left; the assortment answers them with stock 0 after the warehouse's changed
 * items, paged with them (api/routes/catalog.ts).
 *
 * The item is read as CatalogService answers it (the same columns and prices by the warehouse's price kinds). The
 * right home of this is CatalogService.assortment (src/catalog, another helper's): moved there, this file goes.
 */
export function departedItems(db: Db, catalog: CatalogService, q: { store: string; changedSince: string; group?: string; q?: string }): AssortmentItem[] {
  const store = db.prepare(`SELECT id, retail_price_kind_id AS retailPriceKindId FROM catalog_stores WHERE id = ?`).get(q.store) as { id: string; retailPriceKindId: string | null } | undefined;
  const since = new Date(q.changedSince);
  if (!store || Number.isNaN(since.getTime())) return [];
  const kinds = catalog.priceKinds(store);
  const where: string[] = [];
  const params: Record<string, unknown> = { store: store.id, since: since.toISOString(), retail: kinds.retail, tier1: kinds.tier1, tier2: kinds.tier2 };
  if (q.group) {
    params.group = q.group;
    where.push(`i.group_id IN (WITH RECURSIVE sub(id) AS (SELECT @group UNION SELECT g.id FROM catalog_groups g JOIN sub ON g.parent_id = sub.id) SELECT id FROM sub)`);
  }
  if (q.q) {
    // As the assortment's q= reads it: a part of the name or article (folded), or the exact barcode.
    params.qFolded = foldForSearch(q.q);
    params.qExact = q.q;
    where.push(`(instr(i.search_text, @qFolded) > 0 OR EXISTS (SELECT 1 FROM catalog_barcodes b WHERE b.item_id = i.id AND b.barcode = @qExact))`);
  }
  const rows = db
    .prepare(
      `SELECT i.*, d.left_at,
         (SELECT price FROM catalog_prices p WHERE p.item_id = i.id AND p.price_kind_id = @retail) AS retail_price,
         (SELECT price FROM catalog_prices p WHERE p.item_id = i.id AND p.price_kind_id = @tier1) AS tier1_price,
         (SELECT price FROM catalog_prices p WHERE p.item_id = i.id AND p.price_kind_id = @tier2) AS tier2_price,
         (SELECT price FROM catalog_store_prices sp WHERE sp.store_id = @store AND sp.item_id = i.id) AS store_price,
         EXISTS (SELECT 1 FROM catalog_store_pricing sa WHERE sa.store_id = @store) AS store_applied,
         (SELECT json_group_array(barcode) FROM catalog_barcodes b WHERE b.item_id = i.id) AS barcodes
       FROM stock_departures d JOIN catalog_items i ON i.id = d.item_id
       WHERE d.store_id = @store AND d.left_at > @since AND i.sold_to_order = 0
         AND NOT EXISTS (SELECT 1 FROM catalog_stock s WHERE s.store_id = d.store_id AND s.item_id = d.item_id)
         ${where.map((w) => `AND ${w}`).join(' ')}
       ORDER BY i.name, i.id`,
    )
    .all(params) as Record<string, any>[];
  return rows.map((r) => ({ r, own: atStorePrice({ retail: r.retail_price, tier1: r.tier1_price, tier2: r.tier2_price }, r.store_price, r.store_applied === 1) })).map(({ r, own }) => ({
    id: r.id,
    article: r.article,
    name: r.name,
    fullName: r.full_name,
    groupId: r.group_id,
    country: r.country,
    brand: r.brand,
    barcodes: JSON.parse(r.barcodes ?? '[]'),
    shortDescription: r.description,
    description: r.full_description,
    icons: (JSON.parse(r.picture_ids) as string[]).map((id) => `/api/v1/picture/${id}`),
    unit: r.unit,
    portion: r.portion_size != null ? { size: r.portion_size, unit: r.portion_unit ?? r.unit } : null,
    minQuantity: r.min_quantity,
    multiplicity: r.multiplicity,
    stock: 0,
    // Issue 18: the store's applied price (Розница), as the assortment answers it.
    price: own.retail,
    priceOverX1: own.tier1,
    x1: r.tier1_threshold,
    priceOverX2: own.tier2,
    x2: r.tier2_threshold,
    // When its availability here changed: its leaving, or a later change of the card.
    changedAt: r.left_at > r.changed_at ? r.left_at : r.changed_at,
  }));
}

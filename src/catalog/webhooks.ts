import type { Db } from '../db/open.js';
import { enqueue, type Json } from '../outbox/index.js';
import { JOB } from '../orders/jobs.js';
import { nextEventId } from '../webhooks/ids.js';
import { S } from './scratch.js';

/**
 * Push on change (issue 17): one webhook per sync that changed what a shop sees, naming per warehouse the items whose
 * card, price, stock or variants changed, so the shop pulls `assortment?store=…&changedSince=…` instead of polling.
 * Sent by the order events' machinery: a JOB.webhook outbox job (orders/webhooks.ts webhookHandler sends the body the
 * job carries, signed as order events are: Standard Webhooks headers), keyed `webhook:catalog` so the shop hears of
 * the syncs in their order and a receiver that is down holds back no order event.
 */
export const CATALOG_EVENT = 'catalog.changed' as const;
export const CATALOG_WEBHOOK_KEY = 'webhook:catalog';

export interface CatalogEvent {
  id: string;
  type: typeof CATALOG_EVENT;
  timestamp: string;
  data: {
    /** The mirror generation the change is in (GET /api/v1/state: mirror.generation). */
    generation: number;
    sync: 'full' | 'stock';
    /** The changed items have changedAt ≥ this: pull `changedSince` just before it. */
    changedAt: string;
    /**
     * Per warehouse, the items that changed there (including those that left it: stock 0); itemIds null = too many
     * to list (a full sync that changed much): pull the warehouse's changedSince.
     */
    stores: { storeId: string; itemIds: string[] | null }[];
  };
}

/**
 * Called by the sync right after its final transaction, with the scratch database still attached (its d_stock_del
 * says which items left which warehouse). Enqueues nothing when the generation did not move or no warehouse's items
 * changed. Returns the event (tests, logs).
 */
export function enqueueCatalogEvent(db: Db, o: { sync: 'full' | 'stock'; generationBefore: number; changedAt: string; now?: Date }): CatalogEvent | null {
  const generation = Number(db.prepare(`SELECT value FROM main.meta WHERE key = 'mirror.generation'`).pluck().get() ?? 0);
  if (generation === o.generationBefore) return null;
  const row = db.prepare(`SELECT items FROM main.catalog_changes WHERE generation = ?`).get(generation) as { items: string | null } | undefined;
  const stores = db.prepare(`SELECT id FROM main.catalog_stores ORDER BY id`).pluck().all() as string[];
  let perStore: CatalogEvent['data']['stores'];
  if (!row || row.items === null) {
    perStore = stores.map((storeId) => ({ storeId, itemIds: null }));
  } else {
    const items = JSON.stringify(JSON.parse(row.items) as string[]);
    const has = (t: string) => !!db.prepare(`SELECT 1 FROM ${S}.sqlite_master WHERE name = ?`).get(t);
    const union = (parts: string[]) => (parts.length ? parts.join(' UNION ') : 'SELECT NULL WHERE 0');
    // What matters at every warehouse that carries the item: its card, prices, variants (not its stock elsewhere).
    const everywhere = union([
      ...['d_prices_up', 'd_prices_del', 'dv_prices_up', 'dv_prices_del', 'dv_variants_up', 'dv_variants_del', 'dv_barcodes_up', 'dv_barcodes_del'].filter(has).map((t) => `SELECT item_id FROM ${S}.${t}`),
      ...(o.sync === 'full' && has('new_items') ? [`SELECT id FROM ${S}.new_items WHERE write = 1 OR existed = 0`] : []),
    ]);
    // What matters at one warehouse: its stock of the item or of a variant, the item entering or leaving it.
    const here = union(['d_stock_up', 'd_stock_del', 'dv_stock_up', 'dv_stock_del'].filter(has).map((t) => `SELECT item_id FROM ${S}.${t} WHERE store_id = @store`));
    const q = db.prepare(`SELECT value FROM json_each(@items) j WHERE value IN (${here})
        OR (value IN (${everywhere}) AND value IN (SELECT item_id FROM main.catalog_stock WHERE store_id = @store UNION SELECT id FROM main.catalog_items WHERE sold_to_order = 1))
        ORDER BY value`).pluck();
    perStore = stores.map((storeId) => ({ storeId, itemIds: q.all({ items, store: storeId }) as string[] })).filter((s) => s.itemIds.length > 0);
  }
  if (perStore.length === 0) return null;
  const now = o.now ?? new Date();
  const event: CatalogEvent = {
    id: nextEventId(null, now.getTime()),
    type: CATALOG_EVENT,
    timestamp: now.toISOString(),
    data: { generation, sync: o.sync, changedAt: o.changedAt, stores: perStore },
  };
  enqueue(db, { kind: JOB.webhook, key: CATALOG_WEBHOOK_KEY, payload: { event: JSON.parse(JSON.stringify(event)) as Json }, dedupeKey: `catalog:${generation}` });
  return event;
}

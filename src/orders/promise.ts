import { createHash } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/open.js';

/**
 * Available to promise (issue 14.1): what a warehouse can still sell = the mirror's free stock less ReGate's own
 * orders that the mirror does not reflect yet.
 *
 * The mirror's stock is УТ's free stock (ЗапасыИПотребности ВНаличии − РезервироватьНаСкладе − …, WRITE-RULES §6;
 * 11.4 СвободныеОстатки) as of its last stock read. Our ЗаказКлиента reserves its lines (СоСклада, §1.6) once it is
 * posted, and the mirror shows that reserve from the next stock read on. So an order that still takes goods (any
 * status but 5 expired / 6 cancelled — a paid order keeps its reserve until shipped) is counted here when it has no
 * reserve in 1C yet (reserved_at NULL: not delivered) or got it after the stock was read. An order closed locally
 * whose closing has not reached 1C is still reserved in the mirror: it is under-promised until then, never over.
 */

/**
 * When the mirror's stock figures were read. The catalogue sync stamps `mirror.stockSyncedAt` when it WRITES the
 * mirror, after reading 1C for seconds to minutes; an order posted during that read may or may not be in the
 * figures. `mirror.stockReadAt` (the read's start) is exact; without it the write time less this margin is taken:
 * an order confirmed within the margin before a sync is counted twice (under-promised until the next sync),
 * never missed.
 */
export const STOCK_READ_MARGIN_MS = 5 * 60_000;

const EPS = 1e-6;
const q3 = (x: number) => Math.round(x * 1000) / 1000;

interface Statements {
  meta: Statement<unknown[]>;
  version: Statement<unknown[]>;
  holds: Statement<unknown[]>;
  variantHolds: Statement<unknown[]>;
  stock: Statement<unknown[]>;
  variantStock: Statement<unknown[]>;
}
const cache = new WeakMap<Db, Statements>();
/** A warehouse's holds as last read, with the holds version and read time they were read at. */
const memo = new WeakMap<Db, Map<string, { key: string; until: number; held: Map<string, number>; variants: Map<string, number>; version: string }>>();

/**
 * How long the assortment may show a warehouse's holds as read before a change, when reading them is costly: a
 * booking burst moves them with every order, and reading them again for every assortment request after every
 * booking cost 10 ms a read at 5,000 orders between two stock syncs (covering index, 2 cores). A read that took
 * under 2 ms is never reused across a change (the figure follows every booking); a costlier one for 50× its cost,
 * at most this long. The booking's own check always reads its items fresh. Since the holds waiting for 1C are kept
 * summed per item (order_holds_pending), the warehouse's read took 0.25 ms against 10.3 ms at 28,724 such holds, so it
 * is fresh for every request again unless the holds reserved since the stock read are many.
 */
export const HOLDS_STALE_MAX_MS = 1000;

/**
 * SQL of what our orders hold of the item `item` at the warehouse @store that the mirror does not reflect as of
 * @readAt (stockReadAt): what 1C has not reserved yet, kept summed per item (order_holds_pending, migration 029_z21:
 * one key whatever the number of orders waiting), and the range of order_holds_item reserved after the read. A
 * statement that reads the item's row anyway (the booking's orderableItems) adds it as a column instead of asking
 * promisedStock for it again.
 */
export const heldSql = (item: string): string =>
  `(coalesce((SELECT milli FROM order_holds_pending p WHERE p.store_id = @store AND p.item_id = ${item}), 0) / 1000.0
   + coalesce((SELECT sum(quantity) FROM order_holds h WHERE h.store_id = @store AND h.item_id = ${item} AND h.open = 1 AND h.reserved_at >= @readAt), 0))`;

/** An item's mirror figure and our holds of it as promisedStock answers them. */
export function promisedOf(quantity: number | null, held: number, soldToOrder: boolean): Promised {
  const stock = quantity ?? 0;
  const h = held > EPS ? q3(held) : 0;
  return { stock, held: h, available: soldToOrder ? Infinity : Math.max(0, q3(stock - h)) };
}

function st(db: Db): Statements {
  let s = cache.get(db);
  if (!s) {
    s = {
      meta: db.prepare(`SELECT key, value FROM meta WHERE key IN ('mirror.stockReadAt', 'mirror.stockSyncedAt', 'mirror.syncedAt')`),
      version: db.prepare(`SELECT n FROM order_holds_version WHERE id = 1`).pluck(),
      // Not reserved in 1C yet: the warehouse's kept sums (order_holds_pending, migration 029_z21), a row per item held
      // rather than one per order line; reserved after the read: a range of order_holds_store.
      holds: db.prepare(
        `SELECT item_id AS item, sum(quantity) AS quantity FROM (
           SELECT item_id, milli / 1000.0 AS quantity FROM order_holds_pending WHERE store_id = @store AND milli <> 0
           UNION ALL
           SELECT item_id, quantity FROM order_holds WHERE store_id = @store AND open = 1 AND reserved_at >= @readAt
         ) GROUP BY item_id ORDER BY item_id`,
      ),
      // The same per variant (migration 029_z19): two ranges of order_holds_variant.
      variantHolds: db.prepare(
        `SELECT item_id AS item, variant_id AS variant, sum(quantity) AS quantity FROM (
           SELECT item_id, variant_id, quantity FROM order_holds WHERE store_id = @store AND open = 1 AND variant_id IS NOT NULL AND reserved_at IS NULL
           UNION ALL
           SELECT item_id, variant_id, quantity FROM order_holds WHERE store_id = @store AND open = 1 AND variant_id IS NOT NULL AND reserved_at >= @readAt
         ) GROUP BY item_id, variant_id ORDER BY item_id, variant_id`,
      ),
      // Per item asked: the mirror's figure and two ranges of order_holds_item.
      stock: db.prepare(
        `SELECT j.value AS item, i.sold_to_order AS soldToOrder,
           (SELECT sum(quantity) FROM catalog_stock s WHERE s.store_id = @store AND s.item_id = j.value) AS quantity,
           ${heldSql('j.value')} AS held
         FROM json_each(@ids) j LEFT JOIN catalog_items i ON i.id = j.value`,
      ),
      // Per variant asked ([item, variant] pairs): the variant's mirror figure and two ranges of order_holds_variant.
      variantStock: db.prepare(
        `SELECT j.value ->> 0 AS item, j.value ->> 1 AS variant,
           (SELECT sold_to_order FROM catalog_items i WHERE i.id = j.value ->> 0) AS soldToOrder,
           (SELECT quantity FROM catalog_variant_stock v WHERE v.item_id = j.value ->> 0 AND v.variant_id = j.value ->> 1 AND v.store_id = @store) AS quantity,
           coalesce((SELECT sum(quantity) FROM order_holds h WHERE h.store_id = @store AND h.item_id = j.value ->> 0 AND h.variant_id = j.value ->> 1 AND h.open = 1 AND h.reserved_at IS NULL), 0)
           + coalesce((SELECT sum(quantity) FROM order_holds h WHERE h.store_id = @store AND h.item_id = j.value ->> 0 AND h.variant_id = j.value ->> 1 AND h.open = 1 AND h.reserved_at >= @readAt), 0) AS held
         FROM json_each(@pairs) j`,
      ),
    };
    cache.set(db, s);
  }
  return s;
}

/** The moment the mirror's stock was read from 1C ('' before any sync: every open order is then a hold). */
export function stockReadAt(db: Db): string {
  const m = Object.fromEntries((st(db).meta.all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
  return stockReadAtOf({ stockReadAt: m['mirror.stockReadAt'] ?? null, stockSyncedAt: m['mirror.stockSyncedAt'] ?? m['mirror.syncedAt'] ?? null });
}

/** stockReadAt from the mirror's state as read already (CatalogService.state(): its stockSyncedAt falls back to
 *  syncedAt, as here). */
export function stockReadAtOf(m: { stockReadAt: string | null; stockSyncedAt: string | null }): string {
  if (m.stockReadAt) return m.stockReadAt;
  const written = m.stockSyncedAt;
  if (!written || Number.isNaN(Date.parse(written))) return '';
  return new Date(Date.parse(written) - STOCK_READ_MARGIN_MS).toISOString();
}

/**
 * Quantities of this warehouse's items held by our orders that the mirror does not reflect (item → quantity), with
 * a short fingerprint of them. Kept until a hold changes (order_holds_version) or the stock read time moves (a
 * costly read a little longer: HOLDS_STALE_MAX_MS), so the assortment pays one small read per request.
 */
export function holdsOf(db: Db, storeId: string): { version: string; held: Map<string, number>; variants: Map<string, number> } {
  const readAt = stockReadAt(db);
  const key = `${st(db).version.get() as number}|${readAt}`;
  let byStore = memo.get(db);
  if (!byStore) memo.set(db, (byStore = new Map()));
  const kept = byStore.get(storeId);
  const started = performance.now();
  // The same holds, or a costly read still fresh enough (its version names what is answered, so an ETag never
  // pairs a figure with another's version).
  if (kept && (kept.key === key || started < kept.until)) return { version: kept.version, held: kept.held, variants: kept.variants };
  const rows = st(db).holds.all({ store: storeId, readAt }) as { item: string; quantity: number }[];
  const held = new Map(rows.filter((r) => r.quantity > EPS).map((r) => [r.item, q3(r.quantity)]));
  // Lines with a variant, keyed item#variant (catalog variantKey): a subset of the item's figure above.
  const vrows = held.size ? (st(db).variantHolds.all({ store: storeId, readAt }) as { item: string; variant: string; quantity: number }[]) : [];
  const variants = new Map(vrows.filter((r) => r.quantity > EPS).map((r) => [`${r.item}#${r.variant}`, q3(r.quantity)]));
  // The item figures fingerprint the variant ones too: a variant's hold moves its item's.
  const version = held.size ? createHash('sha1').update([...held, ...variants].map(([k, v]) => `${k}=${v}`).join(';')).digest('base64url').slice(0, 12) : '';
  if (byStore.size > 1000) byStore.clear();
  const cost = performance.now() - started;
  byStore.set(storeId, { key, until: cost < 2 ? 0 : started + Math.min(HOLDS_STALE_MAX_MS, 50 * cost), held, variants, version });
  return { version, held, variants };
}

/** Quantities of this warehouse's items held by our orders that the mirror does not reflect (item → quantity). */
export function heldByOrders(db: Db, storeId: string): Map<string, number> {
  return holdsOf(db, storeId).held;
}

export interface Promised {
  /** The mirror's free stock at the warehouse. */
  stock: number;
  /** Held by our orders not yet in the mirror. */
  held: number;
  /** stock − held, never below 0; Infinity for an item sold to order (no limit). */
  available: number;
}

/** What each item can still be promised at the warehouse (items unknown to the mirror: 0). */
export function promisedStock(db: Db, storeId: string, itemIds: string[]): Map<string, Promised> {
  const rows = st(db).stock.all({ store: storeId, readAt: stockReadAt(db), ids: JSON.stringify([...new Set(itemIds)]) }) as { item: string; soldToOrder: number | null; quantity: number | null; held: number }[];
  return new Map(rows.map((r) => [r.item, promisedOf(r.quantity, r.held, r.soldToOrder === 1)]));
}

/**
 * What each variant can still be promised at the warehouse (issue 17): the variant's mirror stock less the holds of
 * our lines of that variant, keyed item#variant. The item's own figure (promisedStock) still bounds the sum over
 * its variants; both are checked.
 */
export function promisedVariants(db: Db, storeId: string, pairs: { itemId: string; variantId: string }[]): Map<string, Promised> {
  if (!pairs.length) return new Map();
  const unique = [...new Map(pairs.map((p) => [`${p.itemId}#${p.variantId}`, [p.itemId, p.variantId]])).values()];
  const rows = st(db).variantStock.all({ store: storeId, readAt: stockReadAt(db), pairs: JSON.stringify(unique) }) as { item: string; variant: string; soldToOrder: number | null; quantity: number | null; held: number }[];
  return new Map(
    rows.map((r) => {
      const stock = r.quantity ?? 0;
      const h = r.held > EPS ? q3(r.held) : 0;
      return [`${r.item}#${r.variant}`, { stock, held: h, available: r.soldToOrder === 1 ? Infinity : Math.max(0, q3(stock - h)) }];
    }),
  );
}

/** The stock an assortment item shows: the mirror's figure less our holds (numbers only; «без ограничения» stays). */
export function promisedFigure<T>(stock: T, held: number | undefined): T {
  if (typeof stock !== 'number' || !held) return stock;
  return Math.max(0, q3(stock - held)) as T;
}

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
  holds: Statement<unknown[]>;
  stock: Statement<unknown[]>;
}
const cache = new WeakMap<Db, Statements>();
function st(db: Db): Statements {
  let s = cache.get(db);
  if (!s) {
    s = {
      meta: db.prepare(`SELECT key, value FROM meta WHERE key IN ('mirror.stockReadAt', 'mirror.stockSyncedAt', 'mirror.syncedAt')`),
      // Two ranges of orders_holding (NULL, then ≥ the read time): an OR of both is not always planned as such.
      holds: db.prepare(
        `SELECT l.item_id AS item, sum(l.quantity) AS quantity FROM (
           SELECT id FROM orders WHERE store_id = @store AND status NOT IN (5, 6) AND reserved_at IS NULL
           UNION ALL
           SELECT id FROM orders WHERE store_id = @store AND status NOT IN (5, 6) AND reserved_at >= @readAt
         ) o JOIN order_lines l ON l.order_id = o.id
         GROUP BY l.item_id ORDER BY l.item_id`,
      ),
      stock: db.prepare(
        `SELECT j.value AS item, i.sold_to_order AS soldToOrder,
           (SELECT sum(quantity) FROM catalog_stock s WHERE s.store_id = @store AND s.item_id = j.value) AS quantity
         FROM json_each(@ids) j LEFT JOIN catalog_items i ON i.id = j.value`,
      ),
    };
    cache.set(db, s);
  }
  return s;
}

/** The moment the mirror's stock was read from 1C ('' before any sync: every open order is then a hold). */
export function stockReadAt(db: Db): string {
  const m = Object.fromEntries((st(db).meta.all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
  if (m['mirror.stockReadAt']) return m['mirror.stockReadAt'];
  const written = m['mirror.stockSyncedAt'] ?? m['mirror.syncedAt'];
  if (!written || Number.isNaN(Date.parse(written))) return '';
  return new Date(Date.parse(written) - STOCK_READ_MARGIN_MS).toISOString();
}

/** Quantities of this warehouse's items held by our orders that the mirror does not reflect (item → quantity). */
export function heldByOrders(db: Db, storeId: string): Map<string, number> {
  const rows = st(db).holds.all({ store: storeId, readAt: stockReadAt(db) }) as { item: string; quantity: number }[];
  return new Map(rows.filter((r) => r.quantity > EPS).map((r) => [r.item, q3(r.quantity)]));
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
  const held = heldByOrders(db, storeId);
  const rows = st(db).stock.all({ store: storeId, ids: JSON.stringify([...new Set(itemIds)]) }) as { item: string; soldToOrder: number | null; quantity: number | null }[];
  return new Map(
    rows.map((r) => {
      const stock = r.quantity ?? 0;
      const h = held.get(r.item) ?? 0;
      return [r.item, { stock, held: h, available: r.soldToOrder === 1 ? Infinity : Math.max(0, q3(stock - h)) }];
    }),
  );
}

/**
 * The holds of a warehouse with a short fingerprint of them: the assortment's cached pages and ETags carry it, so a
 * booking (or a sync that takes its order into the mirror) changes the figures the store reads at once.
 */
export function holdsOf(db: Db, storeId: string): { version: string; held: Map<string, number> } {
  const held = heldByOrders(db, storeId);
  if (held.size === 0) return { version: '', held };
  const text = [...held].map(([k, v]) => `${k}=${v}`).join(';');
  return { version: createHash('sha1').update(text).digest('base64url').slice(0, 12), held };
}

/** The stock an assortment item shows: the mirror's figure less our holds (numbers only; «без ограничения» stays). */
export function promisedFigure<T>(stock: T, held: number | undefined): T {
  if (typeof stock !== 'number' || !held) return stock;
  return Math.max(0, q3(stock - held)) as T;
}

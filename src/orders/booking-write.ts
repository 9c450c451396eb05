import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/open.js';
import { enqueue } from '../outbox/index.js';
import { DomainError, type DomainField } from './errors.js';
import { JOB, orderKey } from './jobs.js';
import { toRoubles, type LinePackaging, type PricedLine } from './pricing.js';
import { promisedStock, promisedVariants } from './promise.js';
import { recordHistory } from './webhooks.js';

/**
 * The write of an accepted booking, on whatever connection runs it: the API thread's group commit, or the booking
 * thread's (src/workers/booking-writer.ts), which takes the transaction and its fsync off the API's event loop. It
 * needs nothing but the connection and this record, so both run the same code.
 */
export interface BookingRecord {
  orderId: string;
  idempotencyKey: string | null;
  requestHash: string;
  clientId: string;
  store: string;
  deliveryAddress: string;
  comment: string;
  amountKopecks: number;
  /** ISO time of acceptance: the order's created_at and its history row's. */
  at: string;
  lines: PricedLine[];
  /** The history row's webhook job too (config webhooks.url set). */
  webhooks: boolean;
}

const statements = new WeakMap<Db, Map<string, Statement<unknown[]>>>();

/** Each SQL text compiled once per connection (the booking's check and write, on whichever connection runs them). */
export function preparedOn(db: Db, sql: string): Statement<unknown[]> {
  let byDb = statements.get(db);
  if (!byDb) statements.set(db, (byDb = new Map()));
  let st = byDb.get(sql);
  if (!st) byDb.set(sql, (st = db.prepare(sql)));
  return st;
}

/**
 * Inside a write transaction: checks what the warehouse can still promise and writes the order, its lines (their
 * holds follow by trigger, migration 029_s), its history row and the outbox job that carries it to 1C. Available
 * to promise is checked and taken in one serialised step (issue 14.1): every writer of orders runs inside an
 * IMMEDIATE transaction, so the orders counted here include every order committed before this one, and none can be
 * written between this check and the INSERT. Returns the outbox job's id. A shortage is a DomainError (422).
 */
export function writeBooking(db: Db, r: BookingRecord): number {
  const short = shortOf(db, r.store, r.lines);
  if (short.length) throw new DomainError('unprocessable', 'order_rejected', 'Заказ не может быть принят: товара недостаточно', inPacks(short, r.lines));
  preparedOn(
    db,
    `INSERT INTO orders (id, idempotency_key, request_hash, client_id, store_id, delivery_address, comment, amount_kopecks, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(r.orderId, r.idempotencyKey, r.requestHash, r.clientId, r.store, r.deliveryAddress, r.comment, r.amountKopecks, r.at, r.at);
  insertOrderLines(db, r.orderId, r.lines);
  recordHistory(db, { orderId: r.orderId, status: 0, paymentStatus: 0, event: 'booking.accepted', detail: { amount: toRoubles(r.amountKopecks) }, at: new Date(r.at) }, r.webhooks);
  return enqueue(db, { kind: JOB.bookingCreate, key: orderKey(r.orderId), payload: { orderId: r.orderId }, dedupeKey: `booking:${r.orderId}` }).id;
}

export function insertOrderLines(db: Db, orderId: string, lines: PricedLine[]): void {
  const ins = preparedOn(
    db,
    `INSERT INTO order_lines (order_id, line_no, item_id, quantity, price_kopecks, price_kind_id, amount_kopecks, variant_id, packaging_id, packaging_ratio, packs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const l of lines) {
    ins.run(orderId, l.lineNo, l.itemId, l.quantity, l.priceKopecks, l.priceKindId, l.amountKopecks, l.variantId ?? null, l.packaging?.id ?? null, l.packaging?.ratio ?? null, l.packaging?.packs ?? null);
  }
}

/**
 * Lines asking more than the warehouse can still promise (items sold to order have no limit): per item, all the
 * order's lines of it together, and per variant (issue 17), each against what is left of that variant after our
 * other orders' lines of it. `own`: what the order being changed holds now (item and item#variant keys), given
 * back to it (its old lines are in the mirror's reserve or in the holds).
 */
export function shortOf(
  db: Db,
  store: string,
  lines: { itemId: string; variantId?: string | null; quantity: number }[],
  fieldOf = (i: number) => `items.${i}.quantity`,
  own?: Map<string, number>,
): DomainField[] {
  const promised = promisedStock(db, store, lines.map((l) => l.itemId));
  const pairs = lines.flatMap((l) => (l.variantId ? [{ itemId: l.itemId, variantId: l.variantId }] : []));
  const variants = promisedVariants(db, store, pairs);
  const demand = new Map<string, number>();
  for (const l of lines) demand.set(l.itemId, (demand.get(l.itemId) ?? 0) + l.quantity);
  const q3 = (x: number) => Math.round(x * 1000) / 1000;
  const out: DomainField[] = [];
  const check = (p: { stock: number; held: number; available: number } | undefined, key: string, asked: number, i: number): boolean => {
    if (!p) return true;
    const back = own?.get(key) ?? 0;
    const available = back ? Math.max(0, q3(p.stock - p.held + back)) : p.available;
    if (asked <= available + 1e-6) return true;
    // With the order's own lines given back the split is its own business: the figure it may take is enough.
    const inOrders = p.held > 0 && !back ? ` (остаток ${p.stock}, из них ${p.held} в принятых заказах магазина)` : '';
    out.push({ field: fieldOf(i), message: `на складе только ${available}${inOrders}` });
    return false;
  };
  lines.forEach((l, i) => {
    if (l.variantId && !check(variants.get(`${l.itemId}#${l.variantId}`), `${l.itemId}#${l.variantId}`, l.quantity, i)) return;
    const asked = demand.get(l.itemId)!;
    // Several variants of one item: the item's figure bounds them together; the message names this line's share.
    if (asked > l.quantity + 1e-6) {
      const p = promised.get(l.itemId);
      if (!check(p, l.itemId, asked, i)) {
        const last = out[out.length - 1];
        last.message += ` на все варианты товара (в заказе ${q3(asked)})`;
      }
      return;
    }
    check(promised.get(l.itemId), l.itemId, l.quantity, i);
  });
  return out;
}

/**
 * Issue 17: a quantity error of a line by a packaging speaks of units (stock, minimum, multiplicity are the item's);
 * it says how the shop's packs became them.
 */
export function inPacks(errors: DomainField[], lines: { packaging?: LinePackaging; quantity: number }[]): DomainField[] {
  return errors.map((e) => {
    const m = /^items\.(\d+)\.quantity$/.exec(e.field);
    const p = m ? lines[Number(m[1])]?.packaging : undefined;
    return p ? { ...e, message: `${e.message} (в единицах товара; заказано ${p.packs} упак. по ${p.ratio} = ${lines[Number(m![1])].quantity})` } : e;
  });
}

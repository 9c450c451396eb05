import type { Db } from '../db/open.js';
import { ORDER_STATUS, PAYMENT_STATUS, type OrderStatus, type PaymentStatus } from '../orders/statuses.js';
import { floorId, nextEventId } from './ids.js';

/**
 * An order's event as both the webhook and GET /api/v1/events give it: Standard Webhooks' recommended payload
 * (`type`, `timestamp`, `data`) with the event's id inside too, so a body read from a log or the feed carries
 * what the webhook-id header said.
 */
export interface OrderEvent {
  id: string;
  type: string;
  timestamp: string;
  data: {
    orderId: string;
    number: string | null;
    status: number;
    statusName: string;
    paymentStatus: number;
    paymentStatusName: string;
  };
}

interface HistoryRow {
  id: number;
  event_id: string | null;
  order_id: string;
  at: string;
  status: number;
  payment_status: number;
  event: string;
  number: string | null;
  onec_number: string | null;
}

const SELECT = `SELECT h.id, h.event_id, h.order_id, h.at, h.status, h.payment_status, h.event, h.number, o.onec_number
                  FROM order_history h JOIN orders o ON o.id = h.order_id`;

export function eventOf(h: HistoryRow): OrderEvent {
  return {
    id: h.event_id!,
    type: h.event,
    timestamp: h.at,
    data: {
      orderId: h.order_id,
      // recordHistory stores the number as it was ('' = none yet); rows from before migration 025 have NULL there
      // and get the order's current one
      number: h.number === null ? (h.onec_number ?? null) : h.number || null,
      status: h.status,
      statusName: ORDER_STATUS[h.status as OrderStatus],
      paymentStatus: h.payment_status,
      paymentStatusName: PAYMENT_STATUS[h.payment_status as PaymentStatus],
    },
  };
}

const newestStmt = new WeakMap<Db, { get(): unknown }>();

/** The id for a history row being written now (in the writer's transaction: the newest id cannot change under it). */
export function newEventId(db: Db, now = Date.now()): string {
  let st = newestStmt.get(db);
  if (!st) newestStmt.set(db, (st = db.prepare(`SELECT MAX(event_id) FROM order_history WHERE event_id IS NOT NULL`).pluck() as { get(): unknown }));
  return nextEventId(st.get() as string | null, now);
}

/** One history row as an event; a row from before migration 025 gets its id now (its webhook is being sent). */
export function historyEvent(db: Db, historyId: number): { event: OrderEvent; historyId: number } | undefined {
  let h = db.prepare(`${SELECT} WHERE h.id = ?`).get(historyId) as HistoryRow | undefined;
  if (!h) return undefined;
  if (!h.event_id) {
    db.prepare(`UPDATE order_history SET event_id = ? WHERE id = ? AND event_id IS NULL`).run(newEventId(db), historyId);
    h = db.prepare(`${SELECT} WHERE h.id = ?`).get(historyId) as HistoryRow;
  }
  return { event: eventOf(h), historyId: h.id };
}

/**
 * GET /api/v1/events: events after an id, oldest first, within the retention window. Ids are time-ordered, so
 * "after" also works with an id this database never issued (one from before a restore): the answer starts with the
 * first event made after it. Retention is a bound on the id's time, so the whole read is one index range.
 */
export class EventFeed {
  private readonly page;
  constructor(
    private readonly db: Db,
    private readonly opts: { retentionDays: number; now?: () => number },
  ) {
    this.page = db.prepare(`${SELECT} WHERE h.event_id > ? ORDER BY h.event_id LIMIT ?`);
  }

  /** The oldest id still served. */
  horizon(): string {
    return floorId((this.opts.now ?? Date.now)() - this.opts.retentionDays * 86_400_000);
  }

  list(q: { after?: string; limit: number }): OrderEvent[] {
    const horizon = this.horizon();
    const after = q.after && q.after > horizon ? q.after : horizon;
    return (this.page.all(after, q.limit) as HistoryRow[]).map(eventOf);
  }
}

import type { Db } from '../db/open.js';
import { enqueue } from '../outbox/index.js';
import { JOB, orderKey } from './jobs.js';
import { OrderStatusCode } from './statuses.js';
import { recordHistory } from './webhooks.js';

export interface ExpiryOptions {
  expireAfterHours: number;
  webhooks: boolean;
  now?: Date;
  /** Orders per transaction (keeps each write lock short next to the API's writes). */
  batch?: number;
}

/**
 * Unpaid orders (0 accepted, 1 created) older than orders.expireAfterHours become 5 "expired": status, history
 * (+ webhook) and an order.status job that closes the order in 1C (releasing its reserve) — one transaction per
 * batch. The job rides the order's key, so for an order whose booking is still waiting for 1C it runs after it.
 * The WHERE re-checks the status inside the transaction: a payment that won the race keeps its order.
 */
export function expireOrders(db: Db, opts: ExpiryOptions): { expired: string[] } {
  const now = opts.now ?? new Date();
  const cutoff = new Date(now.getTime() - opts.expireAfterHours * 3_600_000).toISOString();
  const batch = opts.batch ?? 200;
  const expired: string[] = [];
  for (;;) {
    const done = db.transaction(() => {
      const ids = db
        .prepare(`SELECT id FROM orders WHERE status IN (0, 1) AND created_at < ? ORDER BY created_at LIMIT ?`)
        .pluck()
        .all(cutoff, batch) as string[];
      for (const id of ids) {
        const o = db.prepare(`SELECT payment_status FROM orders WHERE id = ?`).get(id) as { payment_status: number };
        db.prepare(`UPDATE orders SET status = ?, updated_at = ? WHERE id = ? AND status IN (0, 1)`).run(OrderStatusCode.expired, now.toISOString(), id);
        recordHistory(db, { orderId: id, status: OrderStatusCode.expired, paymentStatus: o.payment_status, event: 'expired', detail: { afterHours: opts.expireAfterHours }, at: now }, opts.webhooks);
        enqueue(db, { kind: JOB.orderStatus, key: orderKey(id), payload: { orderId: id, status: OrderStatusCode.expired }, dedupeKey: `status:${id}:${OrderStatusCode.expired}` });
        expired.push(id);
      }
      return ids.length < batch;
    })();
    if (done) return { expired };
  }
}

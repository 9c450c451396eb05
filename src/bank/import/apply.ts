import type { Db } from '../../db/open.js';
import { enqueue } from '../../outbox/index.js';
import { JOB, orderKey } from '../../orders/jobs.js';
import { toRoubles } from '../../orders/pricing.js';
import { OrderStatusCode, PaymentStatusCode } from '../../orders/statuses.js';
import { recordHistory } from '../../orders/webhooks.js';

export interface Application {
  bankPaymentId: number;
  /** sha256 of the payment key: payments.external_id, and the 1C document's external id. */
  keyHash: string;
  orderId: string;
  amountKopecks: number;
  paidAt: string;
  /** payments.data (JSON): what the 1C handler writes into the document. */
  data: Record<string, unknown>;
  /** How it was matched, in Russian, for the order's history. */
  matchedBy: string;
  history: Record<string, unknown>;
}

/**
 * A bank payment lands on an order (inside the caller's transaction): a payments row (kind 'bank'), the order's
 * paid sum, status 3 / payment status 2 when now fully paid — a partial payment leaves status and payment status
 * as they were and only the sum grows —, the history entry (and webhook), and the outbox job 'bank.payment' that
 * posts ПоступлениеБезналичныхДенежныхСредств in 1C. Used by the importer and by a person's decision
 * (review.ts resolveReview).
 */
export function applyToOrder(db: Db, a: Application, ts: string, webhooks: boolean): { paymentId: number; full: boolean } {
  const order = db.prepare(`SELECT amount_kopecks, paid_kopecks, status, payment_status FROM orders WHERE id = ?`).get(a.orderId) as
    | { amount_kopecks: number; paid_kopecks: number; status: number; payment_status: number }
    | undefined;
  if (!order) throw new Error(`order ${a.orderId} is not in the local database`);
  // `before`: what the order was, so a person's undo (review.ts undoDecision) puts it back exactly.
  const data = { ...a.data, before: { status: order.status, paymentStatus: order.payment_status } };
  const paymentId = Number(
    db
      .prepare(`INSERT INTO payments (order_id, kind, external_id, amount_kopecks, paid_at, data, created_at) VALUES (?, 'bank', ?, ?, ?, ?, ?)`)
      .run(a.orderId, a.keyHash, a.amountKopecks, a.paidAt, JSON.stringify(data), ts).lastInsertRowid,
  );
  db.prepare(`UPDATE bank_payments SET payment_id = ?, order_id = ? WHERE id = ?`).run(paymentId, a.orderId, a.bankPaymentId);

  const paidTotal = order.paid_kopecks + a.amountKopecks;
  const full = paidTotal >= order.amount_kopecks;
  const status = full ? OrderStatusCode.paidByBank : order.status;
  const paymentStatus = full ? PaymentStatusCode.bank : order.payment_status;
  db.prepare(`UPDATE orders SET paid_kopecks = ?, status = ?, payment_status = ?, updated_at = ? WHERE id = ?`).run(paidTotal, status, paymentStatus, ts, a.orderId);
  recordHistory(
    db,
    {
      orderId: a.orderId,
      at: new Date(ts),
      status,
      paymentStatus,
      event: full ? 'payment.bank' : 'payment.bank.partial',
      detail: {
        amount: toRoubles(a.amountKopecks),
        paid: toRoubles(paidTotal),
        due: toRoubles(Math.max(order.amount_kopecks - paidTotal, 0)),
        matchedBy: a.matchedBy,
        ...a.history,
        paymentId,
      },
    },
    webhooks,
  );
  enqueue(db, { kind: JOB.bankPayment, key: orderKey(a.orderId), payload: { orderId: a.orderId, paymentId }, dedupeKey: `bank:${a.keyHash}` });
  return { paymentId, full };
}

import type { Db } from '../db/open.js';
import { DomainError } from './errors.js';

/**
 * Goods returns (issue 14.4): a refund by lines of goods 1C had already shipped brings the goods back too. The money
 * goes back by the refund document ReGate prepares (unposted, for the accountant); the goods by УТ's
 * ВозвратТоваровОтКлиента made against the sale, which a person makes in 1C: its metadata is not in the reference
 * dumps (Configuration.xml lists it, the file is not kept), so ReGate cannot prove a write of it against the
 * emulator and does not guess one. What ReGate does: it knows which sales shipped the order (the reconciliation
 * job's read of РеализацияТоваровУслуг), works out which goods of each refund had been shipped, shows them in
 * bookingstate.goodsReturns and lists the open ones for the accountant (`regate orders returns`, `regate status`),
 * who marks each made (`regate orders returns done`).
 */
export interface GoodsReturn {
  refundId: string;
  state: 'to_prepare' | 'done';
  lines: { itemId: string; quantity: number }[];
  /** Numbers of the 1C sales that shipped the order. */
  sales: string[];
}

export interface OpenGoodsReturn extends GoodsReturn {
  orderId: string;
  orderNumber: string | null;
  refundDocumentRef: string | null;
  createdAt: string;
}

interface Row {
  order_id: string;
  refund_key: string;
  goods: string;
  goods_state: 'to_prepare' | 'done';
  onec_ref: string | null;
  created_at: string;
}

const salesOf = (db: Db, orderId: string): string[] =>
  db.prepare(`SELECT number FROM order_shipments WHERE order_id = ? ORDER BY number`).pluck().all(orderId) as string[];

const asReturn = (db: Db, r: Row): GoodsReturn => ({
  refundId: r.refund_key,
  state: r.goods_state,
  lines: JSON.parse(r.goods) as GoodsReturn['lines'],
  sales: salesOf(db, r.order_id),
});

/** The order's goods returns, oldest first. */
export function goodsReturnsOf(db: Db, orderId: string): GoodsReturn[] {
  const rows = db.prepare(`SELECT order_id, refund_key, goods, goods_state, onec_ref, created_at FROM refunds WHERE order_id = ? AND goods IS NOT NULL ORDER BY id`).all(orderId) as Row[];
  return rows.map((r) => asReturn(db, r));
}

/** Goods returns the accountant still has to make in 1C, oldest first. */
export function openGoodsReturns(db: Db): OpenGoodsReturn[] {
  const rows = db
    .prepare(
      `SELECT r.order_id, r.refund_key, r.goods, r.goods_state, r.onec_ref, r.created_at, o.onec_number
         FROM refunds r JOIN orders o ON o.id = r.order_id WHERE r.goods_state = 'to_prepare' ORDER BY r.created_at, r.id`,
    )
    .all() as (Row & { onec_number: string | null })[];
  return rows.map((r) => ({ ...asReturn(db, r), orderId: r.order_id, orderNumber: r.onec_number, refundDocumentRef: r.onec_ref, createdAt: r.created_at }));
}

/** The accountant made the return in 1C. Idempotent; an unknown order or refund is a not-found naming it. */
export function markGoodsReturnDone(db: Db, orderId: string, refundId: string, at: Date): { changed: boolean } {
  const r = db.prepare(`SELECT goods_state FROM refunds WHERE order_id = ? AND refund_key = ? AND goods IS NOT NULL`).get(orderId, refundId) as { goods_state: string } | undefined;
  if (!r) throw DomainError.notFound('Возврат товаров', refundId ? 'refundId' : 'orderId', refundId ? `${orderId}/${refundId}` : orderId);
  if (r.goods_state === 'done') return { changed: false };
  db.prepare(`UPDATE refunds SET goods_state = 'done', goods_done_at = ? WHERE order_id = ? AND refund_key = ?`).run(at.toISOString(), orderId, refundId);
  return { changed: true };
}

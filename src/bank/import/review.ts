import type { Db } from '../../db/open.js';

/** A payment waiting for a person: ambiguous, unmatched, or matched with money beyond the due amount. */
export interface ReviewItem {
  id: number;
  result: 'matched' | 'ambiguous' | 'unmatched';
  reason: string;
  detail: string | null;
  number: string;
  date: string;
  paidAt: string | null;
  amountKopecks: number;
  ownAccount: string | null;
  payer: { name: string | null; inn: string | null; kpp: string | null; account: string | null; bik: string | null };
  purpose: string;
  /** The orders it could be (ambiguous). */
  candidates: { orderId: string; number: string; amountKopecks: number; paidKopecks: number }[];
  /** The order it was applied to (overpayment). */
  orderId: string | null;
  statement: { id: number; name: string; source: string; importedAt: string };
  createdAt: string;
}

export interface ReviewQuery {
  limit?: number;
  /** Items with id greater than this (keyset paging). */
  afterId?: number;
}

/** Oldest first: the accountant works through the queue in the order the money arrived. */
export function listReview(db: Db, q: ReviewQuery = {}): { items: ReviewItem[]; total: number } {
  const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
  const rows = db
    .prepare(
      `SELECT p.*, s.name AS s_name, s.source AS s_source, s.imported_at AS s_imported_at
         FROM bank_payments p JOIN bank_statements s ON s.id = p.statement_id
        WHERE p.review = 'open' AND p.id > ?
        ORDER BY p.id LIMIT ?`,
    )
    .all(q.afterId ?? 0, limit) as Record<string, any>[];
  const total = db.prepare(`SELECT COUNT(*) FROM bank_payments WHERE review = 'open'`).pluck().get() as number;
  return {
    total,
    items: rows.map((r) => ({
      id: r.id,
      result: r.result,
      reason: r.reason,
      detail: r.detail,
      number: r.number,
      date: r.date,
      paidAt: r.paid_at,
      amountKopecks: r.amount_kopecks,
      ownAccount: r.own_account,
      payer: { name: r.payer_name, inn: r.payer_inn, kpp: r.payer_kpp, account: r.payer_account, bik: r.payer_bik },
      purpose: r.purpose,
      candidates: r.candidates ? JSON.parse(r.candidates) : [],
      orderId: r.order_id,
      statement: { id: r.statement_id, name: r.s_name, source: r.s_source, importedAt: r.s_imported_at },
      createdAt: r.created_at,
    })),
  };
}

/** Russian wording of the reason codes, for the CLI and the API. */
export const REVIEW_REASON: Record<string, string> = {
  'several-orders-in-purpose': 'в назначении платежа названо несколько открытых заказов',
  'purpose-names-other-client': 'в назначении назван заказ другого клиента (платит третье лицо?)',
  'several-orders-same-amount': 'у клиента несколько открытых заказов на эту сумму',
  'no-reference-no-inn': 'нет ИНН плательщика (или транзитный счёт) и номера заказа в назначении',
  'unknown-client': 'нет открытых заказов клиента с этим ИНН',
  'no-order-with-amount': 'у клиента нет открытого заказа на эту сумму',
  overpayment: 'переплата: заказ оплачен, излишек требует решения',
};

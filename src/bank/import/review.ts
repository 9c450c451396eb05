import type { Db } from '../../db/open.js';
import { applyToOrder } from './apply.js';

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

export class ReviewError extends Error {
  constructor(
    readonly code: 'not-found' | 'not-open' | 'already-applied' | 'order-not-open' | 'note-required',
    message: string,
  ) {
    super(message);
    this.name = 'ReviewError';
  }
}

export interface Resolution {
  /** Apply the payment to this order (Richest.store's order id); absent = dismiss. */
  orderId?: string;
  /** Why; required when dismissing. */
  note?: string;
  /** Who decided (login). */
  by: string;
  now?: Date;
  webhooks?: boolean;
}

/**
 * A person's decision on a review item, in one write transaction. With an order: the payment is applied exactly as
 * a matched one would be (payments row, paid sum, 3/2 when fully paid, history "вручную", the 1C document through
 * the outbox); the order must still be open. Without: dismissed with the note. Either way the item leaves the list
 * and keeps who decided and when. An overpayment is already applied: it can only be dismissed (the excess is
 * settled in 1C).
 */
export function resolveReview(db: Db, id: number, r: Resolution): { id: number; resolution: 'applied' | 'dismissed'; orderId: string | null; paid: boolean } {
  const ts = (r.now ?? new Date()).toISOString();
  return db
    .transaction(() => {
      const p = db
        .prepare(`SELECT p.*, s.name AS s_name, s.source AS s_source FROM bank_payments p JOIN bank_statements s ON s.id = p.statement_id WHERE p.id = ?`)
        .get(id) as Record<string, any> | undefined;
      if (!p) throw new ReviewError('not-found', `нет платежа #${id}`);
      if (p.review !== 'open') throw new ReviewError('not-open', `платёж #${id} не ждёт решения${p.resolution ? ` (${p.resolution === 'applied' ? 'зачтён' : 'закрыт'} ${p.resolved_at}, ${p.resolved_by})` : ''}`);
      let paid = false;
      if (r.orderId) {
        if (p.payment_id !== null) throw new ReviewError('already-applied', `платёж #${id} уже зачтён на заказ ${p.order_id}; излишек решается в 1С — закройте без заказа, с пояснением`);
        const o = db.prepare(`SELECT status, amount_kopecks, paid_kopecks FROM orders WHERE id = ?`).get(r.orderId) as { status: number; amount_kopecks: number; paid_kopecks: number } | undefined;
        if (!o) throw new ReviewError('order-not-open', `нет заказа ${r.orderId}`);
        if (![0, 1].includes(o.status) || o.amount_kopecks <= o.paid_kopecks) throw new ReviewError('order-not-open', `заказ ${r.orderId} не ждёт оплаты (статус ${o.status})`);
        const due = o.amount_kopecks - o.paid_kopecks;
        const how = `вручную (${r.by})${r.note ? `: ${r.note}` : ''}`;
        paid = applyToOrder(
          db,
          {
            bankPaymentId: id,
            keyHash: p.key_hash,
            orderId: r.orderId,
            amountKopecks: p.amount_kopecks,
            paidAt: p.paid_at ?? p.date,
            data: {
              source: p.s_source,
              statement: p.s_name,
              number: p.number,
              date: p.date,
              purpose: p.purpose,
              ownAccount: p.own_account,
              payer: { name: p.payer_name, inn: p.payer_inn, kpp: p.payer_kpp, account: p.payer_account, bik: p.payer_bik },
              method: 'manual',
              reference: null,
              coverage: p.amount_kopecks < due ? 'partial' : p.amount_kopecks > due ? 'over' : 'full',
              dueKopecks: due,
              decidedBy: r.by,
              note: r.note ?? null,
            },
            matchedBy: how,
            history: { method: 'manual', by: r.by, note: r.note ?? null, document: { number: p.number, date: p.date }, payerInn: p.payer_inn, statement: p.s_name },
          },
          ts,
          !!r.webhooks,
        ).full;
      } else if (!r.note?.trim()) {
        throw new ReviewError('note-required', 'закрывая платёж без заказа, напишите почему (--note)');
      }
      const resolution = r.orderId ? 'applied' : 'dismissed';
      db.prepare(`UPDATE bank_payments SET review = 'resolved', resolution = ?, resolution_note = ?, resolved_by = ?, resolved_at = ? WHERE id = ?`).run(
        resolution,
        r.note ?? null,
        r.by,
        ts,
        id,
      );
      return { id, resolution: resolution as 'applied' | 'dismissed', orderId: r.orderId ?? null, paid };
    })
    .immediate();
}

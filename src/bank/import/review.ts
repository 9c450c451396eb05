import type { Db } from '../../db/open.js';
import { dropJob } from '../../outbox/index.js';
import { ORDER_STATUS, OrderStatusCode, PaymentStatusCode } from '../../orders/statuses.js';
import { toRoubles } from '../../orders/pricing.js';
import { recordHistory } from '../../orders/webhooks.js';
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
  /** The order it was applied to (overpayment: by the matcher, or by a person who confirmed it). */
  orderId: string | null;
  /** Overpayment: the money beyond what the order was due when applied; settled in 1C, then closed here. */
  excessKopecks: number | null;
  /** The latest decision a person took on it that still stands (an overpayment applied by hand stays listed). */
  decision: Decision | null;
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
      // Applied by a person with money to spare: a matched overpayment now, as the API documents it, whatever the
      // matcher had said (its result and reason stay in the row for an undo).
      result: r.payment_id !== null ? 'matched' : r.result,
      reason: r.payment_id !== null && r.excess_kopecks ? 'overpayment' : r.reason,
      detail:
        r.payment_id !== null && r.excess_kopecks && r.reason !== 'overpayment'
          ? `зачтён вручную; оплачено на ${rub(r.excess_kopecks)} больше суммы к оплате`
          : r.detail,
      number: r.number,
      date: r.date,
      paidAt: r.paid_at,
      amountKopecks: r.amount_kopecks,
      ownAccount: r.own_account,
      payer: { name: r.payer_name, inn: r.payer_inn, kpp: r.payer_kpp, account: r.payer_account, bik: r.payer_bik },
      purpose: r.purpose,
      candidates: r.candidates ? JSON.parse(r.candidates) : [],
      orderId: r.order_id,
      excessKopecks: r.excess_kopecks ?? null,
      decision: standingDecision(db, r.id),
      statement: { id: r.statement_id, name: r.s_name, source: r.s_source, importedAt: r.s_imported_at },
      createdAt: r.created_at,
    })),
  };
}

const rub = (k: number) => `${(k / 100).toLocaleString('ru-RU', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} руб.`;

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
    readonly code: 'not-found' | 'not-open' | 'already-applied' | 'order-not-open' | 'note-required' | 'nothing-to-undo' | 'delivered' | 'in-flight' | 'order-moved',
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

export interface ResolveResult {
  id: number;
  resolution: 'applied' | 'dismissed';
  orderId: string | null;
  /** The order is now paid in full (status 3). */
  paid: boolean;
  /** Applied with more money than the order was due: the excess, for which the payment stays in the list. */
  excessKopecks: number | null;
}

/** A person's decision as the audit keeps it (bank_decisions). */
export interface Decision {
  id: number;
  action: 'applied' | 'dismissed' | 'undone';
  orderId: string | null;
  by: string;
  at: string;
  note: string | null;
}

const decisionCols = `id, action, order_id AS orderId, by, at, note`;

/**
 * The decision an undo would take back: decisions stack up (applied, then dismissed for an overpayment's excess),
 * each 'undone' takes the latest standing one off. Null when no person's decision stands.
 */
export function standingDecision(db: Db, bankPaymentId: number): Decision | null {
  const rows = db.prepare(`SELECT ${decisionCols} FROM bank_decisions WHERE bank_payment_id = ? ORDER BY id`).all(bankPaymentId) as Decision[];
  const stack: Decision[] = [];
  for (const d of rows) {
    if (d.action === 'undone') stack.pop();
    else stack.push(d);
  }
  return stack.at(-1) ?? null;
}

function addDecision(db: Db, bankPaymentId: number, d: Omit<Decision, 'id'>): void {
  db.prepare(`INSERT INTO bank_decisions (bank_payment_id, action, order_id, by, at, note) VALUES (?, ?, ?, ?, ?, ?)`).run(bankPaymentId, d.action, d.orderId, d.by, d.at, d.note);
}

/**
 * A person's decision on a review item, in one write transaction. With an order: the payment is applied exactly as
 * a matched one would be (payments row, paid sum, 3/2 when fully paid, history "вручную", the 1C document through
 * the outbox); the order must still be open. More money than the order was due is an overpayment: the excess is
 * recorded (excess_kopecks, the order's history) and the payment stays in the list, as the matcher's overpayments
 * do, until a person closes it saying what became of the excess. Without an order: dismissed with the note. Every
 * decision is appended to bank_decisions with who and when (undoDecision steps back through them).
 */
export function resolveReview(db: Db, id: number, r: Resolution): ResolveResult {
  const ts = (r.now ?? new Date()).toISOString();
  return db
    .transaction((): ResolveResult => {
      const p = db
        .prepare(`SELECT p.*, s.name AS s_name, s.source AS s_source FROM bank_payments p JOIN bank_statements s ON s.id = p.statement_id WHERE p.id = ?`)
        .get(id) as Record<string, any> | undefined;
      if (!p) throw new ReviewError('not-found', `нет платежа #${id}`);
      if (p.review !== 'open') throw new ReviewError('not-open', `платёж #${id} не ждёт решения${p.resolution ? ` (${p.resolution === 'applied' ? 'зачтён' : 'закрыт'} ${p.resolved_at}, ${p.resolved_by})` : ''}`);
      const note = r.note?.trim() || null;
      if (r.orderId) {
        if (p.payment_id !== null) throw new ReviewError('already-applied', `платёж #${id} уже зачтён на заказ ${p.order_id}; излишек решается в 1С — закройте без заказа, с пояснением`);
        const o = db.prepare(`SELECT status, amount_kopecks, paid_kopecks FROM orders WHERE id = ?`).get(r.orderId) as { status: number; amount_kopecks: number; paid_kopecks: number } | undefined;
        if (!o) throw new ReviewError('order-not-open', `нет заказа ${r.orderId}`);
        if (![0, 1].includes(o.status) || o.amount_kopecks <= o.paid_kopecks) throw new ReviewError('order-not-open', `заказ ${r.orderId} не ждёт оплаты (статус ${o.status})`);
        const due = o.amount_kopecks - o.paid_kopecks;
        const coverage = p.amount_kopecks < due ? 'partial' : p.amount_kopecks > due ? 'over' : 'full';
        const excess = coverage === 'over' ? p.amount_kopecks - due : null;
        const how = `вручную (${r.by})${note ? `: ${note}` : ''}`;
        const paid = applyToOrder(
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
              coverage,
              dueKopecks: due,
              decidedBy: r.by,
              note,
            },
            matchedBy: how,
            history: {
              method: 'manual',
              by: r.by,
              note,
              coverage,
              ...(excess !== null ? { overpaid: toRoubles(excess) } : {}),
              document: { number: p.number, date: p.date },
              payerInn: p.payer_inn,
              statement: p.s_name,
            },
          },
          ts,
          !!r.webhooks,
        ).full;
        addDecision(db, id, { action: 'applied', orderId: r.orderId, by: r.by, at: ts, note });
        if (excess !== null) {
          // The overpayment entry: stays in the list (review open) with the excess, for a person to settle.
          db.prepare(`UPDATE bank_payments SET coverage = 'over', excess_kopecks = ? WHERE id = ?`).run(excess, id);
          return { id, resolution: 'applied', orderId: r.orderId, paid, excessKopecks: excess };
        }
        db.prepare(`UPDATE bank_payments SET review = 'resolved', coverage = ?, resolution = 'applied', resolution_note = ?, resolved_by = ?, resolved_at = ? WHERE id = ?`).run(coverage, note, r.by, ts, id);
        return { id, resolution: 'applied', orderId: r.orderId, paid, excessKopecks: null };
      }
      if (!note) throw new ReviewError('note-required', 'закрывая платёж без заказа, напишите почему (--note)');
      db.prepare(`UPDATE bank_payments SET review = 'resolved', resolution = 'dismissed', resolution_note = ?, resolved_by = ?, resolved_at = ? WHERE id = ?`).run(note, r.by, ts, id);
      addDecision(db, id, { action: 'dismissed', orderId: p.order_id, by: r.by, at: ts, note });
      return { id, resolution: 'dismissed', orderId: p.order_id, paid: false, excessKopecks: p.excess_kopecks ?? null };
    })
    .immediate();
}

export interface UndoResult {
  id: number;
  /** What was taken back. */
  undone: 'applied' | 'dismissed';
  orderId: string | null;
  /** The 1C job that was dropped (it had not reached 1C). */
  droppedJob: number | null;
  /** Attempts the dropped job had made: a timed-out attempt may have left a document in 1C to check. */
  attempts: number;
  /** The order's status after the undo. */
  orderStatus: number | null;
}

interface ApplyState {
  payment: { id: number; amount_kopecks: number; onec_ref: string | null; data: string };
  job: { id: number; state: string; attempts: number } | undefined;
}

function applyState(db: Db, p: Record<string, any>): ApplyState {
  const payment = db.prepare(`SELECT id, amount_kopecks, onec_ref, data FROM payments WHERE id = ?`).get(p.payment_id) as ApplyState['payment'];
  const job = db
    .prepare(`SELECT id, state, attempts FROM outbox_jobs WHERE dedupe_key = ? ORDER BY id DESC LIMIT 1`)
    .get(`bank:${p.key_hash}`) as ApplyState['job'];
  return { payment, job };
}

/** Why the standing application of this payment cannot be undone any more (null: it can). */
function undoBlocker(s: ApplyState, orderId: string): { code: 'delivered' | 'in-flight'; message: string } | null {
  if (s.payment.onec_ref || s.job?.state === 'done')
    return { code: 'delivered', message: `документ поступления по заказу ${orderId} уже проведён в 1С: отменить зачёт можно только в 1С (пометить документ на удаление), затем здесь закрыть платёж` };
  if (s.job?.state === 'running') return { code: 'in-flight', message: `документ поступления по заказу ${orderId} прямо сейчас передаётся в 1С; повторите через минуту` };
  return null;
}

/**
 * What undoDecision would do now, without doing it: the standing decision and, for an application, why it can no
 * longer be taken back (the document reached 1C, or is being sent). For the console's undo button.
 */
export function undoPreview(db: Db, id: number): { decision: Decision; blocker: string | null } | null {
  const decision = standingDecision(db, id);
  if (!decision) return null;
  if (decision.action !== 'applied') return { decision, blocker: null };
  const p = db.prepare(`SELECT payment_id, key_hash, order_id FROM bank_payments WHERE id = ?`).get(id) as Record<string, any> | undefined;
  if (!p?.payment_id) return { decision, blocker: null };
  return { decision, blocker: undoBlocker(applyState(db, p), p.order_id)?.message ?? null };
}

/**
 * Takes back the latest standing decision a person took on a payment (bank_decisions), in one write transaction:
 *  - a dismissal: the payment is back in the list;
 *  - an application, while its document has not reached 1C (the outbox job pending, retrying or dead, the
 *    payment without a 1C ref): the job is dropped, the payments row removed, the order's paid sum reduced and its
 *    status put back to what it was before (3/2 → 1/0 when this payment had paid it), a 'payment.bank.undone'
 *    history entry (and webhook), and the payment is back in the list. Refused once the document is in 1C (it is
 *    undone there) or being sent, or when the order has moved on since (expired, cancelled, refunded).
 */
export function undoDecision(db: Db, id: number, r: { by: string; note?: string; now?: Date; webhooks?: boolean }): UndoResult {
  const ts = (r.now ?? new Date()).toISOString();
  const note = r.note?.trim() || null;
  return db
    .transaction((): UndoResult => {
      const p = db.prepare(`SELECT * FROM bank_payments WHERE id = ?`).get(id) as Record<string, any> | undefined;
      if (!p) throw new ReviewError('not-found', `нет платежа #${id}`);
      const d = standingDecision(db, id);
      if (!d) throw new ReviewError('nothing-to-undo', `по платежу #${id} нет решения человека, которое можно отменить`);

      if (d.action === 'dismissed') {
        db.prepare(`UPDATE bank_payments SET review = 'open', resolution = NULL, resolution_note = NULL, resolved_by = NULL, resolved_at = NULL WHERE id = ?`).run(id);
        addDecision(db, id, { action: 'undone', orderId: p.order_id, by: r.by, at: ts, note });
        return { id, undone: 'dismissed', orderId: p.order_id, droppedJob: null, attempts: 0, orderStatus: null };
      }

      const orderId = p.order_id as string;
      if (!p.payment_id) throw new ReviewError('nothing-to-undo', `платёж #${id} не зачтён`);
      const s = applyState(db, p);
      const blocked = undoBlocker(s, orderId);
      if (blocked) throw new ReviewError(blocked.code, `платёж #${id}: ${blocked.message}`);
      const o = db.prepare(`SELECT status, payment_status, amount_kopecks, paid_kopecks FROM orders WHERE id = ?`).get(orderId) as
        | { status: number; payment_status: number; amount_kopecks: number; paid_kopecks: number }
        | undefined;
      if (!o) throw new ReviewError('order-moved', `нет заказа ${orderId}`);
      if (![OrderStatusCode.accepted, OrderStatusCode.created, OrderStatusCode.paidByBank].includes(o.status as 0 | 1 | 3)) {
        throw new ReviewError('order-moved', `заказ ${orderId} с тех пор в статусе ${o.status} (${ORDER_STATUS[o.status as keyof typeof ORDER_STATUS] ?? '?'}): зачёт не отменить, решите в 1С`);
      }
      if (s.job) {
        const dropped = dropJob(db, s.job.id, `зачёт отменён: ${r.by}${note ? ` (${note})` : ''}`);
        if (!dropped.ok) throw new ReviewError('in-flight', `платёж #${id}: документ поступления по заказу ${orderId} прямо сейчас передаётся в 1С; повторите через минуту`);
      }
      const before = (JSON.parse(s.payment.data) as { before?: { status: number; paymentStatus: number } }).before ?? historyBefore(db, orderId);
      const paidAfter = Math.max(o.paid_kopecks - s.payment.amount_kopecks, 0);
      const reopen = o.status === OrderStatusCode.paidByBank && paidAfter < o.amount_kopecks;
      const status = reopen ? before.status : o.status;
      const paymentStatus = reopen ? before.paymentStatus : o.payment_status;
      db.prepare(`UPDATE orders SET paid_kopecks = ?, status = ?, payment_status = ?, updated_at = ? WHERE id = ?`).run(paidAfter, status, paymentStatus, ts, orderId);
      db.prepare(`UPDATE bank_payments SET payment_id = NULL, order_id = NULL, coverage = NULL, excess_kopecks = NULL, review = 'open',
                         resolution = NULL, resolution_note = NULL, resolved_by = NULL, resolved_at = NULL WHERE id = ?`).run(id);
      db.prepare(`DELETE FROM payments WHERE id = ?`).run(s.payment.id);
      recordHistory(
        db,
        {
          orderId,
          at: new Date(ts),
          status,
          paymentStatus,
          event: 'payment.bank.undone',
          detail: {
            amount: toRoubles(s.payment.amount_kopecks),
            paid: toRoubles(paidAfter),
            due: toRoubles(Math.max(o.amount_kopecks - paidAfter, 0)),
            by: r.by,
            note,
            document: { number: p.number, date: p.date },
            paymentId: s.payment.id,
          },
        },
        !!r.webhooks,
      );
      addDecision(db, id, { action: 'undone', orderId, by: r.by, at: ts, note });
      return { id, undone: 'applied', orderId, droppedJob: s.job?.id ?? null, attempts: s.job?.attempts ?? 0, orderStatus: status };
    })
    .immediate();
}

/** Rows applied before payments.data carried `before`: the order's last state not set by a bank payment. */
function historyBefore(db: Db, orderId: string): { status: number; paymentStatus: number } {
  const h = db
    .prepare(`SELECT status, payment_status AS paymentStatus FROM order_history WHERE order_id = ? AND event NOT LIKE 'payment.bank%' ORDER BY id DESC LIMIT 1`)
    .get(orderId) as { status: number; paymentStatus: number } | undefined;
  return h ?? { status: OrderStatusCode.created, paymentStatus: PaymentStatusCode.none };
}

import type { Db } from '../db/open.js';
import type { ReviewItem } from '../bank/import/review.js';

/** Read models of the console pages: plain SQL over the tables the features write (read-only here). */

export interface Candidate {
  orderId: string;
  number: string | null;
  clientName: string;
  clientInn: string | null;
  amountKopecks: number;
  paidKopecks: number;
  dueKopecks: number;
  status: number;
  /** Why a person should look twice before applying this payment to this order. */
  warnings: string[];
  /** How it was found. */
  why: string;
}

interface OrderRow {
  id: string;
  onec_number: string | null;
  amount_kopecks: number;
  paid_kopecks: number;
  status: number;
  client_name: string;
  client_inn: string | null;
}

const ORDER_COLS = `o.id, o.onec_number, o.amount_kopecks, o.paid_kopecks, o.status, c.name AS client_name, c.inn AS client_inn`;
const OPEN = `o.status IN (0, 1) AND o.amount_kopecks > o.paid_kopecks`;

/** What applying `amount` from a payer with `payerInn` to this order would mean: INN mismatch, over- or partial payment. */
export function warningsFor(payerInn: string | null, amountKopecks: number, o: { client_inn: string | null; amount_kopecks: number; paid_kopecks: number }): string[] {
  const out: string[] = [];
  const due = o.amount_kopecks - o.paid_kopecks;
  if (payerInn && o.client_inn && payerInn !== o.client_inn) out.push(`ИНН плательщика ${payerInn} не совпадает с ИНН клиента ${o.client_inn} (платит третье лицо?)`);
  if (payerInn && !o.client_inn) out.push(`у клиента заказа ИНН не указан, плательщик — ИНН ${payerInn}`);
  if (amountKopecks > due) out.push(`переплата: платёж больше суммы к оплате на ${fmt(amountKopecks - due)}; излишек останется на решение в 1С`);
  if (amountKopecks < due) out.push(`частичная оплата: не хватает ${fmt(due - amountKopecks)}, заказ останется неоплаченным`);
  return out;
}
const fmt = (k: number) => `${(k / 100).toLocaleString('ru-RU', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ₽`;

/**
 * The orders a review item could belong to, most likely first: those the matcher named (ambiguous), open orders of
 * the client with the payer's INN, then open orders due exactly this amount. Each with its warnings.
 */
export function candidatesFor(db: Db, item: ReviewItem, limit = 8): Candidate[] {
  const seen = new Map<string, Candidate>();
  const add = (rows: OrderRow[], why: string) => {
    for (const r of rows) {
      if (seen.has(r.id) || seen.size >= limit) continue;
      seen.set(r.id, {
        orderId: r.id,
        number: r.onec_number,
        clientName: r.client_name,
        clientInn: r.client_inn,
        amountKopecks: r.amount_kopecks,
        paidKopecks: r.paid_kopecks,
        dueKopecks: r.amount_kopecks - r.paid_kopecks,
        status: r.status,
        warnings: warningsFor(item.payer.inn, item.amountKopecks, r),
        why,
      });
    }
  };
  const named = item.candidates.map((c) => c.orderId);
  if (named.length) {
    add(
      db.prepare(`SELECT ${ORDER_COLS} FROM orders o JOIN clients c ON c.id = o.client_id WHERE ${OPEN} AND o.id IN (${named.map(() => '?').join(',')})`).all(...named) as OrderRow[],
      'подходит по назначению или сумме',
    );
  }
  if (item.payer.inn) {
    add(
      db.prepare(`SELECT ${ORDER_COLS} FROM orders o JOIN clients c ON c.id = o.client_id WHERE ${OPEN} AND c.inn = ? ORDER BY o.created_at LIMIT ?`).all(item.payer.inn, limit) as OrderRow[],
      'заказ клиента с ИНН плательщика',
    );
  }
  add(
    db.prepare(`SELECT ${ORDER_COLS} FROM orders o JOIN clients c ON c.id = o.client_id WHERE ${OPEN} AND o.amount_kopecks - o.paid_kopecks = ? ORDER BY o.created_at LIMIT ?`).all(item.amountKopecks, limit) as OrderRow[],
    'к оплате ровно эта сумма',
  );
  return [...seen.values()];
}

/** An order by Richest.store's id or by its 1C number (what an accountant sees on a payment order). */
export function findOrder(db: Db, idOrNumber: string): (OrderRow & { id: string }) | undefined {
  const q = idOrNumber.trim();
  return (db.prepare(`SELECT ${ORDER_COLS} FROM orders o JOIN clients c ON c.id = o.client_id WHERE o.id = ?`).get(q) ??
    db.prepare(`SELECT ${ORDER_COLS} FROM orders o JOIN clients c ON c.id = o.client_id WHERE o.onec_number = ?`).get(q)) as OrderRow | undefined;
}

export interface OrderSummary {
  id: string;
  number: string | null;
  clientName: string;
  clientInn: string | null;
  amountKopecks: number;
  paidKopecks: number;
  status: number;
  paymentStatus: number;
  createdAt: string;
}

/** Search by order id, 1C number, client name, INN or client id (prefix/substring), newest first. */
export function searchOrders(db: Db, q: string, limit = 50): OrderSummary[] {
  const like = `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
  const rows = db
    .prepare(
      `SELECT o.id, o.onec_number AS number, c.name AS clientName, c.inn AS clientInn, o.amount_kopecks AS amountKopecks, o.paid_kopecks AS paidKopecks,
              o.status, o.payment_status AS paymentStatus, o.created_at AS createdAt
         FROM orders o JOIN clients c ON c.id = o.client_id
        WHERE ? = '' OR o.id = ? OR o.onec_number LIKE ? ESCAPE '\\' OR c.name LIKE ? ESCAPE '\\' OR c.inn = ? OR c.id = ?
        ORDER BY o.created_at DESC LIMIT ?`,
    )
    .all(q, q, like, like, q, q, limit);
  return rows as OrderSummary[];
}

export function orderHistory(db: Db, orderId: string): { at: string; status: number; paymentStatus: number; event: string; detail: string | null }[] {
  return db
    .prepare(`SELECT at, status, payment_status AS paymentStatus, event, detail FROM order_history WHERE order_id = ? ORDER BY id`)
    .all(orderId) as { at: string; status: number; paymentStatus: number; event: string; detail: string | null }[];
}

export interface BankRun {
  id: number;
  name: string;
  source: string;
  importedAt: string;
  incoming: number;
  newPayments: number;
  matched: number;
  review: number;
  warnings: { line: number; message: string }[];
}

export function lastBankRuns(db: Db, limit = 10): BankRun[] {
  return (
    db
      .prepare(
        `SELECT id, name, source, imported_at AS importedAt, incoming, new_payments AS newPayments, matched, review, warnings
           FROM bank_statements ORDER BY id DESC LIMIT ?`,
      )
      .all(limit) as (Omit<BankRun, 'warnings'> & { warnings: string | null })[]
  ).map((r) => ({ ...r, warnings: r.warnings ? (JSON.parse(r.warnings) as BankRun['warnings']) : [] }));
}

/** Decisions taken recently, newest first (the audit, bank_decisions: who, when, what, including undos). */
export function recentDecisions(db: Db, limit = 20) {
  return db
    .prepare(
      `SELECT d.id, d.bank_payment_id AS paymentId, d.action, d.order_id AS orderId, d.by, d.at, d.note,
              p.number, p.date, p.amount_kopecks AS amountKopecks, p.payer_name AS payerName
         FROM bank_decisions d JOIN bank_payments p ON p.id = d.bank_payment_id
        ORDER BY d.id DESC LIMIT ?`,
    )
    .all(limit) as {
    id: number;
    paymentId: number;
    action: 'applied' | 'dismissed' | 'undone';
    orderId: string | null;
    by: string;
    at: string;
    note: string | null;
    number: string;
    date: string;
    amountKopecks: number;
    payerName: string | null;
  }[];
}

/** src/outbox/admin.ts answers its refusals in English; the CLI and the console show them in Russian. */
export function outboxReasonRu(reason: string): string {
  return reason
    .replace(/^no job #(\d+)$/, 'нет задания #$1')
    .replace(/^job #(\d+) is (\w+)$/, 'задание #$1 в состоянии $2: повторить можно мёртвое или ждущее, снять — ждущее или мёртвое')
    .replace(/^job #(\d+) with the same dedupe key '(.*)' was enqueued since; drop #(\d+) instead$/, "с тех пор поставлено задание #$1 с тем же ключом '$2': снимите #$3");
}

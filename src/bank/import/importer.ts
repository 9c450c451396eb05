import { createHash } from 'node:crypto';
import type { Db } from '../../db/open.js';
import { toRoubles } from '../../orders/pricing.js';
import { planImport, type ImportPlanItem } from '../index.js';
import { paymentKey } from '../match/identity.js';
import { parseStatement, type Statement, type StatementDocument } from '../parse/index.js';
import { applyToOrder } from './apply.js';
import { openOrderLookup } from './lookup.js';
import { ImportRefused, type ImportedPayment, type ImportReport, type SourcedStatement, type StatementMeta } from './types.js';

export interface ImportOptions {
  /** config.bank.ownAccounts: when non-empty, a statement of none of these accounts is refused, and incoming
   *  documents of other accounts in a multi-account statement are left out. */
  ownAccounts?: readonly string[];
  /** Plan only: match and report, write nothing. */
  dryRun?: boolean;
  /** config.webhooks.url is set: each status change also enqueues its webhook to Richest.store. */
  webhooks?: boolean;
  now?: () => Date;
  /** Called after a statement was recorded (metrics). */
  onRecorded?: (report: ImportReport) => void;
}

export const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/** File bytes → parse (throws BankParseError) → import. The hash is of the bytes: the same file twice is a no-op. */
export function importStatementBytes(db: Db, bytes: Uint8Array, meta: Omit<StatementMeta, 'hash'>, opts: ImportOptions = {}): ImportReport {
  const statement = parseStatement(bytes);
  return importStatement(db, { ...meta, hash: sha256(bytes), statement }, opts);
}

/**
 * Records one statement in ONE write transaction (taken up front, so a CLI import and the daemon's scheduled run
 * cannot interleave their reads and writes):
 *  - a bank_statements row (nothing at all when the same content was imported before);
 *  - per incoming document not seen before (identity = paymentKey): a bank_payments row with the match;
 *  - per matched payment: a payments row (kind 'bank', external_id = key hash), the order's paid sum, status 3 /
 *    payment status 2 when fully paid (a partial payment leaves the status and records the sum), an
 *    order_history entry saying how it was matched, and the outbox job 'bank.payment' for 1C.
 * Documents already known are taken out BEFORE matching: their money is already in paid_kopecks, and planning
 * them again would count it twice against the same order.
 */
export function importStatement(db: Db, input: SourcedStatement, opts: ImportOptions = {}): ImportReport {
  const now = opts.now ?? (() => new Date());
  const st = input.statement;
  const own = new Set(opts.ownAccounts ?? []);
  if (own.size > 0) {
    const accounts = new Set([...st.header.accounts, ...st.accounts.map((a) => a.account)]);
    if (![...accounts].some((a) => own.has(a))) {
      throw new ImportRefused(
        'foreign-account',
        `выписка по счёту ${[...accounts].join(', ') || '(счёт не указан)'}, а наши счета (bank.ownAccounts): ${[...own].join(', ')}`,
      );
    }
  }

  const run = (): ImportReport => {
    const incoming = distinctIncoming(st);
    const base = { source: input.source, name: input.name, documents: st.documents.length, incoming: incoming.length, warnings: st.warnings.length, notes: st.warnings };
    const dup = db.prepare(`SELECT id FROM bank_statements WHERE file_hash = ?`).get(input.hash);
    if (dup) {
      return { ...base, statementId: null, duplicate: true, known: incoming.length, foreign: 0, newPayments: 0, matched: 0, partial: 0, paidOrders: [], review: 0, payments: [] };
    }
    const isKnown = db.prepare(`SELECT 1 FROM bank_payments WHERE payment_key = ?`).pluck();
    let known = 0;
    let foreign = 0;
    const fresh: StatementDocument[] = [];
    for (const { key, doc } of incoming) {
      if (own.size > 0 && !(doc.ownAccount && own.has(doc.ownAccount))) foreign++;
      else if (isKnown.get(key)) known++;
      else fresh.push(doc);
    }
    const plan = planImport({ ...st, documents: fresh }, openOrderLookup(db));
    const payments = plan.map(describe);
    const matched = plan.filter((p) => p.match.kind === 'matched');
    const report: ImportReport = {
      ...base,
      statementId: null,
      duplicate: false,
      known,
      foreign,
      newPayments: plan.length,
      matched: matched.length,
      partial: matched.filter((p) => p.match.kind === 'matched' && p.match.coverage === 'partial').length,
      paidOrders: [],
      review: plan.filter(needsReview).length,
      payments,
    };

    const ts = now().toISOString();
    report.statementId = Number(
      db
        .prepare(
          `INSERT INTO bank_statements (file_hash, source, name, account, date_from, date_to, documents, incoming, new_payments, matched, partial, review, warnings, imported_at)
           VALUES (@hash, @source, @name, @account, @from, @to, @documents, @incoming, @new, @matched, @partial, @review, @warnings, @ts)`,
        )
        .run({
          hash: input.hash,
          source: input.source,
          name: input.name,
          account: st.header.accounts[0] ?? st.accounts[0]?.account ?? null,
          from: st.header.dateFrom,
          to: st.header.dateTo,
          documents: report.documents,
          incoming: report.incoming,
          new: report.newPayments,
          matched: report.matched,
          partial: report.partial,
          review: report.review,
          warnings: JSON.stringify(st.warnings),
          ts,
        }).lastInsertRowid,
    );
    for (const item of plan) {
      const paid = record(db, item, report.statementId, input, ts, !!opts.webhooks);
      if (paid) report.paidOrders.push(paid);
    }
    return report;
  };

  // A dry run is the real import rolled back: the same code path, so the same counts (it once stopped before
  // applying the payments and reported 0 orders paid where the import paid 1).
  if (opts.dryRun) return { ...rolledBack(db, run), statementId: null };
  const report = db.transaction(run).immediate();
  if (report.statementId !== null) opts.onRecorded?.(report);
  return report;
}

class Rollback extends Error {}

/** Runs fn in a write transaction that is always rolled back (what it returned is kept). */
function rolledBack<T>(db: Db, fn: () => T): T {
  let out: T | undefined;
  try {
    db.transaction(() => {
      out = fn();
      throw new Rollback();
    }).immediate();
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
  }
  return out as T;
}

function distinctIncoming(st: Statement): { key: string; doc: StatementDocument }[] {
  const seen = new Set<string>();
  const out: { key: string; doc: StatementDocument }[] = [];
  for (const doc of st.documents) {
    if (doc.direction !== 'incoming') continue;
    const key = paymentKey(doc);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ key, doc });
  }
  return out;
}

const needsReview = (p: ImportPlanItem) => (p.match.kind !== 'matched' && p.match.reason !== 'zero-amount') || (p.match.kind === 'matched' && p.match.coverage === 'over');

function describe(p: ImportPlanItem): ImportedPayment {
  const m = p.match;
  return {
    key: p.key,
    number: p.document.number,
    date: p.document.date,
    amountKopecks: p.document.amountKopecks,
    payerInn: p.document.payer.inn,
    result: m.kind,
    method: m.kind === 'matched' ? m.method : null,
    coverage: m.kind === 'matched' ? m.coverage : null,
    reason: m.kind === 'matched' ? (m.coverage === 'over' ? 'overpayment' : null) : m.reason,
    orderId: m.kind === 'matched' ? m.order.externalId : null,
  };
}

/** One plan item → its rows. Returns the order id when this payment made the order fully paid. */
function record(db: Db, item: ImportPlanItem, statementId: number, meta: StatementMeta, ts: string, webhooks: boolean): string | null {
  const d = item.document;
  const m = item.match;
  const keyHash = sha256(item.key);
  const over = m.kind === 'matched' && m.coverage === 'over';
  const bankPaymentId = Number(
    db
      .prepare(
        `INSERT INTO bank_payments (payment_key, key_hash, statement_id, own_account, number, date, paid_at, amount_kopecks, payer_name, payer_inn, payer_kpp,
                                    payer_account, payer_bik, purpose, result, method, coverage, reason, detail, candidates, client_inn, order_id, review, excess_kopecks, created_at)
         VALUES (@key, @keyHash, @statementId, @ownAccount, @number, @date, @paidAt, @amount, @payerName, @payerInn, @payerKpp,
                 @payerAccount, @payerBik, @purpose, @result, @method, @coverage, @reason, @detail, @candidates, @clientInn, @orderId, @review, @excess, @ts)`,
      )
      .run({
        key: item.key,
        keyHash,
        statementId,
        ownAccount: d.ownAccount,
        number: d.number,
        date: d.date,
        paidAt: d.paidAt,
        amount: d.amountKopecks,
        payerName: d.payer.name,
        payerInn: d.payer.inn,
        payerKpp: d.payer.kpp,
        payerAccount: d.payer.account ?? d.payer.settlementAccount,
        payerBik: d.payer.bank.bik,
        purpose: d.purpose,
        result: m.kind,
        method: m.kind === 'matched' ? m.method : null,
        coverage: m.kind === 'matched' ? m.coverage : null,
        reason: m.kind === 'matched' ? (over ? 'overpayment' : null) : m.reason,
        detail:
          m.kind === 'matched'
            ? over
              ? `оплачено на ${toRoubles(d.amountKopecks - m.dueKopecks)} руб. больше суммы к оплате (${toRoubles(m.dueKopecks)} руб.)`
              : null
            : m.detail,
        candidates:
          m.kind === 'ambiguous'
            ? JSON.stringify(m.candidates.map((c) => ({ orderId: c.externalId, number: c.number, amountKopecks: c.amountKopecks, paidKopecks: c.paidKopecks })))
            : null,
        clientInn: m.clientInn,
        orderId: m.kind === 'matched' ? m.order.externalId : null,
        // a 0.00 line is recorded (the statement is complete) but there is nothing for a person to decide
        review: (m.kind !== 'matched' && m.reason !== 'zero-amount') || over ? 'open' : null,
        excess: over ? d.amountKopecks - m.dueKopecks : null,
        ts,
      }).lastInsertRowid,
  );
  if (m.kind !== 'matched') return null;

  const orderId = m.order.externalId;
  const { full } = applyToOrder(
    db,
    {
      bankPaymentId,
      keyHash,
      orderId,
      amountKopecks: d.amountKopecks,
      paidAt: d.paidAt ?? d.date,
      // What the 1C handler needs to write ПоступлениеБезналичныхДенежныхСредств (НомерВходящегоДокумента,
      // ДатаВходящегоДокумента, НазначениеПлатежа, the payer) and what an accountant needs to see why.
      data: {
        source: meta.source,
        statement: meta.name,
        number: d.number,
        date: d.date,
        purpose: d.purpose,
        ownAccount: d.ownAccount,
        payer: { name: d.payer.name, inn: d.payer.inn, kpp: d.payer.kpp, account: d.payer.account ?? d.payer.settlementAccount, bik: d.payer.bank.bik, bank: d.payer.bank.name },
        // The section's kind (ТипПлатежногоДокумента) and Код (the УИП, ИдентификаторПлатежа) as УТ's loader takes them.
        kind: d.kind,
        code: d.fields.Код ?? null,
        method: m.method,
        reference: m.reference ?? null,
        coverage: m.coverage,
        dueKopecks: m.dueKopecks,
      },
      matchedBy: m.method === 'purpose-number' ? `номер заказа в назначении платежа («${m.reference ?? ''}»)` : `ИНН плательщика ${m.clientInn} и точная сумма`,
      history: { method: m.method, coverage: m.coverage, document: { number: d.number, date: d.date }, payerInn: d.payer.inn, statement: meta.name },
    },
    ts,
    webhooks,
  );
  return full ? orderId : null;
}

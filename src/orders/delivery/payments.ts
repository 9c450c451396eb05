import { createHash } from 'node:crypto';
import type { PaymentInput, PaymentRefs, Row } from '../../onec/profiles/index.js';
import { PermanentError, type ClaimedJob, type Json } from '../../outbox/index.js';
import { OrderStatusCode, PaymentStatusCode } from '../statuses.js';
import { recordHistory } from '../webhooks.js';
import { bookedRef, orderRow } from './booking.js';
import { ensureClient } from './clients.js';
import { isDuplicate, type DeliveryContext } from './context.js';
import { writeStatus } from './status.js';
import { paymentStatusOf, type PayMethod } from '../statuses.js';

/** How the comment of the 1C payment names a method other than a card. */
const METHOD_NAME: Record<PayMethod, string> = { card: 'картой', sbp: 'СБП', wallet: 'электронный кошелёк' };

interface PaymentRow {
  id: number;
  order_id: string;
  kind: 'card' | 'bank' | 'cash' | 'emoney';
  external_id: string;
  amount_kopecks: number;
  paid_at: string;
  data: string;
  onec_ref: string | null;
}

function paymentRow(ctx: DeliveryContext, id: number): PaymentRow {
  const p = ctx.db.prepare(`SELECT * FROM payments WHERE id = ?`).get(id) as PaymentRow | undefined;
  if (!p) throw new PermanentError(`payment #${id} is not in the local database`);
  return p;
}

async function refsOf(ctx: DeliveryContext, clientId: string, orderKey: string, withBank: boolean | string = false, card = false, refund = false, storeId?: string): Promise<PaymentRefs> {
  const client = await ensureClient(ctx, clientId);
  // The order's store: where terminals belong to a shop (Розница), the shop's terminal (DeliveryContext.acquiring).
  const acquiring = card ? await ctx.acquiring(storeId) : undefined;
  // What a profile's mapping names besides (Розница: the document's shop and payment kind), passed on as they are.
  const { terminalKey: _t, contractKey: _c, acquirerKey: _a, ...more } = acquiring ?? { terminalKey: null, contractKey: null, acquirerKey: null };
  return {
    ...(acquiring ? { acquiringTerminalKey: acquiring.terminalKey, acquiringContractKey: acquiring.contractKey, acquirerKey: acquiring.acquirerKey, ...more } : {}),
    organisationKey: ctx.organisationKey(),
    partnerKey: client.partnerKey,
    counterpartyKey: client.counterpartyKey,
    // '' where the base keeps no currencies (Розница 2.2 has no Catalog.Валюты: its payments name none).
    currencyKey: ctx.profile.reads.currency ? await ctx.currencyKey() : '',
    bankAccountKey: withBank ? await ctx.bankAccountKey(typeof withBank === 'string' ? withBank : undefined) : null,
    // 11.5 pays an order only through its ОбъектРасчетов (WRITE-RULES rule 7); null where the base has none (11.4).
    settlementObjectKey: await ctx.settlementObjectOf(orderKey),
    cashFlowItemKey: await ctx.cashFlowItem(refund ? 'refund' : 'receipt'),
    // УНФ: a card operation goes to the organisation's account, and a payment line repeats the VAT item of the
    // order's first line (src/onec/profiles/unf.ts, cited there); УТ's builders use neither.
    ...(ctx.profile.map.lineVat ? { ...(card && !withBank ? { bankAccountKey: await ctx.bankAccountKey() } : {}), ...(await firstLineVat(ctx, orderKey)) } : {}),
  };
}

/** The VAT item and rate of the order's first line, as the booking wrote it (same date, same mirror). */
async function firstLineVat(ctx: DeliveryContext, orderKey: string): Promise<{ vatRateKey: string | null; vatRate: number | null }> {
  const first = ctx.db
    .prepare(`SELECT l.item_id, o.created_at FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.onec_ref = ? ORDER BY l.line_no LIMIT 1`)
    .get(orderKey) as { item_id: string; created_at: string } | undefined;
  if (!first) return { vatRateKey: null, vatRate: null };
  const v = (await ctx.vatOf([first.item_id], new Date(first.created_at))).get(first.item_id);
  return { vatRateKey: v?.vatRateId ?? null, vatRate: v?.vatRate ?? null };
}

/** Kinds of payment-like documents ReGate writes; each has its own external-id namespace in 1C (issue 13.2). */
export type DocumentKind = 'card' | 'refund' | 'bank';

/**
 * The external id a payment document carries in 1C: `<kind>:<id>`. Card payments and card refunds live in one 1C
 * set (ОперацияПоПлатежнойКарте), and a card transaction id is whatever the store sends: with a shared namespace a
 * transactionId of `refund:<orderId>` made that order's refund "find" the payment (no refund in 1C), or made the
 * payment find the refund and post what an accountant must confirm. The kind prefix survives digesting, so no id
 * of one kind can equal an id of another.
 *
 * ReGate_ВнешнийИдентификатор is String(64), without the extension ИдентификаторДокумента is String(36), and 1C
 * silently truncates a longer value on write. An id that does not fit after its prefix becomes a sha256 digest cut
 * to the room left (a 64-char transaction id, a bank payment's sha256, a long order id); a bank payment's id is
 * already a sha256 (hex), so its prefix is the digest.
 */
export function documentId(ctx: DeliveryContext, kind: DocumentKind, id: string): string {
  const prefix = `${kind}:`;
  const room = (ctx.ext ? 64 : 36) - prefix.length;
  if (id.length <= room) return prefix + id;
  return prefix + (/^[0-9a-f]{64}$/.test(id) ? id : createHash('sha256').update(id).digest('hex')).slice(0, room);
}

/** The id documents carried before the namespaces (refunds were `refund:<orderId>` already): found only on retries. */
function legacyDocumentId(ctx: DeliveryContext, id: string): string {
  const width = ctx.ext ? 64 : 36;
  if (id.length <= width) return id;
  return (/^[0-9a-f]{64}$/.test(id) ? id : createHash('sha256').update(id).digest('hex')).slice(0, width);
}

/**
 * A found document is this one only if it is the same operation on the same order: an id is a claim the store
 * controls (its transaction ids), the operation and the order are what ReGate wrote.
 */
function sameDocument(found: Row, body: Row, orderKey: string): boolean {
  if (found.ХозяйственнаяОперация !== undefined && body.ХозяйственнаяОперация !== undefined && found.ХозяйственнаяОперация !== body.ХозяйственнаяОперация) return false;
  const lines = Array.isArray(found.РасшифровкаПлатежа) ? (found.РасшифровкаПлатежа as Row[]) : [];
  const bases = lines.map((l) => l.ОснованиеПлатежа).filter((b) => typeof b === 'string' && b);
  return bases.length === 0 || bases.includes(orderKey);
}

/**
 * Found-first creation of a payment-like document: looked up by its external id (the payment event id) in `set`
 * through the `concept` read; created from `body()` only when absent; posted when `post` and not posted yet (a
 * lost answer to Post leaves a created, unposted document — the retry finds it and posts it). A document found by
 * the id but of another operation or order is not this one. On a retry, the id the document had before the
 * namespaces is looked up too (a job that created it before an upgrade and lost the answer).
 */
async function ensureDocument(
  ctx: DeliveryContext,
  concept: 'cardOperation' | 'payment' | 'refund',
  writeName: string,
  ids: { externalId: string; legacyId?: string; orderKey: string; retry: boolean },
  body: () => Row,
): Promise<{ ref: string; number: string; created: boolean }> {
  const set = ctx.writeSet(writeName);
  const fresh = body();
  const mine = (rows: Row[]) => rows.filter((r) => sameDocument(r, fresh, ids.orderKey));
  let found = mine(await ctx.find(concept, { externalId: ids.externalId }));
  if (!found.length && ids.retry && ids.legacyId && ids.legacyId !== ids.externalId) found = mine(await ctx.find(concept, { externalId: ids.legacyId }));
  let doc: Row | undefined = found.find((r) => !r.DeletionMark) ?? found[0];
  let created = false;
  if (!doc) {
    doc = await ctx.create(set, fresh);
    created = true;
  }
  const ref = String(doc.Ref_Key);
  if (ctx.profile.writes[writeName]?.post && doc.Posted !== true) await ctx.post(set, ref);
  return { ref, number: String(doc.Number ?? ''), created };
}

/** JOB.paymentCard { orderId, paymentId } → ОперацияПоПлатежнойКарте (posted) + ReGate_ОплатыКартами + status 2/1. */
export async function handlePaymentCard(ctx: DeliveryContext, job: ClaimedJob): Promise<Json> {
  const { orderId, paymentId } = job.payload as { orderId: string; paymentId: number };
  const o = orderRow(ctx, orderId);
  const orderKey = bookedRef(ctx, o);
  const p = paymentRow(ctx, paymentId);
  const data = JSON.parse(p.data) as { provider?: string; rrn?: string | null; authCode?: string | null; maskedCard?: string | null; method?: PayMethod };
  const refs = await refsOf(ctx, o.client_id, orderKey, false, true, false, o.store_id);
  const how = data.method && data.method !== 'card' ? ` (${METHOD_NAME[data.method]})` : '';
  const input: PaymentInput = {
    externalId: documentId(ctx, 'card', p.external_id),
    date: new Date(p.paid_at),
    amount: p.amount_kopecks / 100,
    orderKey,
    cardMask: data.maskedCard ?? '',
    authCode: data.authCode ?? '',
    comment: `Richest.store ${orderId}, ${data.provider ?? ''}${how} ${p.external_id}`.trim(),
  };
  const ids = { externalId: input.externalId, legacyId: legacyDocumentId(ctx, p.external_id), orderKey, retry: job.attempts > 1 };
  const doc = await ensureDocument(ctx, 'cardOperation', 'cardPaymentDocument', ids, () => ctx.profile.build.cardPaymentDocument(input, refs, ctx.config));
  ctx.db.prepare(`UPDATE payments SET onec_ref = ? WHERE id = ?`).run(doc.ref, paymentId);
  if (ctx.ext && ctx.profile.writes.cardPayment) {
    try {
      await ctx.create(
        ctx.writeSet('cardPayment'),
        ctx.profile.build.cardPaymentRecord({
          orderKey,
          transactionId: p.external_id,
          provider: data.provider ?? '',
          rrn: data.rrn ?? '',
          authCode: data.authCode ?? '',
          cardMask: data.maskedCard ?? '',
          amount: p.amount_kopecks / 100,
          paidAt: new Date(p.paid_at),
        }),
      );
    } catch (e) {
      if (!isDuplicate(e)) throw e; // written by an earlier attempt whose answer was lost
    }
  }
  // The whole sum paid: after a partial bank payment the card paid the rest (issue 13.4), not the order's amount.
  await writeStatus(ctx, orderKey, { orderStatus: OrderStatusCode.paidByCard, paymentStatus: paymentStatusOf(data.method), paidKopecks: Math.max(o.paid_kopecks, p.amount_kopecks) });
  return { ref: doc.ref, number: doc.number };
}

/** JOB.refundCreate { orderId, refundId } → card refund document, NOT posted (an accountant confirms it); status 7 or kept. */
export async function handleRefundCreate(ctx: DeliveryContext, job: ClaimedJob): Promise<Json> {
  const { orderId, refundId } = job.payload as { orderId: string; refundId: number };
  const o = orderRow(ctx, orderId);
  const orderKey = bookedRef(ctx, o);
  const r = ctx.db.prepare(`SELECT * FROM refunds WHERE id = ?`).get(refundId) as { id: number; refund_key: string; amount_kopecks: number; reason: string; payment_id: number | null; created_at: string } | undefined;
  if (!r) throw new PermanentError(`refund #${refundId} is not in the local database`);
  const p = r.payment_id ? paymentRow(ctx, r.payment_id) : undefined;
  const data = p ? (JSON.parse(p.data) as { maskedCard?: string | null; authCode?: string | null }) : {};
  // The refund returns the card payment: its document is the refund's basis (WRITE-RULES §3).
  const refs = { ...(await refsOf(ctx, o.client_id, orderKey, false, true, true, o.store_id)), basisPaymentKey: p?.onec_ref ?? null };
  // The order's refund without an id is named by the order id, as when it was the only one; a refund with the
  // shop's id by both (issue 14.4), in the refunds' own namespace (a long one digested by documentId).
  const externalId = documentId(ctx, 'refund', r.refund_key ? `${orderId}:${r.refund_key}` : orderId);
  const input: PaymentInput = {
    externalId,
    date: new Date(r.created_at),
    amount: r.amount_kopecks / 100,
    orderKey,
    cardMask: data.maskedCard ?? '',
    authCode: data.authCode ?? '',
    comment: `Возврат по заказу Richest.store ${orderId}${r.refund_key ? ` (${r.refund_key})` : ''}${r.reason ? `: ${r.reason}` : ''}${p ? ` (оплата ${p.external_id})` : ''}`,
  };
  const ids = { externalId, legacyId: r.refund_key ? undefined : legacyDocumentId(ctx, `refund:${orderId}`), orderKey, retry: job.attempts > 1 };
  const doc = await ensureDocument(ctx, 'cardOperation', 'cardRefundDocument', ids, () => ctx.profile.build.cardRefundDocument(input, refs, ctx.config));
  ctx.db.prepare(`UPDATE refunds SET onec_ref = ? WHERE id = ?`).run(doc.ref, refundId);
  // The order as it is now: 7 once the whole payment is back, else its status with what is still paid.
  const refunded = (o as typeof o & { refunded_kopecks?: number }).refunded_kopecks ?? r.amount_kopecks;
  await writeStatus(ctx, orderKey, {
    orderStatus: o.status,
    paymentStatus: o.payment_status,
    paidKopecks: Math.max(0, o.paid_kopecks - refunded),
    comment: r.reason,
  });
  return { ref: doc.ref, number: doc.number };
}

/**
 * JOB.bankPayment { orderId, paymentId } (payments.kind = 'bank', from the statement importer) →
 * ПоступлениеБезналичныхДенежныхСредств, posted; status 3/2 when the order is paid in full, otherwise the order
 * keeps its status and the record carries the sum paid so far.
 */
export async function handleBankPayment(ctx: DeliveryContext, job: ClaimedJob): Promise<Json> {
  const { orderId, paymentId } = job.payload as { orderId: string; paymentId: number };
  const o = orderRow(ctx, orderId);
  const orderKey = bookedRef(ctx, o);
  const p = paymentRow(ctx, paymentId);
  if (p.kind !== 'bank') throw new PermanentError(`payment #${paymentId} is a ${p.kind} payment, not bank`);
  const data = JSON.parse(p.data) as Record<string, unknown>;
  const s = (k: string) => (typeof data[k] === 'string' ? (data[k] as string) : undefined);
  // The account the statement belongs to (data.ownAccount, from the importer).
  const refs = await refsOf(ctx, o.client_id, orderKey, s('ownAccount') ?? true);
  const incomingDate = s('documentDate') ?? s('date');
  const payer = (data.payer ?? {}) as { account?: string | null };
  refs.payerAccountKey = payer.account ? await ctx.payerAccountKey(payer.account, refs.counterpartyKey) : null;
  const input: PaymentInput = {
    externalId: documentId(ctx, 'bank', p.external_id),
    date: new Date(p.paid_at),
    amount: p.amount_kopecks / 100,
    orderKey,
    incomingNumber: s('documentNumber') ?? s('number'),
    incomingDate: incomingDate ? new Date(incomingDate) : undefined,
    purpose: s('purpose'),
    documentKind: s('kind'),
    paymentCode: s('code'),
    comment: `Richest.store ${orderId}: выписка банка`,
  };
  const ids = { externalId: input.externalId, legacyId: legacyDocumentId(ctx, p.external_id), orderKey, retry: job.attempts > 1 };
  const doc = await ensureDocument(ctx, 'payment', 'bankPaymentDocument', ids, () => ctx.profile.build.bankPaymentDocument(input, refs, ctx.config));
  ctx.db.prepare(`UPDATE payments SET onec_ref = ? WHERE id = ?`).run(doc.ref, paymentId);

  // The importer records the payment locally; if it left the order open although paid in full, close it here.
  const paid = (ctx.db.prepare(`SELECT COALESCE(SUM(amount_kopecks), 0) FROM payments WHERE order_id = ?`).pluck().get(orderId) as number) ?? 0;
  const full = paid >= o.amount_kopecks;
  ctx.db.transaction(() => {
    const cur = orderRow(ctx, orderId);
    if (full && (cur.status === OrderStatusCode.accepted || cur.status === OrderStatusCode.created)) {
      ctx.db.prepare(`UPDATE orders SET status = ?, payment_status = ?, paid_kopecks = ?, updated_at = ? WHERE id = ?`).run(OrderStatusCode.paidByBank, PaymentStatusCode.bank, paid, ctx.now().toISOString(), orderId);
      recordHistory(ctx.db, { orderId, status: OrderStatusCode.paidByBank, paymentStatus: PaymentStatusCode.bank, event: 'payment.bank', detail: { paymentId, amount: p.amount_kopecks / 100 }, at: ctx.now() }, !!ctx.config.webhooks.url);
    }
  })();
  const now = orderRow(ctx, orderId);
  await writeStatus(ctx, orderKey, full
    ? { orderStatus: OrderStatusCode.paidByBank, paymentStatus: PaymentStatusCode.bank, paidKopecks: paid }
    : { orderStatus: now.status, paymentStatus: now.payment_status, paidKopecks: paid, comment: 'частичная оплата' });
  return { ref: doc.ref, number: doc.number, full };
}

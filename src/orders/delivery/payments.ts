import { createHash } from 'node:crypto';
import type { PaymentInput, PaymentRefs, Row } from '../../onec/profiles/index.js';
import { PermanentError, type ClaimedJob, type Json } from '../../outbox/index.js';
import { OrderStatusCode, PaymentStatusCode } from '../statuses.js';
import { recordHistory } from '../webhooks.js';
import { bookedRef, orderRow } from './booking.js';
import { ensureClient } from './clients.js';
import { isDuplicate, type DeliveryContext } from './context.js';
import { writeStatus } from './status.js';

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

async function refsOf(ctx: DeliveryContext, clientId: string, withBank = false): Promise<PaymentRefs> {
  const client = await ensureClient(ctx, clientId);
  return {
    organisationKey: ctx.organisationKey(),
    partnerKey: client.partnerKey,
    counterpartyKey: client.counterpartyKey,
    currencyKey: await ctx.currencyKey(),
    bankAccountKey: withBank ? await ctx.bankAccountKey() : null,
  };
}

/**
 * The external id a payment document carries in 1C: ReGate_ВнешнийИдентификатор is String(64), without the extension
 * ИдентификаторДокумента is String(36), and 1C silently truncates a longer value on write. A longer id (a 64-char
 * transaction id, a bank payment's sha256, "refund:" + a long order id) was then looked up in full and never found —
 * a second document on every re-delivery — or, cut to a shared prefix, found another order's document. Ids that fit
 * are kept as they are (documents already in 1C are still found); longer ones become a digest of that width. A bank
 * payment's id is already a sha256 (hex): its prefix is as good a digest, and is what 1C kept of it until now.
 */
export function documentId(ctx: DeliveryContext, id: string): string {
  const width = ctx.ext ? 64 : 36;
  if (id.length <= width) return id;
  return (/^[0-9a-f]{64}$/.test(id) ? id : createHash('sha256').update(id).digest('hex')).slice(0, width);
}

/**
 * Found-first creation of a payment-like document: looked up by its external id (the payment event id) in `set`
 * through the `concept` read; created from `body()` only when absent; posted when `post` and not posted yet (a
 * lost answer to Post leaves a created, unposted document — the retry finds it and posts it).
 */
async function ensureDocument(ctx: DeliveryContext, concept: 'cardOperation' | 'payment' | 'refund', writeName: string, externalId: string, body: () => Row): Promise<{ ref: string; number: string; created: boolean }> {
  const set = ctx.writeSet(writeName);
  const found = await ctx.find(concept, { externalId });
  let doc: Row | undefined = found.find((r) => !r.DeletionMark) ?? found[0];
  let created = false;
  if (!doc) {
    doc = await ctx.create(set, body());
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
  const data = JSON.parse(p.data) as { provider?: string; rrn?: string | null; authCode?: string | null; maskedCard?: string | null };
  const refs = await refsOf(ctx, o.client_id);
  const input: PaymentInput = {
    externalId: documentId(ctx, p.external_id),
    date: new Date(p.paid_at),
    amount: p.amount_kopecks / 100,
    orderKey,
    cardMask: data.maskedCard ?? '',
    authCode: data.authCode ?? '',
    comment: `Richest.store ${orderId}, ${data.provider ?? ''} ${p.external_id}`.trim(),
  };
  const doc = await ensureDocument(ctx, 'cardOperation', 'cardPaymentDocument', input.externalId, () => ctx.profile.build.cardPaymentDocument(input, refs, ctx.config));
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
  await writeStatus(ctx, orderKey, { orderStatus: OrderStatusCode.paidByCard, paymentStatus: PaymentStatusCode.card, paidKopecks: p.amount_kopecks });
  return { ref: doc.ref, number: doc.number };
}

/** JOB.refundCreate { orderId, refundId } → card refund document, NOT posted (an accountant confirms it); status 7. */
export async function handleRefundCreate(ctx: DeliveryContext, job: ClaimedJob): Promise<Json> {
  const { orderId, refundId } = job.payload as { orderId: string; refundId: number };
  const o = orderRow(ctx, orderId);
  const orderKey = bookedRef(ctx, o);
  const r = ctx.db.prepare(`SELECT * FROM refunds WHERE id = ?`).get(refundId) as { id: number; amount_kopecks: number; reason: string; payment_id: number | null; created_at: string } | undefined;
  if (!r) throw new PermanentError(`refund #${refundId} is not in the local database`);
  const p = r.payment_id ? paymentRow(ctx, r.payment_id) : undefined;
  const data = p ? (JSON.parse(p.data) as { maskedCard?: string | null; authCode?: string | null }) : {};
  const refs = await refsOf(ctx, o.client_id);
  // One refund per order (refunds.order_id is unique): the order id names it in 1C, apart from the payment.
  const externalId = documentId(ctx, `refund:${orderId}`);
  const input: PaymentInput = {
    externalId,
    date: new Date(r.created_at),
    amount: r.amount_kopecks / 100,
    orderKey,
    cardMask: data.maskedCard ?? '',
    authCode: data.authCode ?? '',
    comment: `Возврат по заказу Richest.store ${orderId}${r.reason ? `: ${r.reason}` : ''}${p ? ` (оплата ${p.external_id})` : ''}`,
  };
  const doc = await ensureDocument(ctx, 'cardOperation', 'cardRefundDocument', externalId, () => ctx.profile.build.cardRefundDocument(input, refs, ctx.config));
  ctx.db.prepare(`UPDATE refunds SET onec_ref = ? WHERE id = ?`).run(doc.ref, refundId);
  await writeStatus(ctx, orderKey, {
    orderStatus: OrderStatusCode.refunded,
    paymentStatus: o.payment_status,
    paidKopecks: Math.max(0, o.paid_kopecks - r.amount_kopecks),
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
  const refs = await refsOf(ctx, o.client_id, true);
  const incomingDate = s('documentDate') ?? s('date');
  const input: PaymentInput = {
    externalId: documentId(ctx, p.external_id),
    date: new Date(p.paid_at),
    amount: p.amount_kopecks / 100,
    orderKey,
    incomingNumber: s('documentNumber') ?? s('number'),
    incomingDate: incomingDate ? new Date(incomingDate) : undefined,
    purpose: s('purpose'),
    comment: `Richest.store ${orderId}: выписка банка`,
  };
  const doc = await ensureDocument(ctx, 'payment', 'bankPaymentDocument', input.externalId, () => ctx.profile.build.bankPaymentDocument(input, refs, ctx.config));
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

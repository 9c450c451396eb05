import { createHash } from 'node:crypto';
import type { OrderLineInput } from '../../onec/profiles/index.js';
import { PermanentError, type ClaimedJob, type HandlerContext, type Json } from '../../outbox/index.js';
import { OrderStatusCode } from '../statuses.js';
import { recordHistory } from '../webhooks.js';
import { readFew } from '../../onec/read.js';
import { ensureClient } from './clients.js';
import { clientOrderTerms } from '../../catalog/client-terms.js';
import type { DeliveryContext } from './context.js';
import { writeStatus } from './status.js';

export interface OrderRow {
  id: string;
  client_id: string;
  store_id: string;
  delivery_address: string;
  comment: string;
  amount_kopecks: number;
  paid_kopecks: number;
  status: number;
  payment_status: number;
  onec_ref: string | null;
  onec_number: string | null;
  created_at: string;
}

export function orderRow(ctx: DeliveryContext, orderId: string): OrderRow {
  const o = ctx.db.prepare(`SELECT * FROM orders WHERE id = ?`).get(orderId) as OrderRow | undefined;
  if (!o) throw new PermanentError(`order ${orderId} is not in the local database`);
  return o;
}

/**
 * The 1C document of an order, for the jobs that follow its booking. They share the booking's key and run after it,
 * so by now the booking is either done (the ref is set) or was dropped by an administrator — then there is no
 * document to attach to, and retrying cannot change that.
 */
export function bookedRef(ctx: DeliveryContext, o: OrderRow): string {
  if (o.onec_ref) return o.onec_ref;
  const waiting = ctx.db
    .prepare(`SELECT COUNT(*) FROM outbox_jobs WHERE kind = 'booking.create' AND key = ? AND state IN ('pending', 'running', 'dead')`)
    .pluck()
    .get(`order:${o.id}`) as number;
  if (waiting) throw new Error(`order ${o.id} is not in 1C yet (its booking has not been delivered)`);
  throw new PermanentError(`order ${o.id} is not in 1C: its booking was dropped; create the order in 1C or drop this job`);
}

/**
 * The order id as the ЗаказКлиента carries it. Without the extension that is НомерПоДаннымКлиента, a String(50)
 * that 1C truncates on write, while the API takes ids of up to 64: such an order was written cut and looked up in
 * full, never found, and every re-delivery created another ЗаказКлиента. An id that fits is kept; a longer one
 * becomes a 50-character digest (the comment still names the order in full).
 */
export function orderDocumentId(ctx: DeliveryContext, orderId: string): string {
  // String(50) from 11.5.20, String(30) up to 11.5.18 (FACTS.md; the profile's detected features).
  const width = ctx.profile.features.clientNumberLength;
  if (ctx.ext || orderId.length <= width) return orderId;
  return createHash('sha256').update(orderId).digest('hex').slice(0, width);
}

/** The document currency; '' where the base keeps none (Розница 2.2 has no Catalog.Валюты: its documents name none). */
function currencyOf(ctx: DeliveryContext): Promise<string> {
  return ctx.profile.reads.currency ? ctx.currencyKey() : Promise.resolve('');
}

/**
 * The place an order of this store is sold by: the profile's per-store read where it has one (Розница: the Магазин the
 * store's Склад belongs to), else the base's sales department (УНФ), else none (УТ).
 */
async function salesUnitFor(ctx: DeliveryContext, storeId: string): Promise<string | null> {
  const spec = ctx.profile.reads.storePlace;
  const place = ctx.profile.map.toStorePlace;
  if (spec && place) {
    const found = (await readFew(ctx.onec, spec, { warehouseKeys: [storeId] })).map(place).find((k) => !!k);
    if (found) return found;
  }
  return ctx.salesUnit();
}

/**
 * JOB.bookingCreate { orderId } → Document_ЗаказКлиента, posted, status record 1/0; locally status 1 + number.
 *
 * Exactly once in 1C: the document is looked up by the order id (ReGate_ВнешнийИдентификатор, or
 * НомерПоДаннымКлиента without the extension) BEFORE anything is created, so a lost answer, a timeout or a crash
 * between 1C's write and our commit leads to finding the first document, never to a second one. The number is
 * committed locally with the job's completion (hc.onDone: one commit, where there were two — each an fsync that froze
 * the delivery thread's loop and the 1C calls in flight; 0.66 → 0.81 of the bound during the booking burst in one
 * quiet same-run pair): OrdersService.book's waitFor then answers 201 with it. An attempt that fails after 1C took
 * the document (its status record, say) commits nothing locally; the next finds the document by the order id.
 */
export async function handleBookingCreate(ctx: DeliveryContext, job: ClaimedJob, hc?: HandlerContext): Promise<Json> {
  const { orderId } = job.payload as { orderId: string };
  const o = orderRow(ctx, orderId);
  const set = ctx.writeSet('order');
  let ref = o.onec_ref;
  let number = o.onec_number;
  let fresh = false;
  let existed = false;

  if (!ref || !number) {
    const client = await ensureClient(ctx, o.client_id);
    const externalId = orderDocumentId(ctx, orderId);
    const existing = await ctx.find('order', { externalId });
    let doc = existing.find((r) => !r.DeletionMark) ?? existing[0];
    if (existing.length > 1) ctx.logger.warn({ orderId, documents: existing.map((r) => r.Number) }, 'several 1C orders carry this order id; using the first');
    existed = !!doc;
    if (!doc) {
      const lines = ctx.db.prepare(`SELECT * FROM order_lines WHERE order_id = ? ORDER BY line_no`).all(orderId) as {
        item_id: string;
        quantity: number;
        price_kopecks: number;
        price_kind_id: string | null;
        amount_kopecks: number;
        variant_id?: string | null;
        packaging_id?: string | null;
        packaging_ratio?: number | null;
      }[];
      if (!lines.length) throw new PermanentError(`order ${orderId} has no lines`);
      const [currencyKey, vat, terms, salesUnitKey] = await Promise.all([currencyOf(ctx), ctx.vatOf(lines.map((l) => l.item_id), new Date(o.created_at)), ctx.orderTerms(), salesUnitFor(ctx, o.store_id)]);
      const inn = (ctx.db.prepare(`SELECT inn FROM clients WHERE id = ?`).pluck().get(o.client_id) as string | null) ?? '';
      const orderLines: OrderLineInput[] = lines.map((l) => ({
        itemId: l.item_id,
        quantity: l.quantity,
        price: l.price_kopecks / 100,
        amount: l.amount_kopecks / 100,
        priceKindId: l.price_kind_id,
        // Issue 17: the variant sold → Товары.Характеристика_Key.
        characteristicId: l.variant_id ?? null,
        // Issue 17: a line sold by a packaging → Упаковка_Key, КоличествоУпаковок = quantity / ratio (the profile).
        ...(l.packaging_id && l.packaging_ratio ? { packagingId: l.packaging_id, packagingRatio: l.packaging_ratio } : {}),
        ...vat.get(l.item_id)!,
      }));
      const body = ctx.profile.build.orderDocument(
        {
          externalId,
          date: new Date(o.created_at),
          deliveryAddress: o.delivery_address,
          comment: o.comment ? `Richest.store ${orderId}: ${o.comment}` : `Richest.store ${orderId}`,
          // An organisation (10-digit ИНН) pays by invoice; shoppers pay by card.
          paymentForm: inn.trim().length === 10 ? 'bank' : 'card',
          lines: orderLines,
          asInvoice: ctx.ordersAreInvoices,
        },
        {
          organisationKey: ctx.organisationKey(),
          partnerKey: client.partnerKey,
          counterpartyKey: client.counterpartyKey,
          warehouseKey: o.store_id,
          currencyKey,
          ...terms,
          // Issue 17: a client with an agreement of its own orders under it (catalog/client-terms.ts).
          ...clientOrderTerms(ctx.db, client.partnerKey),
          ...(salesUnitKey ? { salesUnitKey } : {}),
        },
        ctx.config,
      );
      doc = await ctx.create(set, body);
      fresh = true;
    }
    // Without extended customer orders УТ makes every new order an invoice, which posts only «На согласовании»
    // (11.5 ObjectModule.bsl:379-390, ПередЗаписью sets ЭтоЗаказКакСчет): follow the base's mode, and build the next
    // orders that way at once.
    const record = ctx.profile.map.toOrder(doc);
    if (record.asInvoice && record.status !== 'НеСогласован' && doc.Posted !== true) {
      ctx.ordersAreInvoices = true;
      doc = await ctx.update(set, String(doc.Ref_Key), { Статус: 'НеСогласован', Согласован: false });
    }
    ref = String(doc.Ref_Key);
    number = String(doc.Number);
    if (ctx.profile.writes.order?.post && doc.Posted !== true) await ctx.post(set, ref);

    const confirm = () => {
      const cur = orderRow(ctx, orderId);
      if (cur.onec_number) return;
      // An order paid or expired while its booking waited keeps that status; only "accepted" becomes "created".
      const status = cur.status === OrderStatusCode.accepted ? OrderStatusCode.created : cur.status;
      // reserved_at: from now the order's reserve is in 1C (posted above), and a stock read after this moment has it
      // in the mirror's free stock (orders/promise.ts stops counting it then).
      const at = ctx.now().toISOString();
      ctx.db.prepare(`UPDATE orders SET status = ?, onec_ref = ?, onec_number = ?, updated_at = ?, reserved_at = ? WHERE id = ?`).run(status, ref, number, at, at, orderId);
      recordHistory(ctx.db, { orderId, status, paymentStatus: cur.payment_status, event: 'booking.confirmed', detail: { number, ref }, at: ctx.now() }, !!ctx.config.webhooks.url);
    };
    // With the job's completion where the worker offers it; on its own otherwise (a direct call).
    if (hc) hc.onDone(() => ctx.db.transaction(confirm)());
    else ctx.db.transaction(confirm)();
  }

  // Later jobs of this order (payment, expiry) write their own records after this one.
  await writeStatus(ctx, ref, { orderStatus: OrderStatusCode.created, paymentStatus: 0, paidKopecks: 0 }, { fresh });
  // existed: 1C had the document before this attempt (an earlier attempt's answer or local commit was lost).
  return { ref, number, existed };
}

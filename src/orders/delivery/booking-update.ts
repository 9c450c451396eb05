import type { OrderInput, OrderLineInput, OrderRefs } from '../../onec/profiles/index.js';
import { isPermanent, PermanentError, type ClaimedJob, type Json } from '../../outbox/index.js';
import { OrderStatusCode } from '../statuses.js';
import { bookedRef, orderDocumentId, orderRow, type OrderRow } from './booking.js';
import { ensureClient } from './clients.js';
import { clientOrderTerms } from '../../catalog/client-terms.js';
import type { DeliveryContext } from './context.js';

/** The order as ReGate holds it now, in the profile's terms (as handleBookingCreate builds it). */
async function orderInputOf(ctx: DeliveryContext, o: OrderRow): Promise<{ order: OrderInput; refs: OrderRefs }> {
  const lines = ctx.db.prepare(`SELECT * FROM order_lines WHERE order_id = ? ORDER BY line_no`).all(o.id) as {
    item_id: string;
    quantity: number;
    price_kopecks: number;
    price_kind_id: string | null;
    amount_kopecks: number;
    variant_id?: string | null;
    packaging_id?: string | null;
    packaging_ratio?: number | null;
  }[];
  if (!lines.length) throw new PermanentError(`order ${o.id} has no lines`);
  const client = await ensureClient(ctx, o.client_id);
  const [currencyKey, vat, terms] = await Promise.all([ctx.currencyKey(), ctx.vatOf(lines.map((l) => l.item_id)), ctx.orderTerms()]);
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
  return {
    order: {
      externalId: orderDocumentId(ctx, o.id),
      date: new Date(o.created_at),
      deliveryAddress: o.delivery_address,
      comment: o.comment ? `Richest.store ${o.id}: ${o.comment}` : `Richest.store ${o.id}`,
      paymentForm: inn.trim().length === 10 ? 'bank' : 'card',
      lines: orderLines,
      asInvoice: ctx.ordersAreInvoices,
    },
    refs: {
      organisationKey: ctx.organisationKey(),
      partnerKey: client.partnerKey,
      counterpartyKey: client.counterpartyKey,
      warehouseKey: o.store_id,
      currencyKey,
      ...terms,
      // Issue 17: a client with an agreement of its own orders under it (catalog/client-terms.ts).
      ...clientOrderTerms(ctx.db, client.partnerKey),
    },
  };
}

/**
 * JOB.bookingUpdate { orderId, revision } → the ЗаказКлиента made as the order is now: lines (whole), sum, delivery
 * address, comment, its Статус kept; sent with If-Match on the version read (a manager's edit in between is a 412,
 * retried from a fresh read) and posted again, so the reserve follows the new lines (WRITE-RULES §1.6–1.7).
 *
 * Writes the current local state whatever revision the job names: a later change's job finds the document already
 * as it should be and writes the same again (repeat-safe). An order closed meanwhile (expired, cancelled) is left
 * to its closing job. Locally: reserved_at once 1C has re-posted the lines of the revision still current.
 */
export async function handleBookingUpdate(ctx: DeliveryContext, job: ClaimedJob): Promise<Json> {
  const { orderId } = job.payload as { orderId: string; revision: number };
  const o = orderRow(ctx, orderId) as OrderRow & { revision: number };
  if (o.status === OrderStatusCode.expired || o.status === OrderStatusCode.cancelled) return { skipped: `status ${o.status}` };
  let ref: string;
  try {
    ref = bookedRef(ctx, o);
  } catch (e) {
    if (isPermanent(e)) return { skipped: 'not in 1C' };
    throw e;
  }
  const build = ctx.profile.build.orderUpdatePatch;
  if (!build) throw new PermanentError(`profile ${ctx.profile.id} cannot change an order in 1C (no orderUpdatePatch)`);
  const set = ctx.writeSet('order');
  const { order, refs } = await orderInputOf(ctx, o);
  const current = await ctx.get(set, ref);
  const patch = build.call(ctx.profile.build, order, refs, ctx.config, current);
  await ctx.update(set, ref, patch, { ifMatch: typeof current.DataVersion === 'string' && current.DataVersion ? current.DataVersion : undefined });
  // A plain write leaves the old movements and clears Согласован: posted again, as after every PATCH (§1.7).
  if (ctx.profile.writes.order?.post) await ctx.post(set, ref);
  const at = ctx.now().toISOString();
  ctx.db.prepare(`UPDATE orders SET reserved_at = ? WHERE id = ? AND revision = ? AND reserved_at IS NULL`).run(at, orderId, o.revision);
  return { ref, revision: o.revision };
}

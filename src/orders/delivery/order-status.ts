import { readAll } from '../../onec/read.js';
import type { OrderClosing, Profile, Row } from '../../onec/profiles/index.js';
import { isPermanent, type ClaimedJob, type Json } from '../../outbox/index.js';
import { OrderStatusCode } from '../statuses.js';
import { bookedRef, orderRow } from './booking.js';
import type { DeliveryContext } from './context.js';
import { writeStatus } from './status.js';

/** Statuses that end an order in 1C: its reserve is released by closing the order. */
const CLOSING = new Set<number>([OrderStatusCode.expired, OrderStatusCode.cancelled]);

/**
 * УТ 11's way (the default where a profile declares no orderClosing): every line Отменено, Статус Закрыт. The lines
 * are read first because a tabular part in a PATCH replaces the whole part. A closed order alone is NOT a
 * cancellation: УТ also closes orders that were shipped and paid, and those must not turn into status 6.
 */
export function utOrderClosing(profile: Profile): OrderClosing {
  const linesOf = (doc: Row) => (Array.isArray(doc.Товары) ? (doc.Товары as Row[]) : []);
  return {
    select: ['Ref_Key', 'Статус', 'DeletionMark', 'Posted', 'Товары/Отменено'],
    closed: (doc) => doc.Статус === 'Закрыт' && linesOf(doc).every((l) => l.Отменено === true),
    cancelled: (doc) => doc.Статус === 'Закрыт' && linesOf(doc).length > 0 && linesOf(doc).every((l) => l.Отменено === true),
    patch: (doc, refs) => profile.build.cancelOrderPatch(linesOf(doc).map(({ Ref_Key: _owner, ...line }) => line), refs.reasonKey),
  };
}

/** The profile's way to close an order in 1C, else УТ's. */
export function orderClosingOf(profile: Profile): OrderClosing {
  return profile.orderClosing ?? utOrderClosing(profile);
}

/** Key of the predefined item a closing needs (УНФ: СостоянияЗаказовПокупателей.Завершен), null when the base lacks it. */
async function predefinedKey(ctx: DeliveryContext, closing: OrderClosing): Promise<string | null> {
  if (!closing.predefined) return null;
  const spec = ctx.profile.reads[closing.predefined.concept];
  if (!spec) return null;
  const row = (await readAll(ctx.onec, spec)).find((r) => r.PredefinedDataName === closing.predefined!.name);
  return row ? String(row.Ref_Key) : null;
}

/**
 * Closes the order in 1C as its configuration does (profile.orderClosing; УТ's by default) so its reserve is
 * released, and posts it again when it was posted. Repeat-safe: a closed order is left alone.
 */
export async function closeOrderInOneC(ctx: DeliveryContext, orderKey: string): Promise<boolean> {
  const set = ctx.writeSet('order');
  const closing = orderClosingOf(ctx.profile);
  const doc = await ctx.get(set, orderKey);
  if (closing.closed(doc)) return false;
  const reason = await ctx.cancelReason();
  const patch = closing.patch(doc, { reasonKey: reason, predefinedKey: await predefinedKey(ctx, closing) });
  if (closing.unpost) {
    // The configuration voids the document rather than re-posting it (БП: an invoice unposted, then marked for deletion).
    if (doc.Posted === true) {
      ctx.signal?.throwIfAborted();
      await ctx.onec.unpost(set, orderKey, { signal: ctx.signal });
    }
    await ctx.update(set, orderKey, patch);
    return true;
  }
  // If-Match on the version read: a base that honours it refuses (412, retried from a fresh read) rather than
  // overwriting a manager's concurrent edit of the order.
  await ctx.update(set, orderKey, patch, { ifMatch: typeof doc.DataVersion === 'string' && doc.DataVersion ? doc.DataVersion : undefined });
  // A plain write leaves the movements as they were (and clears Согласован): УТ closes an order by cancelling its
  // lines and posting it again, which releases the reserves (WRITE-RULES §1.7: ManagerModule.bsl:2616-2646); УНФ
  // writes a posted order whose cancellation changed in posting mode (profiles/unf.ts orderClosing).
  if (doc.Posted === true) await ctx.post(set, orderKey);
  return true;
}

/** JOB.orderStatus { orderId, status } → status record; for expired/cancelled the order is closed in 1C. */
export async function handleOrderStatus(ctx: DeliveryContext, job: ClaimedJob): Promise<Json> {
  const { orderId, status } = job.payload as { orderId: string; status: number };
  const o = orderRow(ctx, orderId);
  let orderKey: string;
  try {
    orderKey = bookedRef(ctx, o);
  } catch (e) {
    // An order whose booking never reached 1C (dropped) has nothing there to close or mark.
    if (isPermanent(e)) return { status, skipped: 'not in 1C' };
    throw e;
  }
  let closed = false;
  if (CLOSING.has(status)) closed = await closeOrderInOneC(ctx, orderKey);
  await writeStatus(ctx, orderKey, { orderStatus: status, paymentStatus: o.payment_status, paidKopecks: o.paid_kopecks, comment: status === OrderStatusCode.expired ? 'истёк срок оплаты' : cancelComment(ctx, orderId, status) });
  return { status, closed };
}

/** The shop's reason for a cancellation it asked for (bookingcancel), for the status record's comment. */
function cancelComment(ctx: DeliveryContext, orderId: string, status: number): string | undefined {
  if (status !== OrderStatusCode.cancelled) return undefined;
  const detail = ctx.db.prepare(`SELECT detail FROM order_history WHERE order_id = ? AND event = 'booking.cancelled' ORDER BY id DESC LIMIT 1`).pluck().get(orderId) as string | null | undefined;
  if (!detail) return undefined;
  const reason = (JSON.parse(detail) as { reason?: string }).reason;
  return reason ? `отменён магазином: ${reason}` : 'отменён магазином';
}

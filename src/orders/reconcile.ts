import { eq, guid, isEntityNotFound, or } from '../onec/index.js';
import { readAll } from '../onec/read.js';
import type { OrderStatusRecord } from '../onec/profiles/index.js';
import { enqueue } from '../outbox/index.js';
import type { DeliveryContext } from './delivery/context.js';
import { orderClosingOf } from './delivery/order-status.js';
import { JOB, orderKey } from './jobs.js';
import { OrderStatusCode, PaymentStatusCode } from './statuses.js';
import { recordHistory } from './webhooks.js';

export interface ReconcileReport {
  checked: number;
  cancelled: string[];
  paidInCash: string[];
  requests: number;
}

/**
 * What happened to open orders in 1C without ReGate: an operator took cash (the extension's status register says
 * 4 / payment 3) or cancelled the order (status register 6, or the ЗаказКлиента closed, marked for deletion or
 * deleted). Reads open orders (status 1, in 1C) in chunks — the documents by Ref_Key and the last status records —
 * so requests grow with orders / chunk, not one per order. Cash is recognised from УТ's own documents too: a posted
 * ПриходныйКассовыйОрдер (ПоступлениеОплатыОтКлиента) whose lines settle the order — its ОбъектРасчетов in 11.5, its
 * Заказ in 11.4 (WRITE-RULES §5: work1cblackbird/ut11@cdf1be4f Documents/ПриходныйКассовыйОрдер/Ext/ManagerModule.bsl:
 * 396-415; a courier's workplace makes exactly this, МобильноеРабочееМестоСборкиИКурьерскойДоставки 1345-1383) —
 * once the cash covers what is still due, the order becomes 4 / payment 3; the status register (with the extension)
 * stays a second source.
 */
export async function reconcileOrders(ctx: DeliveryContext, opts: { chunk?: number } = {}): Promise<ReconcileReport> {
  const chunk = opts.chunk ?? 40;
  const before = ctx.onec.stats.total;
  // `status IN (0, 1)` spelled out as in orders_open's WHERE: SQLite uses a partial index only when the query
  // repeats its condition (`status = ?`, even `status = 1`, does not count), else it scanned every order ever taken.
  const open = ctx.db
    .prepare(`SELECT id, onec_ref, amount_kopecks, paid_kopecks FROM orders WHERE status IN (0, 1) AND status = ${Number(OrderStatusCode.created)} AND onec_ref IS NOT NULL ORDER BY created_at`)
    .all() as { id: string; onec_ref: string; amount_kopecks: number; paid_kopecks: number }[];
  const report: ReconcileReport = { checked: open.length, cancelled: [], paidInCash: [], requests: 0 };
  const set = ctx.writeSet('order');
  const statusSpec = ctx.ext ? ctx.profile.reads.orderStatus : undefined;
  const byObject = ctx.profile.features.settlement === 'object';
  // What tells a cancelled order is the configuration's (profile.orderClosing; УТ: every line Отменено, Статус Закрыт).
  const closing = orderClosingOf(ctx.profile);
  const docSelect = byObject ? [...closing.select, 'ОбъектРасчетов_Key'] : closing.select;
  for (let i = 0; i < open.length; i += chunk) {
    const part = open.slice(i, i + chunk);
    const refs = part.map((o) => o.onec_ref);
    const [docs, records] = await Promise.all([
      ctx.onec.listByKeys(set, 'Ref_Key', refs.map(guid), { select: docSelect }),
      statusSpec && statusSpec.kind === 'sliceLast'
        ? ctx.onec.sliceLast(statusSpec.register, { recordType: statusSpec.recordType, condition: or(...refs.map((r) => eq('Заказ_Key', guid(r)))) }, { select: statusSpec.select })
        : Promise.resolve([]),
    ]);
    const docByRef = new Map<string, Record<string, unknown> | null>(docs.map((d) => [String(d.Ref_Key).toLowerCase(), d]));
    // Absent from the list is not yet "deleted": row-level security or a lost page could hide it. Only 1C's own
    // "no such entity" for the key itself counts as deleted; anything else leaves the order alone this round.
    for (const ref of refs) {
      const k = ref.toLowerCase();
      if (docByRef.has(k)) continue;
      try {
        docByRef.set(k, await ctx.onec.get(set, ref, { select: docSelect }));
      } catch (e) {
        if (isEntityNotFound(e)) docByRef.set(k, null);
        else ctx.logger.warn({ err: e, ref }, 'reconcile: order not readable in 1C, left as it is');
      }
    }
    const lastByRef = new Map<string, OrderStatusRecord>();
    for (const r of records.map(ctx.profile.map.toOrderStatus)) {
      const k = r.orderId.toLowerCase();
      const prev = lastByRef.get(k);
      if (!prev || (r.period?.getTime() ?? 0) > (prev.period?.getTime() ?? 0)) lastByRef.set(k, r);
    }
    const cash = await cashOf(ctx, part.map((o) => ({ ref: o.onec_ref, object: byObject ? objectOf(docByRef.get(o.onec_ref.toLowerCase())) : null })));
    for (const o of part) {
      const key = o.onec_ref.toLowerCase();
      const st = lastByRef.get(key);
      if (!docByRef.has(key)) continue;
      const doc = docByRef.get(key);
      const cashKopecks = cash.get(key) ?? 0;
      if (cashKopecks > 0 && cashKopecks >= o.amount_kopecks - o.paid_kopecks) {
        if (markCash(ctx, o.id, o.paid_kopecks + cashKopecks)) report.paidInCash.push(o.id);
      } else if (st && (st.orderStatus === OrderStatusCode.paidInCash || st.paymentStatus === PaymentStatusCode.cash)) {
        if (markCash(ctx, o.id, st.paidAmount > 0 ? Math.round(st.paidAmount * 100) : o.amount_kopecks)) report.paidInCash.push(o.id);
      } else if (st?.orderStatus === OrderStatusCode.cancelled || !doc || doc.DeletionMark === true || closing.cancelled(doc)) {
        const why = st?.orderStatus === OrderStatusCode.cancelled ? 'status register' : !doc ? 'document deleted' : doc.DeletionMark ? 'marked for deletion' : 'closed';
        if (markCancelled(ctx, o.id, why, !!doc && st?.orderStatus !== OrderStatusCode.cancelled)) report.cancelled.push(o.id);
      }
    }
  }
  report.requests = ctx.onec.stats.total - before;
  return report;
}

function objectOf(doc: Record<string, unknown> | null | undefined): string | null {
  const v = doc?.ОбъектРасчетов_Key;
  return typeof v === 'string' && v && !/^0{8}-/.test(v) ? v : null;
}

/**
 * Cash taken in 1C per order (kopecks, by lower-case order ref): posted ПриходныйКассовыйОрдер lines that settle it.
 * 15 orders per request keep the any(…) filter under onec.maxUrlLength (about 60 characters per key).
 */
async function cashOf(ctx: DeliveryContext, orders: { ref: string; object: string | null }[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const spec = ctx.profile.reads.cashReceipt;
  if (!spec) return out;
  const byObject = ctx.profile.features.settlement === 'object';
  const wanted = orders.filter((o) => (byObject ? o.object : o.ref));
  const orderOfObject = new Map(wanted.map((o) => [String(o.object).toLowerCase(), o.ref.toLowerCase()]));
  for (let i = 0; i < wanted.length; i += 15) {
    const part = wanted.slice(i, i + 15);
    const rows = await readAll(ctx.onec, spec, byObject ? { settlementObjectKeys: part.map((o) => o.object!) } : { orderKeys: part.map((o) => o.ref) });
    for (const p of rows.map((r) => ctx.profile.map.toPayment(r))) {
      if (!p.posted) continue;
      for (const l of p.lines ?? []) {
        const ref = byObject ? (l.settlementObjectId ? orderOfObject.get(l.settlementObjectId.toLowerCase()) : undefined) : l.orderId?.toLowerCase();
        if (ref) out.set(ref, (out.get(ref) ?? 0) + Math.round(l.amount * 100));
      }
    }
  }
  return out;
}

function markCash(ctx: DeliveryContext, orderId: string, kopecks: number): boolean {
  const now = ctx.now();
  return ctx.db.transaction(() => {
    const changed = ctx.db
      .prepare(`UPDATE orders SET status = ?, payment_status = ?, paid_kopecks = ?, updated_at = ? WHERE id = ? AND status = ?`)
      .run(OrderStatusCode.paidInCash, PaymentStatusCode.cash, kopecks, now.toISOString(), orderId, OrderStatusCode.created).changes;
    if (!changed) return false;
    ctx.db
      .prepare(`INSERT OR IGNORE INTO payments (order_id, kind, external_id, amount_kopecks, paid_at, data, created_at) VALUES (?, 'cash', ?, ?, ?, ?, ?)`)
      .run(orderId, `cash:${orderId}`, kopecks, now.toISOString(), JSON.stringify({ source: '1C', via: 'reconcile' }), now.toISOString());
    recordHistory(ctx.db, { orderId, status: OrderStatusCode.paidInCash, paymentStatus: PaymentStatusCode.cash, event: 'reconcile.cash', detail: { amount: kopecks / 100 }, at: now }, !!ctx.config.webhooks.url);
    return true;
  })();
}

/** `writeBack`: the order was closed in 1C by hand; an order.status job records status 6 there too (and closes
 *  the lines if only the header was closed). */
function markCancelled(ctx: DeliveryContext, orderId: string, why: string, writeBack: boolean): boolean {
  const now = ctx.now();
  return ctx.db.transaction(() => {
    const o = ctx.db.prepare(`SELECT payment_status FROM orders WHERE id = ? AND status = ?`).get(orderId, OrderStatusCode.created) as { payment_status: number } | undefined;
    if (!o) return false;
    ctx.db.prepare(`UPDATE orders SET status = ?, updated_at = ? WHERE id = ?`).run(OrderStatusCode.cancelled, now.toISOString(), orderId);
    recordHistory(ctx.db, { orderId, status: OrderStatusCode.cancelled, paymentStatus: o.payment_status, event: 'reconcile.cancelled', detail: { why }, at: now }, !!ctx.config.webhooks.url);
    if (writeBack && ctx.ext) {
      enqueue(ctx.db, { kind: JOB.orderStatus, key: orderKey(orderId), payload: { orderId, status: OrderStatusCode.cancelled }, dedupeKey: `status:${orderId}:${OrderStatusCode.cancelled}` });
    }
    return true;
  })();
}

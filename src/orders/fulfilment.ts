import { guid } from '../onec/index.js';
import { readAll } from '../onec/read.js';
import type { DeliveryContext } from './delivery/context.js';
import { recordHistory } from './webhooks.js';

import type { FulfilmentState } from './statuses.js';

export interface FulfilmentReport {
  checked: number;
  changed: string[];
  requests: number;
}

const EPS = 1e-6;
const q3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Fulfilment from 1C (issue 14.3): for the orders still to be shipped, the posted shipments naming them (УТ:
 * РеализацияТоваровУслуг by its ЗаказКлиента or its lines', WRITE-RULES §8), summed per item, and the order's
 * Статус (Закрыт after a partial shipment = closed). Each change is a history row and a webhook:
 * fulfilment.partial (more shipped), fulfilment.shipped (every line in full), fulfilment.closed. Fifteen orders per
 * request keep the filter under the URL limit, as the cash read does. Without a shipment read in the profile
 * (reads.shipment: the extension must adopt the document first) nothing is read and nothing changes.
 */
export async function reconcileFulfilment(ctx: DeliveryContext, opts: { chunk?: number } = {}): Promise<FulfilmentReport> {
  const spec = ctx.profile.reads.shipment;
  const toShipment = ctx.profile.map.toShipment;
  const report: FulfilmentReport = { checked: 0, changed: [], requests: 0 };
  if (!spec || !toShipment) return report;
  const before = ctx.onec.stats.total;
  const chunk = opts.chunk ?? 15;
  const orders = ctx.db
    .prepare(
      `SELECT id, onec_ref, status, payment_status, fulfilment FROM orders
        WHERE onec_ref IS NOT NULL AND fulfilment IN ('none', 'partial') AND status IN (1, 2, 3, 4, 7) ORDER BY created_at`,
    )
    .all() as { id: string; onec_ref: string; status: number; payment_status: number; fulfilment: FulfilmentState }[];
  report.checked = orders.length;
  const set = ctx.writeSet('order');
  for (let i = 0; i < orders.length; i += chunk) {
    const part = orders.slice(i, i + chunk);
    const refs = part.map((o) => o.onec_ref);
    const [rows, docs] = await Promise.all([
      readAll(ctx.onec, spec, { orderKeys: refs }),
      ctx.onec.listByKeys(set, 'Ref_Key', refs.map(guid), { select: ['Ref_Key', 'Статус'] }),
    ]);
    const statusOf = new Map(docs.map((d) => [String(d.Ref_Key).toLowerCase(), String(d.Статус ?? '')]));
    // order ref → item → shipped, and order ref → the sales that shipped it (a goods return is made against them)
    const shipped = new Map<string, Map<string, number>>();
    const sales = new Map<string, Map<string, SaleOfOrder>>();
    for (const s of rows.map(toShipment)) {
      if (!s.posted || s.deletionMark) continue;
      for (const l of s.lines) {
        const order = (l.orderId ?? s.orderId)?.toLowerCase();
        if (!order) continue;
        const byItem = shipped.get(order) ?? new Map<string, number>();
        byItem.set(l.itemId, (byItem.get(l.itemId) ?? 0) + l.quantity);
        shipped.set(order, byItem);
        const bySale = sales.get(order) ?? new Map<string, SaleOfOrder>();
        const sale = bySale.get(s.id) ?? { ref: s.id, number: s.number, lines: new Map() };
        sale.lines.set(l.itemId, q3((sale.lines.get(l.itemId) ?? 0) + l.quantity));
        bySale.set(s.id, sale);
        sales.set(order, bySale);
      }
    }
    for (const o of part) {
      const ref = o.onec_ref.toLowerCase();
      if (apply(ctx, o, shipped.get(ref) ?? new Map(), statusOf.get(ref), [...(sales.get(ref)?.values() ?? [])])) report.changed.push(o.id);
    }
  }
  report.requests = ctx.onec.stats.total - before;
  return report;
}

/** Writes what 1C shipped of the order when it differs from what is recorded; true when something changed. */
interface SaleOfOrder {
  ref: string;
  number: string;
  lines: Map<string, number>;
}

function apply(ctx: DeliveryContext, o: { id: string; status: number; payment_status: number; fulfilment: FulfilmentState }, byItem: Map<string, number>, docStatus: string | undefined, sales: SaleOfOrder[]): boolean {
  const now = ctx.now();
  return ctx.db.transaction(() => {
    const lines = ctx.db.prepare(`SELECT line_no, item_id, quantity, shipped FROM order_lines WHERE order_id = ? ORDER BY line_no`).all(o.id) as { line_no: number; item_id: string; quantity: number; shipped: number }[];
    // A line's share of its item's shipments (an item is on one line of an order: booking refuses it twice).
    const next = lines.map((l) => ({ ...l, now: q3(byItem.get(l.item_id) ?? 0) }));
    const any = next.some((l) => l.now > EPS);
    const all = next.every((l) => l.now + EPS >= l.quantity);
    const state: FulfilmentState = all ? 'shipped' : any && docStatus === 'Закрыт' ? 'closed' : any ? 'partial' : 'none';
    const moved = next.some((l) => Math.abs(l.now - l.shipped) > EPS);
    if (!moved && state === o.fulfilment) return false;
    const upd = ctx.db.prepare(`UPDATE order_lines SET shipped = ? WHERE order_id = ? AND line_no = ?`);
    for (const l of next) upd.run(l.now, o.id, l.line_no);
    // The sales as 1C has them now (one unposted since drops out): what a goods return of this order is made against.
    ctx.db.prepare(`DELETE FROM order_shipments WHERE order_id = ?`).run(o.id);
    const keep = ctx.db.prepare(`INSERT INTO order_shipments (order_id, onec_ref, number, lines) VALUES (?, ?, ?, ?)`);
    for (const s of sales) keep.run(o.id, s.ref, s.number, JSON.stringify([...s.lines].map(([itemId, quantity]) => ({ itemId, quantity }))));
    ctx.db.prepare(`UPDATE orders SET fulfilment = ?, updated_at = ? WHERE id = ?`).run(state, now.toISOString(), o.id);
    if (state !== 'none') {
      recordHistory(
        ctx.db,
        { orderId: o.id, status: o.status, paymentStatus: o.payment_status, event: `fulfilment.${state}`, detail: { lines: next.map((l) => ({ itemId: l.item_id, quantity: l.quantity, shipped: l.now })) }, at: now },
        !!ctx.config.webhooks.url,
      );
    }
    return true;
  })();
}

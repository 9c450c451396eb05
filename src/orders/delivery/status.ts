import { readAll } from '../../onec/read.js';
import type { OrderStatusRecord } from '../../onec/profiles/index.js';
import { isDuplicate, type DeliveryContext } from './context.js';

export interface StatusInput {
  orderStatus: number;
  paymentStatus: number;
  paidKopecks: number;
  comment?: string;
}

/** The last ReGate status record of an order (InformationRegister_ReGate_СтатусыЗаказов SliceLast), if any. */
export async function lastStatus(ctx: DeliveryContext, orderKey: string): Promise<OrderStatusRecord | undefined> {
  const rows = await readAll(ctx.onec, ctx.spec('orderStatus'), { orderKey });
  return rows.map(ctx.profile.map.toOrderStatus).sort((a, b) => (b.period?.getTime() ?? 0) - (a.period?.getTime() ?? 0))[0];
}

/**
 * Writes the order's ReGate status record (extension only; a no-op without it). Repeat-safe: when the last record
 * already says the same, nothing is written (a retry after a lost answer), and the period is kept strictly after
 * the last one — the register is periodic by second, so two changes within one second would otherwise collide on
 * (Period, Заказ_Key). `fresh` = the order was created by this very attempt, so there is nothing to read.
 */
export async function writeStatus(ctx: DeliveryContext, orderKey: string, s: StatusInput, opts: { fresh?: boolean } = {}): Promise<boolean> {
  if (!ctx.ext || !ctx.profile.writes.orderStatus) return false;
  const last = opts.fresh ? undefined : await lastStatus(ctx, orderKey);
  const paid = Math.round(s.paidKopecks) / 100;
  if (last && last.orderStatus === s.orderStatus && last.paymentStatus === s.paymentStatus && Math.abs(last.paidAmount - paid) < 0.005) return false;
  let period = new Date(Math.floor(ctx.now().getTime() / 1000) * 1000);
  if (last?.period && last.period.getTime() >= period.getTime()) period = new Date(last.period.getTime() + 1000);
  for (let i = 0; ; i++) {
    try {
      await ctx.create(ctx.writeSet('orderStatus'), ctx.profile.build.orderStatusRecord({ orderKey, period, orderStatus: s.orderStatus, paymentStatus: s.paymentStatus, paidAmount: paid, comment: s.comment }));
      return true;
    } catch (e) {
      // Same second as a record written meanwhile (or by our own lost attempt): the next second.
      if (isDuplicate(e) && i < 3) {
        period = new Date(period.getTime() + 1000);
        continue;
      }
      throw e;
    }
  }
}

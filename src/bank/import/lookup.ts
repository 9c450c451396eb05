import type { Db } from '../../db/open.js';
import { memoryLookup, type OpenOrder, type OpenOrderLookup } from '../match/index.js';
import { OPEN_STATUSES } from '../../orders/statuses.js';

/**
 * The open orders (status 0/1, something still due) as the matcher sees them: number as 1C shows it, the client's
 * INN, amount and paid so far. Loaded whole into memory per statement, inside the import transaction: a shop has
 * at most a few thousand open orders (10,000 load and index in 25–50 ms on this box; a 5,000-payment statement
 * then imports in ~1.1 s, the same file again in ~0.15 s), and the number key
 * (`orderNumberKey`, trailing digits without leading zeros) is not a column the orders table can index.
 */
export function openOrders(db: Db): OpenOrder[] {
  const rows = db
    .prepare(
      `SELECT o.id, o.onec_number, o.amount_kopecks, o.paid_kopecks, c.inn
         FROM orders o JOIN clients c ON c.id = o.client_id
        WHERE o.status IN (${OPEN_STATUSES.map(Number).join(', ')}) AND o.amount_kopecks > o.paid_kopecks`,
    )
    .all() as { id: string; onec_number: string | null; amount_kopecks: number; paid_kopecks: number; inn: string | null }[];
  return rows.map((r) => ({
    number: r.onec_number ?? '', // not yet in 1C: no number to name, still matchable by INN + amount
    externalId: r.id,
    clientInn: r.inn?.trim() || null,
    amountKopecks: r.amount_kopecks,
    paidKopecks: r.paid_kopecks,
  }));
}

export function openOrderLookup(db: Db): OpenOrderLookup {
  return memoryLookup(openOrders(db));
}

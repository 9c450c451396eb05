import { matchPayment, type MatchResult, type OpenOrder, type OpenOrderLookup } from './match/index.js';
import { paymentKey } from './match/identity.js';
import type { Statement, StatementDocument } from './parse/index.js';

export * from './parse/index.js';
export * from './match/index.js';

/**
 * The pure middle of an import: parse → plan → record. `planImport` decides, for every incoming document, its
 * identity key and its match; an importer (src/bank/import, later) records each plan item in ONE transaction
 * (payment row with UNIQUE(key) → skip if present; matched → enqueue the 1C payment document + order status via
 * the outbox; ambiguous/unmatched → the unmatched queue). Nothing here touches the database.
 */
export interface ImportPlanItem {
  key: string;
  document: StatementDocument;
  match: MatchResult;
}

export function planImport(statement: Statement, lookup: OpenOrderLookup): ImportPlanItem[] {
  const out: ImportPlanItem[] = [];
  const seen = new Set<string>();
  // Money matched earlier in the same file counts as paid for later documents: two payments of one invoice's
  // amount must not both land on it as "full".
  const planned = new Map<string, number>();
  const adjust = (orders: readonly OpenOrder[]) =>
    orders
      .map((o) => (planned.has(o.externalId) ? { ...o, paidKopecks: o.paidKopecks + planned.get(o.externalId)! } : o))
      .filter((o) => o.amountKopecks - o.paidKopecks > 0);
  const view: OpenOrderLookup = {
    byNumberKey: (k) => adjust(lookup.byNumberKey(k)),
    byClientInn: (i) => adjust(lookup.byClientInn(i)),
  };
  for (const d of statement.documents) {
    if (d.direction !== 'incoming') continue;
    const key = paymentKey(d);
    if (seen.has(key)) continue; // per-day sections can repeat a document inside one file
    seen.add(key);
    const match = matchPayment(d, view);
    if (match.kind === 'matched') {
      planned.set(match.order.externalId, (planned.get(match.order.externalId) ?? 0) + d.amountKopecks);
    }
    out.push({ key, document: d, match });
  }
  return out;
}

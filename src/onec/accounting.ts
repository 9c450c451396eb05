import type { ODataClient } from './client.js';
import { readAll } from './read.js';
import type { Profile, ReadSpec } from './profiles/index.js';
import { bpClientBalanceOf, bpClientBalanceParams, bpSettlementAccounts } from './profiles/bp.js';

/**
 * A buyer's balance kept in an accounting register (БП 3.0: AccountingRegister_Хозрасчетный on 62.01 / 62.02 by
 * subconto Контрагенты), read in two steps as the stock is (catalog/stock-accounting.ts): the base's chart of accounts
 * and subconto kinds (profile reads `chartOfAccounts`, `subcontoKind`), then one Balance with AccountCondition on the
 * settlement accounts, Condition on the buyer and ExtraDimensions Контрагенты (profile read `settlementBalance`).
 * An accounting Balance takes no Dimensions, which the delivery's generic balance read sends — hence this reader.
 *
 * null when the profile keeps no settlements in an accounting register (every other profile), or the base's chart
 * has no such accounts or kind; else { debt, prepaid } (net: one of them is 0).
 */
export async function readAccountingClientBalance(onec: ODataClient, profile: Profile, counterpartyKey: string): Promise<{ debt: number; prepaid: number } | null> {
  const reads = profile.reads as Partial<Record<string, ReadSpec>>;
  const spec = reads.settlementBalance;
  if (!spec || spec.kind !== 'balance' || !reads.chartOfAccounts || !reads.subcontoKind) return null;
  const [chart, kinds] = await Promise.all([readAll(onec, reads.chartOfAccounts), readAll(onec, reads.subcontoKind)]);
  const p = bpClientBalanceParams(bpSettlementAccounts(chart), kinds, counterpartyKey);
  if (!p) return null;
  const rows = await onec.balance(spec.register, { accountCondition: p.AccountCondition, condition: p.Condition, extraDimensions: [p.ExtraDimensions] }, { select: spec.select });
  return bpClientBalanceOf(rows);
}

/** Whether a profile's client balance is read by readAccountingClientBalance (the delivery's dispatch). */
export const hasAccountingSettlements = (profile: Profile): boolean => (profile.reads as Partial<Record<string, ReadSpec>>).settlementBalance?.kind === 'balance';

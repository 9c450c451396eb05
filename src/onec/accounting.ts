import type { ODataClient } from './client.js';
import { readAll } from './read.js';
import type { Profile, ReadSpec, Row } from './profiles/index.js';
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
/**
 * The base's chart of accounts and subconto kinds (profile reads `chartOfAccounts`, ~500 rows, and `subcontoKind`,
 * ~70): what both the stock (catalog/stock-accounting.ts) and a buyer's balance are read by. Kept 10 minutes per
 * client: a chart changes when an accountant adds a subaccount, and re-reading ~570 rows for every client lookup
 * (a balance refresh at most once a minute per client) would cost more than the balance itself.
 */
const CHART_TTL_MS = 10 * 60_000;
const charts = new WeakMap<ODataClient, { at: number; setup: Promise<{ chart: Row[]; kinds: Row[] }> }>();
export function accountingSetup(onec: ODataClient, profile: Profile): Promise<{ chart: Row[]; kinds: Row[] }> | null {
  const reads = profile.reads as Partial<Record<string, ReadSpec>>;
  if (!reads.chartOfAccounts || !reads.subcontoKind) return null;
  const kept = charts.get(onec);
  if (kept && Date.now() - kept.at < CHART_TTL_MS) return kept.setup;
  const setup = Promise.all([readAll(onec, reads.chartOfAccounts), readAll(onec, reads.subcontoKind)]).then(([chart, kinds]) => ({ chart, kinds }));
  charts.set(onec, { at: Date.now(), setup });
  setup.catch(() => charts.delete(onec));
  return setup;
}

export async function readAccountingClientBalance(onec: ODataClient, profile: Profile, counterpartyKey: string): Promise<{ debt: number; prepaid: number } | null> {
  const reads = profile.reads as Partial<Record<string, ReadSpec>>;
  const spec = reads.settlementBalance;
  const setup = spec?.kind === 'balance' ? accountingSetup(onec, profile) : null;
  if (!spec || spec.kind !== 'balance' || !setup) return null;
  const { chart, kinds } = await setup;
  const p = bpClientBalanceParams(bpSettlementAccounts(chart), kinds, counterpartyKey);
  if (!p) return null;
  const rows = await onec.balance(spec.register, { accountCondition: p.AccountCondition, condition: p.Condition, extraDimensions: [p.ExtraDimensions] }, { select: spec.select });
  return bpClientBalanceOf(rows);
}

/** Whether a profile's client balance is read by readAccountingClientBalance (the delivery's dispatch). */
export const hasAccountingSettlements = (profile: Profile): boolean => (profile.reads as Partial<Record<string, ReadSpec>>).settlementBalance?.kind === 'balance';

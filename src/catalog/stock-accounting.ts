import type { Logger } from '../log.js';
import type { ODataClient } from '../onec/client.js';
import { accountingSetup } from '../onec/accounting.js';
import type { Profile, ReadSpec } from '../onec/profiles/index.js';
import { bpStockAccounts, bpStockBalanceParams, bpStockOf } from '../onec/profiles/bp.js';
import type { Row } from '../onec/values.js';

/**
 * Stock kept in an accounting register (БП 3.0: AccountingRegister_Хозрасчетный on 41.01 and its subaccounts by
 * subconto Номенклатура, Склады), read in two steps:
 *
 * 1. the base's chart of accounts (profile read `chartOfAccounts`: ~500 rows) and the subconto kinds (`subcontoKind`: ~70):
 *    which accounts hold goods by item and warehouse (bpStockAccounts: the base's own subconto setup, as БП's stock
 *    queries choose them), which kind refs stand for Номенклатура and Склады — the accounts' subconto are not fixed by
 *    the metadata (MAP.md), so nothing here is assumed from the configuration;
 * 2. one Balance(AccountCondition, ExtraDimensions) on those accounts (profile read `stock`), ExtDimension1 = the
 *    item, ExtDimension2 = the warehouse whatever the account's own order.
 *
 * The Balance is not cut by warehouse: a Condition on a subconto (ExtDimension2) is compared through cast() in the
 * vendor chapter (17.4 lines 1300-1304) and its wire form for a list of warehouses is in no material we have; a БП
 * base's goods × warehouses stay far under one answer's VIRTUAL_ROWS in the bases БП is used for. When the accounts
 * make the URL too long (a chart with many subaccounts of 41.01), the account list is halved.
 *
 * Returns the Balance rows of known warehouses that bpStockOf maps (the profile's toStock), ready for the sync's
 * stockSplit. Reserve: none (БП reserves nothing).
 */
export async function readAccountingStock(onec: ODataClient, profile: Profile, storeIds: string[], log?: Logger): Promise<Row[]> {
  const reads = profile.reads as Partial<Record<string, ReadSpec>>;
  const spec = reads.stock;
  const setup = spec?.kind === 'balance' ? accountingSetup(onec, profile) : null;
  if (!spec || spec.kind !== 'balance' || !setup) return [];
  const { chart, kinds } = await setup;
  const accounts = bpStockAccounts(chart, kinds);
  const params = bpStockBalanceParams(accounts, kinds);
  if (!params) {
    log?.warn({ chartRows: chart.length }, 'stock: no account of the chart keeps subconto Номенклатура and Склады (no warehouse accounting in the base?): no stock is read');
    return [];
  }
  const [itemKind, warehouseKind] = params.ExtraDimensions.split(',');
  const stores = new Set(storeIds);
  const rows = await balanceOf(onec, spec, accounts, [itemKind, warehouseKind]);
  return rows.filter((r) => {
    const s = bpStockOf(r);
    return s !== null && stores.has(s.warehouseId);
  });
}

async function balanceOf(onec: ODataClient, spec: Extract<ReadSpec, { kind: 'balance' }>, accounts: string[], kinds: string[]): Promise<Row[]> {
  const p = { accountCondition: accounts.map((a) => `Account_Key eq guid'${a}'`).join(' or '), extraDimensions: kinds };
  const o = { select: spec.select, raw: true };
  if (accounts.length > 1 && onec.virtualUrl('Balance', spec.register, p, o).length > onec.maxUrlLength) {
    const half = Math.ceil(accounts.length / 2);
    return (await balanceOf(onec, spec, accounts.slice(0, half), kinds)).concat(await balanceOf(onec, spec, accounts.slice(half), kinds));
  }
  return onec.balance(spec.register, p, o);
}

/** The sync's dispatch: a profile whose stock is an accounting register's balance. */
export const isAccountingStock = (spec: ReadSpec | undefined): boolean => spec?.kind === 'balance' && spec.register.startsWith('AccountingRegister_');

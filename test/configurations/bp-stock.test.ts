import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoFor, type ConfiguredDemoBase } from '../../src/emulator/demo/configurations.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { bpStockAccounts, bpStockBalanceParams, bpStockOf, BP_STOCK_SETS } from '../../src/onec/profiles/bp.js';
import { DUMPS, haveDump } from './harness.js';

/**
 * БП 3.0 stock in the demo base generated into the real dump: 41.01 ТоварыНаСкладах gets the subconto kinds
 * Номенклатура, Склады (a base with warehouse accounting), goods are taken on by posted ОприходованиеТоваров
 * (Дт 41.01 Кт 91.01), and AccountingRegister_Хозрасчетный/Balance gives the quantity per item and warehouse.
 */
const FOLDER = 'bp-3.0.198-xml';
const HAVE = haveDump(FOLDER);
if (!HAVE) console.warn(`test/configurations/bp-stock: ${DUMPS}/${FOLDER} is absent — skipped`);

describe.skipIf(!HAVE)('БП 3.0.198 demo stock on 41.01', () => {
  let base: ConfiguredDemoBase;
  let em: Emulator;
  const ref = (set: string, name: string) => base.config.sets.find((s) => s.name === set)!.predefined!.find((p) => p.name === name)!.ref;
  beforeAll(async () => {
    base = generateDemoFor({ items: 40, seed: 'bp-stock', configuration: { dump: join(DUMPS, FOLDER), extension: false } });
    em = await startEmulator({ base });
  }, 120_000);
  afterAll(async () => {
    await em?.close();
  });

  const get = async (path: string) => {
    const r = await fetch(`${em.url}/${encodeURI(path).replace(/'/g, '%27')}${path.includes('?') ? '&' : '?'}$format=json`);
    return { status: r.status, body: (await r.json()) as any };
  };

  it('41.01 carries the subconto kinds Номенклатура, Склады in the chart the base publishes', async () => {
    const a = await get(`ChartOfAccounts_Хозрасчетный?$filter=Code eq '41.01'&$select=Ref_Key,Code,ExtDimensionTypes`);
    expect(a.status).toBe(200);
    const kinds = 'ChartOfCharacteristicTypes_ВидыСубконтоХозрасчетные';
    expect(a.body.value[0].ExtDimensionTypes.map((t: any) => t.ExtDimensionType_Key)).toEqual([ref(kinds, 'Номенклатура'), ref(kinds, 'Склады')]);
  });

  it('Balance on 41.01 by Номенклатура and Склады is the quantity taken on per warehouse', async () => {
    const account = ref('ChartOfAccounts_Хозрасчетный', 'ТоварыНаСкладах');
    const kinds = 'ChartOfCharacteristicTypes_ВидыСубконтоХозрасчетные';
    const r = await get(
      `AccountingRegister_Хозрасчетный/Balance(AccountCondition='Account_Key eq guid'${account}'',ExtraDimensions='${ref(kinds, 'Номенклатура')},${ref(kinds, 'Склады')}')?$select=ExtDimension1,ExtDimension2,КоличествоBalance`,
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const expected = new Map<string, number>();
    for (const rec of base.rows['AccountingRegister_Хозрасчетный']) {
      expect(rec).toMatchObject({ AccountDr_Key: account, AccountCr_Key: ref('ChartOfAccounts_Хозрасчетный', 'ПрочиеДоходы'), Recorder_Type: 'StandardODATA.Document_ОприходованиеТоваров' });
      const k = `${rec.ExtDimensionDr1}/${rec.ExtDimensionDr2}`;
      expected.set(k, (expected.get(k) ?? 0) + Number(rec.КоличествоDr));
    }
    expect(expected.size).toBeGreaterThan(40);
    const got = new Map<string, number>(r.body.value.map((v: any) => [`${v.ExtDimension1}/${v.ExtDimension2}`, v.КоличествоBalance]));
    expect(got).toEqual(expected);
    // Every warehouse of the demo holds stock.
    expect(new Set(r.body.value.map((v: any) => v.ExtDimension2)).size).toBe(base.refs.warehouses.length);
  });

  it('the profile\'s stock query: 41.01 and its subaccounts from the chart, subconto kinds by name, rows → stock', async () => {
    const chart = (await get(`${BP_STOCK_SETS.chart}?$select=Ref_Key,Parent_Key,PredefinedDataName`)).body.value;
    const kinds = (await get(`${BP_STOCK_SETS.kinds}?$select=Ref_Key,PredefinedDataName`)).body.value;
    const accounts = bpStockAccounts(chart);
    expect(accounts).toEqual([ref('ChartOfAccounts_Хозрасчетный', 'ТоварыНаСкладах')]);
    const p = bpStockBalanceParams(accounts, kinds)!;
    const r = await get(`${BP_STOCK_SETS.register}/Balance(AccountCondition='${p.AccountCondition}',ExtraDimensions='${p.ExtraDimensions}')`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const stock = r.body.value.map(bpStockOf);
    expect(stock.every((x: unknown) => x !== null)).toBe(true);
    const total = (list: { onHand: number }[]) => Math.round(list.reduce((s, x) => s + x.onHand, 0));
    expect(total(stock)).toBe(Math.round(base.rows['AccountingRegister_Хозрасчетный'].reduce((s, x) => s + Number(x.КоличествоDr), 0)));
    expect(new Set(stock.map((x: any) => x.itemId)).size).toBeGreaterThan(30);
    // A row without the warehouse subconto is no stock at a warehouse.
    expect(bpStockOf({ ExtDimension1: stock[0].itemId, ExtDimension1_Type: 'StandardODATA.Catalog_Номенклатура', ExtDimension2: '', ExtDimension2_Type: 'StandardODATA.Undefined', КоличествоBalance: 3 })).toBeNull();
  });
});

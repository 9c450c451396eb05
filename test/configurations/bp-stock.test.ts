import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoFor, type ConfiguredDemoBase } from '../../src/emulator/demo/configurations.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { bpStockAccounts, bpStockBalanceParams, bpStockOf, BP_STOCK_SETS } from '../../src/onec/profiles/bp.js';
import { boot, DUMPS, haveDump, type Booted } from './harness.js';
import { readAccountingClientBalance } from '../../src/onec/accounting.js';
import { bpClientBalanceOf } from '../../src/onec/profiles/bp.js';

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
  const receipts = () => base.rows['AccountingRegister_Хозрасчетный'].filter((r) => r.Recorder_Type === 'StandardODATA.Document_ОприходованиеТоваров');
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
    // The goods taken on (the demo's other entries are settlements: the buyer's advance).
    for (const rec of receipts()) {
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

  it('the profile\'s stock query: the accounts the base keeps by Номенклатура and Склады, subconto kinds by name, rows → stock', async () => {
    const chart = (await get(`${BP_STOCK_SETS.chart}?$select=Ref_Key,Parent_Key,PredefinedDataName,ExtDimensionTypes/ExtDimensionType_Key`)).body.value;
    const kinds = (await get(`${BP_STOCK_SETS.kinds}?$select=Ref_Key,PredefinedDataName`)).body.value;
    const accounts = bpStockAccounts(chart, kinds);
    // The demo base keeps only 41.01 by item and warehouse (the dump's chart gives no account these subconto).
    expect(accounts).toEqual([ref('ChartOfAccounts_Хозрасчетный', 'ТоварыНаСкладах')]);
    const p = bpStockBalanceParams(accounts, kinds)!;
    const r = await get(`${BP_STOCK_SETS.register}/Balance(AccountCondition='${p.AccountCondition}',ExtraDimensions='${p.ExtraDimensions}')`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const stock = r.body.value.map(bpStockOf);
    expect(stock.every((x: unknown) => x !== null)).toBe(true);
    const total = (list: { onHand: number }[]) => Math.round(list.reduce((s, x) => s + x.onHand, 0));
    expect(total(stock)).toBe(Math.round(receipts().reduce((s, x) => s + Number(x.КоличествоDr), 0)));
    expect(new Set(stock.map((x: any) => x.itemId)).size).toBeGreaterThan(30);
    // A row without the warehouse subconto is no stock at a warehouse.
    expect(bpStockOf({ ExtDimension1: stock[0].itemId, ExtDimension1_Type: 'StandardODATA.Catalog_Номенклатура', ExtDimension2: '', ExtDimension2_Type: 'StandardODATA.Undefined', КоличествоBalance: 3 })).toBeNull();
  });

  it('a base that keeps 41.02, 43 and a subaccount of 41.01 by item and warehouse has stock there too; 41.12, 45 never', async () => {
    const kinds = (await get(`${BP_STOCK_SETS.kinds}?$select=Ref_Key,PredefinedDataName`)).body.value;
    const k = (name: string) => kinds.find((x: any) => x.PredefinedDataName === name).Ref_Key;
    const A = 'ChartOfAccounts_Хозрасчетный';
    const both = [{ ExtDimensionType_Key: k('Номенклатура') }, { ExtDimensionType_Key: k('Склады') }];
    const chart = (await get(`${A}?$select=Ref_Key,Parent_Key,PredefinedDataName,ExtDimensionTypes/ExtDimensionType_Key`)).body.value.map((r: any) =>
      ['ТоварыВРозничнойТорговле', 'ГотоваяПродукция', 'ТоварыВРозничнойТорговлеВПродажныхЦенахНТТ', 'ПокупныеТоварыОтгруженные'].includes(r.PredefinedDataName)
        ? { ...r, ExtDimensionTypes: both }
        : r.PredefinedDataName === 'РасчетыСПокупателями'
          ? { ...r, ExtDimensionTypes: [{ ExtDimensionType_Key: k('Контрагенты') }] }
          : r,
    );
    const sub = { Ref_Key: '11111111-2222-4333-8444-555555555555', Parent_Key: ref(A, 'ТоварыНаСкладах'), PredefinedDataName: '', ExtDimensionTypes: [...both, { ExtDimensionType_Key: k('Партии') }] };
    const got = bpStockAccounts([...chart, sub], kinds);
    expect(new Set(got)).toEqual(new Set([ref(A, 'ТоварыНаСкладах'), ref(A, 'ТоварыВРозничнойТорговле'), ref(A, 'ГотоваяПродукция'), sub.Ref_Key]));
    // Without the warehouse kind in the base, no account qualifies.
    expect(bpStockAccounts(chart, kinds.filter((x: any) => x.PredefinedDataName !== 'Склады'))).toEqual([]);
  });
});

/**
 * The same stock through ReGate: the sync reads the base's chart of accounts, then Balance(AccountCondition,
 * ExtraDimensions) (src/catalog/stock-accounting.ts), the assortment shows it per warehouse, a booking is checked
 * against it, and a stock sync follows a changed record set.
 */
describe.skipIf(!HAVE)('БП 3.0.198 stock through the API', () => {
  let b: Booted;
  const balance = () => {
    const acc = b.base.config.sets.find((s) => s.name === 'ChartOfAccounts_Хозрасчетный')!.predefined!.find((p) => p.name === 'ТоварыНаСкладах')!.ref;
    const m = new Map<string, number>();
    for (const r of b.em.store.records('AccountingRegister_Хозрасчетный')) {
      for (const side of ['Dr', 'Cr'] as const) {
        if (r[`Account${side}_Key`] !== acc) continue;
        const k = `${r[`ExtDimension${side}1`]}/${r[`ExtDimension${side}2`]}`;
        m.set(k, (m.get(k) ?? 0) + (side === 'Dr' ? 1 : -1) * Number(r[`Количество${side}`]));
      }
    }
    return m;
  };
  const page = async (store: string) => (await b.api('GET', `assortment?store=${store}&pageSize=500`)).body.items as any[];
  beforeAll(async () => {
    b = await boot(FOLDER, { extension: false });
  }, 120_000);
  afterAll(async () => {
    await b?.stop();
  });

  it('the assortment carries the 41.01 balance per item and warehouse; services stay «под заказ»', async () => {
    const expected = balance();
    let shown = 0;
    for (const store of b.base.refs.warehouses) {
      for (const it of await page(store)) {
        const row = b.em.store.get('Catalog_Номенклатура', it.id)!;
        if (row.Услуга === true) {
          expect(it.stock).toBe('без ограничения');
          continue;
        }
        expect(it.stock, `${it.name} at ${store}`).toBe(expected.get(`${it.id}/${store}`) ?? 0);
        if (it.stock > 0) shown++;
      }
    }
    expect(shown).toBe([...expected.values()].filter((q) => q > 0).length);
    expect(shown).toBeGreaterThan(40);
  });

  it('a booking is checked against that stock', async () => {
    const store = b.base.refs.warehouses[0];
    const items = (await page(store)).filter((i) => typeof i.stock === 'number' && i.stock > 0 && i.price > 0);
    const [a, c] = items;
    expect(a && c).toBeTruthy();
    const client = await b.api('POST', 'client', { clientId: 'C-S', name: 'ИП Склад', inn: '500100732259' });
    expect(client.status, JSON.stringify(client.body)).toBeLessThan(300);
    const over = await b.api('POST', 'booking', { orderId: 'S-1', clientId: 'C-S', store, deliveryAddress: 'Москва', items: [{ itemId: a.id, quantity: a.stock + 1 }] });
    expect(over.status, JSON.stringify(over.body)).toBe(422);
    expect(JSON.stringify(over.body)).toContain(`на складе только ${a.stock}`);
    const ok = await b.api('POST', 'booking', { orderId: 'S-2', clientId: 'C-S', store, deliveryAddress: 'Москва', items: [{ itemId: c.id, quantity: c.stock }] });
    expect(ok.status, JSON.stringify(ok.body)).toBeLessThan(300);
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    expect(b.dead()).toEqual([]);
  });

  it('a buyer\'s balance: 62.02 by subconto Контрагенты after the chart (the demo\'s first buyer paid 15 000 ahead)', async () => {
    const buyer = b.em.store.list('Catalog_Контрагенты').find((c) => c.Code === '00-0000001')!;
    const other = b.em.store.list('Catalog_Контрагенты').find((c) => c.Code === '00-0000002')!;
    const requests = b.rt.onec.stats.total;
    expect(await readAccountingClientBalance(b.rt.onec, b.rt.profile, String(buyer.Ref_Key))).toEqual({ debt: 0, prepaid: 15000 });
    // One Balance: the chart and the subconto kinds the stock sync read with this client are kept (accountingSetup).
    expect(b.rt.onec.stats.total - requests).toBe(1);
    expect(await readAccountingClientBalance(b.rt.onec, b.rt.profile, String(other.Ref_Key))).toEqual({ debt: 0, prepaid: 0 });
    // The advance entry as БП writes it: Дт 51 by the bank account, Кт 62.02 by Контрагенты, Договоры.
    const entry = b.em.store.records('AccountingRegister_Хозрасчетный').find((r) => r.Recorder_Type === 'StandardODATA.Document_ПоступлениеНаРасчетныйСчет')!;
    expect(entry).toMatchObject({ ExtDimensionCr1: buyer.Ref_Key, Сумма: 15000 });
    // Debit on 62.01 is debt, credit on 62.02 an advance; they net.
    expect(bpClientBalanceOf([{ СуммаBalance: 1200 }, { СуммаBalance: -200 }])).toEqual({ debt: 1000, prepaid: 0 });
    expect(bpClientBalanceOf([{ СуммаBalance: 100 }, { СуммаBalance: -300.5 }])).toEqual({ debt: 0, prepaid: 200.5 });
  });

  it('a bank payment repays the buyer\'s debt on 62.01 first and the rest is an advance on 62.02', async () => {
    const buyer = b.em.store.list('Catalog_Контрагенты').find((c) => c.Code === '00-0000003')!;
    const contract = b.em.store.list('Catalog_ДоговорыКонтрагентов').find((c) => c.Owner_Key === buyer.Ref_Key)!;
    const A = (name: string) => b.em.store.list('ChartOfAccounts_Хозрасчетный').find((a) => a.PredefinedDataName === name)!.Ref_Key;
    // A sale the accountant posted: Дт 62.01 Кт 90.01.1, 1 000 owed (its record set written as the vendor chapter allows).
    const sale = await b.rt.onec.create('Document_РеализацияТоваровУслуг', { Date: new Date('2026-11-20T10:00:00Z'), Организация_Key: b.base.refs.organisation, Контрагент_Key: buyer.Ref_Key, ДоговорКонтрагента_Key: contract.Ref_Key, СуммаДокумента: 1000 });
    const key = `AccountingRegister_Хозрасчетный(Recorder='${sale.Ref_Key}',Recorder_Type='StandardODATA.Document_РеализацияТоваровУслуг')`;
    const u = (p: string) => encodeURI(p).replace(/'/g, '%27');
    const rec = { Period: '2026-11-20T10:00:00', AccountDr_Key: A('РасчетыСПокупателями'), AccountCr_Key: A('ВыручкаНеЕНВД'), Организация_Key: b.base.refs.organisation, Сумма: 1000, Содержание: 'Реализация', ExtDimensionDr1: buyer.Ref_Key, ExtDimensionDr1_Type: 'StandardODATA.Catalog_Контрагенты', ExtDimensionDr2: contract.Ref_Key, ExtDimensionDr2_Type: 'StandardODATA.Catalog_ДоговорыКонтрагентов' };
    const res = await fetch(`${b.em.url}/${u(key)}?$format=json`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ Recorder: sale.Ref_Key, Recorder_Type: 'StandardODATA.Document_РеализацияТоваровУслуг', RecordSet: [rec] }) });
    expect(res.status, await res.text()).toBe(200);
    expect(await readAccountingClientBalance(b.rt.onec, b.rt.profile, String(buyer.Ref_Key))).toEqual({ debt: 1000, prepaid: 0 });
    // The buyer pays 1 500 by bank.
    const pay = await b.rt.onec.create('Document_ПоступлениеНаРасчетныйСчет', {
      Date: new Date('2026-11-21T10:00:00Z'), ВидОперации: 'ОплатаПокупателя', Организация_Key: b.base.refs.organisation, СчетОрганизации_Key: b.base.refs.bankAccount, Контрагент: buyer.Ref_Key, Контрагент_Type: 'StandardODATA.Catalog_Контрагенты',
      ВалютаДокумента_Key: b.base.refs.currency, СуммаДокумента: 1500, НомерВходящегоДокумента: '77', ДатаВходящегоДокумента: new Date('2026-11-21T00:00:00Z'),
      РасшифровкаПлатежа: [{ LineNumber: 1, СпособПогашенияЗадолженности: 'Автоматически', СуммаПлатежа: 1500, КурсВзаиморасчетов: 1, КратностьВзаиморасчетов: 1, СуммаВзаиморасчетов: 1500 }],
    });
    await b.rt.onec.post('Document_ПоступлениеНаРасчетныйСчет', String(pay.Ref_Key));
    const entries = b.em.store.records('AccountingRegister_Хозрасчетный').filter((r) => r.Recorder === pay.Ref_Key);
    expect(entries.map((e) => [e.AccountCr_Key, e.Сумма])).toEqual([[A('РасчетыСПокупателями'), 1000], [A('РасчетыПоАвансамПолученным'), 500]]);
    expect(await readAccountingClientBalance(b.rt.onec, b.rt.profile, String(buyer.Ref_Key))).toEqual({ debt: 0, prepaid: 500 });
    // Unposted, its entries go: the debt is back.
    await b.rt.onec.unpost('Document_ПоступлениеНаРасчетныйСчет', String(pay.Ref_Key));
    expect(await readAccountingClientBalance(b.rt.onec, b.rt.profile, String(buyer.Ref_Key))).toEqual({ debt: 1000, prepaid: 0 });
  });

  it('a stock sync follows a record set the accountant changed', async () => {
    const reg = 'AccountingRegister_Хозрасчетный';
    const rec = b.em.store.records(reg)[0];
    const item = String(rec.ExtDimensionDr1);
    const store = String(rec.ExtDimensionDr2);
    const recorder = String(rec.Recorder);
    const key = `${reg}(Recorder='${recorder}',Recorder_Type='StandardODATA.Document_ОприходованиеТоваров')`;
    const u = (p: string) => encodeURI(p).replace(/'/g, '%27');
    const got = (await (await fetch(`${b.em.url}/${u(key)}?$format=json`)).json()) as any;
    const set = got.RecordSet.map((r: any) => (r.ExtDimensionDr1 === item && r.ExtDimensionDr2 === store ? { ...r, КоличествоDr: Number(r.КоличествоDr) + 7 } : r));
    const res = await fetch(`${b.em.url}/${u(key)}?$format=json`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ Recorder: recorder, Recorder_Type: 'StandardODATA.Document_ОприходованиеТоваров', RecordSet: set }) });
    expect(res.status).toBe(200);
    const before = (await page(store)).find((i) => i.id === item)!.stock as number;
    const { runStockSync } = await import('../../src/catalog/sync.js');
    const rep = await runStockSync({ ...b.rt, profile: b.rt.profile });
    expect(rep.stockRows).toBe([...balance().entries()].filter(([k, q]) => q !== 0 && b.base.refs.warehouses.includes(k.split('/')[1])).length);
    expect((await page(store)).find((i) => i.id === item)!.stock).toBe(before + 7);
    expect(balance().get(`${item}/${store}`)).toBe(before + 7);
  });
});

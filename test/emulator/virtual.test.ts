import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { G, getJson, startTest, u } from './fixture.js';

let em: Emulator;
beforeAll(async () => {
  em = await startTest();
  // A sale on 2026-01-20: 3 of item1 from wh1 (Expense), so balances differ before and after.
  em.store.writeRecords('AccumulationRegister_ТоварыНаСкладах', G.order1, [
    { Period: '2026-01-20T12:00:00', RecordType: 'Expense', Номенклатура_Key: G.item1, Склад_Key: G.wh1, ВНаличии: 3 },
  ]);
  em.store.writeRecords('AccumulationRegister_Продажи', G.order1, [
    { Period: '2026-01-20T12:00:00', Номенклатура_Key: G.item1, Сумма: 300 },
    { Period: '2026-02-20T12:00:00', Номенклатура_Key: G.item1, Сумма: 100 },
  ]);
});
afterAll(() => em.close());

const byItem = (rows: any[]) => Object.fromEntries(rows.map((r) => [`${r.Номенклатура_Key}/${r.Склад_Key ?? ''}`, r]));

describe('virtual tables', () => {
  it('Balance with Period, an undoubled-quote Condition, Dimensions; resources suffixed Balance', async () => {
    const all = await getJson(em, u('AccumulationRegister_ТоварыНаСкладах/Balance()'));
    expect(all.status).toBe(200);
    expect(all.body['odata.metadata']).toContain('#AccumulationRegister_ТоварыНаСкладах_Balance');
    const m = byItem(all.body.value);
    expect(m[`${G.item1}/${G.wh1}`].ВНаличииBalance).toBe(7);
    expect(m[`${G.item1}/${G.wh2}`].ВНаличииBalance).toBe(7);
    expect(m[`${G.item2}/${G.wh1}`].ВНаличииBalance).toBe(5);
    const before = await getJson(em, u(`AccumulationRegister_ТоварыНаСкладах/Balance(Period=datetime'2026-01-20T00:00:00',Condition='Склад_Key eq guid'${G.wh1}'')`));
    expect(before.status, JSON.stringify(before.body)).toBe(200);
    expect(byItem(before.body.value)[`${G.item1}/${G.wh1}`].ВНаличииBalance).toBe(10);
    expect(before.body.value).toHaveLength(2);
    // The spec's doubled quotes work too.
    const doubled = await getJson(em, u(`AccumulationRegister_ТоварыНаСкладах/Balance(Condition='Склад_Key eq guid''${G.wh2}''')`));
    expect(doubled.body.value).toHaveLength(1);
    const dims = await getJson(em, u(`AccumulationRegister_ТоварыНаСкладах/Balance(Dimensions='Номенклатура')?$orderby=ВНаличииBalance desc&$select=Номенклатура_Key,ВНаличииBalance`));
    expect(dims.body.value).toEqual([
      { Номенклатура_Key: G.item1, ВНаличииBalance: 14 },
      { Номенклатура_Key: G.item2, ВНаличииBalance: 5 },
    ]);
    const filtered = await getJson(em, u(`AccumulationRegister_ТоварыНаСкладах/Balance()?$filter=ВНаличииBalance gt 6 and Склад_Key eq guid'${G.wh2}'`));
    expect(filtered.body.value).toHaveLength(1);
  });

  it('Turnovers with StartPeriod/EndPeriod; Receipt/Expense/Turnover on a balance register, Turnover on a turnovers one', async () => {
    const t = await getJson(em, u(`AccumulationRegister_ТоварыНаСкладах/Turnovers(StartPeriod=datetime'2026-01-10T00:00:00',EndPeriod=datetime'2026-01-31T00:00:00')`));
    expect(t.status).toBe(200);
    expect(t.body.value).toEqual([{ Номенклатура_Key: G.item1, Склад_Key: G.wh1, ВНаличииReceipt: 0, ВНаличииExpense: 3, ВНаличииTurnover: -3 }]);
    const s = await getJson(em, u(`AccumulationRegister_Продажи/Turnovers(StartPeriod=datetime'2026-01-01T00:00:00',EndPeriod=datetime'2026-01-31T23:59:59')`));
    expect(s.body.value).toEqual([{ Номенклатура_Key: G.item1, СуммаTurnover: 300 }]);
    const all = await getJson(em, u('AccumulationRegister_Продажи/Turnovers()'));
    expect(all.body.value[0].СуммаTurnover).toBe(400);
    const bt = await getJson(em, u(`AccumulationRegister_ТоварыНаСкладах/BalanceAndTurnovers(StartPeriod=datetime'2026-01-10T00:00:00',Condition='Склад_Key eq guid'${G.wh1}'')?$filter=Номенклатура_Key eq guid'${G.item1}'`));
    expect(bt.body.value[0]).toMatchObject({ ВНаличииOpeningBalance: 10, ВНаличииExpense: 3, ВНаличииClosingBalance: 7 });
  });

  it('Balance on a turnovers register → 400 code 6; StartDate/EndDate → 501', async () => {
    const r = await getJson(em, u('AccumulationRegister_Продажи/Balance()'));
    expect(r.status).toBe(400);
    expect(r.body['odata.error'].code).toBe('6');
    const d = await getJson(em, u(`AccumulationRegister_Продажи/Turnovers(StartDate=datetime'2026-01-01T00:00:00',EndDate=datetime'2026-02-01T00:00:00')`));
    expect(d.status).toBe(501);
    expect(d.body['odata.error'].message.value).toContain('EndDate');
  });

  it('SliceLast / SliceFirst on a recorder-subordinate register via _RecordType, with Condition', async () => {
    const last = await getJson(em, u(`InformationRegister_ЦеныНоменклатуры25_RecordType/SliceLast(Condition='ВидЦены_Key eq guid'${G.priceKind}'')?$orderby=Цена`));
    expect(last.status, JSON.stringify(last.body)).toBe(200);
    expect(last.body.value.map((r: any) => r.Цена)).toEqual([50, 120]);
    const early = await getJson(em, u(`InformationRegister_ЦеныНоменклатуры25_RecordType/SliceLast(Period=datetime'2026-01-15T00:00:00',Condition='Номенклатура_Key eq guid'${G.item1}'')`));
    expect(early.body.value.map((r: any) => r.Цена)).toEqual([100]);
    const first = await getJson(em, u(`InformationRegister_ЦеныНоменклатуры25/SliceFirst(Condition='Номенклатура_Key eq guid'${G.item1}'')`));
    expect(first.body.value.map((r: any) => r.Цена)).toEqual([100]);
    const none = await getJson(em, u(`InformationRegister_ЦеныНоменклатуры25_RecordType/SliceLast(Period=datetime'2025-01-01T00:00:00')`));
    expect(none.body.value).toEqual([]);
  });

  it('SliceLast on an independent periodic register', async () => {
    em.store.insert('InformationRegister_ReGate_СтатусыЗаказов', { Period: '2026-01-16T00:00:00', Заказ_Key: G.order1, СтатусЗаказа: 3 });
    const r = await getJson(em, u('InformationRegister_ReGate_СтатусыЗаказов/SliceLast()'));
    expect(r.body.value).toHaveLength(1);
    expect(r.body.value[0].СтатусЗаказа).toBe('3');
    const f = await getJson(em, u('InformationRegister_ReGate_СтатусыЗаказов/SliceFirst()'));
    expect(f.body.value[0].СтатусЗаказа).toBe('1');
  });
});

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { publish, readDump } from '../../src/onec/dump/index.js';
import { getJson, u } from './fixture.js';

/**
 * The accounting register and chart of accounts of БП 3.0.198, read from the real dump by our reader and served by
 * the emulator: the record fields of the real AccountingRegister_Хозрасчетный_RecordType (Dr/Cr where Balance is
 * false), the chart with its predefined accounts and their subconto kinds, and Balance computed from records.
 */
const DUMP = resolve(__dirname, '../../../shared/reference/dumps/bp-3.0.198-xml');
const HAVE = existsSync(DUMP);
if (!HAVE) console.warn(`test/emulator/accounting: ${DUMP} is absent — skipped`);

const REG = 'AccountingRegister_Хозрасчетный';
const CHART = 'ChartOfAccounts_Хозрасчетный';
const ITEM_A = '0a000000-0000-4000-8000-00000000000a';
const ITEM_B = '0b000000-0000-4000-8000-00000000000b';
const WH = '0c000000-0000-4000-8000-00000000000c';
const RECEIPT = '0d000000-0000-4000-8000-00000000000d';
const SALE = '0e000000-0000-4000-8000-00000000000e';

describe.skipIf(!HAVE)('БП accounting register and chart of accounts from the real dump', () => {
  let em: Emulator;
  const acct: Record<string, string> = {};
  const kind: Record<string, string> = {};
  beforeAll(async () => {
    const cfg = readDump(DUMP);
    const config = publish(cfg);
    for (const p of config.sets.find((s) => s.name === CHART)!.predefined!) acct[p.code] = p.ref;
    for (const p of cfg.objects.get('ChartOfCharacteristicTypes.ВидыСубконтоХозрасчетные')!.predefined!) kind[p.name] = p.id;
    em = await startEmulator({ base: { config } });
    const ext = (item: string) => ({ ExtDimensionDr1: item, ExtDimensionDr1_Type: 'StandardODATA.Catalog_Номенклатура', ExtDimensionDr2: WH, ExtDimensionDr2_Type: 'StandardODATA.Catalog_Склады' });
    const extCr = (item: string) => ({ ExtDimensionCr1: item, ExtDimensionCr1_Type: 'StandardODATA.Catalog_Номенклатура', ExtDimensionCr2: WH, ExtDimensionCr2_Type: 'StandardODATA.Catalog_Склады' });
    // Goods received on 41.01 (Dr) from a supplier (60.01 Cr): 10 of A, 4 of B.
    em.store.writeRecords(REG, RECEIPT, [
      { Period: '2026-01-10T10:00:00', AccountDr_Key: acct['41.01'], AccountCr_Key: acct['60.01'], КоличествоDr: 10, Сумма: 1000, ...ext(ITEM_A) },
      { Period: '2026-01-10T10:00:00', AccountDr_Key: acct['41.01'], AccountCr_Key: acct['60.01'], КоличествоDr: 4, Сумма: 400, ...ext(ITEM_B) },
    ], 'Document_ПоступлениеТоваровУслуг');
    // 3 of A sold: cost written off 41.01 (Cr) to 90.02 (Dr).
    em.store.writeRecords(REG, SALE, [
      { Period: '2026-01-20T10:00:00', AccountDr_Key: acct['90.02.1'] ?? acct['90.02'], AccountCr_Key: acct['41.01'], КоличествоCr: 3, Сумма: 300, ...extCr(ITEM_A) },
    ], 'Document_РеализацияТоваровУслуг');
  }, 120_000);
  afterAll(async () => {
    await em?.close();
  });

  it('$metadata: the record fields of the real БП $metadata, no declared subconto, the chart and Balance', async () => {
    const res = await fetch(`${em.url}/$metadata`);
    const x = await res.text();
    const rec = x.slice(x.indexOf(`<EntityType Name="${REG}_RecordType"`), x.indexOf('</EntityType>', x.indexOf(`<EntityType Name="${REG}_RecordType"`)));
    const names = [...rec.matchAll(/<Property Name="([^"]+)"/g)].map((m) => m[1]);
    expect(names).toEqual([
      'Recorder', 'Period', 'LineNumber', 'Active', 'AccountDr_Key', 'AccountCr_Key', 'Организация_Key', 'ВалютаDr_Key', 'ВалютаCr_Key',
      'ПодразделениеDr_Key', 'ПодразделениеCr_Key', 'Сумма', 'ВалютнаяСуммаDr', 'ВалютнаяСуммаCr', 'КоличествоDr', 'КоличествоCr', 'СуммаНУDr',
      'СуммаНУCr', 'СуммаПРDr', 'СуммаПРCr', 'СуммаВРDr', 'СуммаВРCr', 'Содержание', 'НеКорректироватьСтоимостьАвтоматически', 'Recorder_Type',
    ]);
    expect(rec).toContain('<NavigationProperty Name="AccountDr"');
    expect(x).toContain(`<EntitySet Name="${CHART}"`);
    expect(x).toMatch(new RegExp(`<FunctionImport Name="Balance"[^>]*ReturnType="Collection\\(StandardODATA.${REG}_Balance\\)"`));
    expect(x).toContain('<Parameter Name="AccountCondition" Type="Edm.String"/>');
  });

  it('the chart: predefined accounts with codes, flags and their subconto kinds from Predefined.xml', async () => {
    const r = await getJson(em, u(`${CHART}?$filter=Code eq '62.01'`));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const a = r.body.value[0];
    expect(a).toMatchObject({ Ref_Key: acct['62.01'], PredefinedDataName: 'РасчетыСПокупателями', Type: 'Active', OffBalance: false, Количественный: false, Predefined: true });
    expect(a.ExtDimensionTypes.map((t: any) => [t.LineNumber, t.ExtDimensionType_Key, t.TurnoversOnly])).toEqual([
      ['1', kind['Контрагенты'], false],
      ['2', kind['Договоры'], false],
    ]);
    // 41.01 is quantitative and, in the metadata, has no subconto kinds (the base sets them: MAP.md).
    const goods = await getJson(em, u(`${CHART}(guid'${acct['41.01']}')`));
    expect(goods.body).toMatchObject({ Code: '41.01', Количественный: true, Parent_Key: acct['41'], ExtDimensionTypes: [] });
  });

  it('records: Dr/Cr values and the subconto as open properties, filterable', async () => {
    const r = await getJson(em, u(`${REG}_RecordType?$filter=AccountDr_Key eq guid'${acct['41.01']}' and ExtDimensionDr1 eq cast(guid'${ITEM_A}', 'Catalog_Номенклатура')`));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.value).toHaveLength(1);
    expect(r.body.value[0]).toMatchObject({ Recorder: RECEIPT, Recorder_Type: 'StandardODATA.Document_ПоступлениеТоваровУслуг', КоличествоDr: 10, КоличествоCr: 0, Сумма: 1000 });
  });

  it('Balance: debit minus credit per account and subconto, with AccountCondition, Condition and Period', async () => {
    const all = await getJson(em, u(`${REG}/Balance(AccountCondition='Account_Key eq guid'${acct['41.01']}'')`));
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    const by = Object.fromEntries(all.body.value.map((v: any) => [v.ExtDimension1, v]));
    expect(Object.keys(by).sort()).toEqual([ITEM_A, ITEM_B]);
    expect(by[ITEM_A]).toMatchObject({ Account_Key: acct['41.01'], ExtDimension1_Type: 'StandardODATA.Catalog_Номенклатура', ExtDimension2: WH, КоличествоBalance: 7, СуммаBalance: 700 });
    expect(by[ITEM_B].КоличествоBalance).toBe(4);
    const one = await getJson(em, u(`${REG}/Balance(Period=datetime'2026-01-15T00:00:00',AccountCondition='Account_Key eq guid'${acct['41.01']}'',Condition='ExtDimension1 eq cast(guid'${ITEM_A}', 'Catalog_Номенклатура')')?$select=ExtDimension1,КоличествоBalance`));
    // A composite's $select brings its _Type along, as for any composite of the engine.
    expect(one.body.value).toEqual([{ ExtDimension1: ITEM_A, ExtDimension1_Type: 'StandardODATA.Catalog_Номенклатура', КоличествоBalance: 10 }]);
    // A bare guid matches no composite value (DIALECT.md).
    const bare = await getJson(em, u(`${REG}/Balance(Condition='ExtDimension1 eq guid'${ITEM_A}'')`));
    expect(bare.body.value).toEqual([]);
    // The supplier's account carries the credit side: 60.01 balance −1400.
    const supplier = await getJson(em, u(`${REG}/Balance(AccountCondition='Account_Key eq guid'${acct['60.01']}'')`));
    expect(supplier.body.value.map((v: any) => v.СуммаBalance)).toEqual([-1400]);
  });

  it('ExtraDimensions orders the subconto by kind, through the account\'s ExtDimensionTypes rows', async () => {
    // Give 41.01 the kinds Номенклатура, Склады as a base does, then ask for Склады first.
    const row = em.store.get(CHART, acct['41.01'])!;
    row.ExtDimensionTypes = [
      { Ref_Key: acct['41.01'], LineNumber: 1, ExtDimensionType_Key: kind['Номенклатура'], Predefined: false, TurnoversOnly: false, Суммовой: true, Валютный: false, Количественный: true },
      { Ref_Key: acct['41.01'], LineNumber: 2, ExtDimensionType_Key: kind['Склады'], Predefined: false, TurnoversOnly: false, Суммовой: true, Валютный: false, Количественный: true },
    ];
    const r = await getJson(em, u(`${REG}/Balance(AccountCondition='Account_Key eq guid'${acct['41.01']}'',ExtraDimensions='${kind['Склады']}')?$select=ExtDimension1,ExtDimension2,КоличествоBalance`));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.value).toEqual([
      { ExtDimension1: WH, ExtDimension1_Type: 'StandardODATA.Catalog_Склады', ExtDimension2: '', ExtDimension2_Type: 'StandardODATA.Undefined', КоличествоBalance: 11 },
    ]);
  });

  it('a record set by its recorder: read, changed and written back whole (vendor chapter 17.4, lines 1524-1600)', async () => {
    const key = `${REG}(Recorder='${SALE}',Recorder_Type='StandardODATA.Document_РеализацияТоваровУслуг')`;
    const got = await getJson(em, u(key));
    expect(got.status, JSON.stringify(got.body)).toBe(200);
    expect(got.body.RecordSet).toHaveLength(1);
    const rec = { ...got.body.RecordSet[0], КоличествоCr: 2, Сумма: 200 };
    const res = await fetch(`${em.url}/${u(key)}?$format=json`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ Recorder: SALE, Recorder_Type: 'StandardODATA.Document_РеализацияТоваровУслуг', RecordSet: [rec] }) });
    expect(res.status).toBe(200);
    const bal = await getJson(em, u(`${REG}/Balance(AccountCondition='Account_Key eq guid'${acct['41.01']}'',Condition='ExtDimension1 eq cast(guid'${ITEM_A}', 'Catalog_Номенклатура')')`));
    expect(bal.body.value.map((v: any) => v.КоличествоBalance)).toEqual([8]);
  });

  it('refuses what it does not serve: other virtual tables, accumulation parameters', async () => {
    const t = await getJson(em, u(`${REG}/Turnovers()`));
    expect(t.status).toBe(400);
    expect(t.body['odata.error'].code).toBe('6');
    const d = await getJson(em, u(`${REG}/Balance(Dimensions='Организация')`));
    expect(d.status).toBe(501);
  });
});

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publish, readDump } from '../../src/onec/dump/index.js';

/**
 * AccountingRegisters/Хозрасчетный.xml and ChartsOfAccounts/Хозрасчетный.xml (+ Ext/Predefined.xml) of the real БП
 * 3.0.198 dump, read by our reader and published as OData sets.
 */
const DUMP = resolve(__dirname, '../../../shared/reference/dumps/bp-3.0.198-xml');
const HAVE = existsSync(DUMP);
if (!HAVE) console.warn(`test/onec-dump/accounting: ${DUMP} is absent — skipped`);

describe.skipIf(!HAVE)('accounting register and chart of accounts of БП 3.0.198', () => {
  it('reads the register: chart, correspondence, Balance flags of dimensions and resources', () => {
    const r = readDump(DUMP).objects.get('AccountingRegister.Хозрасчетный')!;
    expect(r.chartOfAccounts).toBe('ChartOfAccounts.Хозрасчетный');
    expect(r.correspondence).toBe(true);
    expect(r.dimensions!.map((d) => [d.name, d.balance])).toEqual([['Организация', true], ['Валюта', false], ['Подразделение', false]]);
    expect(r.resources!.map((d) => [d.name, d.balance])).toEqual([
      ['Сумма', true], ['ВалютнаяСумма', false], ['Количество', false], ['СуммаНУ', false], ['СуммаПР', false], ['СуммаВР', false],
    ]);
    expect(r.attributes.map((a) => a.name)).toEqual(['Содержание', 'НеКорректироватьСтоимостьАвтоматически']);
  });

  it('reads the chart: subconto kinds, max count, flags, predefined accounts with codes and subconto', () => {
    const cfg = readDump(DUMP);
    const c = cfg.objects.get('ChartOfAccounts.Хозрасчетный')!;
    expect(c.extDimensionTypes).toBe('ChartOfCharacteristicTypes.ВидыСубконтоХозрасчетные');
    expect(c.maxExtDimensionCount).toBe(3);
    expect(c.accountingFlags!.map((f) => f.name)).toEqual(['Валютный', 'Количественный', 'УчетПоПодразделениям', 'НалоговыйУчет']);
    expect(c.extDimensionAccountingFlags!.map((f) => f.name)).toEqual(['Суммовой', 'Валютный', 'Количественный']);
    const byCode = new Map(c.predefined!.map((p) => [p.code, p]));
    expect(byCode.get('41.01')).toMatchObject({ name: 'ТоварыНаСкладах', parent: 'Товары', accountType: 'Active', flags: { Количественный: true }, extDimensionTypes: [] });
    expect(byCode.get('62.01')!.extDimensionTypes!.map((e) => e.name)).toEqual(['Контрагенты', 'Договоры']);
    expect(byCode.get('51')!.extDimensionTypes!.map((e) => e.name)[0]).toBe('БанковскиеСчета');
    // The subconto kinds' own value types (ChartsOfCharacteristicTypes/ВидыСубконтоХозрасчетные/Ext/Predefined.xml).
    const kinds = new Map(cfg.objects.get('ChartOfCharacteristicTypes.ВидыСубконтоХозрасчетные')!.predefined!.map((p) => [p.name, p]));
    expect(kinds.get('Номенклатура')!.types).toEqual([{ kind: 'ref', target: 'Catalog.Номенклатура' }]);
    expect(kinds.get('Склады')!.types).toEqual([{ kind: 'ref', target: 'Catalog.Склады' }]);
  });

  it('publishes ChartOfAccounts_Хозрасчетный (ExtDimensionTypes rows naming the kinds) and AccountingRegister_Хозрасчетный', () => {
    const cfg = readDump(DUMP);
    const model = publish(cfg);
    const chart = model.sets.find((s) => s.name === 'ChartOfAccounts_Хозрасчетный')!;
    expect(chart.kind).toBe('ChartOfAccounts');
    expect(chart.tabular![0].fields.map((f) => f.name)).toEqual(['ExtDimensionType_Key', 'Predefined', 'TurnoversOnly', 'Суммовой', 'Валютный', 'Количественный']);
    const kontr = cfg.objects.get('ChartOfCharacteristicTypes.ВидыСубконтоХозрасчетные')!.predefined!.find((p) => p.name === 'Контрагенты')!.id;
    const a6201 = chart.predefined!.find((p) => p.code === '62.01')!;
    expect(a6201.rows!.ExtDimensionTypes[0]).toMatchObject({ ExtDimensionType_Key: kontr, Predefined: true, TurnoversOnly: false });
    const reg = model.sets.find((s) => s.name === 'AccountingRegister_Хозрасчетный')!;
    expect(reg.kind).toBe('AccountingRegister');
    expect(reg.register!.accounting).toEqual({
      chartOfAccounts: 'ChartOfAccounts_Хозрасчетный',
      correspondence: true,
      maxExtDimensionCount: 3,
      extDimensionTypes: 'ChartOfCharacteristicTypes_ВидыСубконтоХозрасчетные',
      nonBalance: ['Валюта_Key', 'Подразделение_Key', 'ВалютнаяСумма', 'Количество', 'СуммаНУ', 'СуммаПР', 'СуммаВР'],
    });
    // The dump is trimmed: the recorder is never taken for a single one (composite Recorder, as the real $metadata).
    expect(reg.register!.recordersComplete).toBeUndefined();
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRequirements, parseMetadata } from '../../src/onec/index.js';

const full = resolve(import.meta.dirname, '../../../shared/reference/onec-odata/samples/ut-real.edmx');

describe.skipIf(!existsSync(full))('requirements against the real УТ 11 $metadata sample', () => {
  // skipIf still runs this body to collect the tests: read only when the file is there.
  const md = existsSync(full) ? parseMetadata(readFileSync(full, 'utf8')) : (undefined as never);

  it('reports present and missing sets and fields', () => {
    const r = checkRequirements(md, [
      { set: 'Catalog_Контрагенты', fields: [{ name: 'ИНН' }, { name: 'КПП' }, { name: 'ReGate_ВнешнийИдентификатор', why: ['client id'] }], extension: true },
      { set: 'Catalog_Номенклатура', fields: [{ name: 'Артикул' }] },
      { set: 'InformationRegister_КурсыВалют', fields: [{ name: 'Курс' }], virtual: 'SliceLast' },
      { set: 'AccumulationRegister_РасчетыСКлиентамиПланОплат', fields: [{ name: 'КОплатеBalance' }, { name: 'ВалютаBalance' }], virtual: 'Balance' },
      { set: 'AccumulationRegister_ДвиженияДенежныеСредстваКонтрагент', fields: [], virtual: 'Balance' },
      { set: 'Catalog_Контрагенты', fields: [{ name: 'ИсторияКПП/КПП' }, { name: 'ИсторияКПП/Нет' }, { name: 'ГоловнойКонтрагент/Description' }] },
      { set: 'InformationRegister_СтоимостьТоваров', fields: [{ name: 'Recorder' }] },
    ]);
    const [ka, items, rates, plan, turnoversOnly, parts, cost] = r.sets;
    expect(ka).toMatchObject({ present: true, missing: ['ReGate_ВнешнийИдентификатор'], extension: true });
    expect(items).toMatchObject({ present: false, missing: ['Артикул'] });
    expect(rates).toMatchObject({ present: true, virtualPresent: true, missing: [] });
    expect(plan).toMatchObject({ present: true, virtualPresent: true, missing: ['ВалютаBalance'] });
    // A turnovers-only register has no Balance (live: 400 code 6) — the check catches it from $metadata.
    expect(turnoversOnly).toMatchObject({ present: true, virtualPresent: false });
    expect(parts.missing).toEqual(['ИсторияКПП/Нет']);
    expect(cost.publishedAs).toBe('InformationRegister_СтоимостьТоваров');
    expect(r.ok).toBe(false);
    expect(r.missingSets).toBe(2);
    expect(r.missingFields).toBe(3);
  });

  it('ok when everything is there', () => {
    const r = checkRequirements(md, [{ set: 'Catalog_Валюты', fields: [{ name: 'Description' }] }]);
    expect(r.ok).toBe(true);
  });
});

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeExtension, publish, readDump } from '../../src/onec/dump/index.js';
import { buildModel } from '../../src/emulator/model.js';

const SHARED = resolve(__dirname, '../../../shared');
const UT = (v: string) => resolve(SHARED, 'reference/ut-dumps', v);
const have = existsSync(UT('ut-11.5.20-xml'));
if (!have) console.warn(`test/onec-dump: ${SHARED} is absent — the real-dump tests are skipped`);

const props = (cfgDir: string, set: string) => {
  const model = buildModel(publish(readDump(cfgDir)));
  const shape = model.shapes.get(set);
  return shape ? shape.props.map((p) => p.name) : undefined;
};

describe.skipIf(!have)('dump reader on the real УТ dumps', () => {
  it('reads configuration properties and the object list of 11.5.20 and 11.4.2', () => {
    const a = readDump(UT('ut-11.5.20-xml'));
    expect([a.name, a.version, a.compatibilityMode, a.formatVersion]).toEqual(['УправлениеТорговлей', '11.5.20.68', 'Version8_3_24', '2.18']);
    const b = readDump(UT('ut-11.4.2-xml'));
    expect([b.version, b.compatibilityMode, b.extensionCompatibilityMode, b.formatVersion]).toEqual(['11.4.2.139', 'Version8_3_10', 'Version8_3_12', '2.6']);
    // Configuration.xml lists every object; only trimmed files are read.
    expect(a.listed.length).toBeGreaterThan(a.objects.size);
    expect(a.objects.get('Catalog.УпаковкиЕдиницыИзмерения')?.uuid).toBe('c9cda7a7-da6f-4830-800a-70e77e3f6e9d');
    expect(b.objects.has('Catalog.СтавкиНДС')).toBe(false);
  });

  it('reads owners, hierarchy, code length, predefined items, enum members, fill values', () => {
    const a = readDump(UT('ut-11.5.20-xml'));
    const units = a.objects.get('Catalog.УпаковкиЕдиницыИзмерения')!;
    expect(units.owners).toEqual(['Catalog.Номенклатура', 'Catalog.НаборыУпаковок']);
    expect([units.hierarchyType, units.codeLength]).toEqual(['HierarchyOfItems', 4]);
    expect(a.objects.get('Catalog.Склады')!.codeLength).toBe(0);
    expect(a.objects.get('Catalog.СтавкиНДС')!.predefined).toEqual([{ name: 'БезНДС', id: 'c7d2e6fc-3824-4b56-b4be-ae6be4944c0e', code: '', description: '', isFolder: false }]);
    expect(a.objects.get('Enum.СтатусыЗаказовКлиентов')!.values!.map((v) => v.name)).toEqual(['НеСогласован', 'КОбеспечению', 'КОтгрузке', 'Закрыт']);
    const op = a.objects.get('Document.ЗаказКлиента')!.attributes.find((x) => x.name === 'ХозяйственнаяОперация')!;
    expect(op.fillValue).toBe('РеализацияКлиенту');
    expect(a.objects.get('Document.ЗаказКлиента')!.attributes.find((x) => x.name === 'НомерПоДаннымКлиента')!.types).toEqual([{ kind: 'string', length: 50 }]);
    const b = readDump(UT('ut-11.4.2-xml'));
    expect(b.objects.get('Document.ЗаказКлиента')!.attributes.find((x) => x.name === 'НомерПоДаннымКлиента')!.types).toEqual([{ kind: 'string', length: 30 }]);
  });

  it('publishes what 1C publishes: Owner + Owner_Type, no Code/IsFolder where the metadata has none, composites', () => {
    const d = UT('ut-11.5.20-xml');
    const units = props(d, 'Catalog_УпаковкиЕдиницыИзмерения')!;
    expect(units).toContain('Owner');
    expect(units).toContain('Owner_Type');
    expect(units).not.toContain('Owner_Key');
    expect(units).not.toContain('IsFolder');
    expect(units).toContain('Parent_Key');
    const stores = props(d, 'Catalog_Склады')!;
    expect(stores).not.toContain('Code');
    expect(stores).toContain('IsFolder');
    expect(props(d, 'Catalog_КлючиАналитикиУчетаПоПартнерам')).toEqual(expect.arrayContaining(['Контрагент', 'Контрагент_Type']));
    expect(props(d, 'Catalog_КлючиАналитикиУчетаПоПартнерам')).not.toContain('Контрагент_Key');
    expect(props(d, 'InformationRegister_ХранилищеФайлов')).toEqual(expect.arrayContaining(['Файл', 'Файл_Type', 'ХранилищеДвоичныхДанных_Key']));
    expect(props(d, 'Catalog_ХранилищеДвоичныхДанных')).toEqual(expect.arrayContaining(['ДвоичныеДанные_Base64Data', 'Хеш']));
    expect(props(d, 'InformationRegister_ДвоичныеДанныеФайлов')).toBeUndefined();
    expect(props(d, 'Catalog_СтавкиНДС')).not.toContain('БезНДС');
    expect(props(d, 'Catalog_Номенклатура')).toContain('СтавкаНДС_Key');
    const old = UT('ut-11.4.2-xml');
    expect(props(old, 'Catalog_Номенклатура')).toContain('СтавкаНДС');
    expect(props(old, 'Catalog_Номенклатура')).not.toContain('СтранаПроисхождения_Key');
    expect(props(old, 'Document_ПоступлениеБезналичныхДенежныхСредств')).not.toContain('ИдентификаторДокумента');
    expect(props(old, 'AccumulationRegister_СвободныеОстатки_RecordType')).toEqual(expect.arrayContaining(['ВНаличии', 'Номенклатура_Key', 'Склад_Key']));
  });

  it('merges the ReGate extension: its own registers and the attributes it adds to adopted objects', () => {
    const base = readDump(UT('ut-11.5.20-xml'));
    const ext = readDump(resolve(__dirname, '../../onec/extension'));
    expect(ext.isExtension).toBe(true);
    const { cfg } = mergeExtension(base, ext);
    const model = buildModel(publish(cfg));
    expect(model.shapes.get('Catalog_Номенклатура')!.propByName.has('ReGate_МинимальноеКоличество')).toBe(true);
    expect(model.shapes.has('InformationRegister_ReGate_СтатусыЗаказов')).toBe(true);
  });

  it('reads a dump without Configuration.xml from its files', () => {
    const dir = resolve(SHARED, 'reference/dumps/roznica-2.2.12-xml');
    if (!existsSync(dir)) return;
    const r = readDump(dir);
    expect(r.objects.has('Catalog.Номенклатура')).toBe(true);
    expect(r.warnings[0]).toMatch(/Configuration\.xml/);
  });
});

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/emulator/model.js';
import { publish, readDump } from '../../src/onec/dump/index.js';

/**
 * EDT projects read into the same model as Designer dumps. The fixture is a small project of our own in EDT's
 * element names (checked against the public EDT project of УТ 11.5.18.41, andrewnomoore/ut_11_5_should_work: lengths
 * at 0 left out, predefined items with <code><value>, nested as <content>); where ../shared is present, the same
 * objects read from the real Designer dump of 11.5.20 publish the same shape.
 */
const EDT = resolve(__dirname, '../fixtures/edt-mini');
const DESIGNER = resolve(__dirname, '../../../shared/reference/ut-dumps/ut-11.5.20-xml');

describe('EDT project reader', () => {
  const cfg = readDump(EDT);
  const model = buildModel(publish(cfg));
  const props = (set: string) => model.shapes.get(set)!.props.map((p) => `${p.name}:${p.type}`);

  it('reads the configuration: name, version, compatibility mode in the Designer spelling, the object list', () => {
    expect([cfg.format, cfg.name, cfg.version, cfg.compatibilityMode]).toEqual(['edt', 'УправлениеТорговлей', '11.5.18.41', 'Version8_3_24']);
    expect(cfg.listed).toContain('Catalog.Марки');
    expect(cfg.objects.has('Catalog.Марки')).toBe(false);
  });

  it('publishes owners, hierarchy, lengths, types and predefined items as 1C does', () => {
    const units = props('Catalog_УпаковкиЕдиницыИзмерения');
    expect(units).toEqual(expect.arrayContaining(['Owner:Edm.String', 'Owner_Type:Edm.String', 'Code:Edm.String', 'ЕдиницаИзмерения_Key:Edm.Guid', 'Числитель:Edm.Double', 'ЛинейныеРазмерыПредставление:Edm.String']));
    expect(units.some((p) => p.startsWith('IsFolder:'))).toBe(false);
    expect(props('Catalog_Склады').some((p) => p.startsWith('Code:'))).toBe(false);
    expect(props('Catalog_Склады')).toContain('IsFolder:Edm.Boolean');
    expect(model.shapes.get('Catalog_Склады')!.collections.get('КонтактнаяИнформация')!.propByName.has('Город')).toBe(true);
    expect(cfg.objects.get('Catalog.СтавкиНДС')!.predefined).toEqual([{ name: 'БезНДС', id: 'c7d2e6fc-3824-4b56-b4be-ae6be4944c0e', code: '', description: '', isFolder: false }]);
  });

  it.skipIf(!existsSync(DESIGNER))('the same objects in the real Designer dump publish the same fields', () => {
    const real = buildModel(publish(readDump(DESIGNER)));
    for (const set of ['Catalog_УпаковкиЕдиницыИзмерения', 'Catalog_Склады']) {
      const ours = model.shapes.get(set)!;
      const theirs = real.shapes.get(set)!;
      for (const p of ours.props) expect(theirs.propByName.get(p.name)?.type, `${set}.${p.name}`).toBe(p.type);
      expect(ours.def.uuid).toBe(theirs.def.uuid);
    }
  });
});

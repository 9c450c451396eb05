import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { runCheck } from '../../src/cli/commands/check.js';
import { generateDemoBase } from '../../src/emulator/demo/index.js';
import { startEmulator } from '../../src/emulator/index.js';
import { buildModel, modelView } from '../../src/emulator/model.js';
import { defaultFeatures, detectFeatures } from '../../src/onec/profiles/index.js';
import { loadConfiguration } from '../../src/emulator/configurations.js';
import { readDump } from '../../src/onec/dump/index.js';

const SHARED = resolve(__dirname, '../../../shared/reference');
const UT = (v: string) => join(SHARED, 'ut-dumps', v);
const have = existsSync(UT('ut-11.5.20-xml')) && existsSync(UT('ut-11.4.2-xml'));
if (!have) console.warn(`test/onec-dump/check-dump: ${SHARED} is absent — regate check --dump is not exercised on the real dumps`);
const config = parseConfig({});
const temp: string[] = [];
afterAll(() => temp.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe.skipIf(!have)('regate check --dump', () => {
  for (const v of ['ut-11.5.20-xml', 'ut-11.4.2-xml']) {
    for (const extension of [true, false]) {
      it(`${v}${extension ? ' + onec/extension' : ' without the extension'}: every set and field the profile needs is published (exit 0), variant named`, async () => {
        const r = await runCheck(config, { dump: UT(v), extension });
        expect(r.ok, r.text).toBe(true);
        expect(r.text).toMatch(/Вариант выбран по опубликованному: vat=(catalog|enum)/);
        expect(r.text).toMatch(/Все нужные наборы \(\d+\) и их поля опубликованы/);
      });
    }
  }

  it('names a removed object with the reason from the dump (exit 1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'regate-cut-dump-'));
    temp.push(dir);
    cpSync(UT('ut-11.5.20-xml'), dir, { recursive: true });
    rmSync(join(dir, 'Catalogs', 'Склады.xml'));
    const r = await runCheck(config, { dump: dir, extension: false });
    expect(r.ok).toBe(false);
    expect(r.text).toMatch(/НЕТ {3}Catalog_Склады\n.*Catalog\.Склады is listed in Configuration\.xml but its file is not in this dump/);
  });

  it('explains what the old hand-written picture of УТ got wrong, in the dump\'s terms', async () => {
    const { explainMissingField } = await import('../../src/onec/dump/explain.js');
    const loaded = loadConfiguration({ dump: UT('ut-11.5.20-xml'), extension: false });
    const model = buildModel(loaded.config);
    const why = (set: string, field: string) => explainMissingField(loaded.md, set, field, model.shapes.get(set));
    expect(why('Catalog_УпаковкиЕдиницыИзмерения', 'Owner_Key')).toBe('published as Owner + Owner_Type (owners Catalog.Номенклатура, Catalog.НаборыУпаковок)');
    expect(why('Catalog_УпаковкиЕдиницыИзмерения', 'IsFolder')).toBe('no IsFolder (HierarchyOfItems)');
    expect(why('Catalog_Склады', 'Code')).toBe('no Code (CodeLength 0)');
    expect(why('Catalog_СтавкиНДС', 'БезНДС')).toMatch(/^not a field: predefined item БезНДС \(c7d2e6fc-3824-4b56-b4be-ae6be4944c0e\)/);
    expect(why('Catalog_КлючиАналитикиУчетаПоПартнерам', 'Контрагент_Key')).toBe('published as Контрагент + Контрагент_Type (composite type)');
  });
});

describe.skipIf(!have)('features detected from what each real dump publishes', () => {
  for (const [v, id] of [['ut-11.5.20-xml', 'ut11.5'], ['ut-11.4.2-xml', 'ut11.4']] as const) {
    it(`${v} → the facts ${id} stands for`, () => {
      const model = buildModel(loadConfiguration({ dump: UT(v) }).config);
      const f = detectFeatures(modelView(model));
      expect(f).toEqual(defaultFeatures(id, true));
    });
  }
});

describe.skipIf(!have)('regate emulator --dump publishes the real shape over HTTP', () => {
  it('$metadata of 11.5.20: Owner/Owner_Type on units, Склады without Code, ХранилищеФайлов, no MaxLength', async () => {
    const base = generateDemoBase({ items: 10, seed: 'md', configuration: { dump: UT('ut-11.5.20-xml') } });
    const em = await startEmulator({ base });
    try {
      const xml = await (await fetch(`${em.url}/$metadata`)).text();
      const type = (name: string) => new RegExp(`<EntityType Name="${name}"[^>]*>([\\s\\S]*?)</EntityType>`).exec(xml)?.[1] ?? '';
      const units = type('Catalog_УпаковкиЕдиницыИзмерения');
      expect(units).toContain('<Property Name="Owner" Type="Edm.String"');
      expect(units).toContain('<Property Name="Owner_Type" Type="Edm.String"');
      expect(units).not.toContain('Owner_Key');
      expect(units).not.toContain('"IsFolder"');
      expect(type('Catalog_Склады')).not.toContain('Name="Code"');
      expect(xml).toContain('<EntitySet Name="InformationRegister_ХранилищеФайлов"');
      expect(xml).not.toContain('InformationRegister_ДвоичныеДанныеФайлов"');
      expect(xml).not.toContain('MaxLength');
      // The predefined VAT item exists with the vendor's id, as in every base of this configuration.
      const vat = (await (await fetch(`${em.url}/Catalog_СтавкиНДС?$format=json&$filter=PredefinedDataName eq 'БезНДС'`)).json()) as { value: { Ref_Key: string }[] };
      expect(vat.value.map((r) => r.Ref_Key)).toEqual(['c7d2e6fc-3824-4b56-b4be-ae6be4944c0e']);
    } finally {
      await em.close();
    }
  });
});

describe.skipIf(!existsSync(join(SHARED, 'dumps')))('every other dump in ../shared reads', () => {
  const dirs = existsSync(join(SHARED, 'dumps')) ? readdirSync(join(SHARED, 'dumps')).filter((d) => d.endsWith('-xml')) : [];
  it.each(dirs)('%s', (d) => {
    const cfg = readDump(join(SHARED, 'dumps', d));
    expect(cfg.objects.has('Catalog.Номенклатура')).toBe(true);
    expect(buildModel(loadConfiguration({ dump: join(SHARED, 'dumps', d), extension: false }).config).shapes.has('Catalog_Номенклатура')).toBe(true);
  });
});

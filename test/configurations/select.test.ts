import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/cli/commands/check.js';
import { parseConfig } from '../../src/config/index.js';
import { loadConfiguration } from '../../src/emulator/configurations.js';
import { buildModel, modelView } from '../../src/emulator/model.js';
import { CONFIGURATION_NAMES, selectProfile, UnknownConfiguration } from '../../src/onec/profiles/select.js';
import { readDump } from '../../src/onec/dump/index.js';
import { DUMPS } from './harness.js';

/**
 * Profile selection by what a base publishes, on every real dump we have: the configuration name (Configuration.xml)
 * where there is one, the marking sets where there is none (Розница 2.2 has no Configuration.xml) or where the name is
 * not one ReGate knows. `regate check --dump` says which profile it chose and passes on each of the four dumps.
 */
const UT = resolve(DUMPS, '../ut-dumps');
const CASES = [
  { folder: join(UT, 'ut-11.5.20-xml'), id: 'ut11.5', by: 'name' },
  { folder: join(UT, 'ut-11.4.2-xml'), id: 'ut11.4', by: 'name' },
  { folder: join(DUMPS, 'erp-2.5.17-xml'), id: 'erp', by: 'name' },
  { folder: join(DUMPS, 'unf-3.0.12-xml'), id: 'unf', by: 'name' },
  { folder: join(DUMPS, 'bp-3.0.198-xml'), id: 'bp', by: 'name' },
  { folder: join(DUMPS, 'roznica-2.2.12-xml'), id: 'roznica', by: 'sets' },
] as const;
const HAVE = CASES.every((c) => existsSync(c.folder));
if (!HAVE) console.warn(`test/configurations/select: the dumps of ../shared/reference are absent — skipped`);

const view = (folder: string) => modelView(buildModel(loadConfiguration({ dump: folder, extension: false }).config));

describe.skipIf(!HAVE)('profile selection on the real dumps', () => {
  it.each(CASES)('$folder → $id (by $by)', ({ folder, id, by }) => {
    const md = readDump(folder);
    const choice = selectProfile({ name: md.name, version: md.version, view: view(folder) });
    expect(choice).toMatchObject({ id, by });
  });

  it('the names it knows are the dumps\' own Configuration.xml names', () => {
    expect(readDump(join(UT, 'ut-11.5.20-xml')).name).toBe(CONFIGURATION_NAMES.ut);
    expect(readDump(join(DUMPS, 'erp-2.5.17-xml')).name).toBe(CONFIGURATION_NAMES.erp);
    expect(readDump(join(DUMPS, 'unf-3.0.12-xml')).name).toBe(CONFIGURATION_NAMES.unf);
    expect(readDump(join(DUMPS, 'bp-3.0.198-xml')).name).toBe(CONFIGURATION_NAMES.bp);
    expect(readDump(join(DUMPS, 'roznica-2.2.12-xml')).name).toBe('');
  });

  it('without a name the sets decide: every dump lands on its family by its objects alone', () => {
    const byName = CASES.map((c) => selectProfile({ name: readDump(c.folder).name, version: readDump(c.folder).version, view: view(c.folder) }).id);
    const bySets = CASES.map((c) => selectProfile({ view: view(c.folder), version: readDump(c.folder).version }).id);
    // ERP shares УТ's objects: by its objects alone it is a УТ 11.5 base, and the ERP profile is the УТ 11.5 profile.
    expect(bySets).toEqual(byName.map((id) => (id === 'erp' ? 'ut11.5' : id)));
    // A УТ-shaped base under a name ReGate does not know (КА 2) gets the ERP profile.
    expect(selectProfile({ name: 'ДругаяКонфигурация', view: view(join(DUMPS, 'erp-2.5.17-xml')) })).toMatchObject({ id: 'erp', by: 'sets' });
  });

  it('a composition that publishes none of the marking sets is refused with the sets it looked for', () => {
    const empty = { hasSet: () => false, hasField: () => false };
    expect(() => selectProfile({ view: empty })).toThrow(UnknownConfiguration);
    expect(() => selectProfile({ view: empty })).toThrow(/Document_ЗаказКлиента.*Catalog_СтруктурныеЕдиницы.*Catalog_Магазины.*Document_СчетНаОплатуПокупателю/);
  });
});

describe.skipIf(!HAVE)('regate check --dump on the four dumps of issue 18', () => {
  const base = parseConfig({});
  it.each([
    ['erp-2.5.17-xml', 'erp', 'ERP 2 / КА 2'],
    ['unf-3.0.12-xml', 'unf', 'УНФ 3'],
    ['bp-3.0.198-xml', 'bp', 'БП 3'],
    ['roznica-2.2.12-xml', 'roznica', 'Розница 2'],
  ])('%s: profile %s chosen, every set and field it needs present (exit 0)', async (folder, id, family) => {
    const r = await runCheck(base, { dump: join(DUMPS, folder) });
    expect(r.text).toContain(`Конфигурация: ${family}`);
    expect(r.json).toMatchObject({ profile: id, family });
    expect(r.ok, r.text).toBe(true);
    // БП and Розница say what they cannot offer; УНФ and ERP offer everything the API needs.
    const limits = (r.json as { limits: string[] }).limits;
    if (id === 'bp' || id === 'roznica') {
      expect(limits.length).toBeGreaterThan(0);
      expect(r.text).toContain('Не поддерживается:');
    } else expect(limits).toEqual([]);
  }, 60_000);

  it('БП says where stock and the order are missing; Розница what it leaves to a person in card payments', async () => {
    const bp = await runCheck(base, { dump: join(DUMPS, 'bp-3.0.198-xml') });
    expect(bp.text).toMatch(/Хозрасчетный/);
    expect(bp.text).toMatch(/СчетНаОплатуПокупателю/);
    const rz = await runCheck(base, { dump: join(DUMPS, 'roznica-2.2.12-xml') });
    expect(rz.text).toMatch(/оплаты картой — не всё: ReGate пишет ОплатаОтПокупателяПлатежнойКартой/);
    expect(rz.text).toMatch(/выписки банка: документа банковской выписки в Рознице 2\.2 нет/);
  }, 60_000);
});

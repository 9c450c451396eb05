import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/cli/commands/check.js';
import { parseConfig } from '../../src/config/index.js';
import { generateDemoBase } from '../../src/emulator/demo/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';

const base = generateDemoBase({ items: 20, seed: 'check' });
let full: Emulator;
let narrow: Emulator;
beforeAll(async () => {
  full = await startEmulator({ base });
  // A composition without the ReGate extension's registers and without the price register.
  const sets = base.config.sets.map((s) => s.name).filter((n) => !n.startsWith('InformationRegister_ReGate_') && n !== 'InformationRegister_ЦеныНоменклатуры25');
  narrow = await startEmulator({ base, composition: sets });
});
afterAll(async () => {
  await full?.close();
  await narrow?.close();
});

describe('regate check', () => {
  it('the demo УТ 11 base publishes everything the ut11.5 profile needs', async () => {
    const r = await runCheck(parseConfig({ onec: { url: full.url } }));
    expect(r.ok).toBe(true);
    expect(r.text).toContain('есть  Catalog_Номенклатура');
    expect(r.text).not.toContain('НЕТ ');
  });

  it('reports unpublished sets set by set, and exit-worthy failure', async () => {
    const r = await runCheck(parseConfig({ onec: { url: narrow.url } }), { verbose: true });
    expect(r.ok).toBe(false);
    expect(r.text).toMatch(/НЕТ  {2}InformationRegister_ЦеныНоменклатуры25\n\s+не опубликован/);
    expect(r.text).toMatch(/НЕТ  {2}InformationRegister_ReGate_СтатусыЗаказов \(расширение, запись\)/);
    expect(r.text).toMatch(/есть {2}Артикул/);
  });

  it('without the extension, its registers are not required', async () => {
    const r = await runCheck(parseConfig({ onec: { url: narrow.url, extension: false } }));
    expect(r.text).not.toContain('InformationRegister_ReGate_');
    expect(r.text).toContain('НЕТ   InformationRegister_ЦеныНоменклатуры25');
  });

  const sample = resolve(import.meta.dirname, '../../../shared/reference/onec-odata/samples/ut-real.edmx');
  it.skipIf(!existsSync(sample))('checks a saved $metadata offline: the trimmed real sample lacks most sets, and named fields', async () => {
    const r = await runCheck(parseConfig({}), { metadata: sample });
    expect(r.ok).toBe(false);
    expect(r.text).toContain('НЕТ   Catalog_Номенклатура');
    // Catalog_Контрагенты is in the sample but without the extension's attribute.
    expect(r.text).toMatch(/НЕТ {3}Catalog_Контрагенты[^\n]*\n(\s+.*\n)*?\s+нет {3}ReGate_ВнешнийИдентификатор/);
    const json = r.json as { sets: { set: string; present: boolean }[] };
    expect(json.sets.find((s) => s.set === 'Catalog_Контрагенты')?.present).toBe(true);
  });
});

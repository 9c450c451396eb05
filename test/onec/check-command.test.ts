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

  it('holds the configured keys against the base and names the defaults it takes (terminal, agreement, cancel reason)', async () => {
    const ok = await runCheck(parseConfig({ onec: { url: full.url } }));
    expect(ok.text).toContain('Настройки (regate.yaml) против базы:');
    expect(ok.text).toMatch(/да\s+onec\.acquiringTerminalKey не задан: берётся единственный — эквайринговый терминал «Интернет-эквайринг Richest\.store»/);
    expect(ok.text).toMatch(/да\s+onec\.agreementKey не задан: берётся единственный — соглашение с клиентами «Розничная продажа через интернет-магазин»/);
    expect(ok.text).toMatch(/да\s+onec\.cancelReasonKey не задан: берётся единственный — причина отмены «Заказ не оплачен в срок»/);
    const wrong = await runCheck(parseConfig({ onec: { url: full.url, agreementKey: '11111111-2222-4333-8444-555555555555', vatTaxation: 'УСН' } }));
    expect(wrong.ok).toBe(false);
    expect(wrong.text).toContain('НЕТ  onec.agreementKey: 11111111-2222-4333-8444-555555555555 — такого элемента (соглашение с клиентами) в базе нет');
    // An agreement settling by contracts would leave ReGate's orders without the Договор УТ's form requires.
    const agreement = full.store.list('Catalog_СоглашенияСКлиентами').find((a) => a.Типовое === true)!;
    full.store.update('Catalog_СоглашенияСКлиентами', String(agreement.Ref_Key), { ИспользуютсяДоговорыКонтрагентов: true });
    try {
      const contracts = await runCheck(parseConfig({ onec: { url: full.url } }));
      expect(contracts.ok).toBe(false);
      expect(contracts.text).toMatch(/НЕТ\s+соглашение «Розничная продажа через интернет-магазин» .* ведёт расчёты по договорам/);
    } finally {
      full.store.update('Catalog_СоглашенияСКлиентами', String(agreement.Ref_Key), { ИспользуютсяДоговорыКонтрагентов: false });
    }
    expect(wrong.text).toMatch(/НЕТ\s+onec\.vatTaxation: «УСН» — нет такого значения ТипыНалогообложенияНДС \(есть: .*ПродажаНеОблагаетсяНДС/);
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

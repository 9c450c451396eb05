import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDemo, syncedDemo } from '../helpers/synced-demo.js';
import { generateDemoBase } from '../../src/emulator/demo/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { openDb, type Db } from '../../src/db/open.js';
import { parseConfig, type Config } from '../../src/config/index.js';
import { ODataClient } from '../../src/onec/index.js';
import { detectFeatures, ut11Profile } from '../../src/onec/profiles/index.js';
import { metadataView } from '../../src/runtime.js';
import { runFullSync } from '../../src/catalog/sync.js';

// Issue 17: where the base publishes InformationRegister.СтавкиНДСНоменклатуры (11.5.20; detected from $metadata, not
// by version), an item's VAT rate is its last record for the organisation's country, else for no country — as УТ takes
// it (ManagerModule.bsl:136-165) — and Номенклатура.СтавкаНДС where the register has none. Emulators from the real dumps.

const REG = 'InformationRegister_СтавкиНДСНоменклатуры';
const ITEMS = 'Catalog_Номенклатура';
const EMPTY = '00000000-0000-0000-0000-000000000000';
type Row = Record<string, unknown>;

describe('VAT rates from СтавкиНДСНоменклатуры (11.5.20)', () => {
  let em: Emulator;
  let config: Config;
  let onec: ODataClient;
  let db: Db;
  beforeAll(async () => {
    // Small parts: the register is read in ranges of the item code like prices.
    ({ em, config, onec, db } = await syncedDemo({ seed: 'vat-register', items: 400, virtualRows: 20 }));
  }, 60_000);
  afterAll(() => closeDemo({ em, onec, db }));

  const mirrored = (id: unknown) => db.prepare(`SELECT vat_rate_id FROM catalog_items WHERE id = ?`).pluck().get(id) as string | null | undefined;

  it('is detected from the live $metadata: present in 11.5.20, absent in 11.4.2', async () => {
    expect(detectFeatures(metadataView(await onec.metadata())).vatByItemRegister).toBe(true);
    const em4 = await startEmulator({ base: generateDemoBase({ seed: 'vat-register-114', items: 10, variant: 'ut11.4' }) });
    const c4 = new ODataClient(parseConfig({ onec: { url: em4.url } }).onec);
    try {
      expect(detectFeatures(metadataView(await c4.metadata())).vatByItemRegister).toBe(false);
    } finally {
      await c4.close();
      await em4.close();
    }
  });

  it('the organisation’s country wins, then no country; another country’s record and items without one keep the attribute', () => {
    const org = em.store.list('Catalog_Организации')[0];
    const country = String(org.СтранаРегистрации_Key);
    const records = em.store.list(REG);
    const byItem = new Map<string, Row[]>();
    for (const r of records) byItem.set(String(r.Номенклатура_Key), [...(byItem.get(String(r.Номенклатура_Key)) ?? []), r]);
    const items = em.store.list(ITEMS).filter((r) => r.IsFolder !== true && r.DeletionMark !== true && r.ТипНоменклатуры === 'Товар');
    const seen = { own: 0, none: 0, foreign: 0, attribute: 0 };
    for (const it of items) {
      const list = byItem.get(String(it.Ref_Key)) ?? [];
      const last = (rows: Row[]) => rows.sort((a, b) => String(b.Period).localeCompare(String(a.Period)))[0];
      const own = last(list.filter((r) => r.Страна_Key === country));
      const none = last(list.filter((r) => r.Страна_Key === EMPTY));
      const expected = own?.СтавкаНДС_Key ?? none?.СтавкаНДС_Key ?? it.СтавкаНДС_Key;
      expect(mirrored(it.Ref_Key), String(it.Description)).toBe(expected);
      if (own) {
        seen.own++;
        expect(own.СтавкаНДС_Key).not.toBe(it.СтавкаНДС_Key); // the demo's later record changes the rate
      } else if (none) seen.none++;
      else if (list.length) seen.foreign++;
      else seen.attribute++;
    }
    expect(seen.own).toBeGreaterThan(3);
    expect(seen.none).toBeGreaterThan(10);
    expect(seen.foreign).toBeGreaterThan(0);
    expect(seen.attribute).toBeGreaterThan(100);
  });

  it('a new record moves the item and its rate at the next full sync', async () => {
    const item = em.store.list(ITEMS).find((r) => r.IsFolder !== true && r.DeletionMark !== true && r.ТипНоменклатуры === 'Товар' && !em.store.list(REG).some((x) => x.Номенклатура_Key === r.Ref_Key))!;
    const rates = em.store.list('Catalog_СтавкиНДС');
    const other = rates.find((r) => r.Ref_Key !== item.СтавкаНДС_Key && r.PredefinedDataName !== 'БезНДС')!;
    const org = em.store.list('Catalog_Организации')[0];
    const before = db.prepare(`SELECT changed_at FROM catalog_items WHERE id = ?`).pluck().get(item.Ref_Key) as string;
    expect(mirrored(item.Ref_Key)).toBe(item.СтавкаНДС_Key);
    em.store.insert(REG, { Period: '2026-01-01T00:00:00', Номенклатура_Key: item.Ref_Key, Страна_Key: org.СтранаРегистрации_Key, СтавкаНДС_Key: other.Ref_Key });
    await runFullSync({ db, onec, config });
    expect(mirrored(item.Ref_Key)).toBe(other.Ref_Key);
    expect((db.prepare(`SELECT changed_at FROM catalog_items WHERE id = ?`).pluck().get(item.Ref_Key) as string) > before).toBe(true);
    expect(db.prepare(`SELECT rate FROM catalog_vat_rates WHERE id = ?`).pluck().get(other.Ref_Key)).toBe(other.Ставка);
  });

  it('a base that does not publish the register: no such read, the item’s attribute', async () => {
    const view = metadataView(await onec.metadata());
    const f = detectFeatures({ ...view, hasSet: (s) => s !== REG && view.hasSet(s) });
    expect(f.vatByItemRegister).toBe(false);
    const profile = ut11Profile('ut11.5', config, f);
    expect(profile.reads.itemVatRate).toBeUndefined();
    const own = openDb(':memory:');
    try {
      await runFullSync({ db: own, onec, config, profile });
      const items = em.store.list(ITEMS).filter((r) => r.IsFolder !== true && r.DeletionMark !== true && r.ТипНоменклатуры === 'Товар');
      for (const it of items.slice(0, 100)) expect(own.prepare(`SELECT vat_rate_id FROM catalog_items WHERE id = ?`).pluck().get(it.Ref_Key)).toBe(it.СтавкаНДС_Key);
    } finally {
      own.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDemo, syncedDemo } from '../helpers/synced-demo.js';
import { generateDemoBase } from '../../src/emulator/demo/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { openDb, type Db } from '../../src/db/open.js';
import { parseConfig, type Config } from '../../src/config/index.js';
import { ODataClient } from '../../src/onec/index.js';
import { runFullSync } from '../../src/catalog/sync.js';
import { CatalogService } from '../../src/catalog/service.js';

// Issue 17: VAT flags and the property list belong to the generation that read them. They used to be written after
// the generation's final transaction: the items whose VAT rate or property name changed kept their changed_at, the
// generation's change list did not name them (so the response cache and changedSince kept the old answer), and an
// 11.4 VAT member first used in this sync had no rate until the next one. Emulators built from the real dumps.

const ITEMS = 'Catalog_Номенклатура';
const catalogOf = (db: Db) => new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
const generation = (db: Db) => Number(db.prepare(`SELECT value FROM meta WHERE key = 'mirror.generation'`).pluck().get());
const changesOf = (db: Db, g: number) => db.prepare(`SELECT items FROM catalog_changes WHERE generation = ?`).pluck().get(g) as string | null;
const storeOf = (db: Db, itemId: string) =>
  (db.prepare(`SELECT store_id FROM catalog_stock WHERE item_id = ? UNION SELECT id FROM catalog_stores WHERE (SELECT sold_to_order FROM catalog_items WHERE id = ?) = 1 LIMIT 1`).pluck().get(itemId, itemId) as string);
/** The item as the API shows it now (through the per-generation cache, as a request would). */
function shown(db: Db, catalog: CatalogService, itemId: string) {
  const name = db.prepare(`SELECT name FROM catalog_items WHERE id = ?`).pluck().get(itemId) as string;
  const r = catalog.assortment({ store: storeOf(db, itemId), q: name, page: 1, pageSize: 50 });
  return r.items.find((i) => i.id === itemId)!;
}

describe('VAT facts and properties are current in the sync that read them (11.5.20)', () => {
  let em: Emulator;
  let config: Config;
  let onec: ODataClient;
  let db: Db;
  beforeAll(async () => {
    ({ em, config, onec, db } = await syncedDemo({ seed: 'facts-17', items: 150 }));
  }, 60_000);
  afterAll(() => closeDemo({ em, onec, db }));

  it('a VAT rate changed in Catalog_СтавкиНДС: its items show it in the same generation, listed as changed', async () => {
    const catalog = catalogOf(db);
    const rate20 = em.store.list('Catalog_СтавкиНДС').find((r) => r.Ставка === 20)!;
    const item = em.store.list(ITEMS).find((r) => r.IsFolder !== true && r.СтавкаНДС_Key === rate20.Ref_Key && r.DeletionMark !== true)!;
    const id = String(item.Ref_Key);
    expect(shown(db, catalog, id).vatRate).toBe(20);
    const before = db.prepare(`SELECT changed_at FROM catalog_items WHERE id = ?`).pluck().get(id) as string;
    // The rate goes to 22% (as Russia's did on 2026-01-01: the administrator edits the catalog item).
    em.store.update('Catalog_СтавкиНДС', String(rate20.Ref_Key), { Ставка: 22, Description: '22%' });
    await runFullSync({ db, onec, config });
    const g = generation(db);
    expect(shown(db, catalog, id).vatRate).toBe(22);
    const after = db.prepare(`SELECT changed_at FROM catalog_items WHERE id = ?`).pluck().get(id) as string;
    expect(after > before).toBe(true);
    const listed = changesOf(db, g);
    expect(listed === null || (JSON.parse(listed) as string[]).includes(id)).toBe(true);
    // changedSince finds it.
    const since = catalog.assortment({ store: storeOf(db, id), changedSince: before, page: 1, pageSize: 1000 });
    expect(since.items.some((i) => i.id === id)).toBe(true);
  });

  it('a property renamed in 1C: items show the new name in the same generation and are listed', async () => {
    const catalog = catalogOf(db);
    const itemId = db.prepare(`SELECT item_id FROM catalog_item_properties LIMIT 1`).pluck().get() as string;
    const propertyId = db.prepare(`SELECT property_id FROM catalog_item_properties WHERE item_id = ?`).pluck().get(itemId) as string;
    const old = db.prepare(`SELECT title FROM catalog_properties WHERE id = ?`).pluck().get(propertyId) as string;
    expect(shown(db, catalog, itemId).properties?.some((p) => p.name === old)).toBe(true);
    em.store.update('ChartOfCharacteristicTypes_ДополнительныеРеквизитыИСведения', propertyId, { Заголовок: `${old} (состав)`, Description: `${old} (состав)` });
    await runFullSync({ db, onec, config });
    const g = generation(db);
    expect(shown(db, catalog, itemId).properties?.some((p) => p.name === `${old} (состав)`)).toBe(true);
    expect(catalog.properties().some((p) => p.name === `${old} (состав)`)).toBe(true);
    const listed = changesOf(db, g);
    expect(listed === null || (JSON.parse(listed) as string[]).includes(itemId)).toBe(true);
  });

  it('a price kind’s ЦенаВключаетНДС flipped: pricesIncludeVat follows at once and the generation drops every kept answer', async () => {
    const catalog = catalogOf(db);
    const itemId = db.prepare(`SELECT item_id FROM catalog_stock LIMIT 1`).pluck().get() as string;
    const was = shown(db, catalog, itemId).pricesIncludeVat;
    expect(typeof was).toBe('boolean');
    // Every kind flips (the store's retail kind among them).
    for (const k of em.store.list('Catalog_ВидыЦен')) em.store.update('Catalog_ВидыЦен', String(k.Ref_Key), { ЦенаВключаетНДС: !k.ЦенаВключаетНДС });
    await runFullSync({ db, onec, config });
    expect(shown(db, catalog, itemId).pricesIncludeVat).toBe(!was);
    // In every answer: the change list is "everything" (null), so no kept page survives.
    expect(changesOf(db, generation(db))).toBeNull();
    // Nothing changes: the next generation lists nothing of the kind again.
    await runFullSync({ db, onec, config });
    expect(changesOf(db, generation(db))).toBe('[]');
  });
});

describe('11.4.2: a VAT member first used in this sync has its rate in the same generation', () => {
  it('Enum.СтавкиНДС НДС0 on one item → vatRate 0 at once, not null until the next sync', async () => {
    const em = await startEmulator({ base: generateDemoBase({ seed: 'facts-17-114', items: 80, variant: 'ut11.4' }) });
    const config = parseConfig({ onec: { url: em.url, profile: 'ut11.4' } });
    const onec = new ODataClient(config.onec);
    const db = openDb(':memory:');
    try {
      await runFullSync({ db, onec, config });
      expect(db.prepare(`SELECT count(*) FROM catalog_items WHERE vat_rate_id = 'НДС0'`).pluck().get()).toBe(0);
      const item = em.store.list(ITEMS).find((r) => r.IsFolder !== true && r.DeletionMark !== true && r.СтавкаНДС === 'НДС20')!;
      em.store.update(ITEMS, String(item.Ref_Key), { СтавкаНДС: 'НДС0' });
      await runFullSync({ db, onec, config });
      const catalog = catalogOf(db);
      expect(db.prepare(`SELECT vat_rate_id FROM catalog_items WHERE id = ?`).pluck().get(item.Ref_Key)).toBe('НДС0');
      expect(shown(db, catalog, String(item.Ref_Key)).vatRate).toBe(0);
    } finally {
      await onec.close();
      await em.close();
      db.close();
    }
  });
});

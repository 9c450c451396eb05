import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDemo, syncedDemo } from '../helpers/synced-demo.js';
import type { Emulator } from '../../src/emulator/index.js';
import type { Db } from '../../src/db/open.js';
import type { Config } from '../../src/config/index.js';
import type { ODataClient } from '../../src/onec/index.js';
import { runFullSync } from '../../src/catalog/sync.js';
import { CatalogService, type AssortmentItem } from '../../src/catalog/service.js';
import { createApp } from '../../src/api/app.js';
import { silentLogger } from '../../src/log.js';
import { parseConfig } from '../../src/config/index.js';
import { hashPassword } from '../../src/install/password.js';

// Issue 17: what a variant and a packaging carry of their own, from emulators built from the real dumps —
// a characteristic's properties (Catalog_ХарактеристикиНоменклатуры.ДополнительныеРеквизиты: the demo's shared
// colours have Цвет) shown as variants[].properties, counted by GET /api/v1/properties and matched by
// assortment?property=; a packaging's barcodes (ШтрихкодыНоменклатуры with Упаковка: the demo's boxes have a GTIN-14,
// portions of weight goods their EAN) listed under packagings[], not among the item's, and found by q=.

const CHARS = 'Catalog_ХарактеристикиНоменклатуры';
const ITEMS = 'Catalog_Номенклатура';
const VALUES = 'Catalog_ЗначенияСвойствОбъектов';
const UNITS = 'Catalog_УпаковкиЕдиницыИзмерения';
const BARCODES = 'InformationRegister_ШтрихкодыНоменклатуры';
const EMPTY = '00000000-0000-0000-0000-000000000000';
type Row = Record<string, any>;

for (const variant of ['ut11.5', 'ut11.4'] as const) {
  describe(`variants' properties and packagings' barcodes (${variant === 'ut11.5' ? '11.5.20' : '11.4.2'})`, () => {
    let em: Emulator;
    let config: Config;
    let onec: ODataClient;
    let db: Db;
    let catalog: CatalogService;
    let app: ReturnType<typeof createApp>;
    beforeAll(async () => {
      ({ em, config, onec, db } = await syncedDemo({ seed: `variant-extras-${variant}`, items: 200, variant }));
      catalog = new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
      const withUser = parseConfig({ onec: { url: em.url, profile: variant }, auth: { users: [{ name: 'rs', passwordHash: await hashPassword('pw') }] } });
      app = createApp({ config: withUser, logger: silentLogger, services: { catalog, health: { ready: async () => ({ ready: true, checks: [] }) } } });
    }, 60_000);
    afterAll(() => closeDemo({ em, onec, db }));

    const get = (path: string) => app.request(`/api/v1/${path}`, { headers: { Authorization: 'Basic ' + Buffer.from('rs:pw').toString('base64') } });
    const stores = () => db.prepare(`SELECT id FROM catalog_stores ORDER BY id`).pluck().all() as string[];
    const whole = (store: string): AssortmentItem[] => catalog.assortment({ store, page: 1, pageSize: 1000 }).items;
    const valueName = (key: string) => String(em.store.get(VALUES, key)?.Description);
    /** The characteristic's ДополнительныеРеквизиты as 1C keeps them: property key → value key. */
    const ownProps = (charId: string) => ((em.store.get(CHARS, charId)?.ДополнительныеРеквизиты ?? []) as Row[]).map((l) => [String(l.Свойство_Key), String(l.Значение)] as const);
    const colourProp = () => (catalog.properties().find((p) => p.name === 'Цвет'))!;

    it('a variant shows its characteristic’s own property; variants without one have no field', () => {
      const colour = colourProp();
      expect(colour).toBeDefined();
      let coloured = 0;
      let plain = 0;
      for (const store of stores()) {
        for (const item of whole(store).filter((i) => i.variants)) {
          for (const v of item.variants!) {
            const expected = ownProps(v.id).map(([p, val]) => ({ id: p, name: 'Цвет', value: valueName(val), valueId: val }));
            if (expected.length) {
              coloured++;
              expect(v.properties).toEqual(expected);
              expect(v.properties![0].value).toBe(v.name); // the demo's colour is named as its characteristic
            } else {
              plain++;
              expect(v).not.toHaveProperty('properties');
            }
          }
          // The item's own properties stay its own (Материал), never its variants' colour.
          expect((item.properties ?? []).some((p) => p.id === colour.id)).toBe(false);
        }
      }
      expect(coloured).toBeGreaterThan(3);
      expect(plain).toBeGreaterThan(3);
    });

    it('GET /properties counts an item once per value its variants have', async () => {
      const r = await get('properties');
      expect(r.status).toBe(200);
      const colour = ((await r.json()) as any).properties.find((p: any) => p.name === 'Цвет');
      // Expected from 1C's rows: the items using shared characteristics (owned by their ВладелецХарактеристик kind)
      // and the colour of each such characteristic.
      const items = em.store.list(ITEMS).filter((i) => !i.IsFolder && !i.DeletionMark && i.ИспользованиеХарактеристик === 'ОбщиеДляВидаНоменклатуры');
      const counts = new Map<string, number>();
      for (const it of items) {
        const values = new Set(em.store.list(CHARS).filter((c) => c.Owner === it.ВладелецХарактеристик_Key && !c.DeletionMark).flatMap((c) => ownProps(String(c.Ref_Key)).map(([, v]) => v)));
        for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
      }
      expect(counts.size).toBe(3);
      expect(Object.fromEntries(colour.values.map((v: any) => [v.id, v.items]))).toEqual(Object.fromEntries(counts));
      expect(colour.values.map((v: any) => v.name).sort()).toEqual(['Графит', 'Белый', 'Оливковый'].sort());
    });

    it('assortment?property= finds exactly the items one of whose variants has the value', async () => {
      const colour = colourProp();
      const graphite = colour.values.find((v) => v.name === 'Графит')!;
      let seen = 0;
      for (const store of stores()) {
        const all = whole(store);
        const expected = all.filter((i) => i.variants?.some((v) => v.properties?.some((p) => p.id === colour.id && p.valueId === graphite.id))).map((i) => i.id);
        const r = await get(`assortment?store=${store}&property=${colour.id}:${graphite.id}&limit=1000`);
        expect(r.status).toBe(200);
        const body = (await r.json()) as any;
        expect(body.items.map((i: any) => i.id)).toEqual(expected);
        expect(body.total).toBe(expected.length);
        expect(expected.length).toBeLessThan(all.length);
        seen += expected.length;
      }
      expect(seen).toBeGreaterThan(0);
    });

    it('a box’s own barcode is listed under the box, not the item’s; q= by it finds the item', () => {
      const boxes = em.store.list(UNITS).filter((u) => u.Owner_Type === 'StandardODATA.Catalog_Номенклатура' && String(u.Description).startsWith('Коробка'));
      const codes = em.store.list(BARCODES);
      let seen = 0;
      for (const box of boxes) {
        const code = codes.find((b) => b.Упаковка_Key === box.Ref_Key);
        expect(code).toBeDefined();
        const store = db.prepare(`SELECT store_id FROM catalog_stock WHERE item_id = ? LIMIT 1`).pluck().get(box.Owner) as string | undefined;
        if (!store) continue; // carried nowhere
        const found = catalog.assortment({ store, q: String(code!.Штрихкод), page: 1, pageSize: 50 }).items;
        expect(found.map((i) => i.id)).toEqual([box.Owner]);
        const item = found[0];
        expect(item.packagings).toEqual([expect.objectContaining({ id: box.Ref_Key, typedBarcodes: [{ barcode: code!.Штрихкод, type: 'GTIN-14' }] })]);
        expect(item.typedBarcodes!.map((b) => b.barcode)).not.toContain(code!.Штрихкод);
        // The unit's typed barcodes are its own EAN-13 (registered without a packaging); v1's barcodes keep the box's
        // too, as they always did (additive change).
        const own = codes.filter((b) => b.Номенклатура_Key === box.Owner && b.Упаковка_Key === EMPTY).map((b) => b.Штрихкод);
        expect(item.typedBarcodes!.map((b) => b.barcode)).toEqual(own);
        expect(own).toHaveLength(1);
        expect([...item.barcodes].sort()).toEqual([...own, code!.Штрихкод].sort());
        seen++;
      }
      expect(seen).toBeGreaterThan(3);
    });

    it('a portion’s barcode is the portion packaging’s (Упаковка filled in 1C)', () => {
      const row = db.prepare(`SELECT b.item_id, b.packaging_id, b.barcode, s.store_id FROM catalog_packaging_barcodes b JOIN catalog_item_packagings p ON p.item_id = b.item_id AND p.id = b.packaging_id
        JOIN catalog_stock s ON s.item_id = b.item_id WHERE p.ratio < 1 LIMIT 1`).get() as { item_id: string; packaging_id: string; barcode: string; store_id: string };
      expect(row).toBeDefined();
      expect(em.store.list(BARCODES).find((b) => b.Штрихкод === row.barcode)?.Упаковка_Key).toBe(row.packaging_id);
      const item = catalog.assortment({ store: row.store_id, q: row.barcode, page: 1, pageSize: 10 }).items.find((i) => i.id === row.item_id)!;
      expect(item.portion).not.toBeNull();
      expect(item.packagings!.find((p) => p.id === row.packaging_id)!.typedBarcodes).toEqual([{ barcode: row.barcode, type: 'EAN-13' }]);
      // Not a unit's barcode (typed), but v1's barcodes still carry it: a shop matching a scanned portion code keeps it.
      expect(item.typedBarcodes).toEqual([]);
      expect(item.barcodes).toEqual([row.barcode]);
    });

    it('a changed colour reaches the mirror with the next full sync and move the item’s changedAt', async () => {
      const colour = colourProp();
      const olive = colour.values.find((v) => v.name === 'Оливковый')!;
      const store = stores()[0];
      const before = whole(store).find((i) => i.variants?.some((v) => v.properties?.length))!;
      const white = before.variants!.find((v) => v.properties?.some((p) => p.value === 'Белый'))!;
      const lines = (em.store.get(CHARS, white.id)!.ДополнительныеРеквизиты as Row[]).map((l) => ({ ...l, Значение: olive.id }));
      em.store.update(CHARS, white.id, { ДополнительныеРеквизиты: lines });
      await runFullSync({ db, onec, config });
      const after = whole(store).find((i) => i.id === before.id)!;
      expect(after.variants!.find((v) => v.id === white.id)!.properties).toEqual([{ id: colour.id, name: 'Цвет', value: 'Оливковый', valueId: olive.id }]);
      expect(after.changedAt > before.changedAt).toBe(true);
      expect(catalog.properties().find((p) => p.id === colour.id)!.values.find((v) => v.name === 'Белый')).toBeUndefined();
    });
  });
}

describe('variants’ properties follow catalog.exportProperties', () => {
  it('a property not exported is on no variant, not in /properties, and property= by it is 404', async () => {
    const d = await syncedDemo({ seed: 'variant-extras-export', items: 120 });
    try {
      const { openDb } = await import('../../src/db/open.js');
      const db = openDb(':memory:');
      const config = parseConfig({ onec: { url: d.em.url }, catalog: { exportProperties: ['Материал'] } });
      await runFullSync({ db, onec: d.onec, config });
      const catalog = new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
      // The same base synced with every property exported shows the colour (so the one below could show it).
      const all = new CatalogService(d.db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
      const colour = all.properties().find((p) => p.name === 'Цвет')!;
      expect(colour).toBeDefined();
      expect(catalog.properties().map((p) => p.name)).toEqual(['Материал']);
      expect(db.prepare(`SELECT count(*) FROM catalog_variant_properties`).pluck().get()).toBe(0);
      const store = db.prepare(`SELECT id FROM catalog_stores ORDER BY id LIMIT 1`).pluck().get() as string;
      const items = catalog.assortment({ store, page: 1, pageSize: 1000 }).items;
      expect(items.some((i) => i.variants?.length)).toBe(true);
      expect(items.flatMap((i) => i.variants ?? []).some((v) => 'properties' in v)).toBe(false);
      expect(() => catalog.assortment({ store, property: `${colour.id}:${colour.values[0].id}`, page: 1, pageSize: 10 })).toThrow(expect.objectContaining({ status: 404 }));
      db.close();
    } finally {
      await closeDemo(d);
    }
  }, 60_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDemo, syncedDemo } from '../helpers/synced-demo.js';
import type { Emulator } from '../../src/emulator/index.js';
import type { Db } from '../../src/db/open.js';
import type { Config } from '../../src/config/index.js';
import { ODataClient } from '../../src/onec/index.js';
import { getProfile } from '../../src/onec/profiles/index.js';
import { runFullSync } from '../../src/catalog/sync.js';
import { CatalogService } from '../../src/catalog/service.js';
import { packagingOf, unitsOfPacks } from '../../src/catalog/packagings.js';

// Issue 17: packagings a shop sells by (a box of 12) offered as units of sale with their ratio — the item's own
// Catalog_УпаковкиЕдиницыИзмерения (Owner + Owner_Type in both dumps) — and an order line by a packaging as УТ keeps it:
// Упаковка_Key, КоличествоУпаковок = packs, Количество = packs × ratio, Цена per packaging (Сумма = Цена × КоличествоУпаковок).
// Emulators built from the real dumps.

const UNITS = 'Catalog_УпаковкиЕдиницыИзмерения';
const ORDERS = 'Document_ЗаказКлиента';
type Row = Record<string, unknown>;

for (const variant of ['ut11.5', 'ut11.4'] as const) {
  describe(`packagings as units of sale (${variant === 'ut11.5' ? '11.5.20' : '11.4.2'})`, () => {
    let em: Emulator;
    let config: Config;
    let onec: ODataClient;
    let db: Db;
    let catalog: CatalogService;
    beforeAll(async () => {
      ({ em, config, onec, db } = await syncedDemo({ seed: `packagings-${variant}`, items: 200, variant }));
      catalog = new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
    }, 60_000);
    afterAll(() => closeDemo({ em, onec, db }));

    const boxes = () => em.store.list(UNITS).filter((u) => u.Owner_Type === 'StandardODATA.Catalog_Номенклатура' && String(u.Description).startsWith('Коробка'));
    const itemIn = (itemId: string) => {
      const store = db.prepare(`SELECT store_id FROM catalog_stock WHERE item_id = ? LIMIT 1`).pluck().get(itemId) as string | undefined;
      if (!store) return undefined;
      const name = db.prepare(`SELECT name FROM catalog_items WHERE id = ?`).pluck().get(itemId) as string;
      return catalog.assortment({ store, q: name, page: 1, pageSize: 50 }).items.find((i) => i.id === itemId);
    };

    it('the assortment offers each item’s packagings with their ratio and the price of one; items without have no field', () => {
      const list = boxes();
      expect(list.length).toBeGreaterThan(5);
      let seen = 0;
      for (const b of list) {
        const item = itemIn(String(b.Owner));
        if (!item) continue; // not carried anywhere
        seen++;
        // The box's own barcode (ШтрихкодыНоменклатуры.Упаковка = the box: the demo's GTIN-14) is listed under it.
        const codes = em.store.list('InformationRegister_ШтрихкодыНоменклатуры').filter((c) => c.Упаковка_Key === b.Ref_Key).map((c) => ({ barcode: c.Штрихкод, type: 'GTIN-14' }));
        expect(item.packagings).toEqual([{ id: b.Ref_Key, name: b.Description, ratio: b.Числитель, price: item.price == null ? null : Math.round(item.price * Number(b.Числитель) * 100) / 100, typedBarcodes: codes }]);
        expect(item.unit).toBe('шт');
      }
      expect(seen).toBeGreaterThan(3);
      // Portions of weight goods are packagings of the item too (Порция 170 г: ratio 0.17 of a кг).
      const portion = db.prepare(`SELECT item_id, ratio FROM catalog_item_packagings WHERE ratio < 1 LIMIT 1`).get() as { item_id: string; ratio: number };
      expect(portion).toBeTruthy();
      const without = db.prepare(`SELECT s.item_id FROM catalog_stock s WHERE NOT EXISTS (SELECT 1 FROM catalog_item_packagings p WHERE p.item_id = s.item_id) LIMIT 1`).pluck().get() as string;
      expect(itemIn(without)!.packagings).toBeUndefined();
    });

    it('a packaging set’s packagings (Catalog_НаборыУпаковок, Номенклатура.НаборУпаковок) are units of sale of its items', () => {
      const set = em.store.list(UNITS).find((u) => u.Owner_Type === 'StandardODATA.Catalog_НаборыУпаковок')!;
      expect(set).toBeTruthy();
      const members = em.store.list('Catalog_Номенклатура').filter((i) => i.IsFolder !== true && i.НаборУпаковок_Key === set.Owner && i.ИспользоватьУпаковки === true);
      expect(members.length).toBeGreaterThan(3);
      let seen = 0;
      for (const m of members) {
        const item = itemIn(String(m.Ref_Key));
        if (!item) continue;
        seen++;
        expect(item.packagings).toEqual([{ id: set.Ref_Key, name: set.Description, ratio: set.Числитель, price: item.price == null ? null : Math.round(item.price * Number(set.Числитель) * 100) / 100, typedBarcodes: [] }]);
        // A set's packaging is no portion of the item (the item's portion is its own packaging).
        expect(item.portion).toBeNull();
      }
      expect(seen).toBeGreaterThan(2);
      // An item that does not name the set does not get its packaging.
      expect(db.prepare(`SELECT count(DISTINCT item_id) FROM catalog_item_packagings WHERE id = ?`).pluck().get(set.Ref_Key)).toBe(
        db.prepare(`SELECT count(*) FROM catalog_items WHERE id IN (SELECT value FROM json_each(?))`).pluck().get(JSON.stringify(members.map((m) => m.Ref_Key))),
      );
    });

    it('packagingOf: the booking path’s lookup of an item’s packaging (own or its set’s), unitsOfPacks', () => {
      const b = boxes()[0];
      expect(packagingOf(db, String(b.Owner), String(b.Ref_Key))).toEqual({ id: b.Ref_Key, name: b.Description, ratio: b.Числитель });
      const other = db.prepare(`SELECT id FROM catalog_items WHERE id <> ? LIMIT 1`).pluck().get(b.Owner) as string;
      expect(packagingOf(db, other, String(b.Ref_Key))).toBeUndefined();
      expect(unitsOfPacks(3, 0.17)).toBe(0.51);
      expect(unitsOfPacks(2, 12)).toBe(24);
    });

    it('a packaging changed in 1C moves its item in the next full sync', async () => {
      const b = boxes().find((x) => itemIn(String(x.Owner)))!;
      const before = db.prepare(`SELECT changed_at FROM catalog_items WHERE id = ?`).pluck().get(b.Owner) as string;
      // Renamed only: the item's own row (its portion is the box's ratio) stays; its offer of packagings changed.
      const [name, ratio] = [String(b.Description), Number(b.Числитель)];
      em.store.update(UNITS, String(b.Ref_Key), { Description: `${name}, гофрокартон` });
      const r = await runFullSync({ db, onec, config });
      expect(r.changed).toBe(0);
      let item = itemIn(String(b.Owner))!;
      expect(item.packagings?.[0]).toMatchObject({ id: b.Ref_Key, name: `${name}, гофрокартон`, ratio });
      expect(item.changedAt > before).toBe(true);
      // A new ratio: the item follows (its portion with it).
      em.store.update(UNITS, String(b.Ref_Key), { Числитель: 10, Description: 'Коробка (10 шт)' });
      await runFullSync({ db, onec, config });
      item = itemIn(String(b.Owner))!;
      expect(item.packagings?.[0]).toMatchObject({ id: b.Ref_Key, name: 'Коробка (10 шт)', ratio: 10 });
    });

    it('an order line by a packaging: Упаковка_Key, КоличествоУпаковок = packs, Количество = packs × ratio, Цена per packaging; 1C takes and posts it', async () => {
      const b = boxes().find((x) => itemIn(String(x.Owner)))!;
      const itemId = String(b.Owner);
      const ratio = Number(em.store.list(UNITS).find((u) => u.Ref_Key === b.Ref_Key)!.Числитель);
      const price = itemIn(itemId)!.price!;
      const profile = getProfile(variant, config);
      const org = em.store.list('Catalog_Организации')[0];
      const partner = em.store.list('Catalog_Партнеры').find((p) => p.Клиент === true)!;
      const counterparty = em.store.list('Catalog_Контрагенты').find((c) => c.Партнер_Key === partner.Ref_Key)!;
      const store = db.prepare(`SELECT store_id FROM catalog_stock WHERE item_id = ? LIMIT 1`).pluck().get(itemId) as string;
      const currency = em.store.list('Catalog_Валюты')[0];
      const packs = 2;
      const body = profile.build.orderDocument(
        {
          externalId: `PACK-${variant}`,
          date: new Date('2026-12-03T09:00:00Z'),
          deliveryAddress: 'Москва, ул. Тверская, 1',
          paymentForm: 'card',
          lines: [{ itemId, quantity: packs * ratio, price, amount: Math.round(price * packs * ratio * 100) / 100, packagingId: String(b.Ref_Key), packagingRatio: ratio }],
        },
        { organisationKey: String(org.Ref_Key), partnerKey: String(partner.Ref_Key), counterpartyKey: String(counterparty.Ref_Key), warehouseKey: store, currencyKey: String(currency.Ref_Key) },
        config,
      );
      const doc = await onec.create(ORDERS, body);
      await onec.post(ORDERS, String(doc.Ref_Key));
      const saved = em.store.list(ORDERS).find((d) => d.Ref_Key === doc.Ref_Key)!;
      expect(saved.Posted).toBe(true);
      const line = (saved.Товары as Row[])[0];
      expect(line.Упаковка_Key).toBe(b.Ref_Key);
      expect(line.КоличествоУпаковок).toBe(packs);
      expect(line.Количество).toBe(packs * ratio);
      expect(line.Цена).toBe(Math.round(price * ratio * 100) / 100);
      // УТ's own rule: Сумма = Цена × КоличествоУпаковок.
      expect(line.Сумма).toBeCloseTo(Number(line.Цена) * packs, 2);
      // Without a packaging both count units, as before.
      const plain = profile.build.orderDocument(
        { externalId: `UNIT-${variant}`, date: new Date(), deliveryAddress: 'x', paymentForm: 'card', lines: [{ itemId, quantity: 3, price }] },
        { organisationKey: String(org.Ref_Key), partnerKey: String(partner.Ref_Key), counterpartyKey: null, warehouseKey: store, currencyKey: String(currency.Ref_Key) },
        config,
      );
      expect((plain.Товары as Row[])[0]).toMatchObject({ Упаковка_Key: null, КоличествоУпаковок: 3, Количество: 3, Цена: price });
    });
  });
}

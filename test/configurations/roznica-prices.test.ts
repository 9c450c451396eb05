import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { boot, haveDump, DUMPS, type Booted } from './harness.js';
import { runFullSync, runStockSync } from '../../src/catalog/sync.js';
import { atStorePrice } from '../../src/catalog/store-prices.js';

/**
 * Розница prices per shop (issue 18) over the public API, against the demo base generated into the real 2.2.12 dump:
 * a shop with ИспользоватьПрименениеЦен sells at the last price applied to it (InformationRegister.
 * ДействующиеЦеныНоменклатуры, ОбъектЦенообразования = the shop), a shop without at the retail price kind
 * (ЦеныНоменклатуры); the assortment shows that price, a booking writes it into the ЗаказПокупателя line, and a new
 * application read by the stock sync moves the item's changedAt.
 */
type R = Record<string, unknown>;
const FOLDER = 'roznica-2.2.12-xml';
const HAVE = haveDump(FOLDER);
if (!HAVE) console.warn(`test/configurations/roznica-prices: ${DUMPS}/${FOLDER} is absent — skipped`);
const APPLIED = 'InformationRegister_ДействующиеЦеныНоменклатуры';

describe('a store\'s applied price and the volume prices', () => {
  it('replaces the retail kind\'s; a volume price stays only below it; no store price leaves the prices as they are', () => {
    const kinds = { retail: 100, tier1: 95, tier2: 90 };
    expect(atStorePrice(kinds, undefined)).toEqual(kinds);
    expect(atStorePrice(kinds, null)).toEqual(kinds);
    expect(atStorePrice(kinds, 105)).toEqual({ retail: 105, tier1: 95, tier2: 90 });
    expect(atStorePrice(kinds, 92)).toEqual({ retail: 92, tier1: null, tier2: 90 });
    expect(atStorePrice(kinds, 90)).toEqual({ retail: 90, tier1: null, tier2: null });
    expect(atStorePrice({ retail: null, tier1: null, tier2: 80 }, 120)).toEqual({ retail: 120, tier1: null, tier2: 80 });
  });
});

describe.skipIf(!HAVE)('Розница: prices per shop (ДействующиеЦеныНоменклатуры)', () => {
  let b: Booted;
  let stores: { id: string; shop: R }[];
  beforeAll(async () => {
    b = await boot(FOLDER, { extension: false, items: 40 });
    const cities = (await b.api('GET', 'city')).body.cities.map((c: any) => c.name as string);
    stores = [];
    for (const city of cities) {
      for (const s of (await b.api('GET', `citystore?city=${encodeURIComponent(city)}`)).body.stores) {
        stores.push({ id: s.id, shop: b.em.store.list('Catalog_Магазины').find((m) => m.СкладПродажи_Key === s.id)! });
      }
    }
  }, 120_000);
  afterAll(async () => {
    await b?.stop();
  });

  /** The price kind of the shop's pricing rule (ПравилаЦенообразования.ВидЦен). */
  const kindOf = (shop: R) => b.em.store.get('Catalog_ПравилаЦенообразования', String(shop.ПравилоЦенообразования_Key))!.ВидЦен_Key as string;
  /**
   * What Розница sells the item at in the shop: the last applied price if the shop uses them (none without one:
   * ПолучитьЦенуПродажи leaves 0, ЗапасыСервер 3779-3821), else its rule's kind's.
   */
  const expected = (shop: R, item: string): number | null => {
    if (shop.ИспользоватьПрименениеЦен === true) {
      const last = b.em.store.records(APPLIED).filter((r) => r.ОбъектЦенообразования_Key === shop.Ref_Key && r.Номенклатура_Key === item && r.Active !== false).sort((x, y) => String(y.Period).localeCompare(String(x.Period)))[0];
      return last ? Number(last.Цена) : null;
    }
    const kind = b.em.store.records('InformationRegister_ЦеныНоменклатуры').find((r) => r.Номенклатура_Key === item && r.ВидЦены_Key === kindOf(shop));
    return kind ? Number(kind.Цена) : null;
  };
  const page = async (store: string) => (await b.api('GET', `assortment?store=${store}&pageSize=100`)).body.items as any[];

  it('each shop\'s assortment shows the price applied to that shop, its pricing rule\'s kind\'s in a shop without applied prices', async () => {
    expect(stores.map((s) => s.shop.ИспользоватьПрименениеЦен)).toContain(false);
    // Казань's rule prices by a kind of its own, the others' by the retail kind.
    expect(new Set(stores.map((s) => kindOf(s.shop))).size).toBe(2);
    let differing = 0;
    const seen = new Map<string, Set<number>>();
    for (const { id, shop } of stores) {
      const items = await page(id);
      expect(items.length).toBeGreaterThan(0);
      for (const it of items) {
        expect(it.price, `${shop.Description} ${it.name}`).toBe(expected(shop, it.id));
        // The shop's kind's entry of prices[] is the shop's price too; a volume price only below it.
        expect(it.prices.find((p: any) => p.priceKindId === kindOf(shop))?.price ?? null).toBe(it.price);
        if (it.priceOverX1 != null) expect(it.priceOverX1).toBeLessThan(it.price);
        seen.set(it.id, (seen.get(it.id) ?? new Set()).add(it.price));
      }
    }
    for (const prices of seen.values()) if (prices.size > 1) differing++;
    expect(differing).toBeGreaterThan(0);
    // The later application in Невский is the price there (the last record of the shop and item wins).
    const nevsky = stores.find((s) => s.shop.Description === 'Магазин «Невский»')!;
    const later = b.em.store.records(APPLIED).filter((r) => r.ОбъектЦенообразования_Key === nevsky.shop.Ref_Key && String(r.Period) > '2024-01-10');
    expect(later.length).toBeGreaterThan(0);
    const shown = (await page(nevsky.id)).find((i) => later.some((r) => r.Номенклатура_Key === i.id));
    if (shown) expect(shown.price).toBe(later.find((r) => r.Номенклатура_Key === shown.id)!.Цена);
  });

  it('a booking at each of two shops writes that shop\'s price into the ЗаказПокупателя line', async () => {
    // An item carried (stock ≥ 1) at two shops that price it differently.
    const pages = await Promise.all(stores.map(async (s) => ({ ...s, items: await page(s.id) })));
    let pick: { item: string; at: { store: string; price: number }[] } | undefined;
    for (const a of pages) {
      for (const it of a.items.filter((i) => typeof i.stock === 'number' && i.stock >= 1)) {
        const other = pages.find((p) => p !== a && p.items.some((j) => j.id === it.id && typeof j.stock === 'number' && j.stock >= 1 && j.price !== it.price));
        if (other) {
          pick = { item: it.id, at: [{ store: a.id, price: it.price }, { store: other.id, price: other.items.find((j) => j.id === it.id).price }] };
          break;
        }
      }
      if (pick) break;
    }
    expect(pick, 'an item priced differently at two shops that carry it').toBeDefined();
    expect((await b.api('POST', 'client', { clientId: 'C-P', name: 'ООО "Прайс"', inn: '7707083893' })).status).toBeLessThan(300);
    for (const [n, at] of pick!.at.entries()) {
      const book = await b.api('POST', 'booking', { orderId: `RP-${n}`, clientId: 'C-P', store: at.store, deliveryAddress: 'Самовывоз', items: [{ itemId: pick!.item, quantity: 1 }] });
      expect(book.status, JSON.stringify(book.body)).toBeLessThan(300);
      expect(book.body.amount).toBe(at.price);
    }
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    expect(b.dead()).toEqual([]);
    for (const [n, at] of pick!.at.entries()) {
      const state = (await b.api('GET', `bookingstate?orderId=RP-${n}`)).body;
      const order = b.em.store.list('Document_ЗаказПокупателя').find((d) => d.Number === state.number)!;
      expect(order).toMatchObject({ Posted: true, Склад_Key: at.store, СуммаДокумента: at.price });
      expect(order.Товары).toEqual([expect.objectContaining({ Номенклатура_Key: pick!.item, Цена: at.price, Сумма: at.price, Количество: 1 })]);
    }
  }, 60_000);

  it('a new price applied to one shop reaches the mirror by the stock sync and changedSince at that shop', async () => {
    const store = stores.find((s) => s.shop.ИспользоватьПрименениеЦен === true)!;
    const item = (await page(store.id))[0];
    const before = new Date().toISOString();
    const others = await Promise.all(stores.filter((s) => s !== store).map(async (s) => ({ id: s.id, price: (await page(s.id)).find((i) => i.id === item.id)?.price })));
    const price = Math.round((item.price + 111) * 100) / 100;
    b.em.store.writeRecords(APPLIED, '7b1c2d3e-0000-4000-8000-000000000001', [
      { Period: new Date(Date.now() - 60_000).toISOString().slice(0, 19), ОбъектЦенообразования_Key: store.shop.Ref_Key, Номенклатура_Key: item.id, Характеристика_Key: '00000000-0000-0000-0000-000000000000', Цена: price, Упаковка_Key: '00000000-0000-0000-0000-000000000000' },
    ], 'Document_ПрименениеЦенНоменклатуры');
    const report = await runStockSync({ ...b.rt, profile: b.rt.profile });
    expect(report.changed).toBeGreaterThanOrEqual(1);
    const changed = (await b.api('GET', `assortment?store=${store.id}&changedSince=${encodeURIComponent(before)}&pageSize=100`)).body.items as any[];
    expect(changed.find((i) => i.id === item.id)).toMatchObject({ price });
    // The store's page is answered anew too (the generation moved; the kept page named the item).
    expect((await page(store.id)).find((i) => i.id === item.id)).toMatchObject({ price });
    // Only that shop's price moved.
    for (const o of others) expect((await page(o.id)).find((i) => i.id === item.id)?.price).toBe(o.price);
  }, 60_000);

  it('a shop without applied prices ignores records made for it; once it uses them (full sync), its applied price per unit, its rule\'s kind\'s where it has none', async () => {
    const kazan = stores.find((s) => s.shop.ИспользоватьПрименениеЦен === false)!;
    const items = await page(kazan.id);
    expect(items.length).toBeGreaterThan(1);
    const packOf = (id: string) => b.em.store.list('Catalog_УпаковкиНоменклатуры').find((u) => u.Owner === id && Number(u.Коэффициент) > 0 && Number(u.Коэффициент) !== 1);
    const first = items.find((i) => packOf(i.id))!;
    const second = items.find((i) => i !== first)!;
    const packaging = packOf(first.id)!;
    expect(packaging, 'an item of Казань sold in portions').toBeDefined();
    const ratio = Number(packaging.Коэффициент);
    // A price for the packaging: the unit's is Цена / Коэффициент (ОбменССайтомРТ 449-457).
    const perUnit = Math.round((first.price + 7) * 100) / 100;
    const NULL = '00000000-0000-0000-0000-000000000000';
    b.em.store.writeRecords(APPLIED, '7b1c2d3e-0000-4000-8000-000000000002', [
      { Period: '2024-03-01T09:00:00', ОбъектЦенообразования_Key: kazan.shop.Ref_Key, Номенклатура_Key: first.id, Характеристика_Key: NULL, Цена: Math.round(perUnit * ratio * 100) / 100, Упаковка_Key: packaging.Ref_Key },
    ], 'Document_ПрименениеЦенНоменклатуры');
    await runStockSync({ ...b.rt, profile: b.rt.profile });
    // Розница ignores a shop's applied prices while it does not use them (ЗапасыСервер.ПолучитьЦенуПродажи 3780-3787).
    expect((await page(kazan.id)).find((i) => i.id === first.id).price).toBe(first.price);
    b.em.store.update('Catalog_Магазины', String(kazan.shop.Ref_Key), { ИспользоватьПрименениеЦен: true });
    await runFullSync({ ...b.rt, profile: b.rt.profile });
    const after = await page(kazan.id);
    expect(after.find((i) => i.id === first.id).price).toBeCloseTo(Math.round((Math.round(perUnit * ratio * 100) / 100 / ratio) * 100) / 100, 2);
    // No applied price for the other item in Казань: now no price at all, as at its till (ЦенаВыборки = 0), and
    // booking it is refused naming the line, not priced at the kind's.
    expect(after.find((i) => i.id === second.id).price).toBeNull();
    expect((await b.api('POST', 'client', { clientId: 'C-K', name: 'ООО "Казань"', inn: '7736050003' })).status).toBeLessThan(300);
    const refused = await b.api('POST', 'booking', { orderId: 'RP-K', clientId: 'C-K', store: kazan.id, deliveryAddress: 'Самовывоз', items: [{ itemId: second.id, quantity: second.minQuantity }] });
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).toContain('items.0.itemId');
    expect(JSON.stringify(refused.body)).toContain('нет цены');
    b.em.store.update('Catalog_Магазины', String(kazan.shop.Ref_Key), { ИспользоватьПрименениеЦен: false });
    await runFullSync({ ...b.rt, profile: b.rt.profile });
    expect((await page(kazan.id)).find((i) => i.id === first.id).price).toBe(first.price);
  }, 60_000);

  it('regate check --dump still passes and names the prices per shop it reads (exit 0)', () => {
    const out = execFileSync(process.execPath, [resolve(__dirname, '../../bin/regate.mjs'), 'check', '--dump', join(DUMPS, FOLDER)], { encoding: 'utf8' });
    expect(out).toMatch(/есть\s+InformationRegister_ДействующиеЦеныНоменклатуры/);
    expect(out).toContain('действующую цену магазина (ДействующиеЦеныНоменклатуры');
    expect(out).toContain('Все нужные наборы');
  }, 60_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, until, ORDERS, type Harness } from '../orders/harness.js';
import { CatalogService } from '../../src/catalog/service.js';
import { runFullSync } from '../../src/catalog/sync.js';
import { parseConfig } from '../../src/config/index.js';
import { clientOrderTerms } from '../../src/catalog/client-terms.js';

// Issue 17: any configured set of price kinds per item, and a client's own price kind (its agreement in 1C: the demo
// base gives the first client a non-typical agreement at «Дилерская») applied in booking. Emulator from the real dump.
let h: Harness;
const kindId = (name: string) => h.db.prepare(`SELECT id FROM catalog_price_kinds WHERE name = ?`).pluck().get(name) as string;

beforeAll(async () => {
  h = await harness({ config: { catalog: { extraPriceKinds: ['Дилерская'] } } });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe('price kinds', () => {
  it('the assortment lists each item’s prices of the configured kinds, extra ones included', () => {
    const catalog = new CatalogService(h.db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
    const page = catalog.assortment({ store: h.store, page: 1, pageSize: 1000 });
    const dealer = kindId('Дилерская');
    expect(dealer).toBeTruthy();
    let checked = 0;
    for (const item of page.items) {
      const byKind = new Map(item.prices!.map((p) => [p.name, p.price]));
      expect(byKind.get('Розничная')).toBe(item.price);
      if (item.priceOverX1 != null) expect(byKind.get('Мелкооптовая')).toBe(item.priceOverX1);
      const own = h.db.prepare(`SELECT price FROM catalog_prices WHERE item_id = ? AND price_kind_id = ?`).pluck().get(item.id, dealer) as number;
      expect(byKind.get('Дилерская')).toBe(own);
      // The demo's dealer price is 15% off retail.
      expect(own).toBe(Math.round(item.price! * 0.85 * 100) / 100);
      checked++;
    }
    expect(checked).toBeGreaterThan(5);
    expect(page.items.every((i) => !i.prices!.some((p) => p.name === 'Закупочная'))).toBe(true);
  });

  it('without extraPriceKinds the dealer kind is still mirrored (a client buys at it) but not listed', async () => {
    const config = parseConfig({ ...h.config, catalog: { ...h.config.catalog, extraPriceKinds: [] } });
    await runFullSync({ db: h.db, onec: h.onec, config });
    const catalog = new CatalogService(h.db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
    const page = catalog.assortment({ store: h.store, page: 1, pageSize: 5 });
    expect(page.items.every((i) => !i.prices!.some((p) => p.name === 'Дилерская'))).toBe(true);
    expect(h.db.prepare(`SELECT count(*) FROM catalog_prices WHERE price_kind_id = ?`).pluck().get(kindId('Дилерская'))).toBeGreaterThan(0);
    expect(h.db.prepare(`SELECT partner_id FROM catalog_client_price_kinds`).pluck().all()).toHaveLength(1);
  });

  it('a client with its own agreement gets its price kind in booking; another client retail', async () => {
    const partner = h.db.prepare(`SELECT partner_id FROM catalog_client_price_kinds`).pluck().get() as string;
    const dealer = kindId('Дилерская');
    const partnerRow = h.em.store.list('Catalog_Партнеры').find((p) => p.Ref_Key === partner)!;
    // The client known to 1C by its external id (the demo's first partner carries rs-client-0001).
    const clientId = String(partnerRow.ReGate_ВнешнийИдентификатор);
    expect(clientId).toBe('rs-client-0001');
    await h.orders.client({ clientId, name: String(partnerRow.Description), kind: 'company' } as never);
    expect(await until(() => h.db.prepare(`SELECT partner_key FROM clients WHERE id = ?`).pluck().get(clientId) === partner)).toBe(true);
    await h.orders.client({ clientId: 'P-C-2', name: 'Сидоров Сидор', kind: 'person', phone: '+7 900 000-00-18' } as never);
    const [item] = h.items;
    const retail = h.db.prepare(`SELECT price FROM catalog_prices p JOIN catalog_price_kinds k ON k.id = p.price_kind_id AND k.name = 'Розничная' WHERE p.item_id = ?`).pluck().get(item) as number;
    const own = h.db.prepare(`SELECT price FROM catalog_prices WHERE item_id = ? AND price_kind_id = ?`).pluck().get(item, dealer) as number;
    expect(own).toBeLessThan(retail);

    await h.orders.book({ orderId: 'P-O-1', clientId, store: h.store, deliveryAddress: 'Москва, ул. Тверская, 1', items: [{ itemId: item, quantity: 1 }] });
    await h.orders.book({ orderId: 'P-O-2', clientId: 'P-C-2', store: h.store, deliveryAddress: 'Москва, ул. Тверская, 1', items: [{ itemId: item, quantity: 1 }] });
    const line = (o: string) => h.db.prepare(`SELECT price_kopecks, price_kind_id FROM order_lines WHERE order_id = ?`).get(o);
    expect(line('P-O-1')).toEqual({ price_kopecks: Math.round(own * 100), price_kind_id: dealer });
    expect(line('P-O-2')).toEqual({ price_kopecks: Math.round(retail * 100), price_kind_id: kindId('Розничная') });
    // 1C's order line carries the client's price kind and price.
    expect(await until(() => h.docs(ORDERS, 'P-O-1').length === 1)).toBe(true);
    const doc = h.docs(ORDERS, 'P-O-1')[0];
    expect((doc.Товары as Record<string, unknown>[]).map((l) => [l.ВидЦены_Key, l.Цена])).toEqual([[dealer, own]]);
    // …and is made under the client's own agreement, with its ЦенаВключаетНДС; the other client's under the typical one.
    const agreements = h.em.store.list('Catalog_СоглашенияСКлиентами');
    const ownAgreement = agreements.find((a) => a.Типовое === false && a.Партнер_Key === partner)!;
    const typical = agreements.find((a) => a.Типовое === true)!;
    expect(h.db.prepare(`SELECT agreement_id, includes_vat FROM catalog_client_price_kinds WHERE partner_id = ?`).get(partner)).toEqual({ agreement_id: ownAgreement.Ref_Key, includes_vat: ownAgreement.ЦенаВключаетНДС ? 1 : 0 });
    expect(doc.Соглашение_Key).toBe(ownAgreement.Ref_Key);
    expect(doc.ЦенаВключаетНДС).toBe(ownAgreement.ЦенаВключаетНДС);
    expect(await until(() => h.docs(ORDERS, 'P-O-2').length === 1)).toBe(true);
    expect(h.docs(ORDERS, 'P-O-2')[0].Соглашение_Key).toBe(typical.Ref_Key);
  });

  it('the client’s agreement’s ЦенаВключаетНДС wins over the typical terms (clientOrderTerms)', () => {
    const partner = h.db.prepare(`SELECT partner_id FROM catalog_client_price_kinds`).pluck().get() as string;
    const agreement = h.db.prepare(`SELECT agreement_id FROM catalog_client_price_kinds`).pluck().get() as string;
    expect(clientOrderTerms(h.db, partner)).toEqual({ agreementKey: agreement, pricesIncludeVat: true });
    h.db.prepare(`UPDATE catalog_client_price_kinds SET includes_vat = 0 WHERE partner_id = ?`).run(partner);
    expect(clientOrderTerms(h.db, partner)).toEqual({ agreementKey: agreement, pricesIncludeVat: false });
    h.db.prepare(`UPDATE catalog_client_price_kinds SET includes_vat = 1 WHERE partner_id = ?`).run(partner);
    expect(clientOrderTerms(h.db, '00000000-0000-4000-8000-00000000dead')).toEqual({});
    expect(clientOrderTerms(h.db, null)).toEqual({});
  });
});

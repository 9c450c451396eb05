import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { demoFacts, generateDemoBase, type DemoBase } from '../../src/emulator/demo/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { ODataClient } from '../../src/onec/index.js';
import { getProfile, type Profile, type ReadParams, type ReadSpec, type Row } from '../../src/onec/profiles/index.js';

/**
 * End to end: the profile's declarations driven through the real ODataClient against the emulator serving the
 * demo base. Proves the $select lists, filters and virtual-table parameters are accepted by a server that
 * checks names like 1C does, and that mapped records match the generator's facts.
 */
const TZ = 'Europe/Moscow';

/** How a sync service executes a ReadSpec (kept in the test: the profile itself never does HTTP). */
async function run(client: ODataClient, spec: ReadSpec, params: ReadParams = {}): Promise<Row[]> {
  switch (spec.kind) {
    case 'collection': {
      const filter = spec.filter?.(params);
      return client.all(spec.set, { select: spec.select, ...(filter ? { filter } : {}), ...(spec.keyFields ? { keyFields: spec.keyFields } : {}) });
    }
    case 'sliceLast':
      return client.sliceLast(spec.register, { recordType: spec.recordType, condition: spec.condition?.(params), period: params.period }, { select: spec.select });
    case 'balance':
      return client.balance(spec.register, { condition: spec.condition?.(params), dimensions: spec.dimensions, period: params.period }, { select: spec.select });
  }
}

for (const variant of ['ut11.5', 'ut11.4'] as const) {
  describe(`${variant} profile against the emulator`, () => {
    const config = parseConfig({ onec: { profile: variant } });
    let em: Emulator;
    let demo: DemoBase;
    let client: ODataClient;
    let profile: Profile;

    beforeAll(async () => {
      demo = generateDemoBase({ items: 150, seed: `profile-${variant}`, variant });
      em = await startEmulator({ base: demo, timezone: TZ });
      client = new ODataClient({ url: em.url, timezone: TZ, retryBaseMs: 1 });
      profile = getProfile(variant, config);
    });
    afterAll(async () => {
      await client?.close();
      await em?.close();
    });

    it('every declared read is accepted by the server', async () => {
      const failures: string[] = [];
      for (const [concept, spec] of Object.entries(profile.reads)) {
        try {
          await run(client, spec!, {});
        } catch (e) {
          failures.push(`${concept}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      expect(failures).toEqual([]);
    });

    it('catalogue: items, cities, prices, stock and portions equal the demo facts', async () => {
      const facts = demoFacts(demo);
      const ctx = { config };
      const items = (await run(client, profile.reads.item!)).map((r) => profile.map.toItem(r, ctx));
      expect(items.length).toBe(facts.itemCount);
      expect(new Set(items.filter((i) => i.soldToOrder).map((i) => i.id))).toEqual(facts.soldToOrder);
      const groups = (await run(client, profile.reads.group!)).map(profile.map.toGroup);
      expect(groups.length).toBe(facts.groupCount);

      const warehouses = (await run(client, profile.reads.warehouse!)).map(profile.map.toWarehouse);
      expect(profile.map.citiesOf(warehouses)).toEqual([...facts.cities].sort((a, b) => a.localeCompare(b, 'ru')));
      const cities = profile.map.citiesOf((await run(client, profile.reads.city!)).map(profile.map.toWarehouse));
      expect(cities).toEqual(profile.map.citiesOf(warehouses));

      const kinds = (await run(client, profile.reads.priceKind!)).map(profile.map.toPriceKind);
      const wanted = [config.catalog.retailPriceKind, config.catalog.tier1PriceKind, config.catalog.tier2PriceKind];
      const kindKeys = wanted.map((n) => kinds.find((k) => k.name === n)!.id);
      const prices = (await run(client, profile.reads.price!, { priceKindKeys: kindKeys })).map(profile.map.toPrice);
      expect(prices.length).toBeGreaterThan(items.length);
      // The item's prices (a characteristic's own price is its variant's, issue 17).
      for (const p of prices.filter((x) => !x.characteristicId)) expect(p.price).toBe(facts.prices.get(p.itemId)?.get(p.priceKindId));

      // Rows per characteristic (issue 17) added up per item and warehouse, as the sync does.
      const stock = [...(await run(client, profile.reads.stock!)).map(profile.map.toStock).reduce((m, s) => {
        const k = `${s.itemId}|${s.warehouseId}`;
        const acc = m.get(k);
        m.set(k, acc ? { ...acc, available: Math.round((acc.available + s.available) * 1000) / 1000 } : s);
        return m;
      }, new Map<string, ReturnType<typeof profile.map.toStock>>()).values()];
      const expectedCount = [...facts.stock.values()].reduce((s, m) => s + m.size, 0);
      expect(stock.length).toBe(expectedCount);
      // What orders reserve (11.5: ТоварыКОтгрузке.ВРезерве, read apart; 11.4's СвободныеОстатки subtracts it already).
      const reserved = new Map<string, number>();
      if (profile.reads.reserve) for (const r of (await run(client, profile.reads.reserve)).map(profile.map.toReserve)) reserved.set(`${r.itemId}|${r.warehouseId}`, r.reserved);
      if (variant === 'ut11.5') expect(reserved.size).toBeGreaterThan(0);
      for (const s of stock) expect(Math.max(0, Math.round((s.available - (reserved.get(`${s.itemId}|${s.warehouseId}`) ?? 0)) * 1000) / 1000)).toBe(facts.stock.get(s.itemId)?.get(s.warehouseId));
      // Narrowed to one warehouse through the Balance Condition.
      const one = warehouses[0].id;
      const narrowed = (await run(client, profile.reads.stock!, { warehouseKeys: [one] })).map(profile.map.toStock);
      expect(narrowed.length).toBeGreaterThan(0);
      expect(narrowed.every((s) => s.warehouseId === one)).toBe(true);

      const units = (await run(client, profile.reads.unit!)).map(profile.map.toUnit);
      for (const u of units.filter((x) => x.itemId)) expect(u.ratio).toBeCloseTo(facts.portions.get(u.itemId!)!, 6);
      const barcodes = (await run(client, profile.reads.barcode!)).map(profile.map.toBarcode);
      expect(barcodes.filter((b) => !b.characteristicId && !b.packagingId).length).toBe(facts.barcodes.size);
    });

    it('state: organisation and configuration version', async () => {
      const [org] = (await run(client, profile.reads.organisation!)).map(profile.map.toOrganisation);
      expect(org.inn).toMatch(/^\d{10}$/);
      expect(org.ogrn).toMatch(/^\d{13}$/);
      const version = profile.map.toConfigurationVersion(await run(client, profile.reads.configurationVersion!));
      expect(version.name).toBe('УправлениеТорговлей');
      expect(version.version.startsWith(profile.minVersion)).toBe(true);
    });

    it('a picture file is found by its composite key through cast() (ХранилищеФайлов on 11.5.20, ДвоичныеДанныеФайлов on 11.4)', async () => {
      const spec = profile.reads.pictureStorage ?? profile.reads.pictureData!;
      if (spec.kind !== 'collection') throw new Error('picture storage');
      const fileKey = demo.rows['Catalog_НоменклатураПрисоединенныеФайлы'][3].Ref_Key as string;
      const rows = await run(client, { ...spec, select: ['Файл', 'Файл_Type'] }, { fileKey });
      // The client drops the type's namespace (src/onec/values.ts); the mappers compare with endsWith either way.
      expect(rows).toEqual([{ Файл: fileKey, Файл_Type: 'Catalog_НоменклатураПрисоединенныеФайлы' }]);
      expect(spec.set).toBe(variant === 'ut11.5' ? 'InformationRegister_ХранилищеФайлов' : 'InformationRegister_ДвоичныеДанныеФайлов');
    });

    it('a picture: file row by key, bytes by the composite key (and on 11.5.20 through the binary-data item)', async () => {
      const items = (await run(client, profile.reads.item!)).map((r) => profile.map.toItem(r, { config }));
      const withPicture = items.find((i) => i.pictureFileId)!;
      const [file] = (await run(client, profile.reads.picture!, { fileKey: withPicture.pictureFileId! })).map(profile.map.toPicture);
      expect(file.itemId).toBe(withPicture.id);
      let data;
      if (profile.reads.pictureStorage) {
        const [link] = await run(client, profile.reads.pictureStorage, { fileKey: withPicture.pictureFileId! });
        data = await run(client, profile.reads.pictureData!, { blobKey: profile.map.blobOf(link)! });
      } else data = await run(client, profile.reads.pictureData!, { fileKey: withPicture.pictureFileId! });
      expect(data.length).toBe(1);
      const bytes = profile.map.pictureBytes(data[0]);
      expect(bytes?.subarray(1, 4).toString()).toBe('PNG');
      expect(bytes?.length).toBe(file.size);
    });

    it('orders and client balance: the order by external id; its status from the extension register', async () => {
      const [order] = (await run(client, profile.reads.order!, { externalId: 'rs-order-000001' })).map(profile.map.toOrder);
      expect(order.number).toMatch(/^ТД00-/);
      expect(order.date).toBeInstanceOf(Date);
      const [status] = (await run(client, profile.reads.orderStatus!, { orderKey: order.id })).map(profile.map.toOrderStatus);
      expect(status).toMatchObject({ orderId: order.id, orderStatus: 2, paymentStatus: 1, paidAmount: order.total });
      const card = (await run(client, profile.reads.cardPayment!, { orderKey: order.id })).map(profile.map.toCardPayment);
      expect(card[0].amount).toBe(order.total);
      // УТ books no debt for an order, it plans the payment (WRITE-RULES §2): the unpaid third order leaves no debt,
      // the first one, paid by card and not shipped, is the client's advance.
      const [unpaid] = (await run(client, profile.reads.order!, { externalId: 'rs-order-000003' })).map(profile.map.toOrder);
      const keys = (await run(client, profile.reads.clientAnalytics!, { partnerKey: unpaid.partnerId! })).map((r) => String(r.Ref_Key));
      expect(keys.length).toBeGreaterThan(0);
      expect(profile.map.toClientBalance(await run(client, profile.reads.clientBalance!, { analyticsKeys: keys }))).toEqual({ debt: 0, prepaid: 0 });
      const paidKeys = (await run(client, profile.reads.clientAnalytics!, { partnerKey: order.partnerId! })).map((r) => String(r.Ref_Key));
      expect(profile.map.toClientBalance(await run(client, profile.reads.clientBalance!, { analyticsKeys: paidKeys })).prepaid).toBeCloseTo(order.total, 2);
    });

    it('writes: a new client and an order built by the profile are accepted, posted, and settle', async () => {
      const input = { externalId: `rs-new-${variant}`, name: 'Тестовый клиент', kind: 'person' as const, phone: '+7 900 111-22-33' };
      const partner = await client.create('Catalog_Партнеры', profile.build.partnerBody(input, config));
      const cp = await client.create('Catalog_Контрагенты', profile.build.counterpartyBody(input, { partnerKey: String(partner.Ref_Key) }, config));
      const found = (await run(client, profile.reads.client!, { externalId: input.externalId })).map((r) => profile.map.toClient(r, cp));
      expect(found.map((c) => c.partnerId)).toEqual([partner.Ref_Key]);
      const items = (await run(client, profile.reads.item!)).map((r) => profile.map.toItem(r, { config }));
      const kinds = (await run(client, profile.reads.priceKind!)).map(profile.map.toPriceKind);
      const retail = kinds.find((k) => k.name === config.catalog.retailPriceKind)!;
      const body = profile.build.orderDocument(
        { externalId: `rs-order-new-${variant}`, date: new Date('2024-05-01T10:00:00Z'), deliveryAddress: 'Москва, Тверская ул, 1', paymentForm: 'card', lines: [{ itemId: items[0].id, quantity: 2, price: 150.5, vatRate: 20, vatRateId: items[0].vatRateId }] },
        { organisationKey: demo.refs.organisation, partnerKey: String(partner.Ref_Key), counterpartyKey: String(cp.Ref_Key), warehouseKey: demo.refs.warehouses[0], currencyKey: demo.refs.currency, priceKindKey: retail.id },
        config,
      );
      const created = await client.create('Document_ЗаказКлиента', body);
      expect(String(created.Number)).toMatch(/^ТД00-/);
      await client.post('Document_ЗаказКлиента', String(created.Ref_Key));
      const [order] = (await run(client, profile.reads.order!, { externalId: `rs-order-new-${variant}` })).map(profile.map.toOrder);
      expect(order).toMatchObject({ total: 301, posted: true });
      const keys = (await run(client, profile.reads.clientAnalytics!, { partnerKey: String(partner.Ref_Key) })).map((r) => String(r.Ref_Key));
      // The order plans the payment; it books no debt (WRITE-RULES §2).
      expect(profile.map.toClientBalance(await run(client, profile.reads.clientBalance!, { analyticsKeys: keys }))).toEqual({ debt: 0, prepaid: 0 });
      // 11.5: ПередЗаписью gave the order its ОбъектРасчетов; the payment names it (ОснованиеПлатежа alone pays nothing).
      if (variant === 'ut11.5') expect(order.settlementObjectId).toBeTruthy();
      const pay = await client.create('Document_ОперацияПоПлатежнойКарте', profile.build.cardPaymentDocument({ externalId: `ev-${variant}`, date: new Date('2024-05-01T10:05:00Z'), amount: 301, orderKey: order.id, cardMask: '2200', authCode: '1' }, { organisationKey: demo.refs.organisation, partnerKey: String(partner.Ref_Key), counterpartyKey: String(cp.Ref_Key), currencyKey: demo.refs.currency, settlementObjectKey: order.settlementObjectId }, config));
      await client.post('Document_ОперацияПоПлатежнойКарте', String(pay.Ref_Key));
      // Paid, not shipped: the client's advance on that order.
      expect(profile.map.toClientBalance(await run(client, profile.reads.clientBalance!, { analyticsKeys: keys }))).toEqual({ debt: 0, prepaid: 301 });
      const settled = em.store.records('AccumulationRegister_РасчетыСКлиентами').filter((r) => (r.Recorder ?? r.Recorder_Key) === String(pay.Ref_Key));
      if (variant === 'ut11.5') expect(settled.map((r) => r.ОбъектРасчетов_Key)).toEqual([order.settlementObjectId]);
      else expect(settled.map((r) => r.ЗаказКлиента)).toEqual([order.id]);
      await client.create('InformationRegister_ReGate_СтатусыЗаказов', profile.build.orderStatusRecord({ orderKey: order.id, period: new Date('2024-05-01T10:06:00Z'), orderStatus: 2, paymentStatus: 1, paidAmount: 301 }));
      const [status] = (await run(client, profile.reads.orderStatus!, { orderKey: order.id })).map(profile.map.toOrderStatus);
      expect(status).toMatchObject({ orderStatus: 2, paymentStatus: 1, paidAmount: 301 });
    });
  });
}

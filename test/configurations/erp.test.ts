import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfiguration } from '../../src/emulator/configurations.js';
import { buildModel, modelView } from '../../src/emulator/model.js';
import { detectFeatures } from '../../src/onec/profiles/features.js';
import { erpDefaultFeatures } from '../../src/onec/profiles/erp.js';
import { importStatementBytes } from '../../src/bank/import/index.js';
import { orderable } from '../helpers/orderable.js';
import { bytesOf, CLIENT_A_INN } from '../bank-import/statement.js';
import { boot, DUMPS, haveDump, type Booted } from './harness.js';

/**
 * КА 2 / ERP 2 on the real ERP 2.5.17.95 dump: the УТ profile where the objects are the same, with the differences
 * the dump shows detected from what it publishes (file bytes in ДвоичныеДанныеФайлов, НомерПоДаннымКлиента String(30)),
 * and the whole API against the emulator of that dump — every read method, a client, a booking, a card payment, its
 * refund, and a bank statement paying an order — with the ReGate extension merged and without it.
 */
const FOLDER = 'erp-2.5.17-xml';
const HAVE = haveDump(FOLDER);
if (!HAVE) console.warn(`test/configurations/erp: ${join(DUMPS, FOLDER)} is absent — skipped (the ERP dump is third-party reference data in ../shared)`);

describe.skipIf(!HAVE)('ERP 2.5.17 dump', () => {
  it('its differences from УТ 11.5.20 are detected from what it publishes, and are the ERP profile defaults', () => {
    const loaded = loadConfiguration({ dump: join(DUMPS, FOLDER), extension: false });
    const f = detectFeatures(modelView(buildModel(loaded.config)));
    expect(f).toMatchObject({ fileBytes: 'register', clientNumberLength: 30, vat: 'catalog', settlement: 'object', priceRegister: 'InformationRegister_ЦеныНоменклатуры25', stock: 'AccumulationRegister_ТоварыНаСкладах', extension: false });
    expect({ ...f, extension: true }).toEqual(erpDefaultFeatures(true));
  });
});

describe.skipIf(!HAVE).each([true, false])('ERP 2.5.17 demo, extension: %s', (extension) => {
  let b: Booted;
  let store = '';
  let items: string[] = [];
  beforeAll(async () => {
    b = await boot(FOLDER, { extension });
  }, 120_000);
  afterAll(async () => {
    await b?.stop();
  });

  it('is chosen as ERP by its configuration name and read by the УТ profile with ERP facts', () => {
    expect(b.base.profile).toMatchObject({ id: 'erp', by: 'name', configuration: 'УправлениеПредприятием' });
    expect(b.rt.profile.id).toBe('erp');
    expect(b.rt.profile.features).toMatchObject({ fileBytes: 'register', clientNumberLength: 30, extension });
  });

  it('every read method answers from the mirror, pictures from ДвоичныеДанныеФайлов', async () => {
    const state = await b.api('GET', 'state');
    expect(state.status).toBe(200);
    expect(state.body.configuration).toMatchObject({ name: 'УправлениеПредприятием', version: '2.5.17.95' });
    const cities = await b.api('GET', 'city');
    expect(cities.body.cities.length).toBeGreaterThan(0);
    const stores = await b.api('GET', `citystore?city=${encodeURIComponent(cities.body.cities[0].name)}`);
    expect(stores.status).toBe(200);
    expect(stores.body.stores.length).toBeGreaterThan(0);
    ({ store, items } = orderable(b.rt.db, 20));
    // Items sold in variants (issue 17) need a variant named: the lifecycle below books plain items.
    const hasVariants = b.rt.db.prepare(`SELECT name FROM sqlite_master WHERE name = 'catalog_variants'`).get()
      ? new Set(b.rt.db.prepare(`SELECT DISTINCT item_id FROM catalog_variants`).pluck().all() as string[])
      : new Set<string>();
    items = items.filter((i) => !hasVariants.has(i)).slice(0, 3);
    expect(items.length).toBeGreaterThanOrEqual(2);
    expect((await b.api('GET', `storetable?store=${store}`)).status).toBe(200);
    const page = await b.api('GET', `assortment?store=${store}&pageSize=50`);
    expect(page.status).toBe(200);
    const withIcon = page.body.items.find((i: any) => i.icons?.length);
    expect(withIcon, 'an item with a picture').toBeTruthy();
    const pic = await b.rt.app.request(new URL(withIcon.icons[0]).pathname, { headers: { Authorization: 'Basic ' + Buffer.from('rs:p').toString('base64') } });
    expect(pic.status).toBe(200);
    expect(Buffer.from(await pic.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
    // The bytes were read where ERP keeps them.
    expect(b.em.store.count('InformationRegister_ДвоичныеДанныеФайлов')).toBeGreaterThan(0);
    // ERP has no ХранилищеФайлов: the emulator, like 1C, has no such segment.
    expect(() => b.em.store.count('InformationRegister_ХранилищеФайлов')).toThrow(/не найден/);
  });

  it('client, booking, card payment and refund, bank payment: the documents land in ERP as in УТ', async () => {
    const client = await b.api('POST', 'client', { clientId: 'C-A', name: 'ООО "Альфа"', inn: CLIENT_A_INN });
    expect(client.status, JSON.stringify(client.body)).toBeLessThan(300);
    // 40 characters: longer than ERP's НомерПоДаннымКлиента (String(30)).
    const long = 'RS-ORDER-0000000000000000000000000000001';
    for (const [id, n] of [['O-1', 1], ['O-2', 2], [long, 1]] as const) {
      const r = await b.api('POST', 'booking', { orderId: id, clientId: 'C-A', store, deliveryAddress: 'Москва, ул. Тверская, 1', items: [{ itemId: items[0], quantity: n }, { itemId: items[1], quantity: 1 }] });
      expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
    }
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    expect(b.dead()).toEqual([]);
    const state = async (id: string) => (await b.api('GET', `bookingstate?orderId=${encodeURIComponent(id)}`)).body;
    const o1 = await state('O-1');
    expect(o1).toMatchObject({ status: 1, paymentStatus: 0 });
    const order = b.em.store.list('Document_ЗаказКлиента').find((d) => d.Number === o1.number)!;
    expect(order.Posted).toBe(true);
    expect(order.ОбъектРасчетов_Key).not.toBe('00000000-0000-0000-0000-000000000000');
    if (!extension) expect(String(order.НомерПоДаннымКлиента).length).toBeLessThanOrEqual(30);
    // The long id is one document, found again by its digest that fits String(30).
    expect((await state(long)).number).toBeTruthy();
    expect(b.em.store.list('Document_ЗаказКлиента').filter((d) => String(d.Комментарий ?? '').includes(long))).toHaveLength(1);

    const pay = await b.api('POST', 'paycard', { orderId: 'O-1', provider: 'ЮKassa', transactionId: 'T-1', amount: o1.amount, paidAt: '2026-11-29T08:15:00+03:00' });
    expect(pay.status, JSON.stringify(pay.body)).toBeLessThan(300);
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    const cards = b.em.store.list('Document_ОперацияПоПлатежнойКарте');
    const payment = cards.find((d) => d.ХозяйственнаяОперация === 'ПоступлениеОплатыОтКлиента' && d.Posted && (d.РасшифровкаПлатежа as any[])[0]?.ОснованиеПлатежа === order.Ref_Key)!;
    expect(payment, 'the posted card payment of O-1').toBeTruthy();
    expect((payment.РасшифровкаПлатежа as any[])[0].ОбъектРасчетов_Key).toBe(order.ОбъектРасчетов_Key);
    expect(payment.ДоговорЭквайринга_Key).not.toBe('00000000-0000-0000-0000-000000000000');
    const refund = await b.api('POST', 'refund', { orderId: 'O-1', reason: 'Клиент отказался' });
    expect(refund.status, JSON.stringify(refund.body)).toBeLessThan(300);
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    expect(b.dead()).toEqual([]);
    expect((await state('O-1')).status).toBe(7);
    const refunds = b.em.store.list('Document_ОперацияПоПлатежнойКарте').filter((d) => d.ХозяйственнаяОперация === 'ВозвратОплатыКлиенту');
    expect(refunds).toHaveLength(1);
    expect(refunds[0].ДокументОснование).toBe(payment.Ref_Key);
    expect(refunds[0].Posted).toBe(false);

    const o2 = await state('O-2');
    const kop = Math.round(o2.amount * 100);
    const file = bytesOf([{ number: '501', date: '28.11.2026', amount: `${Math.floor(kop / 100)}.${String(kop % 100).padStart(2, '0')}`, payerAcc: '40702810400000000002', payerInn: CLIENT_A_INN, payerName: 'ООО "Альфа"', purpose: `Оплата по счету № ${o2.number} от 28.11.2026` }]);
    importStatementBytes(b.rt.db, file, { name: 'kl_to_1c.txt', source: 'cli' });
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    expect(b.dead()).toEqual([]);
    expect(await state('O-2')).toMatchObject({ status: 3, paymentStatus: 2 });
    expect(b.em.store.list('Document_ПоступлениеБезналичныхДенежныхСредств').filter((d) => d.Posted && d.СуммаДокумента === o2.amount).length).toBeGreaterThanOrEqual(1);
  }, 90_000);

  it('ReGate wrote no property the ERP configuration does not publish', () => {
    expect(Object.fromEntries([...b.em.store.ignored].map(([k, v]) => [k, [...v].sort()]))).toEqual({});
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { boot, haveDump, DUMPS, type Booted } from './harness.js';
import { DeliveryContext } from '../../src/orders/delivery/context.js';
import { reconcileOrders } from '../../src/orders/reconcile.js';
import { verifySettings } from '../../src/onec/profiles/settings.js';
import { silentLogger } from '../../src/log.js';
import { arr, obj, readXml, text } from '../../src/onec/dump/read.js';
import { CARD_LINE_SHOW_ERROR, CARD_SHOW_ERROR } from '../../src/emulator/posting/roznica.js';

/**
 * Розница 2.2 (the customised 2.2.12 dump: no Configuration.xml) through ReGate's public API (issue 18): the demo base
 * generated into the real dump, chosen as Розница by the sets it publishes; every read method — a store is a shop
 * (Catalog.Магазины, its city) selling from its sales warehouse, stock from ТоварыНаСкладах of that warehouse, prices
 * applied to the shop (ДействующиеЦеныНоменклатуры; roznica-prices.test.ts) or by ВидЦены, pictures from ДвоичныеДанныеФайлов; card payments and refunds as ОплатаОтПокупателяПлатежнойКартой at the
 * order's shop's terminal. What Розница cannot offer `regate check` says.
 */
const NULL = '00000000-0000-0000-0000-000000000000';
type R = Record<string, unknown>;
const FOLDER = 'roznica-2.2.12-xml';
const HAVE = haveDump(FOLDER);
if (!HAVE) console.warn(`test/configurations/roznica-api: ${DUMPS}/${FOLDER} is absent — skipped`);

/** Attributes with FillChecking ShowError of a document of the dump (its header, or one tabular section), by our reader's parser. */
function showError(doc: string, tabular?: string): string[] {
  const md = obj(obj(readXml(join(DUMPS, FOLDER, 'Documents', `${doc}.xml`)).MetaDataObject).Document);
  const children = obj(md.ChildObjects);
  const scope = tabular ? obj(arr(children.TabularSection).find((t) => text(obj(t.Properties).Name) === tabular)?.ChildObjects) : children;
  return arr(scope.Attribute).filter((a) => text(obj(a.Properties).FillChecking) === 'ShowError').map((a) => text(obj(a.Properties).Name));
}

describe.skipIf(!HAVE)('Розница stand-ins: the card document\'s fill checking comes from the dump', () => {
  it('the header and line lists are exactly the ShowError attributes of ОплатаОтПокупателяПлатежнойКартой', () => {
    expect([...CARD_SHOW_ERROR].sort()).toEqual(showError('ОплатаОтПокупателяПлатежнойКартой').sort());
    expect([...CARD_LINE_SHOW_ERROR].sort()).toEqual(showError('ОплатаОтПокупателяПлатежнойКартой', 'РасшифровкаПлатежа').sort());
  });
});

describe.skipIf(!HAVE)('Розница 2.2.12 through the API', () => {
  let b: Booted;
  beforeAll(async () => {
    b = await boot(FOLDER, { extension: false });
  }, 120_000);
  afterAll(async () => {
    await b?.stop();
  });

  it('every read method answers from the mirror of a Розница base', async () => {
    expect(b.base.profile).toMatchObject({ id: 'roznica', by: 'sets' });
    const state = await b.api('GET', 'state');
    expect(state.status, JSON.stringify(state.body)).toBe(200);
    expect(state.body.configuration).toMatchObject({ name: 'Розница', version: '2.2.12.30' });
    const cities = await b.api('GET', 'city');
    expect(cities.body.cities.map((c: any) => c.name).sort()).toEqual(['Екатеринбург', 'Казань', 'Москва', 'Новосибирск', 'Санкт-Петербург']);
    const stores = await b.api('GET', `citystore?city=${encodeURIComponent('Москва')}`);
    expect(stores.body.stores.map((s: any) => s.name)).toEqual(['Магазин «Тверская»']);
    const shop = b.em.store.list('Catalog_Магазины').find((s) => s.Description === 'Магазин «Тверская»')!;
    // The store is the shop's sales warehouse (a sales floor of that shop).
    const store = stores.body.stores[0].id;
    expect(store).toBe(shop.СкладПродажи_Key);
    expect(b.em.store.get('Catalog_Склады', store)).toMatchObject({ ТипСклада: 'ТорговыйЗал', Магазин_Key: shop.Ref_Key });
    expect((await b.api('GET', `storetable?store=${store}`)).status).toBe(200);
    const page = await b.api('GET', `assortment?store=${store}&pageSize=100`);
    expect(page.status).toBe(200);
    expect(page.body.items.length).toBeGreaterThan(0);
    // Stock: ТоварыНаСкладах of the sales warehouse (Количество − Резерв).
    const it0 = page.body.items.find((i: any) => typeof i.stock === 'number' && i.stock > 0);
    const qty = b.em.store.records('AccumulationRegister_ТоварыНаСкладах').filter((r) => r.Склад_Key === store && r.Номенклатура_Key === it0.id).reduce((s, r) => s + Number(r.Количество) - Number(r.Резерв), 0);
    expect(it0.stock).toBeCloseTo(qty, 3);
    // Price: the one applied to the shop (ДействующиеЦеныНоменклатуры; Тверская's is the retail kind's of
    // ЦеныНоменклатуры) — per shop in roznica-prices.test.ts.
    const rec = b.em.store.records('InformationRegister_ЦеныНоменклатуры').find((r) => r.Номенклатура_Key === it0.id && r.ВидЦены_Key === b.base.refs.priceKinds.retail)!;
    const applied = b.em.store.records('InformationRegister_ДействующиеЦеныНоменклатуры').find((r) => r.Номенклатура_Key === it0.id && r.ОбъектЦенообразования_Key === shop.Ref_Key)!;
    expect(shop.ИспользоватьПрименениеЦен).toBe(true);
    expect(it0.price).toBe(applied.Цена);
    expect(it0.price).toBe(rec.Цена);
    // Brand (Марки), barcode (Штрихкоды of the item), picture bytes (ДвоичныеДанныеФайлов).
    expect(it0.barcodes.length).toBeGreaterThan(0);
    const item = page.body.items.find((i: any) => i.icons?.length);
    const pic = await b.rt.app.request(new URL(item.icons[0]).pathname, { headers: { Authorization: 'Basic ' + Buffer.from('rs:p').toString('base64') } });
    expect(pic.status).toBe(200);
    expect(Buffer.from(await pic.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
  });

  it('client → booking (a posted ЗаказПокупателя reserving at the sales warehouse) → bookingcancel (lines cancelled, Закрыт)', async () => {
    const stores = await b.api('GET', `citystore?city=${encodeURIComponent('Москва')}`);
    const store = stores.body.stores[0].id;
    const page = await b.api('GET', `assortment?store=${store}&pageSize=100`);
    const items = page.body.items.filter((i: any) => typeof i.stock === 'number' && i.stock >= 5 && i.price > 0).slice(0, 2).map((i: any) => i.id);
    expect(items).toHaveLength(2);
    const client = await b.api('POST', 'client', { clientId: 'C-A', name: 'ООО "Альфа"', inn: '7707083893' });
    expect(client.status, JSON.stringify(client.body)).toBeLessThan(300);
    const book = await b.api('POST', 'booking', { orderId: 'R-1', clientId: 'C-A', store, deliveryAddress: 'Москва, ул. Тверская, 1', items: [{ itemId: items[0], quantity: 1 }, { itemId: items[1], quantity: 2 }] });
    expect(book.status, JSON.stringify(book.body)).toBeLessThan(300);
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    expect(b.dead()).toEqual([]);
    const state = (await b.api('GET', 'bookingstate?orderId=R-1')).body;
    expect(state).toMatchObject({ status: 1, paymentStatus: 0 });
    const counterparty = b.em.store.list('Catalog_Контрагенты').find((c) => c.ИНН === '7707083893')!;
    expect(counterparty).toMatchObject({ ЮрФизЛицо: 'ЮрЛицо' });
    const shop = b.em.store.list('Catalog_Магазины').find((s) => s.СкладПродажи_Key === store)!;
    const order = () => b.em.store.list('Document_ЗаказПокупателя').find((d) => d.Number === state.number)!;
    expect(order()).toMatchObject({ Posted: true, Статус: 'Согласован', Магазин_Key: shop.Ref_Key, Склад_Key: store, Контрагент_Key: counterparty.Ref_Key, СуммаДокумента: state.amount });
    // Posted as Розница posts it: the order's lines in ЗаказыПокупателей, the reserve in ТоварыНаСкладах.Резерв.
    const ordered = () => b.em.store.records('AccumulationRegister_ЗаказыПокупателей').filter((r) => r.Заказ_Key === order().Ref_Key).reduce((s, r) => s + Number(r.Заказано), 0);
    const reserved = () => b.em.store.records('AccumulationRegister_ТоварыНаСкладах').filter((r) => r.Recorder === order().Ref_Key).reduce((s, r) => s + Number(r.Резерв), 0);
    expect(ordered()).toBe(3);
    expect(reserved()).toBe(3);

    const cancel = await b.api('POST', 'bookingcancel', { orderId: 'R-1', reason: 'передумал' });
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(200);
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    expect(b.dead()).toEqual([]);
    const reason = b.em.store.list('Catalog_ПричиныОтменыЗаказовПокупателей')[0];
    expect(order()).toMatchObject({ Posted: true, Статус: 'Закрыт', Отменено: true });
    expect((order().Товары as Record<string, unknown>[]).every((l) => l.Отменено === true && l.Резервировать === false && l.ПричинаОтмены_Key === reason.Ref_Key)).toBe(true);
    expect(ordered()).toBe(0);
    expect(reserved()).toBe(0);
    expect((await b.api('GET', 'bookingstate?orderId=R-1')).body.status).toBe(6);
  }, 60_000);

  it('paycard → a posted ОплатаОтПокупателяПлатежнойКартой at the shop\'s terminal (status 2); refund → the same document returning it, unposted (status 7)', async () => {
    // Settlements with clients on (a base's ИспользоватьРасчетыСКлиентами): the payment moves РасчетыСКлиентами too.
    b.em.store.options.ИспользоватьРасчетыСКлиентами = true;
    const store = (await b.api('GET', `citystore?city=${encodeURIComponent('Москва')}`)).body.stores[0].id;
    const item = (await b.api('GET', `assortment?store=${store}&pageSize=100`)).body.items.find((i: any) => typeof i.stock === 'number' && i.stock >= 2 && i.price > 0);
    const book = await b.api('POST', 'booking', { orderId: 'R-3', clientId: 'C-A', store, deliveryAddress: 'Москва, ул. Тверская, 1', items: [{ itemId: item.id, quantity: 2 }] });
    expect(book.status, JSON.stringify(book.body)).toBeLessThan(300);
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    const state = (await b.api('GET', 'bookingstate?orderId=R-3')).body;
    const order = b.em.store.list('Document_ЗаказПокупателя').find((d) => d.Number === state.number)!;
    const pay = await b.api('POST', 'paycard', { orderId: 'R-3', provider: 'ЮKassa', transactionId: 'tx-R-3', amount: state.amount, paidAt: '2026-11-29T08:15:00+03:00', maskedCard: '220220******1234' });
    expect(pay.status, JSON.stringify(pay.body)).toBeLessThan(300);
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    expect(b.dead()).toEqual([]);
    expect((await b.api('GET', 'bookingstate?orderId=R-3')).body).toMatchObject({ status: 2, paymentStatus: 1 });

    // The shop's one valid terminal (its old one is НеДействителен), its acquirer and its tariff's payment kind.
    const terminals = b.em.store.list('Catalog_ЭквайринговыеТерминалы').filter((t) => t.Магазин_Key === order.Магазин_Key);
    expect(terminals).toHaveLength(2);
    const terminal = terminals.find((t) => t.НеДействителен === false)!;
    const kind = (terminal.ТарифыЗаРасчетноеОбслуживание as R[])[0].ВидОплаты_Key as string;
    expect(b.em.store.get('Catalog_ВидыОплатЧекаККМ', kind)).toMatchObject({ ТипОплаты: 'ПлатежнаяКарта' });
    const item0 = b.em.store.list('Catalog_СтатьиДвиженияДенежныхСредств').find((c) => c.ХозяйственнаяОперация === 'ПоступлениеОплатыОтКлиента')!;
    const cards = () => b.em.store.list('Document_ОплатаОтПокупателяПлатежнойКартой').filter((d) => d.ЗаказПокупателя_Key === order.Ref_Key);
    const card = cards().find((d) => d.ХозяйственнаяОперация === 'ПоступлениеОплатыОтКлиента')!;
    expect(card).toMatchObject({
      Posted: true, Магазин_Key: order.Магазин_Key, Организация_Key: order.Организация_Key, Контрагент_Key: order.Контрагент_Key, ЭквайринговыйТерминал_Key: terminal.Ref_Key,
      Эквайрер_Key: terminal.Эквайрер_Key, ВидОплаты_Key: kind, СуммаДокумента: state.amount, ОплатаВыполнена: true, НомерПлатежнойКарты: '220220******1234',
    });
    expect(card.РасшифровкаПлатежа).toEqual([expect.objectContaining({ СтатьяДвиженияДенежныхСредств_Key: item0.Ref_Key, Сумма: state.amount, ПризнакСпособаРасчета: 'ПредоплатаПолная' })]);
    // Posted as Розница posts it: sold by card at the terminal, and the client's advance against the order.
    expect(b.em.store.records('AccumulationRegister_ПродажиПоПлатежнымКартам').filter((r) => r.Recorder === card.Ref_Key)).toEqual([
      expect.objectContaining({ ЭквайринговыйТерминал_Key: terminal.Ref_Key, Магазин_Key: order.Магазин_Key, ВидОплаты_Key: kind, СуммаОперацийПродажи: state.amount, СуммаОперацийВозврата: 0 }),
    ]);
    expect(b.em.store.records('AccumulationRegister_РасчетыСКлиентами').filter((r) => r.Recorder === card.Ref_Key)).toEqual([
      expect.objectContaining({ RecordType: 'Receipt', Магазин_Key: order.Магазин_Key, Контрагент_Key: order.Контрагент_Key, Сумма: state.amount, ДокументРасчета: card.Ref_Key, ЗаказПокупателя_Key: order.Ref_Key }),
    ]);

    const refund = await b.api('POST', 'refund', { orderId: 'R-3', reason: 'Клиент отказался' });
    expect(refund.status, JSON.stringify(refund.body)).toBeLessThan(300);
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    expect(b.dead()).toEqual([]);
    expect((await b.api('GET', 'bookingstate?orderId=R-3')).body.status).toBe(7);
    const back = cards().filter((d) => d.ХозяйственнаяОперация === 'ВозвратОплатыКлиенту');
    // Розница's refund from the card payment (ObjectModule 475-514): its header, one line settling that payment;
    // unposted, the money not returned yet (a person returns it through the terminal and sets ПризнакСпособаРасчета).
    expect(back).toEqual([expect.objectContaining({ Posted: false, ОплатаВыполнена: false, Магазин_Key: order.Магазин_Key, ЭквайринговыйТерминал_Key: terminal.Ref_Key, ВидОплаты_Key: kind, СуммаДокумента: state.amount })]);
    const item1 = b.em.store.list('Catalog_СтатьиДвиженияДенежныхСредств').find((c) => c.ХозяйственнаяОперация === 'ВозвратОплатыКлиенту')!;
    expect(back[0].РасшифровкаПлатежа).toEqual([expect.objectContaining({ ДокументРасчетовСКонтрагентом: card.Ref_Key, ДокументРасчетовСКонтрагентом_Type: 'StandardODATA.Document_ОплатаОтПокупателяПлатежнойКартой', СтатьяДвиженияДенежныхСредств_Key: item1.Ref_Key, Сумма: state.amount })]);
    // As 1C would: posting it before a person chose the line's ПризнакСпособаРасчета is refused; once chosen, it posts
    // as a return at the terminal and takes the advance back.
    await expect(b.rt.onec.post('Document_ОплатаОтПокупателяПлатежнойКартой', String(back[0].Ref_Key))).rejects.toThrow('ПризнакСпособаРасчета');
    const line = (back[0].РасшифровкаПлатежа as R[])[0];
    await b.rt.onec.update('Document_ОплатаОтПокупателяПлатежнойКартой', String(back[0].Ref_Key), { РасшифровкаПлатежа: [{ ...line, ПризнакСпособаРасчета: 'Аванс' }] });
    await b.rt.onec.post('Document_ОплатаОтПокупателяПлатежнойКартой', String(back[0].Ref_Key));
    expect(b.em.store.records('AccumulationRegister_ПродажиПоПлатежнымКартам').filter((r) => r.Recorder === back[0].Ref_Key)).toEqual([expect.objectContaining({ СуммаОперацийПродажи: 0, СуммаОперацийВозврата: state.amount })]);
    const balance = b.em.store.records('AccumulationRegister_РасчетыСКлиентами').filter((r) => r.ДокументРасчета === card.Ref_Key).reduce((t, r) => t + (r.RecordType === 'Receipt' ? 1 : -1) * Number(r.Сумма), 0);
    expect(balance).toBeCloseTo(0, 2);
  }, 60_000);

  it('the emulator refuses a card document as Розница does: no terminal or shop, a payment kind not of a card, lines not summing up', async () => {
    const terminal = b.em.store.list('Catalog_ЭквайринговыеТерминалы').find((t) => t.НеДействителен === false)!;
    const cash = await b.rt.onec.create('Catalog_ВидыОплатЧекаККМ', { Description: 'Наличные (магазин)', ТипОплаты: 'Наличные' });
    const client = b.em.store.list('Catalog_Контрагенты').find((c) => c.ИНН === '7707083893')!;
    const base: R = { Date: new Date(), ХозяйственнаяОперация: 'ПоступлениеОплатыОтКлиента', Организация_Key: b.base.refs.organisation, Контрагент_Key: client.Ref_Key, СуммаДокумента: 100, РасшифровкаПлатежа: [{ LineNumber: 1, Сумма: 100, СтатьяДвиженияДенежныхСредств_Key: b.em.store.list('Catalog_СтатьиДвиженияДенежныхСредств').find((c) => c.ХозяйственнаяОперация === 'ПоступлениеОплатыОтКлиента')!.Ref_Key, ПризнакСпособаРасчета: 'Аванс' }] };
    const post = async (doc: R) => b.rt.onec.post('Document_ОплатаОтПокупателяПлатежнойКартой', String((await b.rt.onec.create('Document_ОплатаОтПокупателяПлатежнойКартой', doc)).Ref_Key));
    await expect(post(base)).rejects.toThrow(/ЭквайринговыйТерминал.*не заполнено[\s\S]*Магазин.*не заполнено/);
    const filled = { ...base, ЭквайринговыйТерминал_Key: terminal.Ref_Key, Магазин_Key: terminal.Магазин_Key };
    await expect(post({ ...filled, ВидОплаты_Key: String(cash.Ref_Key) })).rejects.toThrow('В документе выбран вид оплаты неверного типа!');
    const kind = (terminal.ТарифыЗаРасчетноеОбслуживание as R[])[0].ВидОплаты_Key;
    await expect(post({ ...filled, ВидОплаты_Key: kind, СуммаДокумента: 99 })).rejects.toThrow('Сумма по строкам в табличной части должна равняться сумме документа');
    await expect(post({ ...filled, ВидОплаты_Key: kind })).resolves.toBeUndefined();
  }, 60_000);

  it('an order paid at the shop: the cashier\'s punched receipt on the order makes it status 4', async () => {
    const store = (await b.api('GET', 'citystore?city=' + encodeURIComponent((await b.api('GET', 'city')).body.cities[0].name))).body.stores[0].id;
    const item = (await b.api('GET', `assortment?store=${store}&pageSize=100`)).body.items.find((i: any) => typeof i.stock === 'number' && i.stock >= 2 && i.price > 0);
    const book = await b.api('POST', 'booking', { orderId: 'R-2', clientId: 'C-A', store, deliveryAddress: 'Самовывоз', items: [{ itemId: item.id, quantity: 1 }] });
    expect(book.status, JSON.stringify(book.body)).toBeLessThan(300);
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    const state = (await b.api('GET', 'bookingstate?orderId=R-2')).body;
    const order = b.em.store.list('Document_ЗаказПокупателя').find((d) => d.Number === state.number)!;
    // The receipt as the cashier enters it on the order (ЧекККМ ObjectModule 234-256): the order's shop, Продажа.
    const receipt = { Date: new Date(), ВидОперации: 'Продажа', ЗаказПокупателя_Key: order.Ref_Key, Магазин_Key: order.Магазин_Key, Организация_Key: order.Организация_Key, Контрагент_Key: order.Контрагент_Key, СтатусЧекаККМ: 'Отложенный', Оплата: [{ LineNumber: 1, Сумма: state.amount }] };
    const made = await b.rt.onec.create('Document_ЧекККМ', receipt);
    const ctx = new DeliveryContext({ db: b.rt.db, onec: b.rt.onec, config: b.rt.config, logger: silentLogger, profile: b.rt.profile });
    // A receipt put aside (Отложенный) is no sale yet.
    expect((await reconcileOrders(ctx)).paidInCash).toEqual([]);
    await b.rt.onec.update('Document_ЧекККМ', String(made.Ref_Key), { СтатусЧекаККМ: 'Пробитый' });
    expect((await reconcileOrders(ctx)).paidInCash).toEqual(['R-2']);
    expect((await b.api('GET', 'bookingstate?orderId=R-2')).body).toMatchObject({ status: 4 });
    // Розница's sum of a receipt without goods is its payments (ПередЗаписью), and a punched receipt is not changed.
    expect(b.em.store.get('Document_ЧекККМ', String(made.Ref_Key))).toMatchObject({ СуммаДокумента: state.amount, СтатусЧекаККМ: 'Пробитый' });
    await expect(b.rt.onec.update('Document_ЧекККМ', String(made.Ref_Key), { СтатусЧекаККМ: 'Отложенный' })).rejects.toThrow('Операции над этим документом запрещены');
  }, 60_000);

  it('a shop with several valid terminals: onec.acquiringTerminalKey picks one of the shop\'s; without it 1C refuses the payment', async () => {
    const store = (await b.api('GET', `citystore?city=${encodeURIComponent('Санкт-Петербург')}`)).body.stores[0].id;
    const shop = b.em.store.list('Catalog_Магазины').find((s) => s.СкладПродажи_Key === store)!;
    const first = b.em.store.list('Catalog_ЭквайринговыеТерминалы').find((t) => t.Магазин_Key === shop.Ref_Key)!;
    const kind = (first.ТарифыЗаРасчетноеОбслуживание as R[])[0].ВидОплаты_Key;
    // regate check: a terminal per shop is a complete setup (payments go through the order's shop's terminal)…
    const terminalFinding = async () => (await verifySettings(b.rt.onec, b.rt.profile, b.rt.config)).find((f) => f.key === 'onec.acquiringTerminalKey');
    expect(await terminalFinding()).toMatchObject({ ok: true, text: expect.stringContaining('у каждого магазина свой терминал') });
    const settings = await verifySettings(b.rt.onec, b.rt.profile, b.rt.config);
    expect(settings.find((f) => f.key === 'onec.cashFlowItems.receipt')).toMatchObject({ ok: true, text: expect.stringContaining('статья с операцией') });
    const second = await b.rt.onec.create('Catalog_ЭквайринговыеТерминалы', { Description: 'Терминал 2 (Невский)', Организация_Key: first.Организация_Key, Магазин_Key: shop.Ref_Key, Эквайрер_Key: first.Эквайрер_Key, НеДействителен: false, ТарифыЗаРасчетноеОбслуживание: first.ТарифыЗаРасчетноеОбслуживание });
    // …and a shop with two is not, until onec.acquiringTerminalKey names one.
    expect(await terminalFinding()).toMatchObject({ ok: false, text: expect.stringContaining('у магазина несколько терминалов') });
    const ctxWith = (acquiringTerminalKey?: string) => new DeliveryContext({ db: b.rt.db, onec: b.rt.onec, config: { ...b.rt.config, onec: { ...b.rt.config.onec, acquiringTerminalKey } }, logger: silentLogger, profile: b.rt.profile });
    // Another shop's terminal named in the settings does not make it this shop's: the shop's own are chosen among.
    const other = b.em.store.list('Catalog_ЭквайринговыеТерминалы').find((t) => t.Магазин_Key !== shop.Ref_Key)!;
    expect(await ctxWith(String(other.Ref_Key)).acquiring(store)).toMatchObject({ terminalKey: null, shopKey: shop.Ref_Key });
    expect(await ctxWith(String(second.Ref_Key)).acquiring(store)).toEqual({ terminalKey: second.Ref_Key, contractKey: null, acquirerKey: first.Эквайрер_Key, shopKey: shop.Ref_Key, paymentKindKey: kind });
    // Without the setting the payment is written without a terminal, and Розница refuses to post it (ObjectModule
    // 114-161): the job stops with 1C's words.
    const item = (await b.api('GET', `assortment?store=${store}&pageSize=100`)).body.items.find((i: any) => typeof i.stock === 'number' && i.stock >= 1 && i.price > 0);
    expect((await b.api('POST', 'booking', { orderId: 'R-4', clientId: 'C-A', store, deliveryAddress: 'Самовывоз', items: [{ itemId: item.id, quantity: 1 }] })).status).toBeLessThan(300);
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    const state = (await b.api('GET', 'bookingstate?orderId=R-4')).body;
    expect((await b.api('POST', 'paycard', { orderId: 'R-4', provider: 'ЮKassa', transactionId: 'tx-R-4', amount: state.amount, paidAt: '2026-11-29T09:00:00+03:00' })).status).toBeLessThan(300);
    await b.idle();
    expect(b.dead()).toEqual([expect.objectContaining({ kind: 'payment.card', last_error: expect.stringContaining('Поле "ЭквайринговыйТерминал" не заполнено') })]);
    const order = b.em.store.list('Document_ЗаказПокупателя').find((d) => d.Number === state.number)!;
    expect(b.em.store.list('Document_ОплатаОтПокупателяПлатежнойКартой').filter((d) => d.ЗаказПокупателя_Key === order.Ref_Key)).toEqual([expect.objectContaining({ Posted: false, Магазин_Key: shop.Ref_Key, ЭквайринговыйТерминал_Key: NULL })]);
  }, 60_000);

  it('ReGate wrote no property the Розница configuration does not publish', () => {
    expect(Object.fromEntries([...b.em.store.ignored].map(([k, v]) => [k, [...v].sort()]))).toEqual({});
  });

  it('regate check --dump names what Розница cannot offer and passes (exit 0)', () => {
    const bin = resolve(__dirname, '../../bin/regate.mjs');
    const out = execFileSync(process.execPath, [bin, 'check', '--dump', join(DUMPS, FOLDER)], { encoding: 'utf8' });
    // Card payments are written; what stays a person's (the till receipt, the refund through the terminal) is named.
    expect(out).toContain('Не поддерживается: оплаты картой — не всё: ReGate пишет ОплатаОтПокупателяПлатежнойКартой');
    expect(out).toContain('Возврат (та же операция ВозвратОплатыКлиенту по этой оплате) остаётся непроведённым');
    expect(out).not.toMatch(/422 not_supported/);
    expect(out).toContain('Не поддерживается: выписки банка');
    // Prices per shop are read (ДействующиеЦеныНоменклатуры of shops with applied prices); what is not is named.
    expect(out).toContain('Не поддерживается: цены по магазинам — не всё');
    expect(out).toContain('действующую цену магазина (ДействующиеЦеныНоменклатуры');
    expect(out).toContain('цену вида цен его правила ценообразования (ПравилаЦенообразования.ВидЦен');
    expect(out).toContain('Ценовые группы правила, вид минимальных цен продажи и цены характеристик не читаются');
    expect(out).toContain('Все нужные наборы');
  }, 60_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importStatementBytes } from '../../src/bank/import/index.js';
import { bytesOf } from '../bank-import/statement.js';
import { boot, haveDump, DUMPS, type Booted } from './harness.js';
import { DeliveryContext } from '../../src/orders/delivery/context.js';
import { reconcileOrders } from '../../src/orders/reconcile.js';
import { silentLogger } from '../../src/log.js';
import { readAccountingClientBalance } from '../../src/onec/accounting.js';

/**
 * БП 3.0 through ReGate's public API (issue 18) on the demo base generated into the real dump bp-3.0.198-xml: every
 * read method, then a client, a booking that becomes a posted СчетНаОплатуПокупателю, a card payment against it
 * (ОплатаПлатежнойКартой, its line paying the invoice, ОплатаСчетов posted), a refund prepared unposted, a bank statement
 * paying a second invoice by its number (ПоступлениеНаРасчетныйСчет), and a cancellation (the invoice unposted and
 * marked for deletion) — the documents БП's own forms would leave; the emulator posts them with БП's rules
 * (src/emulator/posting/bp.ts).
 */
const FOLDER = 'bp-3.0.198-xml';
const HAVE = haveDump(FOLDER);
if (!HAVE) console.warn(`test/configurations/bp-api: ${DUMPS}/${FOLDER} is absent — skipped`);
const NULL = '00000000-0000-0000-0000-000000000000';

describe.skipIf(!HAVE)('БП 3.0.198 through the API', () => {
  let b: Booted;
  let store = '';
  let items: string[] = [];
  beforeAll(async () => {
    b = await boot(FOLDER, { extension: false });
  }, 120_000);
  afterAll(async () => {
    await b?.stop();
  });

  it('every read method answers from the mirror of a БП base', async () => {
    expect(b.base.profile).toMatchObject({ id: 'bp', by: 'name', configuration: 'БухгалтерияПредприятия' });
    const state = await b.api('GET', 'state');
    expect(state.status, JSON.stringify(state.body)).toBe(200);
    expect(state.body.configuration).toMatchObject({ name: 'БухгалтерияПредприятия', version: '3.0.198.19' });
    const cities = await b.api('GET', 'city');
    expect(cities.body.cities.map((c: any) => c.name).sort()).toEqual(['Екатеринбург', 'Казань', 'Москва', 'Новосибирск', 'Санкт-Петербург']);
    const stores = await b.api('GET', `citystore?city=${encodeURIComponent('Москва')}`);
    expect(stores.body.stores.map((s: any) => s.name).sort()).toEqual(['Магазин «Тверская»', 'Основной склад']);
    store = stores.body.stores.find((s: any) => s.name === 'Основной склад').id;
    expect((await b.api('GET', `storetable?store=${store}`)).status).toBe(200);
    const page = await b.api('GET', `assortment?store=${store}&pageSize=100`);
    expect(page.status).toBe(200);
    // Stock from 41.01 (bp-stock.test.ts proves the figures): goods in stock at this warehouse are listed.
    expect(page.body.items.length).toBeGreaterThan(0);
    // Prices by ТипЦен from ЦеныНоменклатуры.
    const retail = b.base.refs.priceKinds.retail;
    const priced = page.body.items.filter((i: any) => i.price > 0);
    expect(priced.length).toBeGreaterThan(0);
    const rec = b.em.store.records('InformationRegister_ЦеныНоменклатуры').find((r) => r.Номенклатура_Key === priced[0].id && r.ТипЦен_Key === retail)!;
    expect(priced[0].price).toBe(rec.Цена);
    const item = page.body.items.find((i: any) => i.icons?.length);
    expect(item, 'an item with a picture (its attached file)').toBeTruthy();
    const pic = await b.rt.app.request(new URL(item.icons[0]).pathname, { headers: { Authorization: 'Basic ' + Buffer.from('rs:p').toString('base64') } });
    expect(pic.status).toBe(200);
    // The lifecycle below books up to 3 of each: items with that much on 41.01 here.
    items = priced.filter((i: any) => i.stock === 'без ограничения' || i.stock >= 3).slice(0, 2).map((i: any) => i.id);
    expect(items).toHaveLength(2);
  });

  it('client → invoice → card payment → refund; invoice → bank statement; invoice → cancellation', async () => {
    const client = await b.api('POST', 'client', { clientId: 'C-A', name: 'ООО "Альфа"', inn: '7707083893' });
    expect(client.status, JSON.stringify(client.body)).toBeLessThan(300);
    const book = await b.api('POST', 'booking', { orderId: 'B-1', clientId: 'C-A', store, deliveryAddress: 'Москва, ул. Тверская, 1', items: [{ itemId: items[0], quantity: 1 }, { itemId: items[1], quantity: 2 }] });
    expect(book.status, JSON.stringify(book.body)).toBeLessThan(300);
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    expect(b.dead()).toEqual([]);
    const state = (await b.api('GET', 'bookingstate?orderId=B-1')).body;
    expect(state).toMatchObject({ status: 1, paymentStatus: 0 });
    // The invoice as БП keeps it: posted, the buyer's main contract and the organisation's account filled by БП,
    // lines with the Enum.СтавкиНДС rate of the item's kind on the date, the sum with VAT.
    const counterparty = b.em.store.list('Catalog_Контрагенты').find((c) => c.ИНН === '7707083893')!;
    expect(counterparty).toMatchObject({ Description: 'ООО "Альфа"', ЮридическоеФизическоеЛицо: 'ЮридическоеЛицо' });
    expect(counterparty.ГоловнойКонтрагент_Key).toBe(counterparty.Ref_Key);
    const invoice = b.em.store.list('Document_СчетНаОплатуПокупателю').find((d) => d.Number === state.number)!;
    expect(invoice).toMatchObject({ Posted: true, ВидОперации: 'ТоварыИУслуги', Контрагент_Key: counterparty.Ref_Key, Склад_Key: store, СтруктурнаяЕдиница_Key: b.base.refs.bankAccount, СуммаДокумента: state.amount });
    expect(invoice.ДоговорКонтрагента_Key).not.toBe(NULL);
    const lines = invoice.Товары as Record<string, unknown>[];
    expect(lines.map((l) => l.Номенклатура)).toEqual([items[0], items[1]]);
    expect(lines.every((l) => ['НДС20', 'НДС22', 'НДС10'].includes(String(l.СтавкаНДС)))).toBe(true);

    const pay = await b.api('POST', 'paycard', { orderId: 'B-1', provider: 'ЮKassa', transactionId: 'T-1', amount: state.amount, paidAt: '2026-11-29T08:15:00+03:00' });
    expect(pay.status, JSON.stringify(pay.body)).toBeLessThan(300);
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    expect(b.dead()).toEqual([]);
    expect((await b.api('GET', 'bookingstate?orderId=B-1')).body).toMatchObject({ status: 2, paymentStatus: 1 });
    const card = b.em.store.list('Document_ОплатаПлатежнойКартой').find((d) => d.ВидОперации === 'ОплатаПокупателя')!;
    const kind = b.em.store.list('Catalog_ВидыОплатОрганизаций')[0];
    // The acquirer and its contract as the form copies them from the payment kind (ФормаДокумента 741-748).
    expect(kind.Контрагент_Key).not.toBe(NULL);
    expect(card).toMatchObject({ Posted: true, СуммаДокумента: state.amount, ВидОплаты_Key: kind.Ref_Key, Эквайер_Key: kind.Контрагент_Key, ДоговорЭквайринга_Key: kind.ДоговорКонтрагента_Key, Контрагент: counterparty.Ref_Key });
    expect((card.РасшифровкаПлатежа as Record<string, unknown>[])[0]).toMatchObject({ СчетНаОплату_Key: invoice.Ref_Key, СуммаПлатежа: state.amount, ДоговорКонтрагента_Key: invoice.ДоговорКонтрагента_Key });
    // What БП records of the invoice's payment (ОплатаСчетов): the whole sum, against this invoice.
    const paid = b.em.store.records('AccumulationRegister_ОплатаСчетов').filter((r) => r.СчетНаОплату === invoice.Ref_Key);
    expect(paid.reduce((s, r) => s + Number(r.Сумма), 0)).toBeCloseTo(state.amount, 2);
    // Its accounting entry: Дт 57.03 Кт 62.02 (nothing shipped, so an advance) by the buyer and the invoice's contract.
    const chart = b.em.store.list('ChartOfAccounts_Хозрасчетный');
    const acc = (name: string) => chart.find((a) => a.PredefinedDataName === name)!.Ref_Key;
    expect(b.em.store.records('AccountingRegister_Хозрасчетный').filter((r) => r.Recorder === card.Ref_Key)).toEqual([
      expect.objectContaining({ AccountDr_Key: acc('ПродажиПоПлатежнымКартам'), AccountCr_Key: acc('РасчетыПоАвансамПолученным'), Сумма: state.amount, ExtDimensionCr1: counterparty.Ref_Key, ExtDimensionCr2: invoice.ДоговорКонтрагента_Key }),
    ]);

    const refund = await b.api('POST', 'refund', { orderId: 'B-1', reason: 'Клиент отказался' });
    expect(refund.status, JSON.stringify(refund.body)).toBeLessThan(300);
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    expect(b.dead()).toEqual([]);
    expect((await b.api('GET', 'bookingstate?orderId=B-1')).body.status).toBe(7);
    const refunds = b.em.store.list('Document_ОплатаПлатежнойКартой').filter((d) => d.ВидОперации === 'ВозвратПокупателю');
    expect(refunds).toEqual([expect.objectContaining({ Posted: false, ДокументОснование: card.Ref_Key, СуммаДокумента: state.amount })]);

    // A second invoice paid by a bank statement, by its 1C number: status 3, one posted ПоступлениеНаРасчетныйСчет.
    const book2 = await b.api('POST', 'booking', { orderId: 'B-2', clientId: 'C-A', store, deliveryAddress: 'Москва, ул. Тверская, 1', items: [{ itemId: items[0], quantity: 1 }] });
    expect(book2.status, JSON.stringify(book2.body)).toBeLessThan(300);
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    const s2 = (await b.api('GET', 'bookingstate?orderId=B-2')).body;
    const kop = Math.round(s2.amount * 100);
    const file = bytesOf([{ number: '501', date: '28.11.2026', amount: `${Math.floor(kop / 100)}.${String(kop % 100).padStart(2, '0')}`, payerAcc: '40702810400000000002', payerInn: '7707083893', payerName: 'ООО "Альфа"', purpose: `Оплата по счету № ${s2.number} от 28.11.2026` }]);
    const report = importStatementBytes(b.rt.db, file, { name: 'kl_to_1c.txt', source: 'cli' });
    expect(JSON.stringify(report)).toContain('B-2');
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    expect(b.dead()).toEqual([]);
    expect((await b.api('GET', 'bookingstate?orderId=B-2')).body).toMatchObject({ status: 3, paymentStatus: 2 });
    const invoice2 = b.em.store.list('Document_СчетНаОплатуПокупателю').find((d) => d.Number === s2.number)!;
    // (The demo base has its own posted advance of the first buyer: bp-stock.test.ts reads it as that buyer's balance.)
    const bank = b.em.store.list('Document_ПоступлениеНаРасчетныйСчет').filter((d) => d.Posted === true && String(d.Комментарий).includes('[ReGate:'));
    expect(bank).toEqual([expect.objectContaining({ ВидОперации: 'ОплатаПокупателя', СуммаДокумента: s2.amount, СчетОрганизации_Key: b.base.refs.bankAccount, НомерВходящегоДокумента: '501' })]);
    expect((bank[0].РасшифровкаПлатежа as Record<string, unknown>[])[0]).toMatchObject({ СчетНаОплату_Key: invoice2.Ref_Key });
    // БП's entries of the payment: no debt to repay (an invoice ships nothing), so the whole sum is the buyer's advance
    // on 62.02 — which the client balance reads (src/onec/accounting.ts).
    expect(b.em.store.records('AccountingRegister_Хозрасчетный').filter((r) => r.Recorder === bank[0].Ref_Key)).toEqual([
      expect.objectContaining({ AccountDr_Key: acc('РасчетныеСчета'), AccountCr_Key: acc('РасчетыПоАвансамПолученным'), Сумма: s2.amount, ExtDimensionCr1: counterparty.Ref_Key, ExtDimensionCr2: invoice2.ДоговорКонтрагента_Key }),
    ]);
    // Both payments (the card refund is left unposted for the accountant, so the first still counts).
    expect(await readAccountingClientBalance(b.rt.onec, b.rt.profile, String(counterparty.Ref_Key))).toEqual({ debt: 0, prepaid: Math.round((state.amount + s2.amount) * 100) / 100 });
    // And the shop sees it: a lookup by id refreshes the balance from 62.01/62.02 (at most once a minute per client).
    await b.api('POST', 'client', { clientId: 'C-A' });
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    expect((await b.api('POST', 'client', { clientId: 'C-A' })).body).toMatchObject({ result: 'found', balance: Math.round((state.amount + s2.amount) * 100) / 100 });

    // Cancelling an unpaid invoice: unposted and marked for deletion, as БП's list does it.
    const book3 = await b.api('POST', 'booking', { orderId: 'B-3', clientId: 'C-A', store, deliveryAddress: 'Москва, ул. Тверская, 1', items: [{ itemId: items[1], quantity: 1 }] });
    expect(book3.status, JSON.stringify(book3.body)).toBeLessThan(300);
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    const n3 = (await b.api('GET', 'bookingstate?orderId=B-3')).body.number;
    const cancel = await b.api('POST', 'bookingcancel', { orderId: 'B-3', reason: 'передумал' });
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(200);
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    expect(b.dead()).toEqual([]);
    expect(b.em.store.list('Document_СчетНаОплатуПокупателю').find((d) => d.Number === n3)).toMatchObject({ Posted: false, DeletionMark: true });
    expect((await b.api('GET', 'bookingstate?orderId=B-3')).body.status).toBe(6);

    // Cash taken in 1C: the accountant posts a ПКО ОплатаПокупателя naming the invoice; reconciliation finds it (4).
    const book4 = await b.api('POST', 'booking', { orderId: 'B-4', clientId: 'C-A', store, deliveryAddress: 'Москва, ул. Тверская, 1', items: [{ itemId: items[1], quantity: 1 }] });
    expect(book4.status, JSON.stringify(book4.body)).toBeLessThan(300);
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    const s4 = (await b.api('GET', 'bookingstate?orderId=B-4')).body;
    const invoice4 = b.em.store.list('Document_СчетНаОплатуПокупателю').find((d) => d.Number === s4.number)!;
    const pko = {
      Date: new Date(), ВидОперации: 'ОплатаПокупателя', Организация_Key: b.base.refs.organisation, Контрагент: counterparty.Ref_Key, Контрагент_Type: 'StandardODATA.Catalog_Контрагенты',
      ДоговорКонтрагента_Key: invoice4.ДоговорКонтрагента_Key, ВалютаДокумента_Key: b.base.refs.currency, СуммаДокумента: s4.amount, ПринятоОт: 'Альфа', Основание: `Оплата по счету № ${s4.number}`,
      РасшифровкаПлатежа: [{ LineNumber: 1, ДоговорКонтрагента_Key: invoice4.ДоговорКонтрагента_Key, СпособПогашенияЗадолженности: 'Автоматически', СчетНаОплату_Key: invoice4.Ref_Key, СуммаПлатежа: s4.amount, КурсВзаиморасчетов: 1, КратностьВзаиморасчетов: 1, СуммаВзаиморасчетов: s4.amount }],
    };
    // An unposted one is not cash yet.
    const draft = await b.rt.onec.create('Document_ПриходныйКассовыйОрдер', pko);
    const ctx = new DeliveryContext({ db: b.rt.db, onec: b.rt.onec, config: b.rt.config, logger: silentLogger, profile: b.rt.profile });
    expect((await reconcileOrders(ctx)).paidInCash).toEqual([]);
    await b.rt.onec.post('Document_ПриходныйКассовыйОрдер', String(draft.Ref_Key));
    expect((await reconcileOrders(ctx)).paidInCash).toEqual(['B-4']);
    expect((await b.api('GET', 'bookingstate?orderId=B-4')).body).toMatchObject({ status: 4 });
  }, 60_000);

  it('БП refuses a card payment whose lines do not add up, as ОбработкаПроверкиЗаполнения does', async () => {
    const card = b.em.store.list('Document_ОплатаПлатежнойКартой').find((d) => d.ВидОперации === 'ОплатаПокупателя')!;
    const { Ref_Key: _k, Number: _n, DataVersion: _v, Posted: _p, ...body } = card;
    const copy = await b.rt.onec.create('Document_ОплатаПлатежнойКартой', { ...body, Комментарий: 'копия', СуммаДокумента: Number(card.СуммаДокумента) + 1 });
    await expect(b.rt.onec.post('Document_ОплатаПлатежнойКартой', String(copy.Ref_Key))).rejects.toThrow('Не совпадают сумма документа и ее расшифровка');
  });

  it('ReGate wrote no property the БП configuration does not publish', () => {
    expect(Object.fromEntries([...b.em.store.ignored].map(([k, v]) => [k, [...v].sort()]))).toEqual({});
  });
});

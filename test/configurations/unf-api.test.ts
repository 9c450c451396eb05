import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderable } from '../helpers/orderable.js';
import { boot, haveDump, DUMPS, type Booted } from './harness.js';
import { importStatementBytes } from '../../src/bank/import/index.js';
import { bytesOf } from '../bank-import/statement.js';
import { reconcileOrders } from '../../src/orders/reconcile.js';
import { DeliveryContext } from '../../src/orders/delivery/context.js';
import { silentLogger } from '../../src/log.js';

/**
 * УНФ 3.0 through ReGate's public API (issue 18): a client, a booking that becomes a posted ЗаказПокупателя with its
 * sales department, units and the VAT items УНФ picks by date, a card payment against it — the documents УНФ's own
 * forms would leave (the emulator posts them with УНФ's rules: src/emulator/posting/unf.ts).
 */
const FOLDER = 'unf-3.0.12-xml';
const HAVE = haveDump(FOLDER);
if (!HAVE) console.warn(`test/configurations/unf-api: ${DUMPS}/${FOLDER} is absent — skipped`);

describe.skipIf(!HAVE)('УНФ 3.0.12 through the API', () => {
  let b: Booted;
  beforeAll(async () => {
    b = await boot(FOLDER, { extension: false });
  }, 120_000);
  afterAll(async () => {
    await b?.stop();
  });

  it('client → booking → card payment → refund; booking → bank statement', async () => {
    const { store, items } = orderable(b.rt.db);
    const client = await b.api('POST', 'client', { clientId: 'C-A', name: 'ООО "Альфа"', inn: '7707083893' });
    expect(client.status, JSON.stringify(client.body)).toBeLessThan(300);
    const book = await b.api('POST', 'booking', { orderId: 'U-1', clientId: 'C-A', store, deliveryAddress: 'Москва, ул. Тверская, 1', items: [{ itemId: items[0], quantity: 1 }, { itemId: items[1], quantity: 2 }] });
    expect(book.status, JSON.stringify(book.body)).toBeLessThan(300);
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    expect(b.dead()).toEqual([]);
    const state = (await b.api('GET', 'bookingstate?orderId=U-1')).body;
    expect(state).toMatchObject({ status: 1, paymentStatus: 0 });
    const order = b.em.store.list('Document_ЗаказПокупателя').find((d) => d.Number === state.number)!;
    expect(order).toMatchObject({ Posted: true });
    expect(order.СтруктурнаяЕдиницаПродажи_Key).not.toBe('00000000-0000-0000-0000-000000000000');
    const lines = order.Запасы as Record<string, unknown>[];
    expect(lines.every((l) => typeof l.СтавкаНДС_Key === 'string' && l.СтавкаНДС_Key !== '00000000-0000-0000-0000-000000000000')).toBe(true);

    const pay = await b.api('POST', 'paycard', { orderId: 'U-1', provider: 'ЮKassa', transactionId: 'T-1', amount: state.amount, paidAt: '2026-11-29T08:15:00+03:00' });
    expect(pay.status, JSON.stringify(pay.body)).toBeLessThan(300);
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    expect(b.dead()).toEqual([]);
    expect((await b.api('GET', 'bookingstate?orderId=U-1')).body).toMatchObject({ paymentStatus: 1 });
    const card = b.em.store.list('Document_ОперацияПоПлатежнымКартам').find((d) => d.Posted === true && d.СуммаДокумента === state.amount);
    expect(card).toBeTruthy();

    // Refund: a card refund prepared for a person to confirm, its basis the payment; the order is 7.
    const refund = await b.api('POST', 'refund', { orderId: 'U-1', reason: 'Клиент отказался' });
    expect(refund.status, JSON.stringify(refund.body)).toBeLessThan(300);
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    expect(b.dead()).toEqual([]);
    expect((await b.api('GET', 'bookingstate?orderId=U-1')).body.status).toBe(7);
    const refunds = b.em.store.list('Document_ОперацияПоПлатежнымКартам').filter((d) => d.ВидОперации === 'ВозвратОплатыПокупателю');
    expect(refunds).toEqual([expect.objectContaining({ Posted: false, ДокументОснование: card!.Ref_Key })]);

    // A second order paid by a bank statement, by its 1C number: status 3.
    const book2 = await b.api('POST', 'booking', { orderId: 'U-2', clientId: 'C-A', store, deliveryAddress: 'Москва, ул. Тверская, 1', items: [{ itemId: items[0], quantity: 1 }] });
    expect(book2.status, JSON.stringify(book2.body)).toBeLessThan(300);
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    const s2 = (await b.api('GET', 'bookingstate?orderId=U-2')).body;
    const kop = Math.round(s2.amount * 100);
    const file = bytesOf([{ number: '501', date: '28.11.2026', amount: `${Math.floor(kop / 100)}.${String(kop % 100).padStart(2, '0')}`, payerAcc: '40702810400000000002', payerInn: '7707083893', payerName: 'ООО "Альфа"', purpose: `Оплата по счету № ${s2.number} от 28.11.2026` }]);
    const report = importStatementBytes(b.rt.db, file, { name: 'kl_to_1c.txt', source: 'cli' });
    expect(JSON.stringify(report)).toContain('U-2');
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    expect(b.dead()).toEqual([]);
    expect((await b.api('GET', 'bookingstate?orderId=U-2')).body).toMatchObject({ status: 3, paymentStatus: 2 });
    expect(b.em.store.list('Document_ПоступлениеНаСчет').filter((d) => d.Posted === true && d.СуммаДокумента === s2.amount)).toHaveLength(1);
  }, 60_000);

  it('bookingcancel closes the ЗаказПокупателя as УНФ\'s «Отменить» does: Завершен, Отменен, a reason, reserve released', async () => {
    const { store, items } = orderable(b.rt.db);
    await b.api('POST', 'client', { clientId: 'C-B', name: 'ИП Борисов', inn: '500100732259' });
    const book = await b.api('POST', 'booking', { orderId: 'U-3', clientId: 'C-B', store, deliveryAddress: 'Москва, ул. Тверская, 3', items: [{ itemId: items[0], quantity: 1 }] });
    expect(book.status, JSON.stringify(book.body)).toBeLessThan(300);
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    const number = (await b.api('GET', 'bookingstate?orderId=U-3')).body.number;
    const order = () => b.em.store.list('Document_ЗаказПокупателя').find((d) => d.Number === number)!;
    const reserved = () => b.em.store.records('AccumulationRegister_Запасы').filter((x) => x.ЗаказПокупателя_Key === order().Ref_Key);
    expect(reserved().length).toBeGreaterThan(0);

    // УНФ's profile does not change an order (no orderUpdatePatch): bookingupd is refused before anything is queued,
    // not accepted for a job that could only die.
    const upd = await b.api('POST', 'bookingupd', { orderId: 'U-3', revision: 1, comment: 'позвонить' });
    expect(upd.status).toBe(422);
    expect(upd.body.error).toMatchObject({ code: 'not_supported' });
    expect(upd.body.error.message).toContain('УНФ');
    expect((await b.api('GET', 'bookingstate?orderId=U-3')).body.revision).toBe(1);

    const cancel = await b.api('POST', 'bookingcancel', { orderId: 'U-3', reason: 'передумал' });
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(200);
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    expect(b.dead()).toEqual([]);
    const completed = b.em.store.list('Catalog_СостоянияЗаказовПокупателей').find((s) => s.PredefinedDataName === 'Завершен')!;
    const reason = b.em.store.list('Catalog_ПричиныОтменыЗаказа')[0];
    expect(order()).toMatchObject({ Posted: true, СостояниеЗаказа: completed.Ref_Key, ВариантЗавершения: 'Отменен', ПричинаОтмены_Key: reason.Ref_Key });
    expect(reserved()).toEqual([]);
    expect(b.em.store.records('AccumulationRegister_ЗаказыПокупателей').filter((x) => x.ЗаказПокупателя_Key === order().Ref_Key)).toEqual([]);
    expect((await b.api('GET', 'bookingstate?orderId=U-3')).body.status).toBe(6);

    // Reconciliation sees a cancellation made by hand in 1C the same way: an open order closed Отменен there becomes 6.
    const book2 = await b.api('POST', 'booking', { orderId: 'U-4', clientId: 'C-B', store, deliveryAddress: 'Москва, ул. Тверская, 3', items: [{ itemId: items[0], quantity: 1 }] });
    expect(book2.status, JSON.stringify(book2.body)).toBeLessThan(300);
    expect(await b.idle(), JSON.stringify(b.dead())).toBe(true);
    const n4 = (await b.api('GET', 'bookingstate?orderId=U-4')).body.number;
    const o4 = b.em.store.list('Document_ЗаказПокупателя').find((d) => d.Number === n4)!;
    await b.rt.onec.update('Document_ЗаказПокупателя', String(o4.Ref_Key), { СостояниеЗаказа: completed.Ref_Key, СостояниеЗаказа_Type: 'StandardODATA.Catalog_СостоянияЗаказовПокупателей', ВариантЗавершения: 'Отменен', ПричинаОтмены_Key: reason.Ref_Key });
    await b.rt.onec.post('Document_ЗаказПокупателя', String(o4.Ref_Key));
    const report = await reconcileOrders(new DeliveryContext({ db: b.rt.db, onec: b.rt.onec, config: b.rt.config, logger: silentLogger, profile: b.rt.profile }));
    expect(report.cancelled).toContain('U-4');
    expect((await b.api('GET', 'bookingstate?orderId=U-4')).body.status).toBe(6);
  }, 60_000);

  it('ReGate wrote no property the УНФ configuration does not publish', () => {
    expect(Object.fromEntries([...b.em.store.ignored].map(([k, v]) => [k, [...v].sort()]))).toEqual({});
  });
});

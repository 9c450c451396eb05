import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAll } from '../../src/onec/read.js';
import { ODataError } from '../../src/onec/index.js';
import { unfLineVat } from '../../src/onec/profiles/unf.js';
import type { OrderLineInput, PaymentInput, PaymentRefs, Row } from '../../src/onec/profiles/types.js';
import { orderable } from '../helpers/orderable.js';
import { boot, DUMPS, haveDump, type Booted } from './harness.js';

/**
 * УНФ 3.0 on the real dump unf-3.0.12-xml: `regate demo --dump` serves every read method from a УНФ base, and the
 * documents ReGate's УНФ profile builds are the ones УНФ accepts — the emulator's stand-ins (src/emulator/posting/unf.ts)
 * refuse what УНФ's own handlers refuse and post what they post. The order lifecycle is driven through the profile
 * (its reads give the references the delivery would take: the department, the cash-flow item, the terminal, the VAT
 * item of each line — see the report of issue 18 for the delivery hooks that pass them), against the emulator.
 */
const FOLDER = 'unf-3.0.12-xml';
const HAVE = haveDump(FOLDER);
if (!HAVE) console.warn(`test/configurations/unf: ${join(DUMPS, FOLDER)} is absent — skipped`);
const NULL = '00000000-0000-0000-0000-000000000000';

describe.skipIf(!HAVE)('УНФ 3.0.12 demo', () => {
  let b: Booted;
  let store = '';
  let items: string[] = [];
  beforeAll(async () => {
    b = await boot(FOLDER, { extension: false });
  }, 120_000);
  afterAll(async () => {
    await b?.stop();
  });

  it('is chosen as УНФ by its configuration name and runs without the (УТ-built) extension', () => {
    expect(b.base.profile).toMatchObject({ id: 'unf', by: 'name', configuration: 'УправлениеНебольшойФирмой' });
    expect(b.rt.profile.id).toBe('unf');
    expect(b.base.extension).toBe(false);
  });

  it('every read method answers from the mirror of a УНФ base', async () => {
    const state = await b.api('GET', 'state');
    expect(state.status).toBe(200);
    expect(state.body.configuration).toMatchObject({ name: 'УправлениеНебольшойФирмой', version: '3.0.12.261' });
    const cities = await b.api('GET', 'city');
    expect(cities.status).toBe(200);
    // Warehouses and shops (СтруктурныеЕдиницы Склад / Розница) in five cities; the department is not a store.
    expect(cities.body.cities.map((c: any) => c.name).sort()).toEqual(['Екатеринбург', 'Казань', 'Москва', 'Новосибирск', 'Санкт-Петербург']);
    const stores = await b.api('GET', `citystore?city=${encodeURIComponent('Москва')}`);
    expect(stores.status).toBe(200);
    expect(stores.body.stores.map((s: any) => s.name).sort()).toEqual(['Магазин «Тверская»', 'Основной склад']);
    ({ store, items } = orderable(b.rt.db));
    expect(items.length).toBeGreaterThanOrEqual(2);
    const table = await b.api('GET', `storetable?store=${store}`);
    expect(table.status).toBe(200);
    const page = await b.api('GET', `assortment?store=${store}&pageSize=100`);
    expect(page.status).toBe(200);
    expect(page.body.items.length).toBeGreaterThan(0);
    const item = page.body.items.find((i: any) => i.icons?.length);
    expect(item, 'an item with a picture').toBeTruthy();
    const pic = await b.rt.app.request(new URL(item.icons[0]).pathname, { headers: { Authorization: 'Basic ' + Buffer.from('rs:p').toString('base64') } });
    expect(pic.status).toBe(200);
    expect(Buffer.from(await pic.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
    // Prices from ЦеныНоменклатуры by ВидЦен: every listed item has the retail price of its record.
    const retail = b.base.refs.priceKinds.retail;
    const priced = page.body.items.filter((i: any) => i.price > 0);
    expect(priced.length).toBe(page.body.items.length);
    const rec = b.em.store.list('InformationRegister_ЦеныНоменклатуры').find((r) => r.Номенклатура_Key === priced[0].id && r.ВидЦен_Key === retail)!;
    expect(priced[0].price).toBe(rec.Цена);
  });

  /** The references the delivery would pass, read through the profile's own read specs. */
  async function refs() {
    const p = b.rt.profile;
    const one = async (concept: string) => (await readAll(b.rt.onec, p.reads[concept as keyof typeof p.reads]!)) as Row[];
    const [department] = (await one('department')).filter((r) => r.PredefinedDataName === 'ОсновноеПодразделение');
    const cashFlowItem = (await one('cashFlowItem')).find((x) => x.PredefinedDataName === p.cashFlowPredefined?.receipt)!;
    const [terminal] = await one('acquiringTerminal');
    const vatRows = await one('vatRate');
    const currency = (await one('currency')).find((r) => String(r.Code).trim() === '643')!;
    const accounts = (await one('bankAccount')).map((r) => p.map.toBankAccount(r));
    const organisation = b.base.refs.organisation;
    return { department: String(department.Ref_Key), cashFlowItem: String(cashFlowItem.Ref_Key), terminal: String(terminal.Ref_Key), vatRows, currency: String(currency.Ref_Key), bankAccount: accounts.find((a) => a.organisationId === organisation)!.id, organisation };
  }

  async function refused(fn: () => Promise<unknown>): Promise<string> {
    try {
      await fn();
    } catch (e) {
      expect(e).toBeInstanceOf(ODataError);
      return (e as Error).message;
    }
    throw new Error('1C accepted what УНФ refuses');
  }

  it('client, order with reserve, card payment, refund, bank payment and cancellation, as УНФ posts them', async () => {
    const p = b.rt.profile;
    const r = await refs();
    const at = new Date('2026-11-29T09:00:00Z');

    // Client: one Контрагент (a buyer kept by orders); УНФ gives a new counterparty its default contract.
    const client = await b.rt.onec.create(p.writes.partner.set, p.build.partnerBody({ externalId: 'C-A', name: 'ООО "Альфа"', inn: '7707083893', kpp: '770701001', kind: 'company', phone: '+7 900 000-00-00' }, b.rt.config));
    const cp = String(client.Ref_Key);
    const contract = b.em.store.list('Catalog_ДоговорыКонтрагентов').find((c) => c.Owner === cp);
    expect(contract, 'the default contract ПриЗаписи creates').toBeTruthy();
    expect(p.map.toClient(client, null)).toMatchObject({ partnerId: cp, inn: '7707083893', kind: 'company' });

    // Order: two lines of items the warehouse has, VAT items as СтавкиНДС.СтавкаНДС picks them for the date.
    const itemRows = b.em.store.list('Catalog_Номенклатура').filter((i) => items.slice(0, 2).includes(String(i.Ref_Key)));
    const prices = new Map(b.em.store.list('InformationRegister_ЦеныНоменклатуры').filter((x) => x.ВидЦен_Key === b.base.refs.priceKinds.retail).map((x) => [x.Номенклатура_Key, Number(x.Цена)]));
    const lines: OrderLineInput[] = itemRows.map((i, n) => ({ itemId: String(i.Ref_Key), quantity: n + 1, price: prices.get(i.Ref_Key)!, unitId: String(i.ЕдиницаИзмерения_Key), ...p.map.lineVat!(String(i.ВидСтавкиНДС), at, r.vatRows) }));
    // From 2026 the general rate is 22 % (Catalogs/СтавкиНДС/Ext/ManagerModule.bsl 723-730).
    for (const [n, l] of lines.entries()) expect(l.vatRate).toBe(itemRows[n].ВидСтавкиНДС === 'Общая' ? 22 : 10);
    const orderRefs = { organisationKey: r.organisation, partnerKey: cp, counterpartyKey: cp, warehouseKey: store, currencyKey: r.currency, priceKindKey: b.base.refs.priceKinds.retail, salesUnitKey: r.department };
    const orderInput = { externalId: 'RS-1', date: at, deliveryAddress: 'Москва, ул. Тверская, 1', paymentForm: 'card' as const, lines };

    // УНФ refuses an order without the sales department, and one whose line has no VAT item.
    const noDept = await b.rt.onec.create(p.writes.order.set, p.build.orderDocument(orderInput, { ...orderRefs, salesUnitKey: null }, b.rt.config));
    expect(await refused(() => b.rt.onec.post(p.writes.order.set, String(noDept.Ref_Key)))).toContain('СтруктурнаяЕдиницаПродажи');
    const noVat = await b.rt.onec.create(p.writes.order.set, p.build.orderDocument({ ...orderInput, lines: lines.map((l) => ({ ...l, vatRateId: null })) }, orderRefs, b.rt.config));
    expect(await refused(() => b.rt.onec.post(p.writes.order.set, String(noVat.Ref_Key)))).toContain('СтавкаНДС');

    const stockBefore = b.rt.db.prepare(`SELECT quantity FROM catalog_stock WHERE store_id = ? AND item_id = ?`).pluck().get(store, lines[1].itemId) as number;
    const order = await b.rt.onec.create(p.writes.order.set, p.build.orderDocument(orderInput, orderRefs, b.rt.config));
    const orderKey = String(order.Ref_Key);
    await b.rt.onec.post(p.writes.order.set, orderKey);
    const stored = b.em.store.get('Document_ЗаказПокупателя', orderKey)!;
    // What ПередЗаписью filled: the buyer's default contract, the order kind and its first state, the sum.
    expect(stored).toMatchObject({ Posted: true, Договор_Key: contract!.Ref_Key, ВидЗаказа: b.em.store.list('Catalog_ВидыЗаказовПокупателей')[0].Ref_Key });
    expect(b.em.store.get('Catalog_СостоянияЗаказовПокупателей', String(stored.СостояниеЗаказа))?.Description).toBe('Новый');
    const total = Math.round(lines.reduce((s, l) => s + l.price * l.quantity, 0) * 100) / 100;
    expect(stored.СуммаДокумента).toBe(total);
    expect((await readAll(b.rt.onec, p.reads.order!, { externalId: 'RS-1' })).map((x) => p.map.toOrder(x).id)).toContain(orderKey);
    // Posting: ЗаказыПокупателей per line, and the reserve moved under the order in Запасы.
    const planned = b.em.store.records('AccumulationRegister_ЗаказыПокупателей').filter((x) => x.ЗаказПокупателя_Key === orderKey);
    expect(planned.map((x) => x.Количество)).toEqual([1, 2]);
    const reserved = b.em.store.records('AccumulationRegister_Запасы').filter((x) => x.ЗаказПокупателя_Key === orderKey);
    expect(reserved.map((x) => [x.RecordType, x.Количество])).toEqual([['Receipt', 1], ['Receipt', 2]]);
    // ReGate's stock sync now sees less available at that warehouse (ЗапасыНаСкладах less the reserve in Запасы).
    const { runStockSync } = await import('../../src/catalog/sync.js');
    await runStockSync({ ...b.rt, profile: b.rt.profile });
    const stockAfter = b.rt.db.prepare(`SELECT quantity FROM catalog_stock WHERE store_id = ? AND item_id = ?`).pluck().get(store, lines[1].itemId) as number;
    expect(Math.round((stockBefore - stockAfter) * 1000) / 1000).toBe(2);

    // Card payment of the order: a prepayment line against the order, the VAT item of the order's first line.
    const firstLine = (stored.Запасы as Row[])[0];
    const payRefs: PaymentRefs = { organisationKey: r.organisation, partnerKey: cp, counterpartyKey: cp, currencyKey: r.currency, bankAccountKey: r.bankAccount, acquiringTerminalKey: r.terminal, cashFlowItemKey: r.cashFlowItem, vatRateKey: String(firstLine.СтавкаНДС_Key), vatRate: lines[0].vatRate };
    const pay: PaymentInput = { externalId: 'card:T-1', date: at, amount: total, orderKey, cardMask: '220000******1234', comment: 'Richest.store RS-1' };
    // Without the terminal УНФ refuses («Эквайринговый терминал должен быть выбран.»).
    const noTerminal = await b.rt.onec.create(p.writes.cardPaymentDocument.set, p.build.cardPaymentDocument({ ...pay, externalId: 'card:T-0' }, { ...payRefs, acquiringTerminalKey: null }, b.rt.config));
    expect(await refused(() => b.rt.onec.post(p.writes.cardPaymentDocument.set, String(noTerminal.Ref_Key)))).toContain('Эквайринговый терминал должен быть выбран');
    const card = await b.rt.onec.create(p.writes.cardPaymentDocument.set, p.build.cardPaymentDocument(pay, payRefs, b.rt.config));
    await b.rt.onec.post(p.writes.cardPaymentDocument.set, String(card.Ref_Key));
    const found = (await readAll(b.rt.onec, p.reads.cardOperation!, { externalId: 'card:T-1' })).map((x) => p.map.toPayment(x));
    expect(found).toEqual([expect.objectContaining({ id: card.Ref_Key, orderIds: [orderKey], amount: total, posted: true })]);
    const settle = b.em.store.records('AccumulationRegister_РасчетыСПокупателями').filter((x) => x.ДокументОплаты === card.Ref_Key);
    expect(settle).toEqual([expect.objectContaining({ RecordType: 'Expense', ТипРасчетов: 'Аванс', Контрагент_Key: cp, Заказ: orderKey, Сумма: total, Договор_Key: contract!.Ref_Key })]);
    // The client's balance through the profile: the payment is an advance.
    const balance = p.map.toClientBalance(await readAll(b.rt.onec, p.reads.clientBalance!, { analyticsKeys: [cp] }));
    expect(balance).toEqual({ debt: 0, prepaid: total });

    // Card refund: prepared, not posted; its basis is the payment it returns.
    const refund = await b.rt.onec.create(p.writes.cardRefundDocument.set, p.build.cardRefundDocument({ ...pay, externalId: 'refund:RS-1' }, { ...payRefs, basisPaymentKey: String(card.Ref_Key) }, b.rt.config));
    expect(b.em.store.get('Document_ОперацияПоПлатежнымКартам', String(refund.Ref_Key))).toMatchObject({ ВидОперации: 'ВозвратОплатыПокупателю', ДокументОснование: card.Ref_Key, Posted: false });

    // Bank payment (ПоступлениеНаСчет ОтПокупателя), found again by the marker in Комментарий.
    const bank = await b.rt.onec.create(p.writes.bankPaymentDocument.set, p.build.bankPaymentDocument({ ...pay, externalId: 'bank:abc', incomingNumber: '501', purpose: 'Оплата по заказу' }, payRefs, b.rt.config));
    await b.rt.onec.post(p.writes.bankPaymentDocument.set, String(bank.Ref_Key));
    expect((await readAll(b.rt.onec, p.reads.payment!, { externalId: 'bank:abc' })).map((x) => p.map.toPayment(x))).toEqual([expect.objectContaining({ id: bank.Ref_Key, posted: true, orderIds: [orderKey] })]);
    // A payment whose lines do not add up to its sum is refused.
    const wrong = await b.rt.onec.create(p.writes.bankPaymentDocument.set, { ...p.build.bankPaymentDocument({ ...pay, externalId: 'bank:def' }, payRefs, b.rt.config), СуммаДокумента: total + 1 });
    expect(await refused(() => b.rt.onec.post(p.writes.bankPaymentDocument.set, String(wrong.Ref_Key)))).toContain('не соответствует сумме разнесенных платежей');

    // Cancellation: the state Завершен with ВариантЗавершения Отменен needs a reason; then the reserve is gone.
    const completed = b.em.store.list('Catalog_СостоянияЗаказовПокупателей').find((s) => s.PredefinedDataName === 'Завершен')!;
    const finish = { СостояниеЗаказа: completed.Ref_Key, СостояниеЗаказа_Type: 'StandardODATA.Catalog_СостоянияЗаказовПокупателей' };
    await b.rt.onec.update(p.writes.order.set, orderKey, { ...p.build.cancelOrderPatch([]), ...finish });
    expect(await refused(() => b.rt.onec.post(p.writes.order.set, orderKey))).toContain('ПричинаОтмены');
    const reason = String(b.em.store.list('Catalog_ПричиныОтменыЗаказа')[0].Ref_Key);
    await b.rt.onec.update(p.writes.order.set, orderKey, { ...p.build.cancelOrderPatch([], reason), ...finish });
    await b.rt.onec.post(p.writes.order.set, orderKey);
    expect(b.em.store.records('AccumulationRegister_Запасы').filter((x) => x.ЗаказПокупателя_Key === orderKey)).toEqual([]);
    expect(p.map.toOrder(b.em.store.get('Document_ЗаказПокупателя', orderKey)!).status).toBe('Отменен');
  }, 60_000);

  it('the VAT item of a line follows УНФ: Общая by the date (18 → 20 → 22 %), other kinds by kind', () => {
    const rows = b.em.store.list('Catalog_СтавкиНДС');
    expect(unfLineVat('Общая', new Date('2025-06-01Z'), rows).vatRate).toBe(20);
    expect(unfLineVat('Общая', new Date('2026-01-01Z'), rows).vatRate).toBe(22);
    expect(unfLineVat('Пониженная', new Date('2026-01-01Z'), rows).vatRate).toBe(10);
    expect(unfLineVat('БезНДС', new Date('2026-01-01Z'), rows)).toMatchObject({ vatRate: null });
    expect(unfLineVat(null, new Date(), rows)).toEqual({ vatRateId: null, vatRate: null });
    expect(NULL).toHaveLength(36);
  });

  it('ReGate wrote no property the УНФ configuration does not publish', () => {
    expect(Object.fromEntries([...b.em.store.ignored].map(([k, v]) => [k, [...v].sort()]))).toEqual({});
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { reconcileOrders } from '../../src/orders/reconcile.js';
import { closeOrderInOneC } from '../../src/orders/delivery/order-status.js';
import { OrderStatusCode, PaymentStatusCode } from '../../src/orders/statuses.js';
import { ORDERS, harness, pending, until, type Harness } from './harness.js';

/**
 * What an order is made under and how it ends, as УТ's own forms do it (WRITE-RULES §1.2, §1.7, §5): the agreement
 * and its ЦенаВключаетНДС, НалогообложениеНДС, cancelled lines with a reason, and cash taken in 1C by a
 * ПриходныйКассовыйОрдер recognised as the order's payment.
 */
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

type Row = Record<string, unknown>;
const AGREEMENTS = 'Catalog_СоглашенияСКлиентами';
const orderOf = (hh: Harness, id: string) => hh.em.store.list(ORDERS).find((o) => o.ReGate_ВнешнийИдентификатор === id)!;

async function book(hh: Harness, id: string): Promise<Row> {
  await hh.orders.client({ clientId: 'C-1', name: 'ООО Альфа', inn: '7707083893' });
  await hh.noWait.book(hh.booking(id, 'C-1', 2));
  expect(await until(() => pending(hh.db) === 0)).toBe(true);
  return orderOf(hh, id);
}

describe('order terms and endings as УТ records them', () => {
  it('the order is made under the base’s one typical agreement in force, with its ЦенаВключаетНДС; НалогообложениеНДС as configured', async () => {
    h = await harness();
    const [agreement] = h.em.store.list(AGREEMENTS).filter((a) => a.Типовое === true);
    expect(agreement).toBeDefined();
    h.config.onec.vatTaxation = 'ПродажаНеОблагаетсяНДС';
    const doc = await book(h, 'T-1');
    expect(doc).toMatchObject({ Соглашение_Key: agreement.Ref_Key, ЦенаВключаетНДС: true, НалогообложениеНДС: 'ПродажаНеОблагаетсяНДС', Posted: true });
  });

  it('an agreement whose prices exclude VAT: VAT comes on top of each line, and the document total includes it', async () => {
    h = await harness();
    const [agreement] = h.em.store.list(AGREEMENTS).filter((a) => a.Типовое === true);
    h.em.store.update(AGREEMENTS, String(agreement.Ref_Key), { ЦенаВключаетНДС: false });
    const doc = await book(h, 'T-2');
    expect(doc.ЦенаВключаетНДС).toBe(false);
    const lines = doc.Товары as Row[];
    const taxed = lines.filter((l) => Number(l.СуммаНДС) > 0);
    expect(taxed.length).toBeGreaterThan(0);
    for (const l of lines) expect(Number(l.СуммаСНДС)).toBeCloseTo(Number(l.Сумма) + Number(l.СуммаНДС), 2);
    expect(Number(doc.СуммаДокумента)).toBeGreaterThan(lines.reduce((s, l) => s + Number(l.Сумма), 0));
  });

  it('closing cancels every line with the reason and re-posts; the write carries If-Match with the version read', async () => {
    h = await harness();
    const doc = await book(h, 'T-3');
    // The one reason a person made (the predefined ОтклонениеПриОтгрузкеМерныхТоваров is the system's own).
    const [reason] = h.em.store.list('Catalog_ПричиныОтменыЗаказовКлиентов').filter((r) => r.Predefined !== true);
    const seen: (string | undefined)[] = [];
    const transport = (h.onec as any).transport;
    const request = transport.request.bind(transport);
    transport.request = (method: string, url: string, o: { headers?: Record<string, string> }) => {
      if (method === 'PATCH') seen.push(o.headers?.['If-Match']);
      return request(method, url, o);
    };
    const version = String(orderOf(h, 'T-3').DataVersion);
    expect(await closeOrderInOneC(h.delivery.ctx, String(doc.Ref_Key))).toBe(true);
    const closed = orderOf(h, 'T-3');
    expect(closed).toMatchObject({ Статус: 'Закрыт', Posted: true });
    expect((closed.Товары as Row[]).every((l) => l.Отменено === true && l.ПричинаОтмены_Key === reason.Ref_Key)).toBe(true);
    expect(seen).toEqual([version]);
  });

  it('cash taken in 1C (a posted ПриходныйКассовыйОрдер settling the order) makes the order 4 / payment 3', async () => {
    h = await harness();
    const doc = await book(h, 'T-4');
    const id = 'T-4';
    expect((h.db.prepare(`SELECT status FROM orders WHERE id = ?`).get(id) as { status: number }).status).toBe(OrderStatusCode.created);
    // Not enough cash yet: nothing changes.
    const line = (sum: number) => ({ LineNumber: 1, Партнер_Key: doc.Партнер_Key, Сумма: sum, ОбъектРасчетов_Key: doc.ОбъектРасчетов_Key, ОснованиеПлатежа: doc.Ref_Key, ОснованиеПлатежа_Type: `StandardODATA.${ORDERS}` });
    const half = Math.round(Number(doc.СуммаДокумента) * 50) / 100;
    const pko = (sum: number) => {
      const row = h!.em.store.insert('Document_ПриходныйКассовыйОрдер', { Date: '2026-01-20T10:00:00', ХозяйственнаяОперация: 'ПоступлениеОплатыОтКлиента', Организация_Key: doc.Организация_Key, Контрагент_Key: doc.Контрагент_Key, Валюта_Key: doc.Валюта_Key, СуммаДокумента: sum, РасшифровкаПлатежа: [line(sum)] });
      h!.em.store.post('Document_ПриходныйКассовыйОрдер', String(row.Ref_Key));
    };
    pko(half);
    expect((await reconcileOrders(h.delivery.ctx)).paidInCash).toEqual([]);
    pko(Math.round((Number(doc.СуммаДокумента) - half) * 100) / 100);
    const report = await reconcileOrders(h.delivery.ctx);
    expect(report.paidInCash).toEqual([id]);
    const o = h.db.prepare(`SELECT status, payment_status AS ps, paid_kopecks AS paid, amount_kopecks AS amount FROM orders WHERE id = ?`).get(id) as { status: number; ps: number; paid: number; amount: number };
    expect(o).toMatchObject({ status: OrderStatusCode.paidInCash, ps: PaymentStatusCode.cash });
    expect(o.paid).toBe(o.amount);
    // The cash settled the order's object in 1C too (the emulator posts it as УТ does).
    const settled = h.em.store.records('AccumulationRegister_РасчетыСКлиентами').filter((r) => r.ОбъектРасчетов_Key === doc.ОбъектРасчетов_Key && r.RecordType === 'Expense');
    expect(settled.reduce((s, r) => s + Number(r.Сумма), 0)).toBeCloseTo(Number(doc.СуммаДокумента), 2);
  });

  it('the client’s balance is the prepayment the manager’s report shows (РасчетыСКлиентамиПоСрокам.Предоплата, 11.5)', async () => {
    h = await harness();
    const first = await h.orders.client({ clientId: 'C-ADV', name: 'Петров' });
    expect(first.body).toMatchObject({ balance: 0 });
    const c = h.db.prepare(`SELECT partner_key, counterparty_key FROM clients WHERE id = 'C-ADV'`).get() as Record<string, string>;
    const org = JSON.parse(h.db.prepare(`SELECT value FROM meta WHERE key = 'mirror.organisation'`).pluck().get() as string).id;
    const set = 'Document_ПоступлениеБезналичныхДенежныхСредств';
    const doc = h.em.store.insert(set, { ХозяйственнаяОперация: 'ПоступлениеОплатыОтКлиента', Организация_Key: org, Партнер_Key: c.partner_key, Контрагент_Key: c.counterparty_key, СуммаДокумента: 750 });
    h.em.store.post(set, String(doc.Ref_Key));
    const terms = h.em.store.records('AccumulationRegister_РасчетыСКлиентамиПоСрокам').filter((r) => (r.Recorder ?? r.Recorder_Key) === doc.Ref_Key);
    expect(terms.map((r) => [r.RecordType, r.Предоплата])).toEqual([['Receipt', 750]]);
    // The register the report reads is the one that counts: without the payment's РасчетыСКлиентами movements the
    // balance is still the report's 750.
    h.em.store.writeRecords('AccumulationRegister_РасчетыСКлиентами', String(doc.Ref_Key), []);
    expect((await h.orders.client({ clientId: 'C-ADV', name: 'Петров' })).body).toMatchObject({ result: 'found', balance: 750 });
  });
});

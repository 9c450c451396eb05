import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropJob, enqueue, getJob, listJobs } from '../../src/outbox/index.js';
import { EXT, ORDERS, harness, pending, until, type Harness } from './harness.js';

/**
 * Every delivery handler's normal path against the emulator serving the demo base: the document exists in the
 * emulator's store with the right references, posted where 1C needs it posted, the ReGate status register says
 * what the local order says, and the 1C number is local.
 */
let h: Harness;
const STATUSES = 'InformationRegister_ReGate_СтатусыЗаказов';
const lastStatus = (orderRef: string) =>
  h.em.store
    .list(STATUSES)
    .filter((r) => r.Заказ_Key === orderRef)
    .sort((a, b) => String(a.Period).localeCompare(String(b.Period)))
    .at(-1);
const order = (id: string) => h.db.prepare(`SELECT * FROM orders WHERE id = ?`).get(id) as Record<string, any>;
const events = (id: string) => (h.db.prepare(`SELECT event FROM order_history WHERE order_id = ? ORDER BY id`).pluck().all(id) as string[]);

beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h?.close();
});

describe('delivery to 1C', () => {
  it('client: a new client is created in 1C (201) as Партнер + Контрагент with the external id; a known one is found (200) with its balance', async () => {
    const r = await h.orders.client({ clientId: 'C-1', name: 'ООО Вектор', inn: '7707083893', kpp: '770701001', phone: '+7 495 000-00-01', email: 'v@example.ru' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ result: 'created', balance: 0 });
    const partners = h.docs('Catalog_Партнеры', 'C-1');
    const cps = h.docs('Catalog_Контрагенты', 'C-1');
    expect(partners).toHaveLength(1);
    expect(cps).toHaveLength(1);
    expect(cps[0]).toMatchObject({ ИНН: '7707083893', КПП: '770701001', ЮрФизЛицо: 'ЮрЛицо', Партнер_Key: partners[0].Ref_Key });
    expect(partners[0]).toMatchObject({ Description: 'ООО Вектор', Клиент: true });
    const row = h.db.prepare(`SELECT partner_key, counterparty_key FROM clients WHERE id = 'C-1'`).get() as Record<string, string>;
    expect(row).toEqual({ partner_key: partners[0].Ref_Key, counterparty_key: cps[0].Ref_Key });

    // rs-client-0001 is in the demo base already (external id set, a paid order): found, nothing created.
    const before = h.em.store.count('Catalog_Партнеры');
    const found = await h.orders.client({ clientId: 'rs-client-0001', name: 'кто-то' });
    expect(found.status).toBe(200);
    expect(found.body.result).toBe('found');
    expect(typeof found.body.balance).toBe('number');
    expect(found.body.balanceAt).toBeTruthy();
    expect(h.em.store.count('Catalog_Партнеры')).toBe(before);
  });

  it('client: a known client\'s balance is read again from РасчетыСКлиентами (a prepayment made in 1C shows up)', async () => {
    const first = await h.orders.client({ clientId: 'C-BAL', name: 'Сидоров' });
    expect(first.body).toMatchObject({ result: 'created', balance: 0 });
    const c = h.db.prepare(`SELECT partner_key, counterparty_key FROM clients WHERE id = 'C-BAL'`).get() as Record<string, string>;
    const org = JSON.parse(h.db.prepare(`SELECT value FROM meta WHERE key = 'mirror.organisation'`).pluck().get() as string).id;
    // An advance paid at the bank and entered in 1C by the accountant (no order in the breakdown).
    const set = 'Document_ПоступлениеБезналичныхДенежныхСредств';
    const doc = h.em.store.insert(set, { ХозяйственнаяОперация: 'ПоступлениеОплатыОтКлиента', Организация_Key: org, Партнер_Key: c.partner_key, Контрагент_Key: c.counterparty_key, СуммаДокумента: 500 });
    h.em.store.post(set, String(doc.Ref_Key));
    const again = await h.orders.client({ clientId: 'C-BAL', name: 'Сидоров' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ result: 'found', balance: 500 });
  });

  it('clientupd: the partner and counterparty get the new requisites', async () => {
    await h.orders.clientUpdate({ clientId: 'C-1', name: 'ООО Вектор-Плюс', phone: '+7 495 000-00-02' });
    expect(await until(() => pending(h.db) === 0)).toBe(true);
    const p = h.docs('Catalog_Партнеры', 'C-1')[0];
    expect(p.Description).toBe('ООО Вектор-Плюс');
    expect((p.КонтактнаяИнформация as Record<string, unknown>[]).map((c) => c.Представление)).toContain('+7 495 000-00-02');
    expect(h.docs('Catalog_Контрагенты', 'C-1')[0].Description).toBe('ООО Вектор-Плюс');
  });

  it('booking: 201 with the 1C number within the window; the posted ЗаказКлиента carries the refs, prices, VAT; status record 1/0', async () => {
    await h.orders.client({ clientId: 'C-2', name: 'Петров Пётр' });
    const t0 = Date.now();
    const r = await h.orders.book(h.booking('O-1', 'C-2', 3));
    const ms = Date.now() - t0;
    expect(r.status).toBe(201);
    expect(r.body.status).toBe(1);
    expect(ms).toBeLessThan(h.config.outbox.confirmWindowMs);
    const docs = h.docs(ORDERS, 'O-1');
    expect(docs).toHaveLength(1);
    const d = docs[0];
    expect(r.body.number).toBe(d.Number);
    const org = JSON.parse(h.db.prepare(`SELECT value FROM meta WHERE key = 'mirror.organisation'`).pluck().get() as string).id;
    const rub = h.em.store.list('Catalog_Валюты').find((c) => String(c.Code).trim() === '643')!;
    const client = h.db.prepare(`SELECT * FROM clients WHERE id = 'C-2'`).get() as Record<string, string>;
    expect(d).toMatchObject({
      Posted: true,
      Организация_Key: org,
      Партнер_Key: client.partner_key,
      Контрагент_Key: client.counterparty_key,
      Склад_Key: h.store,
      Валюта_Key: rub.Ref_Key,
      АдресДоставки: 'Москва, ул. Тверская, 1',
      [EXT]: 'O-1',
    });
    const lines = d.Товары as Record<string, any>[];
    const local = h.db.prepare(`SELECT * FROM order_lines WHERE order_id = 'O-1' ORDER BY line_no`).all() as Record<string, any>[];
    expect(lines.map((l) => [l.Номенклатура_Key, l.Количество, l.Цена, l.ВидЦены_Key])).toEqual(local.map((l) => [l.item_id, l.quantity, l.price_kopecks / 100, l.price_kind_id]));
    const itemVat = (id: string) => h.em.store.get('Catalog_Номенклатура', id)!.СтавкаНДС_Key;
    expect(lines.map((l) => l.СтавкаНДС_Key)).toEqual(local.map((l) => itemVat(l.item_id)));
    expect(d.СуммаДокумента).toBe(order('O-1').amount_kopecks / 100);
    expect(lastStatus(String(d.Ref_Key))).toMatchObject({ СтатусЗаказа: 1, СтатусОплаты: 0 });
    expect(order('O-1')).toMatchObject({ status: 1, onec_number: d.Number, onec_ref: d.Ref_Key });
    expect(events('O-1')).toEqual(['booking.accepted', 'booking.confirmed']);
    // Posting wrote the client's debt to РасчетыСКлиентами.
    expect(h.em.store.records('AccumulationRegister_РасчетыСКлиентами').some((r) => r.Recorder_Key === d.Ref_Key || r.Recorder === d.Ref_Key)).toBe(true);
  });

  it('a repeated booking, a re-delivered job, and a crash between the 1C write and the local commit: still ONE document', async () => {
    const again = await h.orders.book(h.booking('O-1', 'C-2', 3));
    expect(again.status).toBe(201);
    const number = order('O-1').onec_number;
    // The crash case: 1C has the document, the local commit never happened.
    h.db.prepare(`UPDATE orders SET status = 0, onec_ref = NULL, onec_number = NULL WHERE id = 'O-1'`).run();
    const job = enqueue(h.db, { kind: 'booking.create', key: 'order:O-1', payload: { orderId: 'O-1' } });
    expect(await until(() => getJob(h.db, job.id)?.state === 'done')).toBe(true);
    expect(h.docs(ORDERS, 'O-1')).toHaveLength(1);
    expect(order('O-1')).toMatchObject({ status: 1, onec_number: number });
  });

  it('the status record fails after 1C took the order: that attempt commits nothing locally (its confirmation goes with the job\'s completion), the retry finds the document — ONE document, confirmed once', async () => {
    const store = h.em.store as unknown as { insert: (set: string, body: Record<string, unknown>) => unknown };
    const insert = store.insert.bind(store);
    let refused = 0;
    let atRefusal: { docs: number; local: Record<string, unknown> } | undefined;
    store.insert = (set, body) => {
      if (set === STATUSES && refused === 0) {
        refused++;
        // What 1C and the local database hold when the status record fails (asserted below: a throw here would only
        // become 1C's 500).
        atRefusal = { docs: h.docs(ORDERS, 'O-SR').length, local: { ...order('O-SR') } };
        throw new Error('status register locked');
      }
      return insert(set, body);
    };
    try {
      const r = await h.noWait.book(h.booking('O-SR', 'C-2', 1));
      expect(r.status).toBe(202);
      expect(await until(() => order('O-SR').onec_number != null)).toBe(true);
    } finally {
      store.insert = insert;
    }
    expect(refused).toBe(1);
    // The order was in 1C already, and nothing of that attempt was committed locally.
    expect(atRefusal!.docs).toBe(1);
    expect(atRefusal!.local).toMatchObject({ status: 0, onec_ref: null, onec_number: null });
    expect(h.docs(ORDERS, 'O-SR')).toHaveLength(1);
    expect(order('O-SR')).toMatchObject({ status: 1, onec_ref: h.docs(ORDERS, 'O-SR')[0].Ref_Key });
    expect(events('O-SR').filter((e) => e === 'booking.confirmed')).toHaveLength(1);
  });

  it('paycard: a posted ОперацияПоПлатежнойКарте on the order, the ReGate_ОплатыКартами record, status 2/1', async () => {
    const o = order('O-1');
    await h.orders.payCard({ orderId: 'O-1', provider: 'ЮKassa', transactionId: 'tx-1', rrn: '412345678901', authCode: '123456', maskedCard: '220220******1234', amount: o.amount_kopecks / 100, paidAt: '2026-11-29T08:15:00+03:00' });
    expect(await until(() => pending(h.db) === 0)).toBe(true);
    const docs = h.docs('Document_ОперацияПоПлатежнойКарте', 'card:tx-1');
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({ Posted: true, ХозяйственнаяОперация: 'ПоступлениеОплатыОтКлиента', СуммаДокумента: o.amount_kopecks / 100, ДокументОснование: o.onec_ref, ОплатаВыполнена: true, НомерПлатежнойКарты: '220220******1234' });
    const rec = h.em.store.list('InformationRegister_ReGate_ОплатыКартами').filter((r) => r.Заказ_Key === o.onec_ref);
    expect(rec).toHaveLength(1);
    expect(rec[0]).toMatchObject({ ИдентификаторТранзакции: 'tx-1', RRN: '412345678901', КодАвторизации: '123456', Провайдер: 'ЮKassa', Сумма: o.amount_kopecks / 100 });
    expect(lastStatus(o.onec_ref)).toMatchObject({ СтатусЗаказа: 2, СтатусОплаты: 1, СуммаОплаты: o.amount_kopecks / 100 });
    const payment = h.db.prepare(`SELECT onec_ref FROM payments WHERE external_id = 'tx-1'`).pluck().get();
    expect(payment).toBe(docs[0].Ref_Key);
  });

  it('refund: an UNPOSTED card refund document (an accountant confirms it), status record 7', async () => {
    const o = order('O-1');
    await h.orders.refund({ orderId: 'O-1', reason: 'не подошёл размер' });
    expect(await until(() => pending(h.db) === 0)).toBe(true);
    const docs = h.docs('Document_ОперацияПоПлатежнойКарте', 'refund:O-1');
    expect(docs).toHaveLength(1);
    // The refund's basis is the card payment it returns (WRITE-RULES §3: ДенежныеСредстваСервер 4624-4632).
    const payment = h.db.prepare(`SELECT onec_ref FROM payments WHERE external_id = 'tx-1'`).pluck().get();
    expect(docs[0]).toMatchObject({ Posted: false, ХозяйственнаяОперация: 'ВозвратОплатыКлиенту', СуммаДокумента: o.amount_kopecks / 100, ДокументОснование: payment });
    expect(lastStatus(o.onec_ref)).toMatchObject({ СтатусЗаказа: 7, СтатусОплаты: 1, Комментарий: 'не подошёл размер' });
    expect(h.db.prepare(`SELECT onec_ref FROM refunds WHERE order_id = 'O-1'`).pluck().get()).toBe(docs[0].Ref_Key);
  });

  it('bank.payment: a posted ПоступлениеБезналичныхДенежныхСредств; a partial payment keeps the status and records the sum, the rest makes it 3/2', async () => {
    await h.orders.book(h.booking('O-B', 'C-1', 1));
    const o = order('O-B');
    expect(o.status).toBe(1);
    const half = Math.floor(o.amount_kopecks / 2);
    const addPayment = (ext: string, kopecks: number) => {
      const id = Number(
        h.db
          .prepare(`INSERT INTO payments (order_id, kind, external_id, amount_kopecks, paid_at, data, created_at) VALUES ('O-B', 'bank', ?, ?, '2026-11-29T10:00:00Z', ?, '2026-11-29T10:00:00Z')`)
          .run(ext, kopecks, JSON.stringify({ purpose: `Оплата по заказу ${o.onec_number}`, documentNumber: '77', documentDate: '2026-11-29' })).lastInsertRowid,
      );
      enqueue(h.db, { kind: 'bank.payment', key: 'order:O-B', payload: { orderId: 'O-B', paymentId: id } });
    };
    addPayment('bank-1', half);
    expect(await until(() => pending(h.db) === 0)).toBe(true);
    expect(h.docs('Document_ПоступлениеБезналичныхДенежныхСредств', 'bank:bank-1')[0]).toMatchObject({ Posted: true, СуммаДокумента: half / 100, НомерВходящегоДокумента: '77', Контрагент_Key: (h.db.prepare(`SELECT counterparty_key FROM clients WHERE id = 'C-1'`).pluck().get()) });
    const account = h.em.store.list('Catalog_БанковскиеСчетаОрганизаций')[0];
    expect(h.docs('Document_ПоступлениеБезналичныхДенежныхСредств', 'bank:bank-1')[0].БанковскийСчет_Key).toBe(account.Ref_Key);
    expect(order('O-B').status).toBe(1);
    expect(lastStatus(o.onec_ref)).toMatchObject({ СтатусЗаказа: 1, СтатусОплаты: 0, СуммаОплаты: half / 100 });
    addPayment('bank-2', o.amount_kopecks - half);
    expect(await until(() => pending(h.db) === 0)).toBe(true);
    expect(order('O-B')).toMatchObject({ status: 3, payment_status: 2 });
    expect(lastStatus(o.onec_ref)).toMatchObject({ СтатусЗаказа: 3, СтатусОплаты: 2, СуммаОплаты: o.amount_kopecks / 100 });
  });

  it('a request 1C refuses as malformed (400) is a dead letter at once, with 1C\'s message', async () => {
    await h.orders.book(h.booking('O-BAD', 'C-2', 1)).catch(() => undefined);
    // Break the stored order: a price kind that is not a reference at all.
    h.db.prepare(`UPDATE orders SET onec_ref = NULL, onec_number = NULL, status = 0 WHERE id = 'O-BAD'`).run();
    const ref = h.docs(ORDERS, 'O-BAD')[0]?.Ref_Key;
    if (ref) h.em.store.update(ORDERS, String(ref), { [EXT]: 'O-BAD-old' });
    h.db.prepare(`UPDATE order_lines SET price_kind_id = 'not-a-guid' WHERE order_id = 'O-BAD'`).run();
    const job = enqueue(h.db, { kind: 'booking.create', key: 'order:O-BAD', payload: { orderId: 'O-BAD' } });
    expect(await until(() => ['dead', 'done'].includes(getJob(h.db, job.id)!.state))).toBe(true);
    const j = getJob(h.db, job.id)!;
    expect(j.state).toBe('dead');
    expect(j.attempts).toBe(1);
    expect(j.lastError).toMatch(/400/);
    h.db.prepare(`UPDATE outbox_jobs SET state = 'dropped' WHERE id = ?`).run(job.id);
  });

  it('an order whose booking was dropped by the admin: its payment job is a dead letter saying so; closing it is skipped', async () => {
    await h.em.faults.down();
    const r = await h.noWait.book(h.booking('O-DROP', 'C-2', 1));
    expect(r.status).toBe(202);
    const booking = listJobs(h.db).find((j) => j.key === 'order:O-DROP' && j.kind === 'booking.create')!;
    // Dropped between two failed attempts (a running job cannot be dropped).
    expect(await until(() => getJob(h.db, booking.id)!.attempts >= 1 && dropJob(h.db, booking.id, 'test').ok)).toBe(true);
    await h.orders.payCard({ orderId: 'O-DROP', provider: 'ЮKassa', transactionId: 'tx-drop', amount: order('O-DROP').amount_kopecks / 100, paidAt: '2026-11-29T08:15:00+03:00' });
    await h.em.faults.up();
    const pay = listJobs(h.db).find((j) => j.key === 'order:O-DROP' && j.kind === 'payment.card')!;
    expect(await until(() => getJob(h.db, pay.id)!.state === 'dead')).toBe(true);
    expect(getJob(h.db, pay.id)!.lastError).toMatch(/booking was dropped/);
    expect(h.docs(ORDERS, 'O-DROP')).toHaveLength(0);
    dropJob(h.db, pay.id, 'test');
    const st = enqueue(h.db, { kind: 'order.status', key: 'order:O-DROP', payload: { orderId: 'O-DROP', status: 5 } });
    expect(await until(() => getJob(h.db, st.id)!.state === 'done')).toBe(true);
    expect(getJob(h.db, st.id)!.result).toMatchObject({ skipped: 'not in 1C' });
  });

  it('job kinds are all handled (nothing left without a handler)', () => {
    const kinds = new Set(listJobs(h.db).map((j) => j.kind));
    for (const k of kinds) expect(h.events.some((e) => e.type === 'done' && e.job.kind === k)).toBe(true);
  });
});

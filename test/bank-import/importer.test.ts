import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/open.js';
import { BankParseError, paymentKey, paymentKeyHash, parseStatement } from '../../src/bank/index.js';
import { ImportRefused, importStatementBytes, listReview } from '../../src/bank/import/index.js';
import { listJobs } from '../../src/outbox/index.js';
import { addClient, addOrder, freshDb, order, snapshot } from './helpers.js';
import { ACC_A, ACC_B, CLIENT_A_INN, CLIENT_B_INN, OWN, PERSON_INN, bytesOf, type Doc } from './statement.js';

let db: Db;
const NOW = new Date('2026-11-28T07:00:00.000Z');
const imp = (docs: Doc[], name = 'kl_to_1c.txt', opts: Parameters<typeof importStatementBytes>[3] = {}) =>
  importStatementBytes(db, bytesOf(docs), { source: 'cli', name }, { now: () => NOW, ...opts });

const fromA = (over: Partial<Doc>): Doc => ({
  number: '101',
  date: '27.11.2026',
  amount: '1080.00',
  payerAcc: ACC_A,
  payerInn: CLIENT_A_INN,
  payerName: 'ООО "Альфа"',
  purpose: 'Оплата по счету ТД00-000123 от 25.11.2026, в т.ч. НДС',
  ...over,
});

beforeEach(() => {
  db = freshDb();
  addClient(db, 'C-A', CLIENT_A_INN);
  addClient(db, 'C-B', CLIENT_B_INN);
  addClient(db, 'C-P', null); // an individual without INN
  addOrder(db, { id: 'O-1', client: 'C-A', number: 'ТД00-000123', amountKopecks: 108000 });
  addOrder(db, { id: 'O-2', client: 'C-A', number: 'ТД00-000124', amountKopecks: 50000 });
  addOrder(db, { id: 'O-3', client: 'C-B', number: 'ТД00-000125', amountKopecks: 99900 });
});

describe('bank import: matched payments', () => {
  it('by the number in the purpose: order 3/2, a bank payment keyed by the identity hash, history saying how, one bank.payment job', () => {
    const r = imp([fromA({})]);
    expect(r).toMatchObject({ duplicate: false, incoming: 1, newPayments: 1, matched: 1, partial: 0, review: 0, paidOrders: ['O-1'] });
    expect(order(db, 'O-1')).toEqual({ status: 3, paymentStatus: 2, paid: 108000 });

    const doc = parseStatement(bytesOf([fromA({})])).documents[0];
    const pay = db.prepare(`SELECT * FROM payments`).get() as Record<string, any>;
    expect(pay).toMatchObject({ order_id: 'O-1', kind: 'bank', external_id: paymentKeyHash(doc), amount_kopecks: 108000, paid_at: '2026-11-27' });
    expect(JSON.parse(pay.data)).toMatchObject({ number: '101', date: '2026-11-27', method: 'purpose-number', reference: expect.stringContaining('123'), payer: { inn: CLIENT_A_INN, account: ACC_A } });

    const h = db.prepare(`SELECT * FROM order_history WHERE order_id = 'O-1'`).all() as Record<string, any>[];
    expect(h.map((x) => [x.event, x.status, x.payment_status])).toEqual([['payment.bank', 3, 2]]);
    expect(JSON.parse(h[0].detail)).toMatchObject({ method: 'purpose-number', amount: 1080, paid: 1080, due: 0, document: { number: '101', date: '2026-11-27' } });
    expect(JSON.parse(h[0].detail).matchedBy).toMatch(/номер заказа в назначении/);

    const jobs = listJobs(db);
    expect(jobs.map((j) => [j.kind, j.key, j.payload])).toEqual([['bank.payment', 'order:O-1', { orderId: 'O-1', paymentId: pay.id }]]);

    const bp = db.prepare(`SELECT * FROM bank_payments`).get() as Record<string, any>;
    expect(bp).toMatchObject({ payment_key: paymentKey(doc), result: 'matched', method: 'purpose-number', coverage: 'full', order_id: 'O-1', payment_id: pay.id, review: null });
    const st = db.prepare(`SELECT * FROM bank_statements`).get() as Record<string, any>;
    expect(st).toMatchObject({ source: 'cli', name: 'kl_to_1c.txt', account: OWN, documents: 1, incoming: 1, new_payments: 1, matched: 1, review: 0 });
  });

  it('by payer INN and the exact due amount when the purpose names no order', () => {
    const r = imp([fromA({ amount: '500.00', purpose: 'Оплата за товар, НДС не облагается' })]);
    expect(r.payments[0]).toMatchObject({ result: 'matched', method: 'inn-amount', orderId: 'O-2' });
    expect(order(db, 'O-2')).toEqual({ status: 3, paymentStatus: 2, paid: 50000 });
    expect(order(db, 'O-1')).toEqual({ status: 1, paymentStatus: 0, paid: 0 });
    const h = db.prepare(`SELECT detail FROM order_history WHERE order_id = 'O-2'`).pluck().get() as string;
    expect(JSON.parse(h).matchedBy).toBe(`ИНН плательщика ${CLIENT_A_INN} и точная сумма`);
  });

  it('partial payment: status and payment status stay, the sum paid is recorded; the rest in a later statement pays the order', () => {
    const r = imp([fromA({ amount: '400.00' })], 'day1.txt');
    expect(r).toMatchObject({ matched: 1, partial: 1, paidOrders: [] });
    expect(order(db, 'O-1')).toEqual({ status: 1, paymentStatus: 0, paid: 40000 });
    expect(db.prepare(`SELECT event FROM order_history WHERE order_id = 'O-1'`).pluck().all()).toEqual(['payment.bank.partial']);
    expect(listJobs(db).map((j) => j.kind)).toEqual(['bank.payment']); // the money is posted in 1C even when partial

    const r2 = imp([fromA({ number: '102', date: '28.11.2026', amount: '680.00' })], 'day2.txt');
    expect(r2).toMatchObject({ matched: 1, partial: 0, paidOrders: ['O-1'] });
    expect(order(db, 'O-1')).toEqual({ status: 3, paymentStatus: 2, paid: 108000 });
    expect(db.prepare(`SELECT event FROM order_history WHERE order_id = 'O-1' ORDER BY id`).pluck().all()).toEqual(['payment.bank.partial', 'payment.bank']);
    expect(listJobs(db).filter((j) => j.kind === 'bank.payment')).toHaveLength(2);
  });

  it('overpayment: the order is paid, and the payment is also listed for a person (the excess)', () => {
    const r = imp([fromA({ amount: '1100.00' })]);
    expect(r).toMatchObject({ matched: 1, review: 1, paidOrders: ['O-1'] });
    expect(order(db, 'O-1')).toEqual({ status: 3, paymentStatus: 2, paid: 110000 });
    const list = listReview(db);
    expect(list.total).toBe(1);
    expect(list.items[0]).toMatchObject({ result: 'matched', reason: 'overpayment', orderId: 'O-1', amountKopecks: 110000 });
    expect(list.items[0].detail).toMatch(/на 20 руб\. больше/);
  });

  it('an order paid by card (status 2) is not open: a bank payment naming it goes to review, the order is untouched', () => {
    db.prepare(`UPDATE orders SET status = 2, payment_status = 1, paid_kopecks = amount_kopecks WHERE id = 'O-3'`).run();
    const r = imp([{ number: '7', date: '27.11.2026', amount: '999.00', payerAcc: ACC_B, payerInn: CLIENT_B_INN, payerName: 'ООО "Бета"', purpose: 'Оплата заказа ТД00-000125' }]);
    expect(r).toMatchObject({ matched: 0, review: 1 });
    expect(order(db, 'O-3')).toEqual({ status: 2, paymentStatus: 1, paid: 99900 });
    expect(db.prepare(`SELECT COUNT(*) FROM payments`).pluck().get()).toBe(0);
  });
});

describe('bank import: never guessed', () => {
  it('ambiguous and unmatched payments are recorded for review with reasons and candidates; no payment, no order change, no job', () => {
    addOrder(db, { id: 'O-4', client: 'C-A', number: 'ТД00-000126', amountKopecks: 50000 }); // same due as O-2
    const before = snapshot(db);
    const r = imp([
      fromA({ number: '201', amount: '500.00', purpose: 'Оплата за товар' }), // two open orders of A due 500.00
      { number: '202', date: '27.11.2026', amount: '777.00', payerAcc: ACC_B, payerInn: '7701234560', payerName: 'ООО "Неизвестно"', purpose: 'Оплата' }, // no such client
      { number: '203', date: '27.11.2026', amount: '100.00', payerAcc: '40817810000000000055', payerInn: '', payerName: 'Иванов И.И.', purpose: 'за товар' }, // individual, no reference
    ]);
    expect(r).toMatchObject({ newPayments: 3, matched: 0, review: 3, paidOrders: [] });
    expect(snapshot(db).orders).toEqual(before.orders);
    expect(db.prepare(`SELECT COUNT(*) FROM payments`).pluck().get()).toBe(0);
    expect(listJobs(db)).toEqual([]);

    const list = listReview(db);
    expect(list.total).toBe(3);
    expect(list.items.map((i) => [i.number, i.result, i.reason])).toEqual([
      ['201', 'ambiguous', 'several-orders-same-amount'],
      ['202', 'unmatched', 'unknown-client'],
      ['203', 'unmatched', 'no-reference-no-inn'],
    ]);
    expect(list.items[0].candidates.map((c) => c.orderId).sort()).toEqual(['O-2', 'O-4']);
    expect(list.items[1].payer).toMatchObject({ inn: '7701234560', account: ACC_B, name: 'ООО "Неизвестно"' });
    expect(list.items[0].statement).toMatchObject({ name: 'kl_to_1c.txt', source: 'cli' });
    // keyset paging
    expect(listReview(db, { limit: 2 }).items).toHaveLength(2);
    expect(listReview(db, { afterId: list.items[1].id }).items.map((i) => i.number)).toEqual(['203']);
  });

  it('a purpose naming another client’s order is ambiguous, not applied to either', () => {
    const r = imp([fromA({ amount: '999.00', purpose: 'Оплата по счету ТД00-000125' })]);
    expect(r.payments[0]).toMatchObject({ result: 'ambiguous', reason: 'purpose-names-other-client' });
    expect(order(db, 'O-3').paid).toBe(0);
  });
});

describe('bank import: idempotent', () => {
  it('the same file twice: the second import changes nothing at all', () => {
    const docs = [fromA({}), fromA({ number: '301', amount: '12.34', purpose: 'непонятно что' })];
    const first = imp(docs);
    expect(first).toMatchObject({ matched: 1, review: 1 });
    const before = snapshot(db);
    const again = imp(docs, 'kl_to_1c (1).txt');
    expect(again).toMatchObject({ duplicate: true, statementId: null, newPayments: 0, matched: 0 });
    expect(snapshot(db)).toEqual(before);
  });

  it('overlapping statements apply each payment once, and money already recorded is not counted twice against the order', () => {
    // day 1: a partial 400.00 on O-1
    imp([fromA({ amount: '400.00' })], 'day1.txt');
    // days 1–2: the same document again (overlap) plus the remaining 680.00, and an INN+amount payment for O-2
    const r = imp(
      [fromA({ amount: '400.00' }), fromA({ number: '102', date: '28.11.2026', amount: '680.00' }), fromA({ number: '103', date: '28.11.2026', amount: '500.00', purpose: 'Оплата' })],
      'days1-2.txt',
    );
    expect(r).toMatchObject({ incoming: 3, known: 1, newPayments: 2, matched: 2, partial: 0 });
    expect(r.paidOrders.sort()).toEqual(['O-1', 'O-2']);
    expect(order(db, 'O-1')).toEqual({ status: 3, paymentStatus: 2, paid: 108000 });
    expect(db.prepare(`SELECT COUNT(*) FROM payments`).pluck().get()).toBe(3);
    expect(db.prepare(`SELECT COUNT(*) FROM bank_payments`).pluck().get()).toBe(3);
    expect(listJobs(db).filter((j) => j.kind === 'bank.payment')).toHaveLength(3);
  });

  it('a document repeated inside one file (per-day sections) is one payment', () => {
    const r = imp([fromA({}), fromA({})]);
    expect(r).toMatchObject({ incoming: 1, newPayments: 1, matched: 1 });
    expect(db.prepare(`SELECT COUNT(*) FROM payments`).pluck().get()).toBe(1);
  });

  it('two payments of the same amount in one file: the first pays the order, the second is not applied on top', () => {
    const r = imp([fromA({ number: '1', amount: '500.00', purpose: 'Оплата' }), fromA({ number: '2', amount: '500.00', purpose: 'Оплата' })]);
    expect(r.payments.map((p) => [p.result, p.orderId])).toEqual([
      ['matched', 'O-2'],
      ['unmatched', null],
    ]);
    expect(order(db, 'O-2').paid).toBe(50000);
  });
});

describe('bank import: refusals and dry run', () => {
  it('a damaged file throws BankParseError and writes nothing', () => {
    const before = snapshot(db);
    const bytes = Buffer.from(bytesOf([fromA({})]).toString('utf8').replace('КонецФайла', ''), 'utf8');
    expect(() => importStatementBytes(db, bytes, { source: 'cli', name: 'cut.txt' })).toThrow(BankParseError);
    expect(snapshot(db)).toEqual(before);
  });

  it('bank.ownAccounts: a statement of another account is refused; documents to other accounts are left out', () => {
    expect(() => imp([fromA({})], 'x.txt', { ownAccounts: ['40702810000000000099'] })).toThrow(ImportRefused);
    expect(db.prepare(`SELECT COUNT(*) FROM bank_statements`).pluck().get()).toBe(0);
    // a two-account statement: only the payment to our configured account is imported
    const OTHER = '40702810000000000077';
    const r = importStatementBytes(db, bytesOf([fromA({}), fromA({ number: '55', amount: '500.00', purpose: 'Оплата', payeeAcc: OTHER })], { extraAccounts: [OTHER] }), { source: 'cli', name: 'two.txt' }, { ownAccounts: [OWN] });
    expect(r).toMatchObject({ incoming: 2, foreign: 1, newPayments: 1, matched: 1, paidOrders: ['O-1'] });
    expect(order(db, 'O-2').paid).toBe(0);
  });

  it('dry run: the report of a real import, nothing written', () => {
    const before = snapshot(db);
    const r = imp([fromA({}), fromA({ number: '9', amount: '3.00', purpose: '?' })], 'x.txt', { dryRun: true });
    expect(r).toMatchObject({ statementId: null, newPayments: 2, matched: 1, review: 1 });
    expect(snapshot(db)).toEqual(before);
  });

  it('a person without INN is matched by a strong order reference in the purpose', () => {
    addOrder(db, { id: 'O-P', client: 'C-P', number: 'ТД00-000200', amountKopecks: 150000 });
    const r = imp([{ number: '5', date: '27.11.2026', amount: '1500.00', payerAcc: '40817810000000000055', payerInn: '', payerName: 'Петров П.П.', purpose: `Оплата заказа № ТД00-000200` }]);
    expect(r.payments[0]).toMatchObject({ result: 'matched', method: 'purpose-number', orderId: 'O-P' });
    expect(order(db, 'O-P')).toEqual({ status: 3, paymentStatus: 2, paid: 150000 });
    void PERSON_INN;
  });
});

describe('bank import: webhooks and metrics', () => {
  it('with webhooks configured, each bank status change also enqueues its webhook to Richest.store', () => {
    imp([fromA({ amount: '400.00' }), fromA({ number: '9', amount: '500.00', purpose: 'Оплата' })], 'wh.txt', { webhooks: true });
    const hooks = listJobs(db).filter((j) => j.kind === 'webhook');
    expect(hooks.map((j) => j.key).sort()).toEqual(['webhook:O-1', 'webhook:O-2']);
    const events = db.prepare(`SELECT event FROM order_history WHERE id IN (${hooks.map((j) => (j.payload as any).historyId).join(',')}) ORDER BY order_id`).pluck().all();
    expect(events).toEqual(['payment.bank.partial', 'payment.bank']);
  });

  it('regate_bank_imports_total / regate_bank_payments_total count imports, duplicates, failures and outcomes', async () => {
    const { createMetrics } = await import('../../src/metrics.js');
    const { BankService } = await import('../../src/bank/import/index.js');
    const m = createMetrics({ processMetrics: false });
    const value = async (name: string, labels: Record<string, string>) => {
      const got = (await m.registry.getSingleMetric(name)!.get()).values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x));
      return got?.value ?? 0;
    };
    const before = {
      imported: await value('regate_bank_imports_total', { source: 'metrics-test', result: 'imported' }),
      duplicate: await value('regate_bank_imports_total', { source: 'metrics-test', result: 'duplicate' }),
      failed: await value('regate_bank_imports_total', { source: 'metrics-test', result: 'failed' }),
      review: await value('regate_bank_payments_total', { outcome: 'review' }),
      partial: await value('regate_bank_payments_total', { outcome: 'partial' }),
    };
    const bank = new BankService(db);
    const bytes = bytesOf([fromA({ amount: '400.00' }), fromA({ number: '9', amount: '3.00', purpose: '?' })]);
    bank.importBytes(bytes, { source: 'metrics-test', name: 'a.txt' });
    bank.importBytes(bytes, { source: 'metrics-test', name: 'a.txt' });
    expect(() => bank.importBytes(Buffer.from('garbage'), { source: 'metrics-test', name: 'b.txt' })).toThrow();
    bank.importBytes(bytes, { source: 'metrics-test', name: 'a.txt' }, { dryRun: true }); // not counted
    expect(await value('regate_bank_imports_total', { source: 'metrics-test', result: 'imported' })).toBe(before.imported + 1);
    expect(await value('regate_bank_imports_total', { source: 'metrics-test', result: 'duplicate' })).toBe(before.duplicate + 1);
    expect(await value('regate_bank_imports_total', { source: 'metrics-test', result: 'failed' })).toBe(before.failed + 1);
    expect(await value('regate_bank_payments_total', { outcome: 'review' })).toBe(before.review + 1);
    expect(await value('regate_bank_payments_total', { outcome: 'partial' })).toBe(before.partial + 1);
  });
});

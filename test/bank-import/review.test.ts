import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/open.js';
import { BankService, ReviewError } from '../../src/bank/import/index.js';
import { listJobs } from '../../src/outbox/index.js';
import { addClient, addOrder, freshDb, order } from './helpers.js';
import { ACC_B, CLIENT_A_INN, bytesOf, docFromA } from './statement.js';

let db: Db;
let bank: BankService;
const doc = docFromA;
const ids = () => bank.unmatched().items.map((i) => [i.number, i.id] as const);

beforeEach(() => {
  db = freshDb();
  addClient(db, 'C-A', CLIENT_A_INN);
  addClient(db, 'C-X', null);
  addOrder(db, { id: 'O-1', client: 'C-A', number: 'ТД00-000123', amountKopecks: 108000 });
  addOrder(db, { id: 'O-X', client: 'C-X', number: 'ТД00-000300', amountKopecks: 30000 });
  bank = new BankService(db, { now: () => new Date('2026-11-28T08:00:00Z') });
  bank.importBytes(
    bytesOf([
      doc({ number: '1', amount: '300.00', payerAcc: ACC_B, payerInn: '7701234560', payerName: 'ИП Сидоров', purpose: 'за Иванову по заказу' }), // unmatched: pays for C-X
      doc({ number: '2', amount: '1100.00' }), // overpayment of O-1
      doc({ number: '3', amount: '5.00', payerInn: '7701234560', payerAcc: ACC_B, purpose: 'ошибочный платёж' }),
    ]),
    { source: 'cli', name: 'a.txt' },
  );
});

describe('regate bank resolve: a person decides', () => {
  it('apply to an order: paid like a matched payment, history says by whom, the 1C job queued, the item leaves the list', () => {
    const [[, first]] = ids();
    const r = bank.resolve(first, { orderId: 'O-X', note: 'платит за Иванову, письмо от 28.11', by: 'buh' });
    expect(r).toEqual({ id: first, resolution: 'applied', orderId: 'O-X', paid: true });
    expect(order(db, 'O-X')).toEqual({ status: 3, paymentStatus: 2, paid: 30000 });
    const h = db.prepare(`SELECT event, detail FROM order_history WHERE order_id = 'O-X'`).get() as { event: string; detail: string };
    expect(h.event).toBe('payment.bank');
    expect(JSON.parse(h.detail)).toMatchObject({ method: 'manual', by: 'buh', matchedBy: 'вручную (buh): платит за Иванову, письмо от 28.11' });
    const pay = db.prepare(`SELECT * FROM payments WHERE order_id = 'O-X'`).get() as Record<string, any>;
    expect(JSON.parse(pay.data)).toMatchObject({ method: 'manual', number: '1', decidedBy: 'buh' });
    expect(listJobs(db).filter((j) => j.kind === 'bank.payment' && j.key === 'order:O-X').map((j) => j.payload)).toEqual([{ orderId: 'O-X', paymentId: pay.id }]);
    expect(ids().map(([n]) => n)).toEqual(['2', '3']);
    expect(db.prepare(`SELECT resolution, resolved_by, resolved_at FROM bank_payments WHERE id = ?`).get(first)).toEqual({ resolution: 'applied', resolved_by: 'buh', resolved_at: '2026-11-28T08:00:00.000Z' });
    // twice: refused, nothing applied again
    expect(() => bank.resolve(first, { orderId: 'O-X', by: 'buh' })).toThrow(/не ждёт решения \(зачтён 2026-11-28T08:00:00.000Z, buh\)/);
    expect(db.prepare(`SELECT COUNT(*) FROM payments WHERE order_id = 'O-X'`).pluck().get()).toBe(1);
  });

  it('dismiss needs a note; an overpayment can only be dismissed; a closed or paid order is refused; nothing changes on refusal', () => {
    const byNumber = Object.fromEntries(ids());
    expect(() => bank.resolve(byNumber['3'], { by: 'buh' })).toThrow(ReviewError);
    expect(() => bank.resolve(byNumber['2'], { orderId: 'O-X', by: 'buh' })).toThrow(/уже зачтён на заказ O-1/);
    expect(() => bank.resolve(byNumber['3'], { orderId: 'O-1', by: 'buh' })).toThrow(/заказ O-1 не ждёт оплаты \(статус 3\)/);
    expect(() => bank.resolve(byNumber['3'], { orderId: 'NOPE', by: 'buh' })).toThrow(/нет заказа NOPE/);
    expect(() => bank.resolve(9999, { note: 'x', by: 'buh' })).toThrow(/нет платежа #9999/);
    expect(ids()).toHaveLength(3);
    expect(bank.resolve(byNumber['2'], { note: 'излишек 20 руб. возвращён п/п 88', by: 'buh' }).resolution).toBe('dismissed');
    expect(bank.resolve(byNumber['3'], { note: 'не наш платёж, возвращён', by: 'buh' }).resolution).toBe('dismissed');
    expect(bank.unmatched().total).toBe(1);
    expect(order(db, 'O-1')).toEqual({ status: 3, paymentStatus: 2, paid: 110000 });
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/open.js';
import { BankService, ReviewError } from '../../src/bank/import/index.js';
import { claimBatch, complete, listJobs, newHolder } from '../../src/outbox/index.js';
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
    expect(r).toEqual({ id: first, resolution: 'applied', orderId: 'O-X', paid: true, excessKopecks: null });
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

describe('overpayment by hand, and undo while the document has not reached 1C', () => {
  const decisions = () => db.prepare(`SELECT bank_payment_id AS id, action, order_id AS orderId, by, note FROM bank_decisions ORDER BY id`).all();
  // the bank.payment jobs other than the one of O-1's overpayment imported in beforeEach
  const jobs = () => db.prepare(`SELECT id, state FROM outbox_jobs WHERE kind = 'bank.payment' AND key <> 'order:O-1' ORDER BY id`).all() as { id: number; state: string }[];

  it('300.00 applied to a 119.90 order: paid, the excess recorded in the row and the history, the payment stays listed as an overpayment', () => {
    addOrder(db, { id: 'O-S', client: 'C-X', number: 'ТД00-000400', amountKopecks: 11990 });
    const [[, first]] = ids();
    const r = bank.resolve(first, { orderId: 'O-S', by: 'Иванова (buh)' });
    expect(r).toEqual({ id: first, resolution: 'applied', orderId: 'O-S', paid: true, excessKopecks: 18010 });
    expect(order(db, 'O-S')).toEqual({ status: 3, paymentStatus: 2, paid: 30000 });
    const item = bank.unmatched().items.find((i) => i.id === first)!;
    expect(item).toMatchObject({ result: 'matched', reason: 'overpayment', orderId: 'O-S', excessKopecks: 18010, decision: { action: 'applied', by: 'Иванова (buh)', orderId: 'O-S' } });
    expect(item.detail).toMatch(/зачтён вручную; оплачено на 180,10 руб\. больше суммы к оплате/);
    const h = db.prepare(`SELECT detail FROM order_history WHERE order_id = 'O-S' AND event = 'payment.bank'`).pluck().get() as string;
    expect(JSON.parse(h)).toMatchObject({ coverage: 'over', overpaid: 180.1, by: 'Иванова (buh)' });
    // the excess settled in 1C: closed with a note; undo steps back through both decisions
    expect(bank.resolve(first, { note: 'излишек возвращён п/п 77', by: 'Иванова (buh)' })).toMatchObject({ resolution: 'dismissed', orderId: 'O-S', excessKopecks: 18010 });
    expect(bank.unmatched().items.map((i) => i.id)).not.toContain(first);
    expect(bank.undo(first, { by: 'Петров' })).toMatchObject({ undone: 'dismissed' });
    expect(bank.unmatched().items.find((i) => i.id === first)).toMatchObject({ reason: 'overpayment', decision: { action: 'applied' } });
    expect(bank.undo(first, { by: 'Петров', note: 'не тот заказ' })).toMatchObject({ undone: 'applied', orderId: 'O-S', orderStatus: 1, attempts: 0 });
    expect(order(db, 'O-S')).toEqual({ status: 1, paymentStatus: 0, paid: 0 });
    // back as it came from the statement: its own reason, no order, and it can be applied elsewhere
    expect(bank.unmatched().items.find((i) => i.id === first)).toMatchObject({ result: 'unmatched', reason: 'unknown-client', orderId: null, excessKopecks: null, decision: null });
    expect(decisions().filter((d: any) => d.id === first).map((d: any) => d.action)).toEqual(['applied', 'dismissed', 'undone', 'undone']);
    expect(bank.resolve(first, { orderId: 'O-X', by: 'Петров' })).toMatchObject({ paid: true, excessKopecks: null });
    // the dropped job did not hold the payment's dedupe key: the new application has its own live job
    expect(jobs().map((j) => j.state)).toEqual(['dropped', 'pending']);
  });

  it('undo of an exact application: order back to status 1/0 and unpaid, payments row gone, history and decisions say who', () => {
    const [[, first]] = ids();
    bank.resolve(first, { orderId: 'O-X', by: 'buh' });
    const r = bank.undo(first, { by: 'admin', note: 'ошибка' });
    expect(r).toMatchObject({ id: first, undone: 'applied', orderId: 'O-X', orderStatus: 1, droppedJob: jobs()[0].id });
    expect(order(db, 'O-X')).toEqual({ status: 1, paymentStatus: 0, paid: 0 });
    expect(db.prepare(`SELECT COUNT(*) FROM payments WHERE order_id = 'O-X'`).pluck().get()).toBe(0);
    expect(jobs().map((j) => j.state)).toEqual(['dropped']);
    const h = db.prepare(`SELECT status, payment_status AS ps, event, detail FROM order_history WHERE order_id = 'O-X' ORDER BY id`).all() as any[];
    expect(h.map((x) => [x.event, x.status, x.ps])).toEqual([['payment.bank', 3, 2], ['payment.bank.undone', 1, 0]]);
    expect(JSON.parse(h[1].detail)).toMatchObject({ amount: 300, paid: 0, due: 300, by: 'admin', note: 'ошибка' });
    expect(db.prepare(`SELECT review, resolution, resolved_by, payment_id FROM bank_payments WHERE id = ?`).get(first)).toEqual({ review: 'open', resolution: null, resolved_by: null, payment_id: null });
    expect(() => bank.undo(first, { by: 'admin' })).toThrow(/нет решения человека/);
  });

  it('refused once the document reached 1C, while it is being sent, and when the order moved on; a dead job is still undoable', () => {
    const byNumber = Object.fromEntries(ids());
    bank.resolve(byNumber['1'], { orderId: 'O-X', by: 'buh' });
    const holder = newHolder();
    const claimed = claimBatch(db, 5, { holder, policy: { leaseMs: 60_000, maxAttempts: 12 }, kinds: ['bank.payment'] }).find((j) => j.key === 'order:O-X')!;
    expect(claimed).toBeTruthy();
    expect(() => bank.undo(byNumber['1'], { by: 'buh' })).toThrow(/прямо сейчас передаётся в 1С/);
    expect(bank.undoPreview(byNumber['1'])?.blocker).toMatch(/прямо сейчас передаётся/);
    complete(db, claimed.id, claimed.leaseToken, { ref: 'x' });
    expect(() => bank.undo(byNumber['1'], { by: 'buh' })).toThrow(expect.objectContaining({ code: 'delivered' }));
    expect(order(db, 'O-X')).toMatchObject({ status: 3, paid: 30000 });

    // a dead job (1C refused it) can be undone; the order expired in the meantime cannot
    addOrder(db, { id: 'O-E', client: 'C-X', number: 'ТД00-000500', amountKopecks: 500 });
    bank.resolve(byNumber['3'], { orderId: 'O-E', by: 'buh' });
    const job = jobs().at(-1)!;
    db.prepare(`UPDATE outbox_jobs SET state = 'dead', attempts = 12, last_error = 'permanent' WHERE id = ?`).run(job.id);
    db.prepare(`UPDATE orders SET status = 5 WHERE id = 'O-E'`).run();
    expect(() => bank.undo(byNumber['3'], { by: 'buh' })).toThrow(/в статусе 5 \(истёк срок действия\)/);
    db.prepare(`UPDATE orders SET status = 3 WHERE id = 'O-E'`).run();
    expect(bank.undoPreview(byNumber['3'])).toMatchObject({ decision: { action: 'applied' }, blocker: null });
    expect(bank.undo(byNumber['3'], { by: 'buh' })).toMatchObject({ undone: 'applied', droppedJob: job.id, attempts: 12 });
    expect(jobs().at(-1)!.state).toBe('dropped');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { applyToOrder } from '../../src/bank/import/apply.js';
import { enqueue, getJob } from '../../src/outbox/index.js';
import { harness, pending, until, type Harness } from './harness.js';

/**
 * Without the extension a payment document is found by ИдентификаторДокумента, a String(36) that 1C (and the
 * emulator) truncates on write. A transaction id longer than 36 (the API takes 64; a bank payment's id is a 64-char
 * sha256) was written truncated and then looked up in full: never found, so a re-delivery (a lost answer, a crash
 * before the job was marked done) created a second payment document in 1C.
 */
let h: Harness;
beforeAll(async () => {
  h = await harness({ extension: false });
});
afterAll(async () => {
  await h?.close();
});

describe('without the extension, long payment ids still find their document', () => {
  it('card payment with a 64-char transactionId delivered twice → one ОперацияПоПлатежнойКарте', async () => {
    await h.orders.client({ clientId: 'NXL-C', name: 'Длинный Идентификатор', inn: '500100732259' });
    const r = await h.orders.book(h.booking('NXL-O1', 'NXL-C', 1));
    expect(r.status).toBe(201);
    const txn = 'T'.repeat(30) + '-0123456789abcdef0123456789abcdef0'; // 64 characters
    expect(txn).toHaveLength(64);
    const docs = () => h.em.store.list('Document_ОперацияПоПлатежнойКарте').filter((d) => String(d.Комментарий ?? '').includes('NXL-O1'));
    await h.orders.payCard({ orderId: 'NXL-O1', provider: 'ЮKassa', transactionId: txn, amount: r.body.amount, paidAt: '2026-11-29T08:15:00+03:00' });
    expect(await until(() => pending(h.db) === 0)).toBe(true);
    expect(docs()).toHaveLength(1);
    // The same job delivered again, as after a lost answer or a crash before it was recorded done.
    const paymentId = h.db.prepare(`SELECT id FROM payments WHERE external_id = ?`).pluck().get(txn) as number;
    const again = enqueue(h.db, { kind: 'payment.card', key: 'order:NXL-O1', payload: { orderId: 'NXL-O1', paymentId } });
    expect(await until(() => getJob(h.db, again.id)?.state === 'done')).toBe(true);
    expect(docs()).toHaveLength(1);
    expect(String(docs()[0].ИдентификаторДокумента).length).toBeLessThanOrEqual(36);
  });

  it('refunds of two orders whose ids share their first 29 characters get a document each', async () => {
    const prefix = 'RS-ORDER-2026-11-29-MOSCOW-00'; // 29 characters: "refund:" + this fills 36
    const ids = [`${prefix}1`, `${prefix}2`];
    for (const id of ids) {
      const r = await h.orders.book(h.booking(id, 'NXL-C', 1));
      await h.orders.payCard({ orderId: id, provider: 'ЮKassa', transactionId: `tx-${id.slice(-1)}-nxl`, amount: r.body.amount, paidAt: '2026-11-29T08:15:00+03:00' });
      await h.orders.refund({ orderId: id });
    }
    expect(await until(() => pending(h.db) === 0)).toBe(true);
    const refunds = h.em.store.list('Document_ОперацияПоПлатежнойКарте').filter((d) => String(d.Комментарий ?? '').startsWith('Возврат'));
    for (const id of ids) expect(refunds.filter((d) => String(d.Комментарий).includes(id)), id).toHaveLength(1);
  });

  it('bank payment (id: a 64-char sha256) delivered twice → one ПоступлениеБезналичныхДенежныхСредств', async () => {
    const r = await h.orders.book(h.booking('NXL-O3', 'NXL-C', 1));
    expect(r.status).toBe(201);
    const keyHash = createHash('sha256').update('NXL-O3 bank payment').digest('hex');
    const ts = new Date().toISOString();
    const { paymentId } = h.db.transaction(() =>
      applyToOrder(h.db, { bankPaymentId: -1, keyHash, orderId: 'NXL-O3', amountKopecks: Math.round(r.body.amount * 100), paidAt: ts, data: { number: '17', date: ts.slice(0, 10), purpose: 'Оплата NXL-O3' }, matchedBy: 'test', history: {} }, ts, false),
    )();
    const docs = () => h.em.store.list('Document_ПоступлениеБезналичныхДенежныхСредств').filter((d) => String(d.Комментарий ?? '').includes('NXL-O3'));
    expect(await until(() => pending(h.db) === 0)).toBe(true);
    expect(docs()).toHaveLength(1);
    const again = enqueue(h.db, { kind: 'bank.payment', key: 'order:NXL-O3', payload: { orderId: 'NXL-O3', paymentId } });
    expect(await until(() => getJob(h.db, again.id)?.state === 'done')).toBe(true);
    expect(docs()).toHaveLength(1);
    // the bank payments' namespace and as much of the sha256 as fits in String(36) (issue 13.2)
    expect(docs()[0].ИдентификаторДокумента).toBe(`bank:${keyHash.slice(0, 31)}`);
  });

  it('booking with an orderId longer than НомерПоДаннымКлиента (50) re-delivered after a lost local commit → one ЗаказКлиента', async () => {
    const id = `RS-${'X'.repeat(50)}-LONG-1`; // 60 characters
    const r = await h.orders.book(h.booking(id, 'NXL-C', 1));
    expect(r.status).toBe(201);
    const docs = () => h.em.store.list('Document_ЗаказКлиента').filter((d) => String(d.Комментарий ?? '').includes(id));
    expect(docs()).toHaveLength(1);
    h.db.prepare(`UPDATE orders SET status = 0, onec_ref = NULL, onec_number = NULL WHERE id = ?`).run(id);
    const job = enqueue(h.db, { kind: 'booking.create', key: `order:${id}`, payload: { orderId: id } });
    expect(await until(() => getJob(h.db, job.id)?.state === 'done')).toBe(true);
    expect(docs()).toHaveLength(1);
  });
});

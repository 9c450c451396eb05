import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/orders/errors.js';
import { toKopecks } from '../../src/orders/pricing.js';
import { harness, type Harness } from './harness.js';

// A repeated refund is a no-op (200); a second refund with another amount is not a repeat: it was answered 200
// while nothing of it was recorded (one refund per order), so the store believed the rest was refunded too.
describe('refund: repeat vs a different second refund', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ start: false });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('same request again → 200; another amount after a partial refund → 409 naming amount', async () => {
    await h.noWait.client({ clientId: 'RF-C-1', name: 'Возвратов' });
    const booked = await h.noWait.book(h.booking('RF-O-1', 'RF-C-1', 3));
    const amount = booked.body.amount;
    await h.noWait.payCard({ orderId: 'RF-O-1', provider: 'ЮKassa', transactionId: 'rf-txn-1', amount, paidAt: '2026-11-29T08:15:00+03:00' });
    const part = Math.floor(amount / 2);
    expect((await h.noWait.refund({ orderId: 'RF-O-1', amount: part })).status).toBe(200);
    expect((await h.noWait.refund({ orderId: 'RF-O-1', amount: part })).status).toBe(200);
    const err = await h.noWait.refund({ orderId: 'RF-O-1', amount: amount - part }).catch((e) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).kind).toBe('conflict');
    expect((err as DomainError).fields.map((f) => f.field)).toContain('amount');
    // without an amount = the whole payment: not what was refunded either
    const whole = await h.noWait.refund({ orderId: 'RF-O-1' }).catch((e) => e);
    expect((whole as DomainError).kind).toBe('conflict');
    expect(h.db.prepare(`SELECT amount_kopecks FROM refunds WHERE order_id = 'RF-O-1'`).pluck().all()).toEqual([toKopecks(part)]);
  });

  it('a full refund repeated without an amount, or with the full amount, stays 200', async () => {
    await h.noWait.client({ clientId: 'RF-C-2', name: 'Возвратов Второй' });
    const booked = await h.noWait.book(h.booking('RF-O-2', 'RF-C-2'));
    await h.noWait.payCard({ orderId: 'RF-O-2', provider: 'ЮKassa', transactionId: 'rf-txn-2', amount: booked.body.amount, paidAt: '2026-11-29T08:15:00+03:00' });
    expect((await h.noWait.refund({ orderId: 'RF-O-2' })).status).toBe(200);
    expect((await h.noWait.refund({ orderId: 'RF-O-2' })).status).toBe(200);
    expect((await h.noWait.refund({ orderId: 'RF-O-2', amount: booked.body.amount })).status).toBe(200);
  });
});

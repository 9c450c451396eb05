import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/orders/errors.js';
import { harness, type Harness } from './harness.js';

// Write-path review: concurrent and repeated requests must answer like the first one (or a clear 4xx), never
// fail with a raw database error (which the API maps to 500). The worker is not started: these are about the
// local write alone.
describe('write path: repeated and concurrent requests', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ start: false });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('paycard: the same transactionId again with a different amount is a 409, not a silent 200', async () => {
    await h.noWait.client({ clientId: 'RV-C-pay', name: 'Плательщик' });
    const booked = await h.noWait.book(h.booking('RV-O-pay', 'RV-C-pay'));
    const pay = { orderId: 'RV-O-pay', provider: 'ЮKassa', transactionId: 'rv-txn-1', amount: booked.body.amount, paidAt: '2026-11-29T08:15:00+03:00' };
    expect((await h.noWait.payCard(pay)).status).toBe(200);
    // the same notification again: still 200, also with the same instant written in another offset
    expect((await h.noWait.payCard(pay)).status).toBe(200);
    expect((await h.noWait.payCard({ ...pay, paidAt: '2026-11-29T05:15:00Z' })).status).toBe(200);
    const err = await h.noWait.payCard({ ...pay, amount: booked.body.amount + 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).kind).toBe('conflict');
    expect((err as DomainError).fields.map((f) => f.field)).toContain('transactionId');
    expect(h.db.prepare(`SELECT COUNT(*) FROM payments WHERE external_id = 'rv-txn-1'`).pluck().get()).toBe(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue, getJob } from '../../src/outbox/index.js';
import { harness, pending, until, type Harness } from './harness.js';

// Issue 13.2: card payments and card refunds live in one 1C document set (ОперацияПоПлатежнойКарте) and shared one
// external-id namespace: a card transactionId of `refund:<orderId>` made the later refund "find" that payment (no
// refund in 1C), or made the payment "find" the earlier refund and post the document an accountant must confirm.
const CARD_OPS = 'Document_ОперацияПоПлатежнойКарте';
const EXT = 'ReGate_ВнешнийИдентификатор';

describe('external ids: one namespace per document kind', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(async () => {
    await h?.close();
  });

  // Payments and refunds both name the order in their lines (a refund's ДокументОснование is the payment it returns).
  const opsOf = (orderKey: string) =>
    h.em.store.list(CARD_OPS).filter((d) => ((d.РасшифровкаПлатежа as Record<string, unknown>[] | undefined) ?? []).some((l) => l.ОснованиеПлатежа === orderKey));
  const keyOf = (orderId: string) => h.db.prepare(`SELECT onec_ref FROM orders WHERE id = ?`).pluck().get(orderId) as string;

  async function paid(orderId: string, clientId: string, transactionId: string) {
    await h.orders.client({ clientId, name: `Клиент ${clientId}` });
    const b = await h.orders.book(h.booking(orderId, clientId));
    await h.orders.payCard({ orderId, provider: 'ЮKassa', transactionId, amount: b.body.amount, paidAt: '2026-11-29T08:15:00+03:00' });
    expect(await until(() => pending(h.db) === 0)).toBe(true);
  }

  it('a payment whose transactionId is `refund:<another order>` does not stand in for that order\'s refund', async () => {
    await paid('NS-A', 'NS-CA', 'refund:NS-B');
    await paid('NS-B', 'NS-CB', 'ns-txn-b');
    await h.orders.refund({ orderId: 'NS-B' });
    expect(await until(() => pending(h.db) === 0)).toBe(true);
    expect(h.db.prepare(`SELECT COUNT(*) FROM outbox_jobs WHERE state = 'dead'`).pluck().get()).toBe(0);
    const b = opsOf(keyOf('NS-B'));
    expect(b.map((d) => d.ХозяйственнаяОперация).sort()).toEqual(['ВозвратОплатыКлиенту', 'ПоступлениеОплатыОтКлиента']);
    expect(b.find((d) => d.ХозяйственнаяОперация === 'ВозвратОплатыКлиенту')!.Posted).toBe(false);
    // NS-A's payment is still one posted payment of NS-A
    expect(opsOf(keyOf('NS-A')).map((d) => [d.ХозяйственнаяОперация, d.Posted])).toEqual([['ПоступлениеОплатыОтКлиента', true]]);
  });

  it('a payment whose transactionId is an earlier refund\'s id gets its own document; the refund stays unposted', async () => {
    await paid('NS-C', 'NS-CC', 'ns-txn-c');
    await h.orders.refund({ orderId: 'NS-C' });
    expect(await until(() => pending(h.db) === 0)).toBe(true);
    const refund = opsOf(keyOf('NS-C')).find((d) => d.ХозяйственнаяОперация === 'ВозвратОплатыКлиенту')!;
    expect(refund.Posted).toBe(false);
    await paid('NS-D', 'NS-CD', String(refund[EXT]));
    expect(h.em.store.get(CARD_OPS, String(refund.Ref_Key))!.Posted).toBe(false);
    for (const o of ['NS-D']) expect(opsOf(keyOf(o)).map((d) => [d.ХозяйственнаяОперация, d.Posted])).toEqual([['ПоступлениеОплатыОтКлиента', true]]);
    expect(h.db.prepare(`SELECT COUNT(*) FROM outbox_jobs WHERE state = 'dead'`).pluck().get()).toBe(0);
  });

  it('a retry after the upgrade finds the document an earlier attempt made under the old id (no second payment)', async () => {
    await paid('NS-F', 'NS-CF', 'ns-txn-f');
    const [doc] = opsOf(keyOf('NS-F'));
    expect(doc[EXT]).toBe('card:ns-txn-f');
    h.em.store.update(CARD_OPS, String(doc.Ref_Key), { [EXT]: 'ns-txn-f' }); // what the previous version wrote
    const paymentId = h.db.prepare(`SELECT id FROM payments WHERE external_id = 'ns-txn-f'`).pluck().get() as number;
    const again = enqueue(h.db, { kind: 'payment.card', key: 'order:NS-F', payload: { orderId: 'NS-F', paymentId } });
    h.db.prepare(`UPDATE outbox_jobs SET attempts = 1 WHERE id = ?`).run(again.id); // its first attempt was before the upgrade
    expect(await until(() => getJob(h.db, again.id)?.state === 'done')).toBe(true);
    expect(opsOf(keyOf('NS-F'))).toHaveLength(1);
  });
});

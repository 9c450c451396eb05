import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue, getJob } from '../../src/outbox/index.js';
import { ORDERS, harness, pending, until, type Harness } from './harness.js';

/**
 * onec.extension = false: no ReGate_ attributes or registers. Clients are found by ИНН, orders by
 * НомерПоДаннымКлиента, payments by ИдентификаторДокумента — exactly once still holds; no status records are written.
 */
let h: Harness;
beforeAll(async () => {
  h = await harness({ extension: false });
});
afterAll(async () => {
  await h?.close();
});
const byClientNumber = (id: string) => h.em.store.list(ORDERS).filter((d) => d.НомерПоДаннымКлиента === id);
const statusRecords = () => h.em.store.list('InformationRegister_ReGate_СтатусыЗаказов').length;

describe('delivery without the ReGate extension', () => {
  it('client: an existing 1C counterparty is found by ИНН (200, nothing created); a new one is created without ReGate_ attributes', async () => {
    const known = h.em.store.list('Catalog_Контрагенты').find((c) => String(c.ИНН ?? '').length >= 10)!;
    const partners = h.em.store.count('Catalog_Партнеры');
    const r = await h.orders.client({ clientId: 'NX-1', name: 'Кто-то', inn: String(known.ИНН) });
    expect(r.status).toBe(200);
    expect(h.em.store.count('Catalog_Партнеры')).toBe(partners);
    expect(h.db.prepare(`SELECT partner_key, counterparty_key FROM clients WHERE id = 'NX-1'`).get()).toEqual({ partner_key: known.Партнер_Key, counterparty_key: known.Ref_Key });
    const n = await h.orders.client({ clientId: 'NX-2', name: 'Новый Клиент', inn: '500100732259' });
    expect(n.status).toBe(201);
    const cps = h.em.store.list('Catalog_Контрагенты').filter((c) => c.ИНН === '500100732259');
    expect(cps).toHaveLength(1);
    expect(cps[0].ReGate_ВнешнийИдентификатор ?? '').toBe('');
  });

  it('booking: found by НомерПоДаннымКлиента on re-delivery after a lost local commit; one document; no status records', async () => {
    const before = statusRecords();
    const r = await h.orders.book(h.booking('NX-O1', 'NX-2', 1));
    expect(r.status).toBe(201);
    expect(byClientNumber('NX-O1')).toHaveLength(1);
    h.db.prepare(`UPDATE orders SET status = 0, onec_ref = NULL, onec_number = NULL WHERE id = 'NX-O1'`).run();
    const job = enqueue(h.db, { kind: 'booking.create', key: 'order:NX-O1', payload: { orderId: 'NX-O1' } });
    expect(await until(() => getJob(h.db, job.id)?.state === 'done')).toBe(true);
    expect(byClientNumber('NX-O1')).toHaveLength(1);
    expect(byClientNumber('NX-O1')[0].Posted).toBe(true);

    const o = h.db.prepare(`SELECT amount_kopecks FROM orders WHERE id = 'NX-O1'`).get() as { amount_kopecks: number };
    await h.orders.payCard({ orderId: 'NX-O1', provider: 'ЮKassa', transactionId: 'nx-tx-1', amount: o.amount_kopecks / 100, paidAt: '2026-11-29T08:15:00+03:00' });
    expect(await until(() => pending(h.db) === 0)).toBe(true);
    const pay = h.em.store.list('Document_ОперацияПоПлатежнойКарте').filter((d) => d.ИдентификаторДокумента === 'card:nx-tx-1');
    expect(pay).toHaveLength(1);
    expect(pay[0].Posted).toBe(true);
    expect(statusRecords()).toBe(before);
    expect(h.events.filter((e) => e.type === 'dead')).toEqual([]);
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhook, type WebhookBody } from '../../src/orders/webhooks.js';
import { getJob, listJobs } from '../../src/outbox/index.js';
import { ORDERS, harness, pending, until, type Harness } from './harness.js';

/**
 * After the booking: expiry (unpaid orders older than orders.expireAfterHours → 5, closed in 1C), reconciliation
 * (cash and cancellations made in 1C picked up), and signed webhooks for every status change.
 */
const SECRET = 'webhook-secret-🔑';
let h: Harness;
let receiver: Server;
const received: { body: string; headers: Record<string, string | string[] | undefined>; valid: boolean }[] = [];
let refuseNext = 0;
let clock = new Date('2026-11-29T09:00:00Z');

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (refuseNext > 0) {
        refuseNext--;
        res.writeHead(503).end('busy');
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ body, headers: req.headers, valid: verifyWebhook(SECRET, body, req.headers[SIGNATURE_HEADER.toLowerCase()] as string) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/regate`;
  h = await harness({ config: { webhooks: { url, secret: SECRET } }, now: () => clock });
});
afterAll(async () => {
  await h?.close();
  await new Promise<void>((r) => receiver.close(() => r()));
});

const order = (id: string) => h.db.prepare(`SELECT * FROM orders WHERE id = ?`).get(id) as Record<string, any>;
const hooksOf = (id: string) => received.map((r) => JSON.parse(r.body) as WebhookBody).filter((b) => b.orderId === id);

describe('order lifecycle after booking', () => {
  it('webhooks: every status change is POSTed, HMAC-SHA256 signed over the raw body with a timestamp; a 503 is retried', async () => {
    await h.orders.client({ clientId: 'W-1', name: 'Покупатель' });
    refuseNext = 1;
    const r = await h.orders.book(h.booking('W-O1', 'W-1', 1));
    expect(r.status).toBe(201);
    expect(await until(() => pending(h.db) === 0 && hooksOf('W-O1').length === 2)).toBe(true);
    const hooks = hooksOf('W-O1');
    expect(hooks.map((b) => [b.event, b.status])).toEqual([['booking.accepted', 0], ['booking.confirmed', 1]]);
    expect(hooks[1]).toMatchObject({ orderId: 'W-O1', number: r.body.number, statusName: 'создан, не оплачен', paymentStatus: 0 });
    expect(received.every((x) => x.valid)).toBe(true);
    const one = received[0];
    expect(Number(one.headers[TIMESTAMP_HEADER.toLowerCase()])).toBeGreaterThan(1.7e9);
    // The signature covers the body and the timestamp: any change fails verification, and so does an old message.
    const sig = one.headers[SIGNATURE_HEADER.toLowerCase()] as string;
    expect(verifyWebhook(SECRET, one.body.replace('W-O1', 'W-O2'), sig)).toBe(false);
    expect(verifyWebhook('other-secret', one.body, sig)).toBe(false);
    expect(verifyWebhook(SECRET, one.body, sig, { now: Math.floor(Date.now() / 1000) + 3600 })).toBe(false);
    expect(h.events.some((e) => e.type === 'retry' && e.job.kind === 'webhook')).toBe(true);
  });

  it('expiry: unpaid orders older than expireAfterHours become 5, are closed in 1C (lines cancelled, reserve released), with a webhook; paid ones stay', async () => {
    await h.orders.book(h.booking('E-1', 'W-1', 1));
    await h.orders.book(h.booking('E-PAID', 'W-1', 1));
    const paid = order('E-PAID');
    await h.orders.payCard({ orderId: 'E-PAID', provider: 'ЮKassa', transactionId: 'tx-E', amount: paid.amount_kopecks / 100, paidAt: clock.toISOString() });
    expect(await until(() => pending(h.db) === 0)).toBe(true);
    expect(h.delivery.expire().expired).toEqual([]); // not old enough yet
    clock = new Date(clock.getTime() + (h.config.orders.expireAfterHours + 1) * 3_600_000);
    const r = h.delivery.expire();
    expect(r.expired.sort()).toEqual(['E-1', 'W-O1']);
    expect(order('E-1').status).toBe(5);
    expect(order('E-PAID').status).toBe(2);
    expect(await until(() => pending(h.db) === 0)).toBe(true);
    const doc = h.docs(ORDERS, 'E-1')[0];
    expect(doc.Статус).toBe('Закрыт');
    expect((doc.Товары as Record<string, unknown>[]).every((l) => l.Отменено === true)).toBe(true);
    expect((doc.Товары as unknown[]).length).toBe(2);
    const rec = h.em.store.list('InformationRegister_ReGate_СтатусыЗаказов').filter((x) => x.Заказ_Key === doc.Ref_Key).sort((a, b) => String(a.Period).localeCompare(String(b.Period))).at(-1);
    expect(rec).toMatchObject({ СтатусЗаказа: 5 });
    expect(hooksOf('E-1').map((b) => b.event)).toEqual(['booking.accepted', 'booking.confirmed', 'expired']);
    expect(h.delivery.expire().expired).toEqual([]); // once
  });

  it('reconciliation: cash taken in 1C (status register 4/3) → 4; an order cancelled in 1C → 6 (written back); a closed (shipped) one and the rest untouched', async () => {
    for (const id of ['R-CASH', 'R-CLOSED', 'R-SHIPPED', 'R-OPEN']) await h.orders.book(h.booking(id, 'W-1', 1));
    expect(await until(() => pending(h.db) === 0)).toBe(true);
    const cash = order('R-CASH');
    // What the extension's form in 1C writes when the cashier takes the money.
    h.em.store.insert('InformationRegister_ReGate_СтатусыЗаказов', { Period: '2030-01-01T10:00:00', Заказ_Key: cash.onec_ref, СтатусЗаказа: 4, СтатусОплаты: 3, СуммаОплаты: cash.amount_kopecks / 100, Комментарий: 'касса' });
    // Cancelled the УТ way: every line Отменено, the order Закрыт.
    const closedDoc = h.em.store.get(ORDERS, order('R-CLOSED').onec_ref) as Record<string, unknown>;
    const cancelledLines = (closedDoc.Товары as Record<string, unknown>[]).map((l) => ({ ...l, Отменено: true }));
    h.em.store.update(ORDERS, order('R-CLOSED').onec_ref, { Статус: 'Закрыт', Товары: cancelledLines });
    // Closed because it was shipped: УТ closes those too, and they are not cancellations.
    h.em.store.update(ORDERS, order('R-SHIPPED').onec_ref, { Статус: 'Закрыт' });
    const r = await h.delivery.reconcile();
    expect(r.paidInCash).toEqual(['R-CASH']);
    expect(r.cancelled).toEqual(['R-CLOSED']);
    expect(r.requests).toBeLessThanOrEqual(4); // documents + status slice for all open orders in one chunk
    expect(order('R-CASH')).toMatchObject({ status: 4, payment_status: 3, paid_kopecks: cash.amount_kopecks });
    expect(order('R-CLOSED').status).toBe(6);
    expect(order('R-OPEN').status).toBe(1);
    expect(order('R-SHIPPED').status).toBe(1);
    expect(await until(() => pending(h.db) === 0)).toBe(true);
    const closed = h.docs(ORDERS, 'R-CLOSED')[0];
    expect((closed.Товары as Record<string, unknown>[]).every((l) => l.Отменено === true)).toBe(true);
    expect(hooksOf('R-CASH').at(-1)).toMatchObject({ event: 'reconcile.cash', status: 4, paymentStatus: 3 });
    expect(hooksOf('R-CLOSED').at(-1)).toMatchObject({ event: 'reconcile.cancelled', status: 6 });
    expect((await h.delivery.reconcile()).cancelled).toEqual([]); // once
    const dead = listJobs(h.db).filter((j) => getJob(h.db, j.id)?.state === 'dead');
    expect(dead).toEqual([]);
  });
});

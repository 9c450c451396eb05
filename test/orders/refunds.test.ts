import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { CatalogService } from '../../src/catalog/service.js';
import { parseConfig } from '../../src/config/index.js';
import { hashPassword } from '../../src/install/password.js';
import { silentLogger } from '../../src/log.js';
import { harness, pending, until, type Harness } from './harness.js';

/**
 * Several refunds per order (issue 14.4): by amount or by lines, each with the shop's refundId, up to what the card
 * paid; status 7 only when the whole payment went back (bookingstate.refunded otherwise); each an unposted card
 * refund document in 1C for the accountant.
 */
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const hash = await hashPassword('p');
const auth = 'Basic ' + Buffer.from('rs:p').toString('base64');
const CARD_OPS = 'Document_ОперацияПоПлатежнойКарте';
const STATUSES = 'InformationRegister_ReGate_СтатусыЗаказов';

function apiOf(hh: Harness) {
  const config = parseConfig({ auth: { users: [{ name: 'rs', passwordHash: hash }] } });
  const catalog = new CatalogService(hh.db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
  const app = createApp({ config, logger: silentLogger, services: { catalog, orders: hh.orders, health: { ready: async () => ({ ready: true, checks: [] }) } } });
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const r = await app.request(`/api/v1/${path}`, { method, headers: { Authorization: auth, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as any };
  };
  return { post: (path: string, body: unknown) => call('POST', path, body), get: (path: string) => call('GET', path) };
}

describe('refunds', () => {
  it('two partial refunds (by amount, by lines), a third beyond the payment 409, the rest → 7; each its own 1C document', async () => {
    h = await harness();
    const hh = h;
    const api = apiOf(hh);
    await hh.orders.client({ clientId: 'C-1', name: 'Иванов Иван' });
    await hh.orders.book(hh.booking('R-1', 'C-1', 3)); // items[0] × 3, items[1] × 2
    const o = hh.db.prepare(`SELECT * FROM orders WHERE id = 'R-1'`).get() as Record<string, any>;
    const paid = o.amount_kopecks / 100;
    await api.post('paycard', { orderId: 'R-1', provider: 'ЮKassa', transactionId: 'tx-R1', amount: paid, paidAt: new Date().toISOString() });
    const lineA = hh.db.prepare(`SELECT price_kopecks FROM order_lines WHERE order_id = 'R-1' AND item_id = ?`).pluck().get(hh.items[0]) as number;

    const first = await api.post('refund', { orderId: 'R-1', refundId: 'RF-1', amount: 10, reason: 'скидка' });
    expect(first).toMatchObject({ status: 200, body: { status: 2 } });
    const second = await api.post('refund', { orderId: 'R-1', refundId: 'RF-2', items: [{ itemId: hh.items[0], quantity: 1 }], reason: 'вернул одну' });
    expect(second.body.status).toBe(2);
    const afterTwo = (await api.get('bookingstate?orderId=R-1')).body;
    expect(afterTwo).toMatchObject({ status: 2, paid, refunded: (1000 + lineA) / 100 });
    expect(afterTwo.history.slice(-2).map((x: { event: string }) => x.event)).toEqual(['refund.partial', 'refund.partial']);

    // Beyond what is left: 409 naming it; by lines beyond what was bought: 422.
    const left = (o.amount_kopecks - 1000 - lineA) / 100;
    const beyond = await api.post('refund', { orderId: 'R-1', refundId: 'RF-3', amount: left + 0.01 });
    expect(beyond.status).toBe(409);
    expect(beyond.body.error.fields[0]).toEqual({ field: 'amount', message: `можно вернуть не больше ${left}` });
    const tooMany = await api.post('refund', { orderId: 'R-1', refundId: 'RF-3', items: [{ itemId: hh.items[0], quantity: 3 }] });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error.fields[0]).toEqual({ field: 'items.0.quantity', message: 'можно вернуть не больше 2' });

    // Repeats: the same request is a no-op; the same refundId with another body 409.
    expect((await api.post('refund', { orderId: 'R-1', refundId: 'RF-1', amount: 10, reason: 'скидка' })).status).toBe(200);
    expect((await api.post('refund', { orderId: 'R-1', refundId: 'RF-1', amount: 11 })).status).toBe(409);
    expect(hh.db.prepare(`SELECT count(*) FROM refunds WHERE order_id = 'R-1'`).pluck().get()).toBe(2);

    // The rest (no amount with a refundId = what is left): the whole payment is back → 7.
    const rest = await api.post('refund', { orderId: 'R-1', refundId: 'RF-3' });
    expect(rest.body.status).toBe(7);
    expect((await api.get('bookingstate?orderId=R-1')).body).toMatchObject({ status: 7, refunded: paid });
    expect((await api.post('refund', { orderId: 'R-1', refundId: 'RF-4', amount: 1 })).status).toBe(409);

    expect(await until(() => pending(hh.db) === 0)).toBe(true);
    const docs = ['RF-1', 'RF-2', 'RF-3'].map((k) => hh.docs(CARD_OPS, `refund:R-1:${k}`));
    expect(docs.map((d) => d.length)).toEqual([1, 1, 1]);
    expect(docs.map((d) => d[0].СуммаДокумента)).toEqual([10, lineA / 100, left]);
    expect(docs.every((d) => d[0].Posted === false && d[0].ХозяйственнаяОперация === 'ВозвратОплатыКлиенту')).toBe(true);
    const last = hh.em.store.list(STATUSES).filter((x) => x.Заказ_Key === o.onec_ref || x.Заказ_Key === docs[0][0].ДокументОснование).sort((a, b) => String(a.Period).localeCompare(String(b.Period))).at(-1);
    expect(last).toMatchObject({ СтатусЗаказа: 7, СуммаОплаты: 0 });
    expect([...hh.em.store.ignored]).toEqual([]);
  });

  it('after a partial refund the order is not cancelled (money is still paid); after the rest it is', async () => {
    h = await harness();
    const hh = h;
    const api = apiOf(hh);
    await hh.orders.client({ clientId: 'C-1', name: 'Иванов Иван' });
    const b = await hh.orders.book(hh.booking('R-2', 'C-1', 1));
    await api.post('paycard', { orderId: 'R-2', provider: 'ЮKassa', transactionId: 'tx-R2', amount: b.body.amount, paidAt: new Date().toISOString() });
    await api.post('refund', { orderId: 'R-2', refundId: 'a', amount: 1 });
    expect((await api.post('bookingcancel', { orderId: 'R-2' })).body.error.code).toBe('refund_first');
    await api.post('refund', { orderId: 'R-2', refundId: 'b' });
    expect((await api.post('bookingcancel', { orderId: 'R-2' })).body.status).toBe(6);
  });
});

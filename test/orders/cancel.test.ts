import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { CatalogService } from '../../src/catalog/service.js';
import { parseConfig } from '../../src/config/index.js';
import { hashPassword } from '../../src/install/password.js';
import { silentLogger } from '../../src/log.js';
import { heldByOrders } from '../../src/orders/promise.js';
import { OrderStatusCode } from '../../src/orders/statuses.js';
import { ORDERS, harness, pending, until, type Harness } from './harness.js';

/**
 * bookingcancel (issue 14.2): an unpaid order becomes 6 at once, and in 1C its ЗаказКлиента is closed the УТ way —
 * every line Отменено with a reason, Статус Закрыт, posted again so the reserve goes (WRITE-RULES §1.7). A paid
 * order is refused until the money is back. Idempotent.
 */
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

type Row = Record<string, unknown>;
const hash = await hashPassword('p');
const auth = 'Basic ' + Buffer.from('rs:p').toString('base64');
const STATUSES = 'InformationRegister_ReGate_СтатусыЗаказов';

function apiOf(hh: Harness) {
  const config = parseConfig({ auth: { users: [{ name: 'rs', passwordHash: hash }] } });
  const catalog = new CatalogService(hh.db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
  const app = createApp({ config, logger: silentLogger, services: { catalog, orders: hh.orders, health: { ready: async () => ({ ready: true, checks: [] }) } } });
  return {
    app,
    post: async (path: string, body: unknown) => {
      const r = await app.request(`/api/v1/${path}`, { method: 'POST', headers: { Authorization: auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      return { status: r.status, body: (await r.json()) as any };
    },
  };
}

const docOf = (hh: Harness, id: string) => hh.em.store.list(ORDERS).find((o) => o.ReGate_ВнешнийИдентификатор === id)!;
/** What the order reserves in 1C now (11.5: ТоварыКОтгрузке.ВРезерве of its records). */
const reserveOf = (hh: Harness, ref: unknown) =>
  hh.em.store.records('AccumulationRegister_ТоварыКОтгрузке').filter((r) => (r.Recorder ?? r.Recorder_Key) === ref).reduce((x, r) => x + Number(r.ВРезерве ?? 0), 0);
const jobsOf = (hh: Harness, id: string, kind: string) => hh.db.prepare(`SELECT count(*) FROM outbox_jobs WHERE key = ? AND kind = ?`).pluck().get(`order:${id}`, kind) as number;

async function booked(hh: Harness, id: string) {
  await hh.orders.client({ clientId: 'C-1', name: 'Иванов Иван' });
  await hh.orders.book(hh.booking(id, 'C-1', 2));
  expect(await until(() => pending(hh.db) === 0)).toBe(true);
}

describe('bookingcancel', () => {
  it('an unpaid order: 6 at once; in 1C every line Отменено with the reason, Закрыт, re-posted, reserve gone; a repeat changes nothing', async () => {
    h = await harness();
    const hh = h;
    const api = apiOf(hh);
    await booked(hh, 'X-1');
    const before = docOf(hh, 'X-1');
    expect(reserveOf(hh, before.Ref_Key)).toBeGreaterThan(0);
    expect(heldByOrders(hh.db, hh.store).size).toBeGreaterThan(0); // our order, not in the mirror yet

    const r = await api.post('bookingcancel', { orderId: 'X-1', reason: 'Клиент передумал' });
    expect(r).toMatchObject({ status: 200, body: { orderId: 'X-1', status: 6, statusName: 'аннулирован', paymentStatus: 0 } });
    // The shop may promise the goods again at once.
    expect(heldByOrders(hh.db, hh.store).size).toBe(0);
    expect(await until(() => pending(hh.db) === 0)).toBe(true);

    const doc = docOf(hh, 'X-1');
    const [reason] = hh.em.store.list('Catalog_ПричиныОтменыЗаказовКлиентов').filter((x) => x.Predefined !== true);
    expect(doc).toMatchObject({ Статус: 'Закрыт', Posted: true });
    expect((doc.Товары as Row[]).length).toBe((before.Товары as Row[]).length);
    expect((doc.Товары as Row[]).every((l) => l.Отменено === true && l.ПричинаОтмены_Key === reason.Ref_Key)).toBe(true);
    expect(reserveOf(hh, doc.Ref_Key)).toBe(0);
    const last = hh.em.store.list(STATUSES).filter((x) => x.Заказ_Key === doc.Ref_Key).sort((a, b) => String(a.Period).localeCompare(String(b.Period))).at(-1)!;
    expect(last).toMatchObject({ СтатусЗаказа: 6, Комментарий: 'отменён магазином: Клиент передумал' });
    expect([...hh.em.store.ignored]).toEqual([]);

    const again = await api.post('bookingcancel', { orderId: 'X-1', reason: 'ещё раз' });
    expect(again).toMatchObject({ status: 200, body: { status: 6 } });
    expect(jobsOf(hh, 'X-1', 'order.status')).toBe(1);
    const events = hh.db.prepare(`SELECT event FROM order_history WHERE order_id = 'X-1' ORDER BY id`).pluck().all();
    expect(events).toEqual(['booking.accepted', 'booking.confirmed', 'booking.cancelled']);
  });

  it('a paid order is 409 refund_first; after the refund of the whole payment it can be cancelled', async () => {
    h = await harness();
    const hh = h;
    const api = apiOf(hh);
    await booked(hh, 'X-2');
    const amount = (hh.db.prepare(`SELECT amount_kopecks FROM orders WHERE id = 'X-2'`).pluck().get() as number) / 100;
    await hh.orders.payCard({ orderId: 'X-2', provider: 'ЮKassa', transactionId: 'tx-X2', amount, paidAt: new Date().toISOString() });
    const r = await api.post('bookingcancel', { orderId: 'X-2' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('refund_first');
    expect(r.body.error.message).toMatch(/сначала верните деньги/);
    expect(hh.db.prepare(`SELECT status FROM orders WHERE id = 'X-2'`).pluck().get()).toBe(OrderStatusCode.paidByCard);

    await hh.orders.refund({ orderId: 'X-2', reason: 'отказ' });
    expect((await api.post('bookingcancel', { orderId: 'X-2' })).body.status).toBe(6);
    expect(await until(() => pending(hh.db) === 0)).toBe(true);
    expect(docOf(hh, 'X-2')).toMatchObject({ Статус: 'Закрыт' });
  });

  it('an order not yet in 1C is created there and then closed; an expired order is 409; an unknown one 404', async () => {
    h = await harness({ start: false });
    const hh = h;
    const api = apiOf(hh);
    await hh.noWait.client({ clientId: 'C-1', name: 'Иванов Иван' });
    await hh.noWait.book(hh.booking('X-3', 'C-1', 1));
    expect((await api.post('bookingcancel', { orderId: 'X-3' })).body).toMatchObject({ status: 6, number: null });
    hh.worker.start();
    expect(await until(() => pending(hh.db) === 0)).toBe(true);
    const doc = docOf(hh, 'X-3');
    expect(doc).toMatchObject({ Статус: 'Закрыт', Posted: true });
    expect((doc.Товары as Row[]).every((l) => l.Отменено === true)).toBe(true);
    expect(hh.db.prepare(`SELECT status FROM orders WHERE id = 'X-3'`).pluck().get()).toBe(6);

    await hh.orders.book(hh.booking('X-4', 'C-1', 1));
    hh.db.prepare(`UPDATE orders SET status = 5 WHERE id = 'X-4'`).run();
    expect((await api.post('bookingcancel', { orderId: 'X-4' })).status).toBe(409);
    const nf = await api.post('bookingcancel', { orderId: 'NOPE' });
    expect(nf.status).toBe(404);
    expect(nf.body.error.fields[0].field).toBe('orderId');
  });

  it('OpenAPI documents it with examples', async () => {
    h = await harness({ start: false });
    const doc = (await (await apiOf(h).app.request('/openapi.json')).json()) as any;
    const op = doc.paths['/api/v1/bookingcancel'].post;
    expect(op.operationId).toBe('cancelBooking');
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '404', '409']));
    expect(op.responses['409'].content['application/json'].examples.refund_first.value.error.code).toBe('refund_first');
    expect(doc.components.schemas.BookingCancelRequest.example).toEqual({ orderId: 'RS-O-5001', reason: 'Клиент передумал' });
  });
});

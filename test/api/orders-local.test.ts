import { beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/open.js';
import { parseConfig } from '../../src/config/index.js';
import { createApp } from '../../src/api/app.js';
import { CatalogService } from '../../src/catalog/service.js';
import { writeSnapshot } from '../../src/catalog/writer.js';
import { OrdersService } from '../../src/orders/service.js';
import { listJobs } from '../../src/outbox/index.js';
import { hashPassword } from '../../src/install/password.js';
import { silentLogger } from '../../src/log.js';
import { I1, I2, I3, S1, snapshot } from '../fixtures/mirror.js';

// The write API's local half (validation, idempotency, one transaction with the outbox job), with no worker
// running: every booking must answer 202 with status 0 and leave exactly one job.
const hash = await hashPassword('p');
let db: Db;
let app: ReturnType<typeof createApp>;

beforeEach(() => {
  db = openDb(':memory:');
  writeSnapshot(db, { ...snapshot, stock: [{ storeId: S1, itemId: I1, quantity: 50 }] });
  const config = parseConfig({ auth: { users: [{ name: 'rs', passwordHash: hash }] } });
  const catalog = new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
  const orders = new OrdersService(db, catalog, { confirmWindowMs: 0, maxDepth: 50 });
  app = createApp({ config, logger: silentLogger, services: { catalog, orders, health: { ready: async () => ({ ready: true, checks: [] }) } } });
});

const auth = 'Basic ' + Buffer.from('rs:p').toString('base64');
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  app.request(`/api/v1/${path}`, { method: 'POST', headers: { Authorization: auth, 'Content-Type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const get = (path: string) => app.request(`/api/v1/${path}`, { headers: { Authorization: auth } });

const booking = (over: Record<string, unknown> = {}) => ({
  orderId: 'O-1', clientId: 'C-1', store: S1, deliveryAddress: 'Москва, ул. 1', items: [{ itemId: I1, quantity: 12 }], ...over,
});

describe('write API, local half', () => {
  it('client: new client is accepted (202) with a client.ensure job; a known client is found', async () => {
    const r = await post('client', { clientId: 'C-1', name: 'Иванов', inn: '500100732259' });
    expect(r.status).toBe(202);
    expect(listJobs(db).map((j) => j.kind)).toEqual(['client.ensure']);
    const again = await post('client', { clientId: 'C-1', name: 'Иванов' });
    expect(again.status).toBe(200);
    expect(((await again.json()) as any).result).toBe('found');
  });

  it('booking: priced with the tier above X1, 202 status 0, one job; replay answers the same; other body 409', async () => {
    await post('client', { clientId: 'C-1', name: 'Иванов' });
    const r = await post('booking', booking(), { 'Idempotency-Key': 'k1' });
    expect(r.status).toBe(202);
    // 12 > X1=10 → tier 1 price 90.00 × 12
    expect((await r.json()) as any).toEqual({ orderId: 'O-1', number: null, status: 0, statusName: 'принят ReGate, ещё не в 1С', amount: 1080 });
    const replay = await post('booking', booking(), { 'Idempotency-Key': 'k1' });
    expect(replay.status).toBe(202);
    expect(((await replay.json()) as any).amount).toBe(1080);
    expect(listJobs(db).filter((j) => j.kind === 'booking.create')).toHaveLength(1);
    const other = await post('booking', booking({ deliveryAddress: 'другой' }));
    expect(other.status).toBe(409);
    expect(((await other.json()) as any).error.fields[0].field).toBe('orderId');
    const keyReuse = await post('booking', booking({ orderId: 'O-2' }), { 'Idempotency-Key': 'k1' });
    expect(keyReuse.status).toBe(409);
  });

  it('booking: 422 names the line at fault (stock, not carried); 400 names malformed fields; nothing written', async () => {
    await post('client', { clientId: 'C-1', name: 'Иванов' });
    const r = await post('booking', booking({ items: [{ itemId: I1, quantity: 51 }, { itemId: I2, quantity: 1 }, { itemId: I3, quantity: 1000 }] }));
    expect(r.status).toBe(422);
    const fields = ((await r.json()) as any).error.fields;
    expect(fields).toEqual([
      { field: 'items.0.quantity', message: 'на складе только 50' },
      { field: 'items.1.itemId', message: 'товар «Рис» не продаётся на этом складе' },
      { field: 'items.2.itemId', message: 'у товара «Пшено» нет цены' },
    ]);
    const bad = await post('booking', { orderId: '', store: 'x', items: [] });
    expect(bad.status).toBe(400);
    const names = [...new Set(((await bad.json()) as any).error.fields.map((f: { field: string }) => f.field))].sort();
    expect(names).toEqual(['clientId', 'deliveryAddress', 'items', 'orderId', 'store']);
    expect((await post('booking', '{"orderId":')).status).toBe(400);
    expect(db.prepare('SELECT COUNT(*) FROM orders').pluck().get()).toBe(0);
    expect(listJobs(db).filter((j) => j.kind === 'booking.create')).toHaveLength(0);
  });

  it('paycard then refund: statuses 2 then 7 with history; jobs keyed by order in order', async () => {
    await post('client', { clientId: 'C-1', name: 'Иванов' });
    await post('booking', booking({ items: [{ itemId: I1, quantity: 2 }] }));
    const pay = { orderId: 'O-1', provider: 'ЮKassa', transactionId: 't-1', rrn: '412345678901', authCode: '123456', maskedCard: '220220******1234', amount: 200, paidAt: '2026-11-29T08:15:00+03:00' };
    expect((await post('paycard', { ...pay, amount: 199 })).status).toBe(422);
    const r = await post('paycard', pay);
    expect(r.status).toBe(200);
    expect((await r.json()) as any).toMatchObject({ status: 2, paymentStatus: 1, paymentStatusName: 'оплачено картой' });
    expect((await post('paycard', pay)).status).toBe(200); // the same notification again: no second payment
    expect(db.prepare('SELECT COUNT(*) FROM payments').pluck().get()).toBe(1);
    const refund = await post('refund', { orderId: 'O-1', reason: 'отказ' });
    expect((await refund.json()) as any).toMatchObject({ status: 7, statusName: 'возврат денег' });
    const state = (await (await get('bookingstate?orderId=O-1')).json()) as any;
    expect(state.history.map((h: { event: string }) => h.event)).toEqual(['booking.accepted', 'payment.card', 'refund']);
    expect(state).toMatchObject({ amount: 200, paid: 200, status: 7, paymentStatus: 1 });
    expect(listJobs(db).filter((j) => j.key === 'order:O-1').sort((a, b) => a.id - b.id).map((j) => j.kind)).toEqual(['booking.create', 'payment.card', 'refund.create']);
    expect((await get('bookingstate?orderId=nope')).status).toBe(404);
  });

  it('backpressure: beyond outbox.maxDepth pending jobs, 503 with Retry-After', async () => {
    for (let i = 0; i < 50; i++) await post('client', { clientId: `C-${i}`, name: 'x' });
    const r = await post('client', { clientId: 'C-over', name: 'x' });
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('30');
  });

  it('an ИНН already held by another store client: 409 client_conflict naming inn, through HTTP (issue 13.1)', async () => {
    expect((await post('client', { clientId: 'C-1', name: 'Иванов', inn: '500100732259' })).status).toBe(202);
    const r = await post('client', { clientId: 'C-2', name: 'Не Иванов', inn: '500100732259' });
    expect(r.status).toBe(409);
    const e = ((await r.json()) as any).error;
    expect(e.code).toBe('client_conflict');
    expect(e.fields).toEqual([{ field: 'inn', message: 'занят клиентом C-1' }]);
  });
});

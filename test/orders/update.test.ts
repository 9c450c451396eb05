import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { CatalogService } from '../../src/catalog/service.js';
import { parseConfig } from '../../src/config/index.js';
import { hashPassword } from '../../src/install/password.js';
import { silentLogger } from '../../src/log.js';
import { ORDERS, harness, pending, until, type Harness } from './harness.js';

/**
 * bookingupd (issue 14.2): an unpaid order's lines, delivery address and comment change against the revision the
 * shop read — two edits cannot cross — and the ЗаказКлиента in 1C is re-written (lines whole, sum, address,
 * comment) and re-posted so its reserve follows; the status stays.
 */
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

type Row = Record<string, unknown>;
const hash = await hashPassword('p');
const auth = 'Basic ' + Buffer.from('rs:p').toString('base64');

function apiOf(hh: Harness) {
  const config = parseConfig({ auth: { users: [{ name: 'rs', passwordHash: hash }] } });
  const catalog = new CatalogService(hh.db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
  const app = createApp({ config, logger: silentLogger, services: { catalog, orders: hh.orders, health: { ready: async () => ({ ready: true, checks: [] }) } } });
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const r = await app.request(`/api/v1/${path}`, { method, headers: { Authorization: auth, 'Content-Type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as any };
  };
  return { post: (path: string, body: unknown, headers?: Record<string, string>) => call('POST', path, body, headers), get: (path: string) => call('GET', path) };
}

const docOf = (hh: Harness, id: string) => hh.em.store.list(ORDERS).find((o) => o.ReGate_ВнешнийИдентификатор === id)!;
const reserveOf = (hh: Harness, ref: unknown) => {
  const by = new Map<string, number>();
  for (const r of hh.em.store.records('AccumulationRegister_ТоварыКОтгрузке').filter((x) => (x.Recorder ?? x.Recorder_Key) === ref)) {
    by.set(String(r.Номенклатура_Key), (by.get(String(r.Номенклатура_Key)) ?? 0) + Number(r.ВРезерве ?? 0));
  }
  return Object.fromEntries([...by].filter(([, v]) => v !== 0));
};

async function booked(hh: Harness, id: string) {
  await hh.orders.client({ clientId: 'C-1', name: 'Иванов Иван' });
  await hh.orders.book(hh.booking(id, 'C-1', 2)); // items[0] × 2, items[1] × 2
  expect(await until(() => pending(hh.db) === 0)).toBe(true);
}

describe('bookingupd', () => {
  it('lines, address and comment of an unpaid order: new revision and amount, status kept; in 1C the document re-written and re-posted, its reserve the new lines', async () => {
    h = await harness();
    const hh = h;
    const api = apiOf(hh);
    await booked(hh, 'U-1');
    const [a, b, c] = hh.items;
    const before = docOf(hh, 'U-1');
    const codeOfA = (before.Товары as Row[]).find((l) => l.Номенклатура_Key === a)!.КодСтроки;
    expect((await api.get('bookingstate?orderId=U-1')).body).toMatchObject({ status: 1, revision: 1 });

    const r = await api.post('bookingupd', { orderId: 'U-1', revision: 1, deliveryAddress: 'Казань, ул. Баумана, 5', comment: 'Домофон не работает', items: [{ itemId: a, quantity: 5 }, { itemId: c, quantity: 1 }] });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ orderId: 'U-1', status: 1, revision: 2, number: before.Number });
    const lines = hh.db.prepare(`SELECT item_id, quantity, amount_kopecks FROM order_lines WHERE order_id = 'U-1' ORDER BY line_no`).all() as { item_id: string; quantity: number; amount_kopecks: number }[];
    expect(lines.map((l) => [l.item_id, l.quantity])).toEqual([[a, 5], [c, 1]]);
    const amount = lines.reduce((s, l) => s + l.amount_kopecks, 0) / 100;
    expect(r.body.amount).toBe(amount);
    expect(await until(() => pending(hh.db) === 0)).toBe(true);

    const doc = docOf(hh, 'U-1');
    expect(doc).toMatchObject({ Ref_Key: before.Ref_Key, Posted: true, Статус: before.Статус, АдресДоставки: 'Казань, ул. Баумана, 5', СуммаДокумента: amount });
    expect(String(doc.Комментарий)).toContain('Домофон не работает');
    const docLines = doc.Товары as Row[];
    expect(docLines.map((l) => [l.Номенклатура_Key, l.Количество])).toEqual([[a, 5], [c, 1]]);
    // The remaining item keeps its line code; the new one is numbered after the largest.
    expect(docLines[0].КодСтроки).toBe(codeOfA);
    expect(Number(docLines[1].КодСтроки)).toBeGreaterThan(2);
    expect(reserveOf(hh, doc.Ref_Key)).toEqual({ [a]: 5, [c]: 1 });
    expect(reserveOf(hh, doc.Ref_Key)[b]).toBeUndefined();
    expect(hh.db.prepare(`SELECT reserved_at IS NOT NULL FROM orders WHERE id = 'U-1'`).pluck().get()).toBe(1);
    const state = (await api.get('bookingstate?orderId=U-1')).body;
    expect(state).toMatchObject({ status: 1, revision: 2, amount });
    expect(state.history.map((x: { event: string }) => x.event)).toEqual(['booking.accepted', 'booking.confirmed', 'booking.updated']);
    expect([...hh.em.store.ignored]).toEqual([]);

    // The same request again (a lost answer): answered, nothing changes; the old revision with another body is 409.
    const again = await api.post('bookingupd', { orderId: 'U-1', revision: 1, deliveryAddress: 'Казань, ул. Баумана, 5', comment: 'Домофон не работает', items: [{ itemId: a, quantity: 5 }, { itemId: c, quantity: 1 }] });
    expect(again).toMatchObject({ status: 200, body: { revision: 2 } });
    const stale = await api.post('bookingupd', { orderId: 'U-1', revision: 1, comment: 'другое' });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'revision_mismatch', fields: [{ field: 'revision', message: 'текущая версия 2' }] });
    expect(hh.db.prepare(`SELECT count(*) FROM outbox_jobs WHERE kind = 'booking.update'`).pluck().get()).toBe(1);

    // If-Match instead of the body's revision.
    const viaHeader = await api.post('bookingupd', { orderId: 'U-1', comment: 'по заголовку' }, { 'If-Match': '"2"' });
    expect(viaHeader.body).toMatchObject({ revision: 3 });
    expect((await api.post('bookingupd', { orderId: 'U-1', comment: 'x' })).status).toBe(400);
  });

  it('two edits of the same revision at once: exactly one is applied, the other is 409', async () => {
    h = await harness();
    const hh = h;
    const api = apiOf(hh);
    await booked(hh, 'U-2');
    const answers = await Promise.all(['первый', 'второй', 'третий'].map((comment) => api.post('bookingupd', { orderId: 'U-2', revision: 1, comment })));
    expect(answers.map((x) => x.status).sort()).toEqual([200, 409, 409]);
    const won = answers.find((x) => x.status === 200)!;
    expect(won.body.revision).toBe(2);
    expect(hh.db.prepare(`SELECT revision FROM orders WHERE id = 'U-2'`).pluck().get()).toBe(2);
  });

  it('stock: the order’s own lines are given back (it may grow into what it holds), beyond what is available is 422; a paid order is 409', async () => {
    h = await harness();
    const hh = h;
    const api = apiOf(hh);
    await booked(hh, 'U-3');
    const [a, b] = hh.items;
    const stock = hh.db.prepare(`SELECT quantity FROM catalog_stock WHERE store_id = ? AND item_id = ?`).pluck().get(hh.store, a) as number;
    // The whole free stock of a, 2 of which the order already holds.
    const all = Math.floor(stock);
    expect((await api.post('bookingupd', { orderId: 'U-3', revision: 1, items: [{ itemId: a, quantity: all }, { itemId: b, quantity: 2 }] })).status).toBe(200);
    const over = await api.post('bookingupd', { orderId: 'U-3', revision: 2, items: [{ itemId: a, quantity: all + 1 }, { itemId: b, quantity: 2 }] });
    expect(over.status).toBe(422);
    expect(over.body.error.fields[0]).toMatchObject({ field: 'items.0.quantity', message: `на складе только ${stock}` });
    expect(await until(() => pending(hh.db) === 0)).toBe(true);

    const amount = (hh.db.prepare(`SELECT amount_kopecks FROM orders WHERE id = 'U-3'`).pluck().get() as number) / 100;
    await hh.orders.payCard({ orderId: 'U-3', provider: 'ЮKassa', transactionId: 'tx-U3', amount, paidAt: new Date().toISOString() });
    const paid = await api.post('bookingupd', { orderId: 'U-3', revision: 2, comment: 'поздно' });
    expect(paid.status).toBe(409);
    expect(paid.body.error.message).toMatch(/только неоплаченный/);
  });
});

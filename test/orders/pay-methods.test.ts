import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { applyToOrder } from '../../src/bank/import/apply.js';
import { CatalogService } from '../../src/catalog/service.js';
import { parseConfig } from '../../src/config/index.js';
import { hashPassword } from '../../src/install/password.js';
import { silentLogger } from '../../src/log.js';
import { harness, pending, until, type Harness } from './harness.js';

/**
 * Every payment kind of the specification through paycard (issue 14.5): `method` card / sbp / wallet; a wallet is
 * electronic money (payment status 4), card and СБП are 1. A partial bank transfer followed by the rest by card adds
 * up, and the customer is never asked for the whole sum again.
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

const lastStatus = (hh: Harness, ref: unknown) =>
  hh.em.store.list(STATUSES).filter((x) => x.Заказ_Key === ref).sort((a, b) => String(a.Period).localeCompare(String(b.Period))).at(-1);
const orderRow = (hh: Harness, id: string) => hh.db.prepare(`SELECT * FROM orders WHERE id = ?`).get(id) as Record<string, any>;

async function booked(hh: Harness, id: string) {
  await hh.orders.client({ clientId: 'C-1', name: 'Иванов Иван' });
  await hh.orders.book(hh.booking(id, 'C-1', 1));
  expect(await until(() => pending(hh.db) === 0)).toBe(true);
  return orderRow(hh, id);
}

const pay = (orderId: string, transactionId: string, amount: number, method?: string) => ({
  orderId, provider: 'ЮKassa', transactionId, amount, paidAt: '2026-11-29T08:15:00+03:00', ...(method ? { method } : {}),
});

describe('paycard methods', () => {
  it('wallet → status 2, payment status 4 (electronic money), in 1C and in bookingstate; a repeat is a no-op, the same transaction as a card payment 409', async () => {
    h = await harness();
    const hh = h;
    const api = apiOf(hh);
    const o = await booked(hh, 'W-1');
    const r = await api.post('paycard', pay('W-1', 'tx-w1', o.amount_kopecks / 100, 'wallet'));
    expect(r).toMatchObject({ status: 200, body: { status: 2, paymentStatus: 4, paymentStatusName: 'оплачено электронными деньгами' } });
    expect(await until(() => pending(hh.db) === 0)).toBe(true);
    const doc = hh.docs(CARD_OPS, 'card:tx-w1')[0];
    expect(doc).toMatchObject({ Posted: true, СуммаДокумента: o.amount_kopecks / 100 });
    expect(String(doc.Комментарий)).toContain('электронный кошелёк');
    expect(lastStatus(hh, o.onec_ref)).toMatchObject({ СтатусЗаказа: 2, СтатусОплаты: 4 });
    const state = await api.get('bookingstate?orderId=W-1');
    expect(state.body).toMatchObject({ status: 2, paymentStatus: 4, paid: o.amount_kopecks / 100 });
    expect(state.body.history.at(-1)).toMatchObject({ event: 'payment.card', paymentStatus: 4 });

    expect((await api.post('paycard', pay('W-1', 'tx-w1', o.amount_kopecks / 100, 'wallet'))).status).toBe(200);
    const asCard = await api.post('paycard', pay('W-1', 'tx-w1', o.amount_kopecks / 100, 'card'));
    expect(asCard.status).toBe(409);
    expect(hh.db.prepare(`SELECT count(*) FROM payments WHERE order_id = 'W-1'`).pluck().get()).toBe(1);
    expect([...hh.em.store.ignored]).toEqual([]);
  });

  it('sbp and card (and no method, as before) → payment status 1; an unknown method is 400', async () => {
    h = await harness();
    const hh = h;
    const api = apiOf(hh);
    for (const [id, method] of [['S-1', 'sbp'], ['S-2', 'card'], ['S-3', undefined]] as const) {
      const o = await booked(hh, id);
      const r = await api.post('paycard', pay(id, `tx-${id}`, o.amount_kopecks / 100, method));
      expect(r.body).toMatchObject({ status: 2, paymentStatus: 1 });
    }
    expect(await until(() => pending(hh.db) === 0)).toBe(true);
    expect(String(hh.docs(CARD_OPS, 'card:tx-S-1')[0].Комментарий)).toContain('СБП');
    const bad = await api.post('paycard', pay('S-1', 'tx-x', 1, 'cash'));
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { field: string }) => f.field)).toContain('method');
  });

  it('a partial bank transfer, then the rest by card: accepted, both reach 1C, the order is paid in full once', async () => {
    h = await harness();
    const hh = h;
    const api = apiOf(hh);
    const o = await booked(hh, 'P-1');
    const part = Math.floor(o.amount_kopecks / 3);
    const ts = new Date().toISOString();
    hh.db.transaction(() =>
      applyToOrder(hh.db, { bankPaymentId: -1, keyHash: 'p1-bank', orderId: 'P-1', amountKopecks: part, paidAt: ts, data: { purpose: `Оплата по заказу ${o.onec_number}`, documentNumber: '12', documentDate: ts.slice(0, 10) }, matchedBy: 'test', history: {} }, ts, false),
    )();
    expect(await until(() => pending(hh.db) === 0)).toBe(true);
    expect((await api.get('bookingstate?orderId=P-1')).body).toMatchObject({ status: 1, paymentStatus: 0, paid: part / 100 });

    // The whole amount again would charge the customer twice: refused, naming what is due.
    const whole = await api.post('paycard', pay('P-1', 'tx-p1-all', o.amount_kopecks / 100, 'sbp'));
    expect(whole.status).toBe(422);
    expect(whole.body.error.fields[0].message).toBe(`к оплате ${(o.amount_kopecks - part) / 100}`);
    const rest = await api.post('paycard', pay('P-1', 'tx-p1-rest', (o.amount_kopecks - part) / 100, 'sbp'));
    expect(rest.body).toMatchObject({ status: 2, paymentStatus: 1 });
    expect(await until(() => pending(hh.db) === 0)).toBe(true);

    expect(orderRow(hh, 'P-1').paid_kopecks).toBe(o.amount_kopecks);
    expect(hh.docs('Document_ПоступлениеБезналичныхДенежныхСредств', 'bank:p1-bank')[0]).toMatchObject({ Posted: true, СуммаДокумента: part / 100 });
    expect(hh.docs(CARD_OPS, 'card:tx-p1-rest')[0]).toMatchObject({ Posted: true, СуммаДокумента: (o.amount_kopecks - part) / 100 });
    expect(lastStatus(hh, o.onec_ref)).toMatchObject({ СтатусЗаказа: 2, СтатусОплаты: 1, СуммаОплаты: o.amount_kopecks / 100 });
    // Paid: a further payment is refused.
    expect((await api.post('paycard', pay('P-1', 'tx-p1-more', 1, 'card'))).status).toBe(409);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOMAIN_STATUS } from '../../src/api/errors.js';
import { PayCardBody } from '../../src/api/schemas/orders.js';
import { applyToOrder } from '../../src/bank/import/apply.js';
import { DomainError } from '../../src/orders/errors.js';
import { harness, type Harness } from './harness.js';
import { mirrorChanged } from '../helpers/mirror.js';

// Issue 13.4 (orders side). Worker not started: these are about what the write API accepts.
const errorOf = async (p: Promise<unknown>) => {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e, `expected a refusal, got ${String(e)}`).toBeInstanceOf(DomainError);
  return e as DomainError;
};
const statusOf = (e: DomainError) => DOMAIN_STATUS[e.kind];

describe('money rules of the write API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ start: false });
    await h.noWait.client({ clientId: 'MR-C', name: 'Деньги' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('after a partial bank payment, paycard accepts the rest (and refuses the full amount, naming what is due)', async () => {
    const b = await h.noWait.book(h.booking('MR-O1', 'MR-C'));
    const total = Math.round(b.body.amount * 100);
    const part = Math.floor(total / 3);
    const ts = new Date().toISOString();
    h.db.transaction(() => applyToOrder(h.db, { bankPaymentId: -1, keyHash: 'mr-bank-1', orderId: 'MR-O1', amountKopecks: part, paidAt: ts, data: {}, matchedBy: 'test', history: {} }, ts, false))();
    const full = await errorOf(h.noWait.payCard({ orderId: 'MR-O1', provider: 'ЮKassa', transactionId: 'mr-t1', amount: b.body.amount, paidAt: '2026-11-29T08:15:00+03:00' }));
    expect(statusOf(full)).toBe(422);
    expect(full.message).toContain(String((total - part) / 100));
    const rest = await h.noWait.payCard({ orderId: 'MR-O1', provider: 'ЮKassa', transactionId: 'mr-t2', amount: (total - part) / 100, paidAt: '2026-11-29T08:15:00+03:00' });
    expect(rest.body.status).toBe(2);
    expect(h.db.prepare(`SELECT paid_kopecks FROM orders WHERE id = 'MR-O1'`).pluck().get()).toBe(total);
  });

  it('an item priced 0 (or less) in the mirror is refused (422 naming the line), not booked as a free order', async () => {
    const item = h.items[0];
    const saved = h.db.prepare(`SELECT price_kind_id, price FROM catalog_prices WHERE item_id = ?`).all(item) as { price_kind_id: string; price: number }[];
    try {
      for (const price of [0, -5]) {
        h.db.prepare(`UPDATE catalog_prices SET price = ? WHERE item_id = ?`).run(price, item);
        mirrorChanged(h.db);
        const e = await errorOf(h.noWait.book(h.booking(`MR-O-price${price}`, 'MR-C')));
        expect(statusOf(e)).toBe(422);
        expect(e.fields.map((f) => f.field)).toContain('items.0.itemId');
      }
    } finally {
      for (const p of saved) h.db.prepare(`UPDATE catalog_prices SET price = ? WHERE item_id = ? AND price_kind_id = ?`).run(p.price, item, p.price_kind_id);
      mirrorChanged(h.db);
    }
  });

  it('quantities are rounded to the unit\'s precision (1C keeps 3 digits): 2.0000004 of a piece item is 2', async () => {
    const input = h.booking('MR-O-q', 'MR-C', 2);
    input.items[0].quantity = 2.0000004;
    await h.noWait.book(input);
    expect(h.db.prepare(`SELECT quantity FROM order_lines WHERE order_id = 'MR-O-q' AND line_no = 1`).pluck().get()).toBe(2);
    // a quantity that is 0 at 1C's precision is refused
    const tiny = h.booking('MR-O-q0', 'MR-C');
    tiny.items[0].quantity = 0.0001;
    const e = await errorOf(h.noWait.book(tiny));
    expect(e.fields.map((f) => f.field)).toContain('items.0.quantity');
  });

  it('an absurd quantity of an item sold to order is refused (no 2.7-trillion order)', async () => {
    const item = h.items[0];
    h.db.prepare(`UPDATE catalog_items SET sold_to_order = 1 WHERE id = ?`).run(item);
    mirrorChanged(h.db);
    try {
      const input = h.booking('MR-O-big', 'MR-C');
      input.items[0].quantity = 1e9;
      const e = await errorOf(h.noWait.book(input));
      expect(statusOf(e)).toBe(422);
      expect(e.fields.map((f) => f.field)).toContain('items.0.quantity');
      expect(h.db.prepare(`SELECT COUNT(*) FROM orders WHERE id = 'MR-O-big'`).pluck().get()).toBe(0);
    } finally {
      h.db.prepare(`UPDATE catalog_items SET sold_to_order = 0 WHERE id = ?`).run(item);
      mirrorChanged(h.db);
    }
  });

  it('paidAt outside a sane range (year 0000, 9999, a day ahead) is a 400 naming paidAt', async () => {
    const base = { orderId: 'X', provider: 'ЮKassa', transactionId: 't', amount: 1 };
    for (const paidAt of ['0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '1999-12-31T00:00:00Z']) {
      const r = PayCardBody.safeParse({ ...base, paidAt });
      expect(r.success, paidAt).toBe(false);
      expect(r.error!.issues.map((i) => i.path.join('.'))).toContain('paidAt');
    }
    expect(PayCardBody.safeParse({ ...base, paidAt: '2026-11-29T08:15:00+03:00' }).success).toBe(true);
    const b = await h.noWait.book(h.booking('MR-O-fut', 'MR-C'));
    const ahead = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const e = await errorOf(h.noWait.payCard({ orderId: 'MR-O-fut', provider: 'ЮKassa', transactionId: 'mr-fut', amount: b.body.amount, paidAt: ahead }));
    expect(statusOf(e)).toBe(400);
    expect(e.fields.map((f) => f.field)).toEqual(['paidAt']);
  });
});

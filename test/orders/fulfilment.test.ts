import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shipmentRead } from '../../src/onec/profiles/ut11.js';
import { harness, pending, until, type Harness } from './harness.js';

/**
 * Fulfilment from 1C (issue 14.3): the reconciliation job reads the posted shipments (РеализацияТоваровУслуг) that
 * name an order, and bookingstate says what was shipped of each line — not shipped, partly, shipped, or closed
 * after a partial shipment — with a history event (and webhook) for each change. The profile's shipment read is
 * given here as the extension will publish it (ut11 shipmentRead; not among the reads until the extension adopts
 * the document).
 */
let h: Harness | undefined;
afterEach(async () => {
  if (h) delete (h.delivery.ctx.profile.reads as Record<string, unknown>).shipment;
  await h?.close();
  h = undefined;
});

const SALES = 'Document_РеализацияТоваровУслуг';
const ORDER_TYPE = 'StandardODATA.Document_ЗаказКлиента';

async function shippingHarness() {
  const hh = await harness();
  (hh.delivery.ctx.profile.reads as Record<string, unknown>).shipment = shipmentRead();
  return hh;
}

async function booked(hh: Harness, id: string) {
  await hh.orders.client({ clientId: 'C-1', name: 'Иванов Иван' });
  await hh.orders.book(hh.booking(id, 'C-1', 3)); // items[0] × 3, items[1] × 2
  expect(await until(() => pending(hh.db) === 0)).toBe(true);
  return hh.db.prepare(`SELECT * FROM orders WHERE id = ?`).get(id) as Record<string, any>;
}

/** A sale in 1C for the order, as a storekeeper makes it: the header and each line name the order. */
function ship(hh: Harness, orderRef: string, lines: [string, number][], opts: { posted?: boolean; headerOnly?: boolean } = {}) {
  const doc = hh.em.store.insert(SALES, {
    Date: new Date().toISOString().slice(0, 19),
    ЗаказКлиента: orderRef,
    ЗаказКлиента_Type: ORDER_TYPE,
    Товары: lines.map(([item, q], i) => ({ LineNumber: i + 1, Номенклатура_Key: item, Количество: q, ...(opts.headerOnly ? {} : { ЗаказКлиента: orderRef, ЗаказКлиента_Type: ORDER_TYPE }) })),
  });
  if (opts.posted !== false) hh.em.store.post(SALES, String(doc.Ref_Key));
  return doc;
}

const stateOf = (hh: Harness, id: string) => hh.orders.state(id).fulfilment;
const events = (hh: Harness, id: string) => hh.db.prepare(`SELECT event FROM order_history WHERE order_id = ? AND event LIKE 'fulfilment.%' ORDER BY id`).pluck().all(id);

describe('fulfilment from 1C', () => {
  it('a partial shipment, then the rest: partial → shipped with quantities per line, an event each; unposted sales do not count', async () => {
    h = await shippingHarness();
    const hh = h;
    const [a, b] = hh.items;
    const o = await booked(hh, 'F-1');
    expect(stateOf(hh, 'F-1')).toEqual({ state: 'none', stateName: 'не отгружен', lines: [{ itemId: a, quantity: 3, shipped: 0 }, { itemId: b, quantity: 2, shipped: 0 }] });

    ship(hh, o.onec_ref, [[a, 2]]);
    ship(hh, o.onec_ref, [[b, 2]], { posted: false }); // a draft: not shipped
    const first = await hh.delivery.fulfil();
    expect(first.changed).toEqual(['F-1']);
    expect(stateOf(hh, 'F-1')).toMatchObject({ state: 'partial', stateName: 'отгружен частично', lines: [{ itemId: a, shipped: 2 }, { itemId: b, shipped: 0 }] });
    expect((await hh.delivery.fulfil()).changed).toEqual([]); // nothing new: no second event

    ship(hh, o.onec_ref, [[a, 1], [b, 2]], { headerOnly: true }); // the order named in the header only
    expect((await hh.delivery.fulfil()).changed).toEqual(['F-1']);
    expect(stateOf(hh, 'F-1')).toMatchObject({ state: 'shipped', lines: [{ shipped: 3 }, { shipped: 2 }] });
    expect(events(hh, 'F-1')).toEqual(['fulfilment.partial', 'fulfilment.shipped']);
    // The status stays what payment made it; a shipped order is not read again.
    expect(hh.orders.state('F-1').status).toBe(1);
    expect((await hh.delivery.fulfil()).checked).toBe(0);
  });

  it('closed in 1C after a partial shipment → closed; without a shipment read nothing is read', async () => {
    h = await shippingHarness();
    const hh = h;
    const [a] = hh.items;
    const o = await booked(hh, 'F-2');
    ship(hh, o.onec_ref, [[a, 1]]);
    hh.em.store.update('Document_ЗаказКлиента', o.onec_ref, { Статус: 'Закрыт' });
    expect((await hh.delivery.fulfil()).changed).toEqual(['F-2']);
    expect(stateOf(hh, 'F-2')).toMatchObject({ state: 'closed', stateName: 'закрыт' });
    expect(events(hh, 'F-2')).toEqual(['fulfilment.closed']);

    delete (hh.delivery.ctx.profile.reads as Record<string, unknown>).shipment;
    const o3 = await booked(hh, 'F-3');
    ship(hh, o3.onec_ref, [[a, 3]]);
    expect(await hh.delivery.fulfil()).toEqual({ checked: 0, changed: [], requests: 0 });
    expect([...hh.em.store.ignored]).toEqual([]);
  });
});


describe('goods returns (issue 14.4)', () => {
  it('a refund by lines of shipped goods is a goods return against the sale, listed for the accountant until marked made', async () => {
    const { openGoodsReturns, markGoodsReturnDone } = await import('../../src/orders/goods-returns.js');
    h = await shippingHarness();
    const hh = h;
    const [a, b] = hh.items;
    const o = await booked(hh, 'G-1'); // a × 3, b × 2
    await hh.orders.payCard({ orderId: 'G-1', provider: 'ЮKassa', transactionId: 'tx-G1', amount: o.amount_kopecks / 100, paidAt: new Date().toISOString() });
    expect(await until(() => pending(hh.db) === 0)).toBe(true);
    const sale = ship(hh, o.onec_ref, [[a, 2]]);
    await hh.delivery.fulfil();

    // a × 3 back: two had been shipped (a goods return of 2), one never left; b was not shipped: money only.
    await hh.orders.refund({ orderId: 'G-1', refundId: 'r1', items: [{ itemId: a, quantity: 3 }] });
    await hh.orders.refund({ orderId: 'G-1', refundId: 'r2', items: [{ itemId: b, quantity: 1 }] });
    const saleNumber = String(hh.em.store.get(SALES, String(sale.Ref_Key))!.Number);
    expect(saleNumber).not.toBe('');
    expect(hh.orders.state('G-1').goodsReturns).toEqual([{ refundId: 'r1', state: 'to_prepare', lines: [{ itemId: a, quantity: 2 }], sales: [saleNumber] }]);
    const history = hh.db.prepare(`SELECT detail FROM order_history WHERE order_id = 'G-1' AND event LIKE 'refund%' ORDER BY id`).pluck().all() as string[];
    expect(JSON.parse(history[0]).goodsReturn).toEqual([{ itemId: a, quantity: 2 }]);
    expect(JSON.parse(history[1]).goodsReturn).toBeUndefined();

    const open = openGoodsReturns(hh.db);
    expect(open.map((r) => [r.orderId, r.refundId, r.sales])).toEqual([['G-1', 'r1', [saleNumber]]]);
    expect(open[0].orderNumber).toBe(o.onec_number ?? hh.db.prepare(`SELECT onec_number FROM orders WHERE id = 'G-1'`).pluck().get());
    expect(() => markGoodsReturnDone(hh.db, 'G-1', 'r2', new Date())).toThrow(/не найден/); // r2 returned no goods
    // The accountant's commands, on a copy of this database as a file (the daemon's database is one).
    const dir = mkdtempSync(join(tmpdir(), 'regate-returns-'));
    try {
      const file = join(dir, 'regate.sqlite');
      writeFileSync(file, hh.db.serialize());
      const cli = (...args: string[]) =>
        spawnSync(process.execPath, [join(__dirname, '../../bin/regate.mjs'), 'orders', 'returns', ...args], { encoding: 'utf8', env: { ...process.env, REGATE_DATABASE_PATH: file } });
      const list = cli();
      expect(list.status, list.stderr).toBe(0);
      expect(list.stdout).toContain('Заказ G-1');
      expect(list.stdout).toContain(`на основании реализации: ${saleNumber}`);
      expect(list.stdout).toMatch(/: 2\n/);
      const wrong = cli('done', 'G-1', 'r2');
      expect(wrong.status).toBe(1);
      expect(wrong.stderr).toContain('нет возврата отгруженного товара с refundId r2');
      expect(cli('done', 'G-1', 'r1').stdout).toContain('отмечен оформленным');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(markGoodsReturnDone(hh.db, 'G-1', 'r1', new Date())).toEqual({ changed: true });
    expect(markGoodsReturnDone(hh.db, 'G-1', 'r1', new Date())).toEqual({ changed: false });
    expect(openGoodsReturns(hh.db)).toEqual([]);
    expect(hh.orders.state('G-1').goodsReturns[0].state).toBe('done');
  });
});

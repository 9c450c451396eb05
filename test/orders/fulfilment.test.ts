import { afterEach, describe, expect, it } from 'vitest';
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


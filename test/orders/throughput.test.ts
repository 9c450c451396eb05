import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDERS, harness, pending, until, type Harness } from './harness.js';

/**
 * Delivery against its bound. With 1C answering every request in L ms and S sessions, no client can deliver more
 * than S·1000/(L·R) bookings/s, R the requests a booking needs (measured here, not assumed). What the worker must do
 * to approach it is behaviour, asserted here: hold all S sessions at once (a worker serialising deliveries holds one)
 * and send no more than R requests per booking. The rate itself is speed, measured by `npm run bench` (booking) with
 * a same-run baseline and only printed here: as an assertion (≥ 40 % of the bound) it failed on a loaded host (7.58
 * of 7.93/s at load 14) while the worker did nothing wrong.
 */
let h: Harness;
const L = 50;
beforeAll(async () => {
  h = await harness({ config: { outbox: { confirmWindowMs: 0, backoffBaseMs: 20, backoffMaxMs: 200, leaseMs: 20_000, maxAttempts: 100 } } });
});
afterAll(async () => {
  await h?.close();
});

describe('delivery throughput', () => {
  it('keeps the 1C sessions busy: ≥ 40% of the sessions/latency bound; local acceptance is not bound by 1C', async () => {
    const clients = ['T-1', 'T-2', 'T-3', 'T-4'];
    // 81 orders of the same two items are more than their stock, and bookings are checked against what is left to
    // promise (issue 14.1): this test measures delivery, so the mirror is given stock enough.
    h.stockUp();
    for (const c of clients) await h.orders.client({ clientId: c, name: c });
    expect(await until(() => pending(h.db) === 0)).toBe(true);
    // Fast 1C: the 201 path (number within the window) for a single booking, end to end.
    const { OrdersService } = await import('../../src/orders/service.js');
    const { CatalogService } = await import('../../src/catalog/service.js');
    const waiting = new OrdersService(h.db, new CatalogService(h.db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' }), { confirmWindowMs: 3000, maxDepth: 100_000 });
    const t = Date.now();
    const one = await waiting.book(h.booking('T-FIRST', 'T-1', 1));
    const firstMs = Date.now() - t;
    expect(one.status).toBe(201);

    await h.em.faults.set({ latencyMs: L });
    await h.worker.stop(1000); // queue first, then measure the drain alone
    const n = 80;
    const t0 = Date.now();
    for (let i = 0; i < n; i++) await h.orders.book(h.booking(`T-${i}`, clients[i % clients.length], 1));
    const acceptMs = Date.now() - t0;
    const before = h.onec.stats.total;
    h.onec.stats.peakActive = 0;
    const { OutboxWorker } = await import('../../src/outbox/index.js');
    const { registerDelivery } = await import('../../src/orders/delivery/index.js');
    const { silentLogger } = await import('../../src/log.js');
    const worker = new OutboxWorker(h.db, { policy: h.config.outbox, concurrency: h.config.onec.sessions, pollMs: 50 });
    registerDelivery({ db: h.db, onec: h.onec, config: h.config, logger: silentLogger, worker }, { schedules: false });
    const t1 = Date.now();
    worker.start();
    expect(await until(() => pending(h.db) === 0, 60_000)).toBe(true);
    const ms = Date.now() - t1;
    await worker.stop(1000);
    const perBooking = (h.onec.stats.total - before) / n;
    const bound = (h.config.onec.sessions * 1000) / (L * perBooking);
    const rate = (n * 1000) / ms;
    console.log(
      `[throughput] first booking 201 in ${firstMs} ms (fast 1C); accepted ${n} locally in ${acceptMs} ms (${Math.round((n * 1000) / acceptMs)}/s); ` +
        `delivered at ${rate.toFixed(1)}/s with ${perBooking.toFixed(2)} requests/booking, latency ${L} ms, ${h.config.onec.sessions} sessions → bound ${bound.toFixed(1)}/s (${Math.round((100 * rate) / bound)}%)`,
    );
    expect(perBooking).toBeLessThanOrEqual(4.1); // find, create, post, status record; the client and references once
    // Every 1C session in use at once while the queue drained (1 if deliveries were serialised).
    expect(h.onec.stats.peakActive).toBe(h.config.onec.sessions);
    expect(new Set(h.em.store.list(ORDERS).map((d) => d.ReGate_ВнешнийИдентификатор).filter((x) => String(x).startsWith('T-'))).size).toBe(n + 1);
  }, 60_000);
});

import { afterEach, describe, expect, it } from 'vitest';
import { enqueue, getJob, listJobs } from '../../src/outbox/index.js';
import { ORDERS, harness, pending, until, type Harness } from '../orders/harness.js';

/**
 * Exactly once under 1C's failures: 1C down while bookings arrive (all accepted, all delivered once after it comes
 * back), and 1C applying writes but losing the answers (the handler's look-up by external id finds the first
 * document instead of creating a second).
 */
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The reliability suite's common line: sent, acknowledged (2xx), found in 1C, duplicates, lost. */
function counts(name: string, h: Harness, ids: string[], acknowledged: number) {
  const found = ids.filter((id) => h.docs(ORDERS, id).length > 0).length;
  const duplicates = ids.filter((id) => h.docs(ORDERS, id).length > 1).length;
  console.log(`[reliability:${name}] sent ${ids.length}, acknowledged ${acknowledged}, found in 1C ${found}, duplicates ${duplicates}, lost ${acknowledged - found}`);
}

function exactlyOnce(h: Harness, ids: string[]) {
  const counts = ids.map((id) => h.docs(ORDERS, id).length);
  return {
    missing: counts.filter((c) => c === 0).length,
    duplicates: counts.filter((c) => c > 1).length,
    unposted: ids.filter((id) => h.docs(ORDERS, id).some((d) => d.Posted !== true)).length,
    withoutNumber: (h.db.prepare(`SELECT COUNT(*) FROM orders WHERE onec_number IS NULL`).pluck().get() as number),
  };
}

describe('delivery under faults', () => {
  it('1C down while 200 bookings arrive: all accepted (202, status 0); after it is up all are in 1C exactly once', async () => {
    h = await harness({ config: { outbox: { backoffBaseMs: 20, backoffMaxMs: 250, confirmWindowMs: 30, maxAttempts: 1000, leaseMs: 20_000 } } });
    h.stockUp(); // 200 orders of two items: more than their stock (bookings are checked against it, issue 14.1)
    const clients = ['D-1', 'D-2', 'D-3', 'D-4', 'D-5'];
    // The window is 30 ms here (so 200 bookings answer quickly while 1C is down): clients may answer 202 on a busy box.
    for (const c of clients) expect([201, 202]).toContain((await h.orders.client({ clientId: c, name: `Клиент ${c}` })).status);
    expect(await until(() => pending(h!.db) === 0)).toBe(true);
    await h.em.faults.down();
    const ids = Array.from({ length: 200 }, (_, i) => `DOWN-${i}`);
    const t0 = Date.now();
    const answers = await Promise.all(ids.map((id, i) => h!.orders.book(h!.booking(id, clients[i % clients.length], 1 + (i % 3)))));
    const acceptMs = Date.now() - t0;
    expect(answers.map((a) => a.status)).toEqual(ids.map(() => 202));
    expect(answers.every((a) => a.body.status === 0 && a.body.number === null)).toBe(true);
    expect(h.em.store.count(ORDERS)).toBe(h.em.store.list(ORDERS).filter((d) => !String(d.ReGate_ВнешнийИдентификатор ?? '').startsWith('DOWN-')).length);
    await new Promise((r) => setTimeout(r, 300)); // a few failed attempts while down
    const retried = h.events.filter((e) => e.type === 'retry').length;
    expect(retried).toBeGreaterThan(0);
    expect(h.events.filter((e) => e.type === 'dead')).toEqual([]);
    await h.em.faults.up();
    const t1 = Date.now();
    expect(await until(() => pending(h!.db) === 0, 60_000)).toBe(true);
    const deliverMs = Date.now() - t1;
    expect(exactlyOnce(h, ids)).toEqual({ missing: 0, duplicates: 0, unposted: 0, withoutNumber: 0 });
    expect(h.db.prepare(`SELECT COUNT(*) FROM orders WHERE status = 1`).pluck().get()).toBe(200);
    counts('1C outage', h, ids, answers.filter((a) => a.status === 202 || a.status === 201).length);
    console.log(`[down] 200 bookings accepted in ${acceptMs} ms (${Math.round(200_000 / acceptMs)}/s, window ${h.config.outbox.confirmWindowMs} ms); ${retried} retries while down; delivered in ${deliverMs} ms after up (${Math.round(200_000 / deliverMs)}/s, ${h.config.onec.sessions} sessions)`);
  }, 90_000);

  it('a booking that used up its attempts while 1C was down is revived once 1C is back (other dead letters stay dead)', async () => {
    h = await harness({ config: { outbox: { backoffBaseMs: 10, backoffMaxMs: 30, confirmWindowMs: 0, maxAttempts: 3, leaseMs: 20_000 } } });
    await h.orders.client({ clientId: 'RV-1', name: 'Клиент' });
    expect(await until(() => pending(h!.db) === 0)).toBe(true);
    await h.em.faults.down();
    await h.orders.book(h.booking('RV-O1', 'RV-1', 1));
    const other = enqueue(h.db, { kind: 'booking.create', key: 'order:RV-NONE', payload: { orderId: 'RV-NONE' } });
    const job = listJobs(h.db).find((j) => j.key === 'order:RV-O1')!;
    expect(await until(() => getJob(h!.db, job.id)!.state === 'dead' && getJob(h!.db, other.id)!.state === 'dead')).toBe(true);
    expect(getJob(h.db, job.id)!.lastError).toMatch(/^gave up after 3 attempts: \[1C unavailable\]/);
    expect(await h.delivery.revive()).toEqual([]); // still down: fresh attempts would die the same way
    await h.em.faults.up();
    expect(await h.delivery.revive()).toEqual([job.id]);
    expect(await until(() => getJob(h!.db, job.id)!.state === 'done')).toBe(true);
    expect(h.docs(ORDERS, 'RV-O1')).toHaveLength(1);
    expect(getJob(h.db, other.id)!.state).toBe('dead'); // died of something else: the administrator's
  });

  it('20% of answers lost (writes applied): no duplicate documents, partners or payments; everything delivered and posted', async () => {
    h = await harness({ faults: { lostResponseRate: 0.2, seed: 7 }, config: { outbox: { backoffBaseMs: 10, backoffMaxMs: 100, confirmWindowMs: 0, maxAttempts: 1000, leaseMs: 20_000 } } });
    h.stockUp(); // 60 orders of two items: more than their stock (bookings are checked against it, issue 14.1)
    const clients = Array.from({ length: 10 }, (_, i) => `L-${i}`);
    for (const c of clients) await h.orders.client({ clientId: c, name: `Клиент ${c}`, inn: undefined });
    const ids = Array.from({ length: 60 }, (_, i) => `LOST-${i}`);
    for (const [i, id] of ids.entries()) await h.orders.book(h.booking(id, clients[i % clients.length], 1));
    expect(await until(() => pending(h!.db) === 0, 60_000)).toBe(true);
    // Card payments for half of them, through the same lossy 1C.
    for (const id of ids.slice(0, 30)) {
      const o = h.db.prepare(`SELECT amount_kopecks FROM orders WHERE id = ?`).get(id) as { amount_kopecks: number };
      await h.orders.payCard({ orderId: id, provider: 'ЮKassa', transactionId: `tx-${id}`, amount: o.amount_kopecks / 100, paidAt: '2026-11-29T08:15:00+03:00' });
    }
    expect(await until(() => pending(h!.db) === 0, 60_000)).toBe(true);
    const lost = h.em.faults.config.lostResponseRate;
    expect(lost).toBe(0.2);
    const retries = h.events.filter((e) => e.type === 'retry').length;
    expect(retries).toBeGreaterThan(5); // the faults really hit the deliveries
    expect(h.events.filter((e) => e.type === 'dead')).toEqual([]);
    expect(exactlyOnce(h, ids)).toEqual({ missing: 0, duplicates: 0, unposted: 0, withoutNumber: 0 });
    for (const c of clients) {
      expect(h.docs('Catalog_Партнеры', c)).toHaveLength(1);
      expect(h.docs('Catalog_Контрагенты', c)).toHaveLength(1);
    }
    for (const id of ids.slice(0, 30)) {
      const docs = h.docs('Document_ОперацияПоПлатежнойКарте', `card:tx-${id}`);
      expect(docs).toHaveLength(1);
      expect(docs[0].Posted).toBe(true);
    }
    const cardRecords = h.em.store.list('InformationRegister_ReGate_ОплатыКартами').filter((r) => String(r.ИдентификаторТранзакции).startsWith('tx-LOST-'));
    expect(cardRecords).toHaveLength(30);
    console.log(`[lost 20%] 60 bookings + 30 card payments: ${retries} retried attempts, 0 duplicates`);
    counts('flaky 1C, 20% lost responses', h, ids, ids.length);
  }, 90_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from './harness.js';

// Reconciliation runs every 5 minutes over a table that keeps every order ever taken. Its read of the open orders
// must use the partial index orders_open (status IN (0, 1)); `status = ?` with a bound parameter cannot (SQLite
// only uses a partial index when the query's WHERE implies the index's at prepare time), so it scanned the whole
// table, synchronously, on the daemon's one thread.
describe('reconcile reads open orders through an index', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ start: false });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('no SCAN of orders in any statement reconcile prepares', async () => {
    const seen: string[] = [];
    const prepare = h.db.prepare;
    h.db.prepare = function (this: typeof h.db, sql: string) {
      seen.push(sql);
      return prepare.call(this, sql);
    } as typeof h.db.prepare;
    try {
      await h.delivery.reconcile();
    } finally {
      h.db.prepare = prepare;
    }
    const onOrders = seen.filter((s) => /\bFROM orders\b/i.test(s));
    expect(onOrders.length).toBeGreaterThan(0);
    for (const sql of onOrders) {
      const params = (sql.match(/\?/g) ?? []).map(() => 1);
      const plan = (h.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');
      expect(plan, sql).not.toMatch(/SCAN orders\b/);
    }
  });
});

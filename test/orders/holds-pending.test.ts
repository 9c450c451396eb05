import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/open.js';
import { heldByOrders, promisedStock } from '../../src/orders/promise.js';

// What our orders not yet reserved in 1C hold is kept summed per warehouse and item (migration 029_z21,
// order_holds_pending) by triggers on order_holds, so a booking's check reads one key instead of a range as long as the
// item's orders waiting for 1C. The sum must equal the holds' own after any sequence of what ReGate does to orders:
// lines written (a booking, a change of lines), lines removed, an order reserved in 1C or not any more, expired or
// cancelled, or open again.
const dir = mkdtempSync(join(tmpdir(), 'regate-holds-pending-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STORES = ['s1', 's2'];
const ITEMS = ['i1', 'i2', 'i3'];

type Op =
  | { kind: 'book'; order: number; store: number; lines: { item: number; quantity: number }[] }
  | { kind: 'relines'; order: number; lines: { item: number; quantity: number }[] }
  | { kind: 'status'; order: number; status: number }
  | { kind: 'reserved'; order: number; at: string | null };

const quantity = fc.integer({ min: 1, max: 100_000 }).map((n) => n / 1000); // Number(15,3): 0.001 … 100
const lines = fc.array(fc.record({ item: fc.integer({ min: 0, max: ITEMS.length - 1 }), quantity }), { minLength: 1, maxLength: 3 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('book' as const), order: fc.integer({ min: 0, max: 9 }), store: fc.integer({ min: 0, max: STORES.length - 1 }), lines }),
  fc.record({ kind: fc.constant('relines' as const), order: fc.integer({ min: 0, max: 9 }), lines }),
  fc.record({ kind: fc.constant('status' as const), order: fc.integer({ min: 0, max: 9 }), status: fc.constantFrom(0, 1, 2, 5, 6) }),
  fc.record({ kind: fc.constant('reserved' as const), order: fc.integer({ min: 0, max: 9 }), at: fc.constantFrom(null, '2026-12-05T08:00:00.000Z') }),
);

function apply(db: Db, o: Op): void {
  const id = `o${o.order}`;
  const exists = db.prepare(`SELECT 1 FROM orders WHERE id = ?`).get(id);
  const writeLines = (ls: { item: number; quantity: number }[]) => {
    db.prepare(`DELETE FROM order_lines WHERE order_id = ?`).run(id);
    ls.forEach((l, n) =>
      db.prepare(`INSERT INTO order_lines (order_id, line_no, item_id, quantity, price_kopecks, amount_kopecks) VALUES (?, ?, ?, ?, 100, 100)`).run(id, n + 1, ITEMS[l.item], l.quantity),
    );
  };
  if (o.kind === 'book') {
    if (exists) return;
    db.prepare(`INSERT INTO orders (id, request_hash, client_id, store_id, delivery_address, amount_kopecks, created_at, updated_at) VALUES (?, 'h', 'c1', ?, 'a', 100, '', '')`).run(id, STORES[o.store]);
    writeLines(o.lines);
  } else if (!exists) return;
  else if (o.kind === 'relines') writeLines(o.lines);
  else if (o.kind === 'status') db.prepare(`UPDATE orders SET status = ? WHERE id = ?`).run(o.status, id);
  else db.prepare(`UPDATE orders SET reserved_at = ? WHERE id = ?`).run(o.at, id);
}

/** The kept sums (zero ones left out) and the same summed from the holds themselves, both in thousandths. */
function sums(db: Db) {
  const kept = db.prepare(`SELECT store_id || '/' || item_id AS k, milli FROM order_holds_pending WHERE milli <> 0 ORDER BY k`).all();
  const direct = db
    .prepare(
      `SELECT store_id || '/' || item_id AS k, sum(CAST(round(quantity * 1000) AS INTEGER)) AS milli FROM order_holds
        WHERE open = 1 AND reserved_at IS NULL GROUP BY store_id, item_id HAVING milli <> 0 ORDER BY k`,
    )
    .all();
  return { kept, direct };
}

describe('order_holds_pending', () => {
  it('equals the open holds not reserved in 1C after any sequence of bookings, changes of lines, statuses and reservations', () => {
    let n = 0;
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const db = openDb(join(dir, `p${n++}.sqlite`));
        try {
          db.prepare(`INSERT INTO clients (id, name, created_at, updated_at) VALUES ('c1', 'Клиент', '', '')`).run();
          for (const o of ops) {
            apply(db, o);
            const { kept, direct } = sums(db);
            expect(kept).toEqual(direct);
          }
        } finally {
          db.close();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('the migration sums the holds already there, and the booking check and the assortment read them through it', () => {
    const path = join(dir, 'migrated.sqlite');
    let db = openDb(path);
    db.prepare(`INSERT INTO clients (id, name, created_at, updated_at) VALUES ('c1', 'Клиент', '', '')`).run();
    db.prepare(`INSERT INTO catalog_items (id, name, min_quantity, multiplicity, tier1_threshold, tier2_threshold, hash, changed_at) VALUES ('i1', 'Товар', 1, 1, 0, 0, '', '')`).run();
    db.prepare(`INSERT INTO catalog_stock (store_id, item_id, quantity) VALUES ('s1', 'i1', 10)`).run();
    for (const [k, q] of [[1, 1.5], [2, 2.25], [3, 0.125]] as const) apply(db, { kind: 'book', order: k, store: 0, lines: [{ item: 0, quantity: q }] });
    apply(db, { kind: 'reserved', order: 3, at: '2026-12-05T08:00:00.000Z' }); // reserved in 1C after the stock read
    // A base from before the migration: no sums kept.
    db.exec(`DROP TRIGGER order_holds_pending_added; DROP TRIGGER order_holds_pending_removed; DROP TRIGGER order_holds_pending_changed; DROP TABLE order_holds_pending;
             DELETE FROM schema_migrations WHERE name = '029_z21_order_holds_pending.sql'`);
    db.close();
    db = openDb(path);
    try {
      expect(db.prepare(`SELECT milli FROM order_holds_pending WHERE store_id = 's1' AND item_id = 'i1'`).pluck().get()).toBe(3750);
      // 10 in the mirror as read at 07:00; orders 1 and 2 wait for 1C, order 3 was reserved at 08:00, after the read.
      db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('mirror.stockReadAt', '2026-12-05T07:00:00.000Z')`).run();
      expect(promisedStock(db, 's1', ['i1']).get('i1')).toEqual({ stock: 10, held: 3.875, available: 6.125 });
      // The assortment's figure for the warehouse reads the same sums.
      expect(heldByOrders(db, 's1')).toEqual(new Map([['i1', 3.875]]));
      // Read after the reservation: order 3 is in the mirror's figure, not held again.
      db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('mirror.stockReadAt', '2026-12-05T09:00:00.000Z')`).run();
      expect(promisedStock(db, 's1', ['i1']).get('i1')).toEqual({ stock: 10, held: 3.75, available: 6.25 });
      expect(heldByOrders(db, 's1')).toEqual(new Map([['i1', 3.75]]));
    } finally {
      db.close();
    }
  });
});

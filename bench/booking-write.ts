/**
 * The booking thread's write alone (src/orders/booking-write.ts writeBooking), through a GroupCommit as the booking
 * thread runs it (src/workers/booking-writer.ts): batches of 100 bookings of 3 lines each on a file with
 * synchronous=FULL and the temporary store in memory. CPU per booking (user + system), in interleaved rounds, with a
 * savepoint for every booking ('always') and without one unless a write fails half-way ('on-failure',
 * src/db/group-commit.ts), with order ids that come in order (a shop's numbers) and random ones (UUIDs). The
 * temporary store in memory against files (~80 pages per booking's savepoint to /var/tmp) was measured here on
 * 2026-12-04: 0.34-0.39 → 0.26-0.27 ms.
 *
 *   npx tsx bench/booking-write.ts [rounds=3] [bookings=20000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { GroupCommit } from '../src/db/group-commit.js';
import { openDb } from '../src/db/open.js';
import { writeBooking, type BookingRecord } from '../src/orders/booking-write.js';

const rounds = Number(process.argv[2] ?? 3);
const n = Number(process.argv[3] ?? 20_000);
const dir = mkdtempSync(join(tmpdir(), 'regate-booking-write-'));

async function run(savepoints: 'always' | 'on-failure', ids: 'random' | 'sequential', round: number): Promise<{ ms: number; pages: number }> {
  const db = openDb(join(dir, `${savepoints}-${ids}-${round}.sqlite`));
  db.pragma('temp_store = MEMORY');
  // As the booking thread's connection: the WAL is copied back by a checkpoint of its own (src/workers/checkpoint.ts),
  // here every 10 batches on this connection, which also counts the pages the bookings wrote to the WAL (one
  // connection and no reader: the WAL starts again from its beginning after each).
  db.pragma('wal_autocheckpoint = 0');
  let pages = 0;
  const checkpoint = () => (pages += (db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0].log);
  const writes = new GroupCommit(db, 100, undefined, savepoints);
  db.prepare(`INSERT INTO catalog_stores (id, name, city, address) VALUES ('s1', 'Склад', 'Город', 'Адрес')`).run();
  // 5,000 items with stock enough for every booking: each booking's 3 lines land on scattered items, as a burst's do.
  const items = Array.from({ length: 5000 }, () => randomUUID());
  const item = db.prepare(`INSERT INTO catalog_items (id, name, min_quantity, multiplicity, tier1_threshold, tier2_threshold, hash, changed_at) VALUES (?, ?, 0, 0, 0, 0, '', '')`);
  const stock = db.prepare(`INSERT INTO catalog_stock (store_id, item_id, quantity) VALUES ('s1', ?, 1e9)`);
  db.transaction(() => items.forEach((id) => (item.run(id, id), stock.run(id))))();
  db.prepare(`INSERT INTO clients (id, name, created_at, updated_at) VALUES ('c1', 'Клиент', '', '')`).run();
  const records: BookingRecord[] = Array.from({ length: n }, (_, k) => ({
    // A shop's own numbers come in order, and every table and index keyed by the order id takes them at its end; UUIDs
    // land anywhere, and each booking dirties pages of its own there (0.24 against 0.12 ms a booking, 2026-12-05).
    orderId: ids === 'random' ? randomUUID() : `o${String(k).padStart(9, '0')}`,
    idempotencyKey: null,
    requestHash: `h${k}`,
    clientId: 'c1',
    store: 's1',
    deliveryAddress: 'Адрес',
    comment: '',
    amountKopecks: 300,
    at: new Date().toISOString(),
    lines: [0, 1, 2].map((j) => ({ lineNo: j + 1, itemId: items[(k * 7 + j * 1013) % items.length], quantity: 1, priceKopecks: 100, priceKindId: 'pk', amountKopecks: 100 })),
    webhooks: false,
  }));
  const cpu = process.cpuUsage();
  for (let i = 0; i < n; i += 100) {
    await Promise.all(records.slice(i, i + 100).map((r) => writes.run(() => writeBooking(db, r))));
    if ((i / 100) % 10 === 9) checkpoint();
  }
  checkpoint();
  const used = process.cpuUsage(cpu);
  db.close();
  return { ms: (used.user + used.system) / 1000 / n, pages: pages / n };
}

try {
  for (let round = 1; round <= rounds; round++) {
    const out: string[] = [];
    for (const ids of ['sequential', 'random'] as const) {
      const always = await run('always', ids, round);
      const onFailure = await run('on-failure', ids, round);
      out.push(`${ids} order ids ${always.ms.toFixed(3)} → ${onFailure.ms.toFixed(3)} ms (WAL pages ${always.pages.toFixed(2)} → ${onFailure.pages.toFixed(2)})`);
    }
    console.log(`round ${round}: per booking, a savepoint each → savepoints on failure only: ${out.join('; ')} (load ${loadavg()[0].toFixed(2)})`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * The booking thread's write alone (src/orders/booking-write.ts writeBooking), in transactions of 100 bookings of 3
 * lines each on a file with synchronous=FULL, as the booking thread runs it: CPU per booking (user + system) with the
 * connection's temporary store in memory (the booking thread's setting) and in files (SQLite's default here), in
 * interleaved rounds. Why it matters: a booking is a savepoint, and a savepoint's sub-journal goes to a temporary
 * file past 64 KiB, so with files every booking wrote ~80 pages to /var/tmp (strace, 2026-12-04).
 *
 *   npx tsx bench/booking-write.ts [rounds=3] [bookings=20000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { openDb } from '../src/db/open.js';
import { writeBooking, type BookingRecord } from '../src/orders/booking-write.js';

const rounds = Number(process.argv[2] ?? 3);
const n = Number(process.argv[3] ?? 20_000);
const dir = mkdtempSync(join(tmpdir(), 'regate-booking-write-'));

function run(tempStore: 'MEMORY' | 'FILE', round: number): number {
  const db = openDb(join(dir, `${tempStore}-${round}.sqlite`));
  db.pragma(`temp_store = ${tempStore}`);
  db.prepare(`INSERT INTO catalog_stores (id, name, city, address) VALUES ('s1', 'Склад', 'Город', 'Адрес')`).run();
  // 5,000 items with stock enough for every booking: each booking's 3 lines land on scattered items, as a burst's do.
  const items = Array.from({ length: 5000 }, () => randomUUID());
  const item = db.prepare(`INSERT INTO catalog_items (id, name, min_quantity, multiplicity, tier1_threshold, tier2_threshold, hash, changed_at) VALUES (?, ?, 0, 0, 0, 0, '', '')`);
  const stock = db.prepare(`INSERT INTO catalog_stock (store_id, item_id, quantity) VALUES ('s1', ?, 1e9)`);
  db.transaction(() => items.forEach((id) => (item.run(id, id), stock.run(id))))();
  db.prepare(`INSERT INTO clients (id, name, created_at, updated_at) VALUES ('c1', 'Клиент', '', '')`).run();
  const records: BookingRecord[] = Array.from({ length: n }, (_, k) => ({
    orderId: randomUUID(),
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
    db.transaction(() => {
      for (const r of records.slice(i, i + 100)) db.transaction(() => writeBooking(db, r))();
    }).immediate();
  }
  const used = process.cpuUsage(cpu);
  db.close();
  return (used.user + used.system) / 1000 / n;
}

try {
  for (let round = 1; round <= rounds; round++) {
    const memory = run('MEMORY', round);
    const file = run('FILE', round);
    console.log(`round ${round}: CPU per booking ${memory.toFixed(3)} ms with temp_store MEMORY, ${file.toFixed(3)} ms with FILE (load ${loadavg()[0].toFixed(2)})`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

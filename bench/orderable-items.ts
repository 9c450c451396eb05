/**
 * The booking's read of its items on the API thread (src/catalog/service.ts orderableItems with promised stock): the
 * terms kept per generation, the stock and our holds read live. On a mirror of 2,000 items at 7 warehouses after
 * `holds` bookings of 1-3 lines (their holds not yet in the mirror, as in a burst), `calls` reads of 1-3 items each.
 *
 *   npx tsx bench/orderable-items.ts [rounds=3] [calls=50000] [holds=20000]
 *
 * Prints CPU per read (µs) per round; then a booking's reads (the replay lookup, the client, the items) timed with
 * nothing committed between them, with another connection committing before each, and with this one committing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { openDb } from '../src/db/open.js';
import { CatalogService, orderableItems } from '../src/catalog/service.js';
import { GroupCommit } from '../src/db/group-commit.js';
import { writeBooking, type BookingRecord } from '../src/orders/booking-write.js';

const rounds = Number(process.argv[2] ?? 3);
const calls = Number(process.argv[3] ?? 50_000);
const holds = Number(process.argv[4] ?? 20_000);
const dir = mkdtempSync(join(tmpdir(), 'regate-orderable-'));
try {
  const db = openDb(join(dir, 'o.sqlite'));
  const stores = Array.from({ length: 7 }, () => randomUUID());
  const items = Array.from({ length: 2000 }, () => randomUUID());
  const kinds = [randomUUID(), randomUUID(), randomUUID()];
  db.transaction(() => {
    kinds.forEach((k, i) => db.prepare(`INSERT INTO catalog_price_kinds (id, name) VALUES (?, ?)`).run(k, ['Розничная', 'Мелкооптовая', 'Оптовая'][i]));
    const st = db.prepare(`INSERT INTO catalog_stores (id, name, city, address) VALUES (?, ?, 'Город', 'Адрес')`);
    stores.forEach((s, i) => st.run(s, `Склад ${i}`));
    const it = db.prepare(`INSERT INTO catalog_items (id, name, min_quantity, multiplicity, tier1_threshold, tier2_threshold, hash, changed_at) VALUES (?, ?, 1, 1, 10, 100, '', '')`);
    const pr = db.prepare(`INSERT INTO catalog_prices (item_id, price_kind_id, price) VALUES (?, ?, ?)`);
    const sk = db.prepare(`INSERT INTO catalog_stock (store_id, item_id, quantity) VALUES (?, ?, 1e9)`);
    items.forEach((id, n) => {
      it.run(id, `Товар ${n}`);
      kinds.forEach((k, i) => pr.run(id, k, 100 - i * 10));
      stores.forEach((s) => sk.run(s, id));
    });
    db.prepare(`INSERT INTO clients (id, name, created_at, updated_at) VALUES ('c1', 'Клиент', '', '')`).run();
    db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('mirror.generation', '1'), ('mirror.stockReadAt', ?)`).run(new Date().toISOString());
  })();
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
  const lines = () => Array.from({ length: 1 + rand(3) }, (_, j) => items[rand(items.length)]).filter((v, i, a) => a.indexOf(v) === i);
  const writes = new GroupCommit(db, 256, undefined, 'on-failure');
  const records: BookingRecord[] = Array.from({ length: holds }, (_, k) => ({
    orderId: `o${String(k).padStart(9, '0')}`, idempotencyKey: null, requestHash: `h${k}`, clientId: 'c1', store: stores[k % stores.length], deliveryAddress: 'Адрес', comment: '', amountKopecks: 100, at: new Date().toISOString(),
    lines: lines().map((itemId, j) => ({ lineNo: j + 1, itemId, quantity: 1, priceKopecks: 100, priceKindId: kinds[0], amountKopecks: 100 })), webhooks: false,
  }));
  for (let i = 0; i < records.length; i += 256) await Promise.all(records.slice(i, i + 256).map((r) => writes.run(() => writeBooking(db, r))));
  const catalog = new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
  const asks = Array.from({ length: calls }, (_, k) => ({ store: stores[k % stores.length], ids: lines() }));
  for (let round = 1; round <= rounds; round++) {
    const c0 = process.cpuUsage();
    let n = 0;
    for (const a of asks) n += orderableItems(db, catalog, a.store, a.ids, { promised: true }).size;
    const c1 = process.cpuUsage(c0);
    console.log(`round ${round}: ${(((c1.user + c1.system) / calls)).toFixed(1)} µs CPU per read of ${(n / calls).toFixed(2)} items (${holds} bookings held), load ${loadavg()[0].toFixed(2)}`);
  }
  // Where the booking's reads run (issue 19.5, orders/booking-check.ts): the same reads — the order's replay lookup, the
  // client, the items — timed alone, with nothing committed between them, with another connection committing before
  // each (the API's connection while the booking thread commits: SQLite empties a connection's page cache when another
  // has changed the file), and with this connection committing before each (the booking thread's own commits).
  const other = openDb(join(dir, 'o.sqlite'));
  for (const c of [db, other]) c.exec(`CREATE TABLE IF NOT EXISTS bench_bump (n INTEGER)`);
  const byOther = other.prepare(`INSERT INTO bench_bump VALUES (1)`);
  const byThis = db.prepare(`INSERT INTO bench_bump VALUES (1)`);
  // Before every read, or every 64th: the booking thread checks a message's bookings together, then commits them (the
  // burst's batches were 64 at the median).
  const bump = { quiet: [undefined, 1], 'another connection commits before each': [byOther, 1], 'this connection commits before each': [byThis, 1], 'this connection commits before every 64th': [byThis, 64] } as const;
  const replay = db.prepare(`SELECT request_hash FROM orders WHERE id = ?`);
  const client = db.prepare(`SELECT id, inn, conflict FROM clients WHERE id = ?`);
  for (const [name, [st, every]] of Object.entries(bump)) {
    let ns = 0;
    for (const [k, a] of asks.entries()) {
      if (k % every === 0) st?.run();
      const t = process.hrtime.bigint();
      replay.get(records[k % records.length].orderId);
      client.get('c1');
      orderableItems(db, catalog, a.store, a.ids, { promised: true });
      ns += Number(process.hrtime.bigint() - t);
    }
    console.log(`${name}: ${(ns / asks.length / 1000).toFixed(1)} µs per booking's reads (replay, client, items), load ${loadavg()[0].toFixed(2)}`);
  }
  other.close();
  if (process.env.BENCH_KEEP) db.exec(`VACUUM INTO '${process.env.BENCH_KEEP}'`);
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

import { parseConfig, type Config } from '../../src/config/index.js';
import { openDb, type Db } from '../../src/db/open.js';
import { generateDemoBase, type DemoBase } from '../../src/emulator/demo/index.js';
import { startEmulator, type Emulator, type FaultConfig } from '../../src/emulator/index.js';
import { ODataClient } from '../../src/onec/index.js';
import { CatalogService } from '../../src/catalog/service.js';
import { runFullSync } from '../../src/catalog/sync.js';
import { OrdersService, type BookingInput } from '../../src/orders/service.js';
import { registerDelivery, type Delivery } from '../../src/orders/delivery/index.js';
import { OutboxWorker, type WorkerEvent } from '../../src/outbox/index.js';
import { silentLogger } from '../../src/log.js';

export const TZ = 'Europe/Moscow';
export const EXT = 'ReGate_ВнешнийИдентификатор';
export const ORDERS = 'Document_ЗаказКлиента';

/** One demo base per process (generation is the slow part); every harness gets a fresh emulator over a copy. */
let demo: DemoBase | undefined;
function demoBase(): DemoBase {
  demo ??= generateDemoBase({ items: 60, seed: 'orders-delivery' });
  return { ...demo, rows: structuredClone(demo.rows) };
}

export interface Harness {
  em: Emulator;
  db: Db;
  config: Config;
  onec: ODataClient;
  orders: OrdersService;
  /** The same service with a zero confirmation window (answers 202 at once). */
  noWait: OrdersService;
  worker: OutboxWorker;
  delivery: Delivery;
  events: WorkerEvent[];
  /** Items with stock ≥ 20 at `store`, orderable by the unit (min 1, multiplicity 1). */
  store: string;
  items: string[];
  booking(orderId: string, clientId: string, n?: number): BookingInput;
  /** 1C documents of `set` carrying this external id. */
  docs(set: string, externalId: string): Record<string, unknown>[];
  /**
   * Stock enough in the mirror for the two items `booking` uses, for tests that book more of them than the demo
   * base holds: bookings are checked against what is left to promise (issue 14.1). The mirror only — 1C does not
   * refuse reserves beyond stock here.
   */
  stockUp(): void;
  close(): Promise<void>;
}

export interface HarnessOptions {
  faults?: FaultConfig;
  config?: Record<string, any>;
  extension?: boolean;
  start?: boolean;
  now?: () => Date;
}

export async function harness(opts: HarnessOptions = {}): Promise<Harness> {
  const em = await startEmulator({ base: demoBase(), timezone: TZ });
  const config = parseConfig({
    onec: { url: em.url, sessions: 4, timeoutMs: 3000, extension: opts.extension ?? true, readRetries: 3 },
    outbox: { backoffBaseMs: 20, backoffMaxMs: 200, leaseMs: 20_000, confirmWindowMs: 3000, maxAttempts: 100 },
    ...opts.config,
  });
  const db = openDb(':memory:');
  const onec = new ODataClient({ url: em.url, sessions: config.onec.sessions, timeoutMs: config.onec.timeoutMs, readRetries: 3, retryBaseMs: 5, retryMaxMs: 50, timezone: TZ });
  await runFullSync({ db, onec, config });
  // Faults start after the mirror is in: the tests are about delivery, not the catalogue sync.
  if (opts.faults) await em.faults.set(opts.faults);
  const catalog = new CatalogService(db, { retail: 'Розничная', tier1: 'Мелкооптовая', tier2: 'Оптовая' });
  const orders = new OrdersService(db, catalog, { confirmWindowMs: config.outbox.confirmWindowMs, maxDepth: config.outbox.maxDepth, now: opts.now });
  const noWait = new OrdersService(db, catalog, { confirmWindowMs: 0, maxDepth: config.outbox.maxDepth, now: opts.now });
  const events: WorkerEvent[] = [];
  const worker = new OutboxWorker(db, { policy: config.outbox, concurrency: config.onec.sessions, pollMs: 50, onEvent: (e) => events.push(e) });
  const delivery = registerDelivery({ db, onec, config, logger: silentLogger, worker, orders }, { schedules: false, now: opts.now });
  if (opts.start !== false) worker.start();

  const rows = db
    .prepare(
      `SELECT s.store_id, s.item_id FROM catalog_stock s JOIN catalog_items i ON i.id = s.item_id
       JOIN catalog_prices p ON p.item_id = s.item_id JOIN catalog_price_kinds k ON k.id = p.price_kind_id AND k.name = 'Розничная'
       WHERE s.quantity >= 20 AND i.min_quantity <= 1 AND i.multiplicity = 1 AND i.sold_to_order = 0`,
    )
    .all() as { store_id: string; item_id: string }[];
  const byStore = new Map<string, string[]>();
  for (const r of rows) byStore.set(r.store_id, [...(byStore.get(r.store_id) ?? []), r.item_id]);
  const [store, items] = [...byStore.entries()].sort((a, b) => b[1].length - a[1].length)[0];
  if (!items || items.length < 2) throw new Error('demo base: no store with two orderable items');

  return {
    em,
    db,
    config,
    onec,
    orders,
    noWait,
    worker,
    delivery,
    events,
    store,
    items,
    booking: (orderId, clientId, n = 1) => ({
      orderId,
      clientId,
      store,
      deliveryAddress: 'Москва, ул. Тверская, 1',
      items: [{ itemId: items[0], quantity: n }, { itemId: items[1], quantity: 2 }],
    }),
    docs: (set, externalId) => em.store.list(set).filter((r) => r[EXT] === externalId),
    stockUp: () => void db.prepare(`UPDATE catalog_stock SET quantity = 1000000 WHERE store_id = ? AND item_id IN (?, ?)`).run(store, items[0], items[1]),
    async close() {
      await worker.stop(2000);
      await onec.close();
      await em.close();
      db.close();
    },
  };
}

/** Polls `check` until true or `ms` pass. */
export async function until(check: () => boolean, ms = 10_000, step = 20): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, step));
  }
  return check();
}

/** Jobs not finished yet. */
export const pending = (db: Db) => db.prepare(`SELECT COUNT(*) FROM outbox_jobs WHERE state IN ('pending', 'running')`).pluck().get() as number;

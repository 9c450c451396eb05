import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoBase } from '../../src/emulator/demo/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { parseConfig } from '../../src/config/index.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { runFullSync } from '../../src/catalog/sync.js';
import { hashPassword } from '../../src/install/password.js';
import { createLogger } from '../../src/log.js';
import { orderable } from '../helpers/orderable.js';

// Accepted bookings are written by a thread of their own (src/workers/booking.ts, issue 19.5): the same write as on
// the API thread (orders/booking-write.ts) on another connection, answered after its COMMIT. These check what must
// not change with the place: what a 2xx leaves on disk, the replay of a retried request, two racing requests for the
// last units (one 422 naming the line), the same orderId twice at once (one order), and a thread that dies.
let em: Emulator;
let rt: Runtime;
let work: string;
const logLines: { msg?: string }[] = [];
const auth = { Authorization: 'Basic ' + Buffer.from('rs:p').toString('base64'), 'Content-Type': 'application/json' };
const post = (path: string, body: unknown) => rt.app.request(`/api/v1/${path}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });

beforeAll(async () => {
  em = await startEmulator({ base: generateDemoBase({ items: 40, seed: 'booking-thread' }) });
  // 1C slow enough that nothing is delivered while the checks read the order as written.
  em.faults.config.latencyMs = 60_000;
  work = mkdtempSync(join(tmpdir(), 'regate-booking-thread-'));
  const config = parseConfig({
    database: { path: join(work, 'regate.sqlite') },
    onec: { url: em.url, sessions: 1, timeoutMs: 120_000 },
    outbox: { confirmWindowMs: 0 },
    auth: { users: [{ name: 'rs', passwordHash: await hashPassword('p') }] },
    sync: { catalogCron: '0 0 1 1 *', stockCron: '0 0 1 1 *' },
  });
  rt = createRuntime(config, createLogger('info', { write: (l: string) => void logLines.push(JSON.parse(l)) }));
  em.faults.config.latencyMs = 0;
  await runFullSync(rt);
  em.faults.config.latencyMs = 60_000;
  expect((await post('client', { clientId: 'C-1', name: 'ООО "Альфа"' })).status).toBeLessThan(300);
  rt.start();
}, 60_000);

afterAll(async () => {
  em.faults.config.latencyMs = 0;
  await rt?.stop();
  await em?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The thread's "ready" lines so far (one per start): it takes bookings once it has said so. */
const readyLines = () => logLines.filter((l) => l.msg?.startsWith('booking thread ready')).length;
async function readyAgain(seen: number): Promise<void> {
  // Starting a thread compiles its sources (tsx): seconds on a loaded host, while other test files run beside this one.
  for (const end = Date.now() + 30_000; readyLines() <= seen && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
  expect(readyLines()).toBeGreaterThan(seen);
}

describe('bookings written by the booking thread', () => {
  it('a 202 leaves the order, its lines and holds, its history and its outbox job on disk; a retry replays it', async () => {
    const { store, items } = orderable(rt.db);
    // The administrator sees where bookings are written.
    await readyAgain(0);
    const before = rt.bookingThread!.written;
    const body = { orderId: 'T-1', clientId: 'C-1', store, deliveryAddress: 'Москва, ул. Тверская, 1', items: [{ itemId: items[1], quantity: 2 }, { itemId: items[2], quantity: 1 }] };
    const r = await post('booking', body);
    const answer = (await r.json()) as { orderId: string; status: number; amount: number };
    expect(r.status, JSON.stringify(answer)).toBe(202);
    expect(rt.bookingThread!.written).toBe(before + 1);
    const q = (sql: string) => rt.db.prepare(sql).pluck().get('T-1');
    expect(q(`SELECT amount_kopecks FROM orders WHERE id = ?`)).toBe(Math.round(answer.amount * 100));
    expect(q(`SELECT COUNT(*) FROM order_lines WHERE order_id = ?`)).toBe(2);
    expect(q(`SELECT COUNT(*) FROM order_holds WHERE order_id = ? AND open = 1`)).toBe(2);
    expect(q(`SELECT event FROM order_history WHERE order_id = ?`)).toBe('booking.accepted');
    expect(q(`SELECT kind FROM outbox_jobs WHERE key = 'order:' || ?`)).toBe('booking.create');
    // The same request again: the same answer, nothing written twice.
    const again = await post('booking', body);
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual(answer);
    expect(rt.bookingThread!.written).toBe(before + 1);
    expect(q(`SELECT COUNT(*) FROM outbox_jobs WHERE key = 'order:' || ?`)).toBe(1);
  });

  it('two bookings racing for the last units: the thread checks each in its write, the second is 422 naming the line', async () => {
    const { store, items } = orderable(rt.db);
    const item = items[2];
    // Whole units (the item's multiplicity is 1; the demo's stock has fractions).
    const left = Math.floor((rt.db.prepare(`SELECT quantity FROM catalog_stock WHERE store_id = ? AND item_id = ?`).pluck().get(store, item) as number) -
      (rt.db.prepare(`SELECT COALESCE(SUM(quantity), 0) FROM order_holds WHERE store_id = ? AND item_id = ? AND open = 1`).pluck().get(store, item) as number));
    expect(left).toBeGreaterThan(1);
    const before = rt.bookingThread!.written;
    const one = (id: string) => post('booking', { orderId: id, clientId: 'C-1', store, deliveryAddress: 'Москва, ул. Тверская, 1', items: [{ itemId: item, quantity: left }] });
    const [a, b] = await Promise.all([one('RACE-1'), one('RACE-2')]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([202, 422]);
    const refused = (await (a.status === 422 ? a : b).json()) as { error: { code: string; fields: { field: string; message: string }[] } };
    expect(refused.error.code).toBe('order_rejected');
    expect(refused.error.fields[0].field).toBe('items.0.quantity');
    expect(refused.error.fields[0].message).toMatch(/^на складе только 0/);
    expect(rt.bookingThread!.written).toBe(before + 1);
  });

  it('a booking is checked on the thread too: its refusals are answered as the API thread would, nothing written', async () => {
    const { store, items } = orderable(rt.db);
    await readyAgain(0);
    const before = { answered: rt.bookingThread!.answered, written: rt.bookingThread!.written, orders: rt.db.prepare(`SELECT COUNT(*) FROM orders`).pluck().get() };
    const line = { itemId: items[0], quantity: 1 };
    const base = { clientId: 'C-1', store, deliveryAddress: 'Москва, ул. Тверская, 1', items: [line] };
    const refusals: [unknown, Record<string, string>, number, string, string][] = [
      // The catalogue's own error (an ApiError on the thread), then the orders' (DomainErrors).
      [{ ...base, orderId: 'CHK-1', store: '00000000-0000-4000-8000-000000000001' }, {}, 404, 'not_found', 'store'],
      [{ ...base, orderId: 'CHK-2', clientId: 'no-such-client' }, {}, 404, 'not_found', 'clientId'],
      [{ ...base, orderId: 'CHK-3', items: [{ ...line, quantity: 1e9 }] }, {}, 422, 'order_rejected', 'items.0.quantity'],
      [{ ...base, orderId: 'CHK-4', items: [{ ...line, packagingId: '00000000-0000-4000-8000-000000000002' }] }, {}, 422, 'order_rejected', 'items.0.packagingId'],
    ];
    for (const [body, headers, status, code, field] of refusals) {
      const r = await rt.app.request('/api/v1/booking', { method: 'POST', headers: { ...auth, ...headers }, body: JSON.stringify(body) });
      const answer = (await r.json()) as { error: { code: string; fields: { field: string }[] } };
      expect(r.status, JSON.stringify(answer)).toBe(status);
      expect(answer.error.code).toBe(code);
      expect(answer.error.fields.map((f) => f.field)).toContain(field);
    }
    // An Idempotency-Key given to one order, then to another: 409 naming it.
    const keyed = (orderId: string) => rt.app.request('/api/v1/booking', { method: 'POST', headers: { ...auth, 'Idempotency-Key': 'chk-key' }, body: JSON.stringify({ ...base, orderId }) });
    expect((await keyed('CHK-5')).status).toBe(202);
    const reused = await keyed('CHK-6');
    expect(reused.status).toBe(409);
    expect(((await reused.json()) as { error: { fields: { field: string }[] } }).error.fields[0].field).toBe('Idempotency-Key');
    // All six answered by the thread; only CHK-5 written.
    expect(rt.bookingThread!.answered).toBe(before.answered + 6);
    expect(rt.bookingThread!.written).toBe(before.written + 1);
    expect(rt.db.prepare(`SELECT COUNT(*) FROM orders`).pluck().get()).toBe((before.orders as number) + 1);
  });

  it('the same orderId twice at once: one order, both answered with it', async () => {
    const { store, items } = orderable(rt.db);
    const body = { orderId: 'TWICE-1', clientId: 'C-1', store, deliveryAddress: 'Москва, ул. Тверская, 1', items: [{ itemId: items[0], quantity: 1 }] };
    const [a, b] = await Promise.all([post('booking', body), post('booking', body)]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(await b.json()).toEqual(await a.json());
    expect(rt.db.prepare(`SELECT COUNT(*) FROM outbox_jobs WHERE key = 'order:TWICE-1'`).pluck().get()).toBe(1);
  });

  it('the WAL is copied back by the checkpoint thread, not inside the writers\' commits', async () => {
    // The API's connection leaves checkpoints to the thread once started (runtime.ts, src/workers/checkpoint.ts).
    expect(rt.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const { store, items } = orderable(rt.db);
    const before = rt.checkpoints!.stats();
    const r = await post('booking', { orderId: 'T-CKPT', clientId: 'C-1', store, deliveryAddress: 'Москва, ул. Тверская, 1', items: [{ itemId: items[0], quantity: 1 }] });
    expect(r.status, await r.clone().text()).toBe(202);
    // Within a second or two the booking thread's commit is in the database file.
    for (const end = Date.now() + 30_000; rt.checkpoints!.stats().runs === before.runs && Date.now() < end; ) await new Promise((r) => setTimeout(r, 50));
    const after = rt.checkpoints!.stats();
    expect(after.runs).toBeGreaterThan(before.runs);
    expect(after.frames).toBeGreaterThan(before.frames);
    expect(after.failed).toBe(0);
    // The operator sees them on /metrics (docs/ru/operations.md): the totals, the failures to alert on, the WAL's size.
    const text = await rt.metrics.render();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('regate_wal_checkpoints_total')).toBeGreaterThanOrEqual(after.runs);
    expect(value('regate_wal_checkpoint_pages_total')).toBeGreaterThanOrEqual(after.frames);
    expect(value('regate_wal_checkpoint_failures_total')).toBe(0);
    expect(value('regate_wal_checkpoint_lock_seconds_total')).toBeGreaterThanOrEqual(0);
    expect(value('regate_wal_bytes')).toBeGreaterThan(0);
  });

  it('a thread that dies: bookings are written on the API thread meanwhile, and it comes back', async () => {
    const { store, items } = orderable(rt.db);
    const ready = readyLines();
    await rt.bookingThread!.terminate();
    const fellBack = rt.bookingThread!.fellBack;
    const r = await post('booking', { orderId: 'WHILE-DOWN', clientId: 'C-1', store, deliveryAddress: 'Москва, ул. Тверская, 1', items: [{ itemId: items[0], quantity: 1 }] });
    expect(r.status).toBe(202);
    expect(rt.bookingThread!.fellBack).toBe(fellBack + 1);
    expect(rt.db.prepare(`SELECT COUNT(*) FROM outbox_jobs WHERE key = 'order:WHILE-DOWN'`).pluck().get()).toBe(1);
    const written = rt.bookingThread!.written;
    // Started again after 1 s, and writes again.
    await readyAgain(ready);
    const back = await post('booking', { orderId: 'BACK-1', clientId: 'C-1', store, deliveryAddress: 'Москва, ул. Тверская, 1', items: [{ itemId: items[1], quantity: 1 }] });
    expect(back.status).toBe(202);
    expect(rt.bookingThread!.written).toBeGreaterThan(written);
  });
});

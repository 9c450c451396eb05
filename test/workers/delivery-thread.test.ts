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
import { enqueue } from '../../src/outbox/index.js';

// Delivery runs in a thread of its own (src/workers/outbox.ts), the API keeps writing the outbox row with its order:
// a booking enqueued here wakes the thread at once, the thread delivers it into 1C, and its 'settled' comes back so
// the booking's confirmation window answers 201 with 1C's number — not 202 after a poll. Job kinds registered by
// others stay with the API thread's worker and still run.
let em: Emulator;
let rt: Runtime;
let work: string;
const auth = { Authorization: 'Basic ' + Buffer.from('rs:p').toString('base64'), 'Content-Type': 'application/json' };

beforeAll(async () => {
  em = await startEmulator({ base: generateDemoBase({ items: 40, seed: 'delivery-thread' }) });
  work = mkdtempSync(join(tmpdir(), 'regate-delivery-thread-'));
  const config = parseConfig({
    database: { path: join(work, 'regate.sqlite') },
    onec: { url: em.url, sessions: 2, timeoutMs: 5000 },
    outbox: { confirmWindowMs: 15_000 },
    auth: { users: [{ name: 'rs', passwordHash: await hashPassword('p') }] },
    sync: { catalogCron: '0 0 1 1 *', stockCron: '0 0 1 1 *' },
  });
  rt = createRuntime(config, createLogger('error'));
  await runFullSync(rt);
  rt.start();
}, 60_000);

afterAll(async () => {
  await rt?.stop();
  await em?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('delivery in a thread of its own', () => {
  it("commits its own writes with synchronous=NORMAL unless tuning.deliverySynchronous says full (the API's stay FULL)", async () => {
    // What the thread's connection runs with reaches the daemon's log at start; the API's connection is the runtime's.
    const started = async (tuning: Record<string, unknown>) => {
      const lines: Record<string, unknown>[] = [];
      const dir = mkdtempSync(join(tmpdir(), 'regate-delivery-sync-'));
      const config = parseConfig({ database: { path: join(dir, 'regate.sqlite') }, onec: { url: em.url, sessions: 1 }, tuning, sync: { catalogCron: '0 0 1 1 *', stockCron: '0 0 1 1 *' } });
      const r = createRuntime(config, createLogger('info', { write: (l: string) => void lines.push(JSON.parse(l)) }));
      r.start();
      const end = Date.now() + 10_000;
      let line: Record<string, unknown> | undefined;
      while (!(line = lines.find((l) => String(l.msg).startsWith('delivery thread'))) && Date.now() < end) await new Promise((res) => setTimeout(res, 20));
      const api = r.db.pragma('synchronous', { simple: true });
      await r.stop();
      rmSync(dir, { recursive: true, force: true });
      return { thread: line?.synchronous, api };
    };
    expect(await started({})).toEqual({ thread: 'normal', api: 2 });
    expect(await started({ deliverySynchronous: 'full' })).toEqual({ thread: 'full', api: 2 });
  }, 30_000);

  it('a booking is delivered by the thread within the confirmation window; other kinds stay on the API thread', async () => {
    // The API thread's worker handed the delivery kinds over.
    expect(rt.worker.kinds().filter((k) => k.startsWith('booking.'))).toEqual([]);
    const post = (path: string, body: unknown) => rt.app.request(`/api/v1/${path}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
    expect((await post('client', { clientId: 'C-1', name: 'ООО "Альфа"' })).status).toBeLessThan(300);
    const { store, items } = orderable(rt.db);
    const t = Date.now();
    const r = await post('booking', { orderId: 'T-1', clientId: 'C-1', store, deliveryAddress: 'Москва, ул. Тверская, 1', items: [{ itemId: items[0], quantity: 1 }] });
    const body = (await r.json()) as { number?: string };
    // 201 = delivered (by the thread: this thread's worker no longer handles booking.create) within the window.
    expect(r.status, JSON.stringify(body)).toBe(201);
    expect(body.number).toBeTruthy();
    expect(Date.now() - t).toBeLessThan(15_000);
    expect(rt.db.prepare(`SELECT state FROM outbox_jobs WHERE kind = 'booking.create'`).pluck().get()).toBe('done');

    // A kind registered on the API thread's worker after start still runs there.
    let ran = 0;
    rt.worker.handle('test.local', async () => void ran++);
    enqueue(rt.db, { kind: 'test.local', key: 'k', payload: {} });
    const end = Date.now() + 5000;
    while (!ran && Date.now() < end) await new Promise((r2) => setTimeout(r2, 20));
    expect(ran).toBe(1);
  }, 60_000);
});

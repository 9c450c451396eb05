import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderable } from '../helpers/orderable.js';
import { parseConfig } from '../../src/config/index.js';
import { generateDemoBase } from '../../src/emulator/demo/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { runFullSync } from '../../src/catalog/sync.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { hashPassword } from '../../src/install/password.js';
import { silentLogger } from '../../src/log.js';
import { paymentKeyHash, parseStatement } from '../../src/bank/index.js';
import { snapshot } from './helpers.js';
import { ACC_A, ACC_B, CLIENT_A_INN, CLIENT_B_INN, OWN, bytesOf, type Doc } from './statement.js';

/**
 * End to end, the way the daemon runs: `createRuntime` (outbox worker with the 1C delivery handlers, the bank
 * schedule from config.bank.cron) in front of the 1C emulator. Bookings go in through the API and reach 1C; a
 * statement naming them is dropped into the watched folder; the scheduled run imports it; the outbox posts the
 * incoming payment documents in 1C. Dropping the file again changes nothing, here or in 1C.
 */
const IN = 'Document_ПоступлениеБезналичныхДенежныхСредств';
const EXT = 'ReGate_ВнешнийИдентификатор';

let em: Emulator;
let rt: Runtime;
let work: string;
let watch: string;
const auth = { Authorization: 'Basic ' + Buffer.from('rs:p').toString('base64') };

async function until(check: () => boolean | Promise<boolean>, ms = 15_000, step = 25): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, step));
  }
  return check();
}
const api = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
  const r = await rt.app.request(`/api/v1/${path}`, { method, headers: { ...auth, 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  return { status: r.status, body: (await r.json()) as any };
};
const state = async (orderId: string) => (await api('GET', `bookingstate?orderId=${orderId}`)).body;
const idle = () => rt.db.prepare(`SELECT COUNT(*) FROM outbox_jobs WHERE state IN ('pending', 'running')`).pluck().get() === 0;
const dead = () => rt.db.prepare(`SELECT kind, last_error FROM outbox_jobs WHERE state = 'dead'`).all();

beforeAll(async () => {
  em = await startEmulator({ base: generateDemoBase({ items: 60, seed: 'bank-e2e' }), timezone: 'Europe/Moscow' });
  work = mkdtempSync(join(tmpdir(), 'regate-bank-e2e-'));
  watch = join(work, 'inbox');
  const config = parseConfig({
    database: { path: join(work, 'regate.sqlite') },
    onec: { url: em.url, sessions: 4, timeoutMs: 5000, extension: true, timezone: 'Europe/Moscow' },
    outbox: { backoffBaseMs: 20, backoffMaxMs: 200, confirmWindowMs: 5000 },
    auth: { users: [{ name: 'rs', passwordHash: await hashPassword('p'), role: 'bank' }] },
    // every second: the test waits for the schedule, it does not call the import itself
    bank: { watchDir: watch, settleMs: 0, cron: '* * * * * *' },
    sync: { catalogCron: '0 0 1 1 *', stockCron: '0 0 1 1 *' },
  });
  rt = createRuntime(config, silentLogger);
  await runFullSync(rt);
  rt.start();
}, 60_000);

afterAll(async () => {
  await rt?.stop();
  await em?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('bank statements end to end (emulator, scheduled folder import, outbox to 1C)', () => {
  const orders: Record<string, { number: string; amount: number }> = {};

  it('bookings are made in 1C through the API', async () => {
    expect((await api('POST', 'client', { clientId: 'C-A', name: 'ООО "Альфа"', inn: CLIENT_A_INN })).status).toBeLessThan(300);
    expect((await api('POST', 'client', { clientId: 'C-B', name: 'ООО "Бета"', inn: CLIENT_B_INN })).status).toBeLessThan(300);
    const { store, items } = orderable(rt.db);
    const book = (orderId: string, clientId: string, n: number) =>
      api('POST', 'booking', { orderId, clientId, store, deliveryAddress: 'Москва, ул. Тверская, 1', items: [{ itemId: items[0], quantity: n }, { itemId: items[1], quantity: 1 }] });
    for (const [id, client, n] of [['O-1', 'C-A', 1], ['O-2', 'C-B', 2], ['O-3', 'C-A', 3]] as const) {
      const r = await book(id, client, n);
      expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
    }
    expect(await until(idle), JSON.stringify(dead())).toBe(true);
    for (const id of ['O-1', 'O-2', 'O-3']) {
      const s = await state(id);
      expect(s, id).toMatchObject({ status: 1, paymentStatus: 0 });
      expect(s.number).toBeTruthy();
      orders[id] = { number: s.number, amount: s.amount };
    }
  }, 30_000);

  const kopecks = (roubles: number) => Math.round(roubles * 100);
  const money = (k: number) => `${Math.floor(k / 100)}.${String(k % 100).padStart(2, '0')}`;
  let statement: Doc[];
  let file: Buffer;

  it('a statement naming them is dropped into the folder; the scheduled run imports it and the outbox posts the payments in 1C', async () => {
    const half = Math.floor(kopecks(orders['O-3'].amount) / 2);
    statement = [
      // A pays O-1 naming its 1C number
      { number: '501', date: '28.11.2026', amount: money(kopecks(orders['O-1'].amount)), payerAcc: ACC_A, payerInn: CLIENT_A_INN, payerName: 'ООО "Альфа"', purpose: `Оплата по счету № ${orders['O-1'].number} от 28.11.2026, в т.ч. НДС` },
      // B pays its only open order's exact amount without naming it
      { number: '77', date: '28.11.2026', amount: money(kopecks(orders['O-2'].amount)), payerAcc: ACC_B, payerInn: CLIENT_B_INN, payerName: 'ООО "Бета"', purpose: 'Оплата за товар, НДС не облагается' },
      // A pays half of O-3
      { number: '502', date: '28.11.2026', amount: money(half), payerAcc: ACC_A, payerInn: CLIENT_A_INN, payerName: 'ООО "Альфа"', purpose: `Частичная оплата по счету ${orders['O-3'].number}` },
      // nobody we know
      { number: '9', date: '28.11.2026', amount: '1234.56', payerAcc: '40702810400000000009', payerInn: '7701234560', payerName: 'ООО "Незнакомец"', purpose: 'Оплата по договору 15' },
    ];
    file = bytesOf(statement);
    writeFileSync(join(watch, 'kl_to_1c.txt'), file);

    // the schedule (every second) picks the file up; nothing here calls the importer
    expect(await until(() => existsSync(join(watch, 'processed', 'kl_to_1c.txt')))).toBe(true);
    expect(await until(idle), JSON.stringify(dead())).toBe(true);
    expect(dead()).toEqual([]);

    expect(await state('O-1')).toMatchObject({ status: 3, statusName: 'оплачен через расчётный счёт', paymentStatus: 2, paymentStatusName: 'оплачено через расчётный счёт', paid: orders['O-1'].amount });
    expect(await state('O-2')).toMatchObject({ status: 3, paymentStatus: 2, paid: orders['O-2'].amount });
    const o3 = await state('O-3');
    expect(o3).toMatchObject({ status: 1, paymentStatus: 0, paid: half / 100 });
    expect(o3.history.map((h: any) => h.event)).toContain('payment.bank.partial');

    // the incoming payment documents, posted, each against its order, found by the payment identity (in the bank
    // payments' namespace, issue 13.2: `bank:` + the sha256 cut to the 64 characters of ReGate_ВнешнийИдентификатор)
    const docs = parseStatement(file).documents;
    for (const [i, orderId] of [[0, 'O-1'], [1, 'O-2'], [2, 'O-3']] as const) {
      const found = em.store.list(IN).filter((d) => d[EXT] === `bank:${paymentKeyHash(docs[i]).slice(0, 59)}`);
      expect(found, orderId).toHaveLength(1);
      const ref = rt.db.prepare(`SELECT onec_ref FROM orders WHERE id = ?`).pluck().get(orderId);
      expect(found[0]).toMatchObject({ Posted: true, СуммаДокумента: docs[i].amountKopecks / 100, НомерВходящегоДокумента: docs[i].number });
      const rows = found[0].РасшифровкаПлатежа as Record<string, unknown>[];
      expect(rows.map((r) => [r.ОснованиеПлатежа, r.Сумма])).toEqual([[ref, docs[i].amountKopecks / 100]]);
    }
    expect(em.store.list(IN).filter((d) => /^bank:[0-9a-f]{59}$/.test(String(d[EXT] ?? '')))).toHaveLength(3);
  }, 30_000);

  it('the unmatched payment is listed for the store’s operators', async () => {
    const r = await api('GET', 'bank/unmatched');
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(1);
    expect(r.body.items[0]).toMatchObject({ number: '9', result: 'unmatched', reason: 'unknown-client', amount: 1234.56, account: OWN, statement: { name: 'kl_to_1c.txt', source: 'folder' } });
  });

  it('importing the same file again changes nothing, locally or in 1C', async () => {
    const before = snapshot(rt.db);
    const inOneC = em.store.list(IN).length;
    writeFileSync(join(watch, 'kl_to_1c.txt'), file);
    expect(await until(() => !existsSync(join(watch, 'kl_to_1c.txt')) && readdirSync(join(watch, 'processed')).length === 2)).toBe(true);
    await until(idle);
    expect(snapshot(rt.db)).toEqual(before);
    expect(em.store.list(IN).length).toBe(inOneC);
    expect((await api('GET', 'bank/unmatched')).body.total).toBe(1);
  }, 20_000);
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { runFullSync } from '../../src/catalog/sync.js';
import { parseConfig } from '../../src/config/index.js';
import { generateDemoBase } from '../../src/emulator/demo/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { hashPassword } from '../../src/install/password.js';
import { silentLogger } from '../../src/log.js';
import { enqueue, getJob } from '../../src/outbox/index.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { statementText } from '../bank-import/statement.js';
import { chromiumCandidates, chromiumPath, launch, type Browser } from './console-cdp.js';

/**
 * The console in a real headless Chromium over the daemon's runtime (emulated 1C, demo base): an accountant logs
 * in, sees an unmatched payment with its warning, resolves it to the order, and bookingstate says 3; an admin
 * retries a dead job, which then runs. Skips with a message when there is no Chromium.
 */
if (!chromiumPath) console.log(`console browser test skipped: no Chromium at ${chromiumCandidates.join(', ')} (apt-get install chromium)`);

const API = { name: 'shop', password: 'shop-pass-1' };
const ADMIN = { name: 'admin', password: 'admin-pass-1' };
const BUH = { name: 'buh', password: 'buh-pass-123', fullName: 'Иванова Анна Петровна' };
const PAYER_INN = '7701234560'; // not the client's

let em: Emulator;
let rt: Runtime;
let server: RunningServer;
let browser: Browser;
let work: string;
const auth = { Authorization: 'Basic ' + Buffer.from(`${API.name}:${API.password}`).toString('base64') };
const api = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
  const r = await fetch(`${server.url}/api/v1/${path}`, { method, headers: { ...auth, 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  return { status: r.status, body: (await r.json()) as any };
};
const until = async (cond: () => boolean | Promise<boolean>, ms = 20_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
};
/** Fills and submits a form the way a person does: set the fields, click the button (the page navigates). */
const fill = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([sel, v]) => `document.querySelector(${JSON.stringify(sel)}).value = ${JSON.stringify(v)};`)
    .join('');

describe.skipIf(!chromiumPath)('/console in headless Chromium', () => {
  let orderAmount = 0;

  beforeAll(async () => {
    em = await startEmulator({ base: generateDemoBase({ items: 60, seed: 'console-browser' }), timezone: 'Europe/Moscow' });
    work = mkdtempSync(join(tmpdir(), 'regate-console-'));
    const config = parseConfig({
      database: { path: join(work, 'regate.sqlite') },
      server: { port: 0 },
      onec: { url: em.url, sessions: 4, timeoutMs: 5000, timezone: 'Europe/Moscow' },
      outbox: { backoffBaseMs: 20, backoffMaxMs: 200, confirmWindowMs: 5000 },
      auth: { users: [{ name: API.name, passwordHash: await hashPassword(API.password) }] },
      console: {
        users: [
          { name: ADMIN.name, passwordHash: await hashPassword(ADMIN.password), role: 'admin' },
          { name: BUH.name, fullName: BUH.fullName, passwordHash: await hashPassword(BUH.password), role: 'accountant' },
        ],
      },
      sync: { catalogCron: '0 0 1 1 *', stockCron: '0 0 1 1 *' },
      log: { level: 'silent' },
    });
    rt = createRuntime(config, silentLogger);
    await runFullSync(rt);
    server = await startServer(rt.app, config);
    rt.start();
    browser = await launch();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await rt?.stop();
    await em?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('an order is booked in 1C and a payment nobody can match arrives in a statement', async () => {
    expect((await api('POST', 'client', { clientId: 'C-1', name: 'ООО "Альфа"', inn: '7707083893' })).status).toBeLessThan(300);
    const store = rt.db
      .prepare(`SELECT s.store_id FROM catalog_stock s JOIN catalog_items i ON i.id = s.item_id WHERE s.quantity >= 5 AND i.min_quantity <= 1 AND i.multiplicity = 1 AND i.sold_to_order = 0 GROUP BY s.store_id ORDER BY COUNT(*) DESC LIMIT 1`)
      .pluck()
      .get() as string;
    const item = rt.db
      .prepare(
        `SELECT s.item_id FROM catalog_stock s JOIN catalog_items i ON i.id = s.item_id JOIN catalog_prices p ON p.item_id = s.item_id
           JOIN catalog_price_kinds k ON k.id = p.price_kind_id AND k.name = 'Розничная'
          WHERE s.store_id = ? AND s.quantity >= 5 AND i.min_quantity <= 1 AND i.multiplicity = 1 AND i.sold_to_order = 0 LIMIT 1`,
      )
      .pluck()
      .get(store) as string;
    const b = await api('POST', 'booking', { orderId: 'WEB-1', clientId: 'C-1', store, deliveryAddress: 'Москва, ул. Тверская, 1', items: [{ itemId: item, quantity: 1 }] });
    expect(b.status, JSON.stringify(b.body)).toBeLessThan(300);
    expect(await until(async () => (await api('GET', 'bookingstate?orderId=WEB-1')).body.status === 1)).toBe(true);
    orderAmount = Math.round((await api('GET', 'bookingstate?orderId=WEB-1')).body.amount * 100);
    const amount = `${Math.floor(orderAmount / 100)}.${String(orderAmount % 100).padStart(2, '0')}`;
    const text = statementText([{ number: '555', date: '27.11.2026', amount, payerAcc: '40702810400000000009', payerInn: PAYER_INN, payerName: 'ИП Сидоров', purpose: 'Оплата по договору' }]);
    const r = (rt.services.bank as any).importBytes(Buffer.from(text, 'utf8'), { source: 'folder', name: 'kl_to_1c.txt' });
    expect(r.review).toBe(1);
  }, 60_000);

  it('the accountant logs in, sees the payment with its warning, resolves it to the order: bookingstate 3', async () => {
    await browser.goto(`${server.url}/console/`); // typed with a slash: redirected, then to the login
    expect(await browser.eval('location.pathname')).toBe('/console/login');
    await browser.navigateBy(`${fill({ 'input[name=name]': BUH.name, 'input[name=password]': BUH.password })} document.querySelector('#login').click();`);
    expect(await browser.eval('location.pathname')).toBe('/console/bank');
    expect(await browser.eval(`document.querySelector('header .who').textContent`)).toContain(BUH.fullName);
    const id = await browser.eval<string>(`document.querySelector('section.pay').id.replace('payment-', '')`);
    const block = await browser.eval<string>(`document.querySelector('#payment-${id}').innerText`);
    expect(block).toContain('ИП Сидоров, ИНН 7701234560');
    expect(block).toMatch(/ИНН плательщика 7701234560 не совпадает с ИНН клиента 7707083893/);
    // choosing the order without confirming the warning: refused, nothing applied
    await browser.navigateBy(`document.querySelector('#pick-${id}-WEB-1').checked = true; document.querySelector('#apply-${id}').click();`);
    expect(await browser.eval(`document.querySelector('#flash').textContent`)).toMatch(/не зачтён: ИНН плательщика/);
    expect((await api('GET', 'bookingstate?orderId=WEB-1')).body.status).toBe(1);
    await browser.navigateBy(
      `document.querySelector('#pick-${id}-WEB-1').checked = true; document.querySelector('#confirm-${id}').checked = true; ${fill({ [`#note-${id}`]: 'звонили клиенту: платит ИП Сидоров' })} document.querySelector('#apply-${id}').click();`,
    );
    expect(await browser.eval(`document.querySelector('#flash').textContent`)).toContain(`Платёж #${id} зачтён на заказ WEB-1: заказ оплачен (статус 3)`);
    expect(await browser.eval(`document.querySelector('#unmatched-total').textContent`)).toBe('0');
    expect(await browser.eval(`document.querySelector('#decisions .who-decided').textContent`)).toBe(`${BUH.fullName} (buh)`);
    const st = (await api('GET', 'bookingstate?orderId=WEB-1')).body;
    expect(st).toMatchObject({ status: 3, paymentStatus: 2 });
    await browser.navigateBy(`document.querySelector('header form button').click();`);
    expect(await browser.eval('location.pathname')).toBe('/console/login');
  }, 60_000);

  it('the admin sees a dead job and retries it; it then runs', async () => {
    let ran = 0;
    rt.worker.handle('console.probe', async () => {
      ran++;
      return { ok: true };
    });
    const jobId = enqueue(rt.db, { kind: 'console.probe', key: 'probe-1', payload: {}, runAt: Date.now() + 3_600_000 }).id;
    rt.db.prepare(`UPDATE outbox_jobs SET state = 'dead', attempts = 12, last_error = 'permanent: 1C 400: пример', finished_at = ? WHERE id = ?`).run(Date.now(), jobId);
    await browser.goto(`${server.url}/console/login`);
    await browser.navigateBy(`${fill({ 'input[name=name]': ADMIN.name, 'input[name=password]': ADMIN.password })} document.querySelector('#login').click();`);
    expect(await browser.eval('location.pathname')).toBe('/console');
    expect(Number(await browser.eval(`document.querySelector('#outbox-dead').textContent`))).toBeGreaterThanOrEqual(1);
    expect(await browser.eval(`document.querySelector('#job-${jobId}').innerText`)).toContain('permanent: 1C 400: пример');
    await browser.navigateBy(`document.querySelector('#retry-${jobId}').click();`);
    expect(await browser.eval(`document.querySelector('#flash').textContent`)).toBe(`Задание #${jobId} будет выполнено снова`);
    expect(await until(() => getJob(rt.db, jobId)!.state === 'done')).toBe(true);
    expect(ran).toBe(1);
  }, 60_000);
});

import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { BankService } from '../../src/bank/import/index.js';
import { parseConfig } from '../../src/config/index.js';
import { createConsole } from '../../src/console/index.js';
import { hashPassword } from '../../src/install/password.js';
import { silentLogger } from '../../src/log.js';
import { enqueue, getJob } from '../../src/outbox/index.js';
import { addClient, addOrder, freshDb, order } from '../bank-import/helpers.js';
import { CLIENT_A_INN, bytesOf, docFromA } from '../bank-import/statement.js';

const HOST = 'http://regate.test';
const ADMIN = { name: 'admin', password: 'admin-pass-1' };
const BUH = { name: 'buh', password: 'buh-pass-123' };

async function setup(extra: { syncNow?: () => Promise<unknown> } = {}) {
  const db = freshDb();
  addClient(db, 'C-A', CLIENT_A_INN, 'ООО "Альфа"');
  addClient(db, 'C-B', '7728168971', 'ООО "Бета"');
  addOrder(db, { id: 'O-1', client: 'C-A', number: 'ТД00-000123', amountKopecks: 11990 });
  addOrder(db, { id: 'O-2', client: 'C-B', number: 'ТД00-000124', amountKopecks: 50000 });
  const bank = new BankService(db);
  // 15,000 ₽ from a payer nobody knows, no order number: unmatched
  bank.importBytes(bytesOf([docFromA({ number: '77', amount: '15000.00', payerInn: '7701234560', payerName: 'ИП Сидоров', purpose: 'Оплата' })]), { source: 'folder', name: 'kl.txt' });
  const config = parseConfig({
    console: {
      users: [
        { name: ADMIN.name, passwordHash: await hashPassword(ADMIN.password), role: 'admin' },
        { name: BUH.name, fullName: 'Иванова А. П.', passwordHash: await hashPassword(BUH.password), role: 'accountant' },
      ],
    },
  });
  const app = new Hono().route('/console', createConsole({ config, db, logger: silentLogger, bank, ...extra }));
  return { db, bank, config, app };
}

/** A minimal browser: cookies, same-origin headers, forms as urlencoded. */
function client(app: Hono) {
  let cookie = '';
  const req = async (method: string, path: string, form?: Record<string, string>, headers: Record<string, string> = {}) => {
    const r = await app.request(HOST + path, {
      method,
      headers: { ...(cookie ? { cookie } : {}), ...(form ? { 'content-type': 'application/x-www-form-urlencoded', origin: HOST } : {}), ...headers },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    const set = r.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0];
    return { status: r.status, location: r.headers.get('location'), text: await r.text(), headers: r.headers };
  };
  const csrf = (text: string) => /name="csrf" value="([^"]+)"/.exec(text)?.[1] ?? '';
  return { req, csrf, get cookie() { return cookie; } };
}

describe('/console', () => {
  it('login: wrong password refused, the cookie is HttpOnly SameSite=Strict on /console, accountant lands on the payments', async () => {
    const { app } = await setup();
    const b = client(app);
    expect((await b.req('GET', '/console')).location).toBe('/console/login');
    const bad = await b.req('POST', '/console/login', { name: BUH.name, password: 'nope-nope' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Неверное имя или пароль');
    const ok = await b.req('POST', '/console/login', BUH);
    expect(ok.status).toBe(303);
    expect(ok.location).toBe('/console/bank');
    expect(ok.headers.get('set-cookie')).toMatch(/HttpOnly.*/i);
    expect(ok.headers.get('set-cookie')).toMatch(/SameSite=Strict/i);
    expect(ok.headers.get('set-cookie')).toMatch(/Path=\/console/);
    const page = await b.req('GET', '/console/bank');
    expect(page.text).toContain('Иванова А. П.');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('the accountant sees the warnings, must confirm them, and the audit keeps her name', async () => {
    const { app, db } = await setup();
    const b = client(app);
    await b.req('POST', '/console/login', BUH);
    const list = await b.req('GET', '/console/bank');
    expect(list.text).toMatch(/Платежи, ждущие решения: <span id="unmatched-total">1</);
    expect(list.text).toContain('ИП Сидоров, ИНН 7701234560');
    const id = /id="payment-(\d+)"/.exec(list.text)![1];
    // no candidate has 15,000 due and no client has that INN: applying to O-1 by its 1C number warns twice
    const first = await b.req('POST', `/console/bank/${id}/resolve`, { csrf: b.csrf(list.text), action: 'apply', orderOther: 'ТД00-000123', note: '' });
    expect(first.status).toBe(303);
    const warned = await b.req('GET', '/console/bank');
    expect(warned.text).toMatch(/не зачтён: ИНН плательщика 7701234560 не совпадает с ИНН клиента 7707083893.*переплата: платёж больше суммы к оплате на 14\s880,10/);
    expect(order(db, 'O-1').status).toBe(1);
    await b.req('POST', `/console/bank/${id}/resolve`, { csrf: b.csrf(warned.text), action: 'apply', orderOther: 'ТД00-000123', note: 'звонили, платит директор', confirm: '1' });
    const done = await b.req('GET', '/console/bank');
    expect(done.text).toContain(`Платёж #${id} зачтён на заказ O-1: заказ оплачен (статус 3); переплата 14 880,10 ₽ осталась в списке`);
    expect(order(db, 'O-1')).toMatchObject({ status: 3, paymentStatus: 2 });
    expect(db.prepare(`SELECT by FROM bank_decisions WHERE bank_payment_id = ?`).pluck().get(Number(id))).toBe('Иванова А. П. (buh)');
    expect(JSON.stringify(db.prepare(`SELECT detail FROM order_history WHERE order_id = 'O-1' ORDER BY id DESC LIMIT 1`).pluck().get())).toContain('Иванова А. П. (buh)');
    // the overpayment entry: still listed, with the excess, the order and who applied it
    expect(done.text).toMatch(/Платежи, ждущие решения: <span id="unmatched-total">1</);
    const block = done.text.slice(done.text.indexOf(`id="payment-${id}"`));
    expect(block).toMatch(/переплата <b class="excess">14 880,10 ₽<\/b>: платёж зачтён на заказ O-1 \(Иванова А\. П\. \(buh\), /);
    expect(done.text).toContain(`id="undo-${id}"`);
  });

  it('undo while the document is not in 1C: the order is open and unpaid again; once delivered the page says why not', async () => {
    const { app, db } = await setup();
    const b = client(app);
    await b.req('POST', '/console/login', BUH);
    const list = await b.req('GET', '/console/bank');
    const id = /id="payment-(\d+)"/.exec(list.text)![1];
    // 15,000 to O-2 (500.00, another INN): confirmed
    await b.req('POST', `/console/bank/${id}/resolve`, { csrf: b.csrf(list.text), action: 'apply', order: 'O-2', note: '', confirm: '1' });
    expect(order(db, 'O-2')).toMatchObject({ status: 3, paid: 1500000 });
    const applied = await b.req('GET', '/console/bank');
    await b.req('POST', `/console/bank/${id}/undo`, { csrf: b.csrf(applied.text), note: 'не тот заказ' });
    const undone = await b.req('GET', '/console/bank');
    expect(undone.text).toContain(`Зачёт платежа #${id} на заказ O-2 отменён: заказ снова в статусе 1, задание для 1С снято`);
    expect(order(db, 'O-2')).toEqual({ status: 1, paymentStatus: 0, paid: 0 });
    expect(db.prepare(`SELECT state FROM outbox_jobs WHERE kind = 'bank.payment'`).pluck().all()).toEqual(['dropped']);
    expect(undone.text).toMatch(/решение отменено \(заказ O-2\)<\/td><td class="who-decided">Иванова А\. П\. \(buh\)<\/td><td>не тот заказ/);
    // applied again, and this time 1C got the document: no undo button, the reason instead
    await b.req('POST', `/console/bank/${id}/resolve`, { csrf: b.csrf(undone.text), action: 'apply', order: 'O-2', note: '', confirm: '1' });
    db.prepare(`UPDATE outbox_jobs SET state = 'done' WHERE kind = 'bank.payment' AND state = 'pending'`).run();
    const delivered = await b.req('GET', '/console/bank');
    expect(delivered.text).not.toContain(`id="undo-${id}"`);
    expect(delivered.text).toContain('уже проведён в 1С: отменить зачёт можно только в 1С');
    await b.req('POST', `/console/bank/${id}/undo`, { csrf: b.csrf(delivered.text) });
    expect((await b.req('GET', '/console/bank')).text).toMatch(/<div class="flash error" id="flash">платёж #\d+: документ поступления по заказу O-2 уже проведён в 1С/);
    expect(order(db, 'O-2')).toMatchObject({ status: 3 });
  });

  it('a POST without the session CSRF token, or from another origin, is refused', async () => {
    const { app, db } = await setup();
    const b = client(app);
    await b.req('POST', '/console/login', BUH);
    const id = db.prepare(`SELECT id FROM bank_payments`).pluck().get();
    expect((await b.req('POST', `/console/bank/${id}/resolve`, { csrf: 'forged', action: 'dismiss', note: 'x' })).status).toBe(403);
    const page = await b.req('GET', '/console/bank');
    const other = await b.req('POST', `/console/bank/${id}/resolve`, { csrf: b.csrf(page.text), action: 'dismiss', note: 'x' }, { origin: 'https://evil.example' });
    expect(other.status).toBe(403);
    expect(db.prepare(`SELECT review FROM bank_payments WHERE id = ?`).pluck().get(id)).toBe('open');
  });

  it('the admin retries and drops dead jobs; the accountant may not', async () => {
    const { app, db } = await setup();
    const dead = (key: string) => {
      const id = enqueue(db, { kind: 'test.kind', key, payload: {} }).id;
      db.prepare(`UPDATE outbox_jobs SET state = 'dead', last_error = 'permanent: 1C 400', finished_at = 1 WHERE id = ?`).run(id);
      return id;
    };
    const j1 = dead('k1');
    const j2 = dead('k2');
    const buh = client(app);
    await buh.req('POST', '/console/login', BUH);
    const seen = await buh.req('GET', '/console');
    expect(seen.text).toContain('permanent: 1C 400');
    expect(seen.text).not.toContain(`id="retry-${j1}"`);
    expect((await buh.req('POST', `/console/outbox/${j1}/retry`, { csrf: buh.csrf(seen.text) })).status).toBe(403);
    const admin = client(app);
    await admin.req('POST', '/console/login', ADMIN);
    const st = await admin.req('GET', '/console');
    expect(st.text).toMatch(/«мёртвых»: <b id="outbox-dead" class="bad">2</);
    await admin.req('POST', `/console/outbox/${j1}/retry`, { csrf: admin.csrf(st.text) });
    expect(getJob(db, j1)).toMatchObject({ state: 'pending', attempts: 0 });
    expect((await admin.req('POST', `/console/outbox/${j2}/drop`, { csrf: admin.csrf(st.text), reason: 'заказ отменён' })).status).toBe(303);
    expect(getJob(db, j2)!.state).toBe('dropped');
    expect(getJob(db, j2)!.lastError).toContain('заказ отменён (admin, консоль)');
  });

  it('a password change or removal ends the session at the next request; logout ends it too', async () => {
    const { app, config } = await setup();
    const b = client(app);
    await b.req('POST', '/console/login', ADMIN);
    expect((await b.req('GET', '/console')).status).toBe(200);
    config.console.users[0] = { ...config.console.users[0], passwordHash: await hashPassword('another-pass') };
    expect((await b.req('GET', '/console')).location).toBe('/console/login');
    const b2 = client(app);
    await b2.req('POST', '/console/login', BUH);
    const p = await b2.req('GET', '/console/bank');
    await b2.req('POST', '/console/logout', { csrf: b2.csrf(p.text) });
    expect((await b2.req('GET', '/console/bank')).location).toBe('/console/login');
  });

  it('orders: search by 1C number shows the order and its history', async () => {
    const { app } = await setup();
    const b = client(app);
    await b.req('POST', '/console/login', ADMIN);
    const r = await b.req('GET', `/console/orders?q=${encodeURIComponent('ТД00-000124')}`);
    expect(r.text).toContain('O-2');
    expect(r.text).toContain('ООО &quot;Бета&quot;');
    expect(r.text).toContain('История заказа O-2');
  });

  it('"sync now" starts the sync for the admin only', async () => {
    let syncs = 0;
    const { app } = await setup({ syncNow: async () => void syncs++ });
    const buh = client(app);
    await buh.req('POST', '/console/login', BUH);
    const bp = await buh.req('GET', '/console');
    expect(bp.text).not.toContain('id="sync-now"');
    expect((await buh.req('POST', '/console/sync', { csrf: buh.csrf(bp.text) })).status).toBe(403);
    const admin = client(app);
    await admin.req('POST', '/console/login', ADMIN);
    const ap = await admin.req('GET', '/console');
    expect(ap.text).toContain('id="sync-now"');
    expect((await admin.req('POST', '/console/sync', { csrf: admin.csrf(ap.text) })).location).toBe('/console');
    expect(syncs).toBe(1);
    expect((await admin.req('GET', '/console')).text).toContain('Синхронизация каталога запущена');
  });

  it('a form body over 64 KB is refused before it is parsed', async () => {
    const { app } = await setup();
    const b = client(app);
    const r = await b.req('POST', '/console/login', { name: 'x', password: 'y'.repeat(70_000) });
    expect(r.status).toBe(413);
  });

  it('login is throttled after 5 failures from one address', async () => {
    const { app } = await setup();
    const b = client(app);
    for (let i = 0; i < 5; i++) await b.req('POST', '/console/login', { name: 'admin', password: 'wrong-' + i });
    const r = await b.req('POST', '/console/login', ADMIN);
    expect(r.status).toBe(429);
  });
});

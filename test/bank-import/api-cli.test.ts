import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { BankService } from '../../src/bank/import/index.js';
import { parseConfig } from '../../src/config/index.js';
import { openDb } from '../../src/db/open.js';
import { hashPassword } from '../../src/install/password.js';
import { silentLogger } from '../../src/log.js';
import { addClient, addOrder, freshDb, order } from './helpers.js';
import { ACC_B, CLIENT_A_INN, bytesOf, docFromA } from './statement.js';

const doc = docFromA;
const STATEMENT = [
  doc(),
  doc({ number: '102', amount: '500.00', purpose: 'Оплата за товар' }), // A has two orders due 500.00
  doc({ number: '103', amount: '77.70', payerAcc: ACC_B, payerInn: '7701234560', payerName: 'ООО "Кто-то"', purpose: 'Оплата' }),
];
const seed = (db: ReturnType<typeof freshDb>) => {
  addClient(db, 'C-A', CLIENT_A_INN);
  addOrder(db, { id: 'O-1', client: 'C-A', number: 'ТД00-000123', amountKopecks: 108000 });
  addOrder(db, { id: 'O-2', client: 'C-A', number: 'ТД00-000124', amountKopecks: 50000 });
  addOrder(db, { id: 'O-3', client: 'C-A', number: 'ТД00-000125', amountKopecks: 50000 });
};

describe('GET /api/v1/bank/unmatched', async () => {
  const db = freshDb();
  seed(db);
  const bank = new BankService(db);
  bank.importBytes(bytesOf(STATEMENT), { source: 'folder', name: 'kl_to_1c.txt' });
  const config = parseConfig({ auth: { users: [{ name: 'rs', passwordHash: await hashPassword('p'), role: 'bank' }] } });
  const app = createApp({ config, logger: silentLogger, services: { bank, health: { ready: async () => ({ ready: true, checks: [] }) } } });
  const auth = { Authorization: 'Basic ' + Buffer.from('rs:p').toString('base64') };

  it('lists the payments waiting for a person, oldest first, amounts in roubles, reasons in Russian', async () => {
    const r = await app.request('/api/v1/bank/unmatched', { headers: auth });
    expect(r.status).toBe(200);
    const body = (await r.json()) as any;
    expect(body.total).toBe(2);
    expect(body.items.map((i: any) => [i.number, i.result, i.reason, i.amount])).toEqual([
      ['102', 'ambiguous', 'several-orders-same-amount', 500],
      ['103', 'unmatched', 'unknown-client', 77.7],
    ]);
    expect(body.items[0].reasonText).toBe('у клиента несколько открытых заказов на эту сумму');
    expect(body.items[0].candidates.map((c: any) => [c.orderId, c.number, c.amount, c.paid]).sort()).toEqual([
      ['O-2', 'ТД00-000124', 500, 0],
      ['O-3', 'ТД00-000125', 500, 0],
    ]);
    expect(body.items[1]).toMatchObject({ payer: { inn: '7701234560', account: ACC_B }, purpose: 'Оплата', statement: { name: 'kl_to_1c.txt', source: 'folder' } });
    const page2 = (await (await app.request(`/api/v1/bank/unmatched?limit=1&after=${body.items[0].id}`, { headers: auth })).json()) as any;
    expect(page2.items.map((i: any) => i.number)).toEqual(['103']);
  });

  it('Basic auth like the rest of the API; bad parameters name the field', async () => {
    expect((await app.request('/api/v1/bank/unmatched')).status).toBe(401);
    const bad = await app.request('/api/v1/bank/unmatched?limit=0', { headers: auth });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.fields[0].field).toBe('limit');
  });

  it('is in the OpenAPI document with Russian text and an example', async () => {
    const doc = (await (await app.request('/openapi.json')).json()) as any;
    const op = doc.paths['/api/v1/bank/unmatched'].get;
    expect(op.summary).toMatch(/ждут решения оператора/);
    expect(op.tags).toEqual(['Банк']);
    expect(doc.components.schemas.UnmatchedPayments.example.items[0].reason).toBe('no-order-with-amount');
    expect(op.parameters.map((p: any) => p.name).sort()).toEqual(['after', 'limit']);
  });
});

describe('regate bank import / unmatched / resolve (CLI)', () => {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const tmp = mkdtempSync(join(tmpdir(), 'regate-bank-cli-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const dbPath = join(tmp, 'regate.sqlite');
  const file = join(tmp, 'kl_to_1c.txt');
  const regate = (...args: string[]) =>
    spawnSync(process.execPath, [join(root, 'bin/regate.mjs'), ...args], { cwd: root, encoding: 'utf8', timeout: 30_000, env: { ...process.env, REGATE_DATABASE_PATH: dbPath } });

  it('import: matches and reports; again: "already imported", nothing changed; unmatched lists the rest', () => {
    const db = openDb(dbPath);
    seed(db);
    db.close();
    writeFileSync(file, bytesOf(STATEMENT));

    const dry = regate('bank', 'import', file, '--dry-run');
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^пробный прогон, ничего не записано: поступлений 3, новых 3/);

    const r = regate('bank', 'import', file);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('поступлений 3, новых 3, уже известных 0, зачтено 1, заказов оплачено 1, на проверку 2');
    const again = regate('bank', 'import', file, '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ duplicate: true, newPayments: 0 });

    const check = openDb(dbPath);
    expect(order(check, 'O-1')).toEqual({ status: 3, paymentStatus: 2, paid: 108000 });
    expect(check.prepare(`SELECT COUNT(*) FROM payments`).pluck().get()).toBe(1);
    check.close();

    const u = regate('bank', 'unmatched');
    expect(u.status, u.stderr).toBe(0);
    expect(u.stdout).toContain('ждут решения: 2');
    expect(u.stdout).toContain('п/п 102 от 2026-11-27  500,00 руб.  ambiguous: у клиента несколько открытых заказов на эту сумму');
    expect(u.stdout).toContain('подходят заказы: ТД00-000124 (500,00 руб. к оплате), ТД00-000125 (500,00 руб. к оплате)');
    expect(u.stdout).toContain('плательщик: ООО "Кто-то", ИНН 7701234560');
    const list = JSON.parse(regate('bank', 'unmatched', '--json').stdout);
    expect(list.total).toBe(2);

    // the accountant decides the ambiguous one: O-3
    const res = regate('bank', 'resolve', `#${list.items[0].id}`, '--order', 'O-3', '--note', 'звонили клиенту');
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout.trim()).toBe(
      `платёж #${list.items[0].id} зачтён на заказ O-3: заказ оплачен (статус 3), документ поступления будет проведён в 1С\nотменить, пока документ не ушёл в 1С: regate bank undo ${list.items[0].id}`,
    );
    const no = regate('bank', 'resolve', String(list.items[1].id));
    expect(no.status).toBe(1);
    expect(no.stderr.trim()).toBe('закрывая платёж без заказа, напишите почему (--note)');
    expect(JSON.parse(regate('bank', 'unmatched', '--json').stdout).total).toBe(1);
    const after = openDb(dbPath);
    expect(order(after, 'O-3')).toEqual({ status: 3, paymentStatus: 2, paid: 50000 });
    after.close();
  });

  it('a damaged file: exit 2 and file:line: reason', () => {
    const bad = join(tmp, 'bad.txt');
    writeFileSync(bad, bytesOf([doc()]).toString('utf8').replace('КонецФайла\r\n', ''));
    const r = regate('bank', 'import', bad);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^${bad.replace(/[.]/g, '\\.')}:\\d+: .+ \\[TRUNCATED\\]`));
  });
});

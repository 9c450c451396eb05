import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BankService } from '../../src/bank/import/index.js';
import { parseStatement } from '../../src/bank/parse/index.js';
import { openDb } from '../../src/db/open.js';
import { addClient, addOrder, freshDb, order, snapshot } from '../bank-import/helpers.js';
import { CLIENT_A_INN, OWN, docFromA, statementText } from '../bank-import/statement.js';

/** The header's Документ= written after the СекцияРасчСчет block, as a real Bank-Client export does. */
function quirkyStatement(): Buffer {
  const text = statementText([docFromA()]).replace('Документ=Платежное поручение\r\n', '');
  const account = ['СекцияРасчСчет', 'ДатаНачала=27.11.2026', 'ДатаКонца=28.11.2026', `РасчСчет=${OWN}`, 'НачальныйОстаток=0.00', 'ВсегоПоступило=1080.00', 'ВсегоСписано=0.00', 'КонечныйОстаток=1080.00', 'КонецРасчСчет', 'Документ=Платежное поручение'];
  return Buffer.from(text.replace('СекцияДокумент=', `${account.join('\r\n')}\r\nСекцияДокумент=`), 'utf8');
}

const seed = (db: ReturnType<typeof freshDb>) => {
  addClient(db, 'C-A', CLIENT_A_INN);
  addOrder(db, { id: 'O-1', client: 'C-A', number: 'ТД00-000123', amountKopecks: 108000 });
};

describe('statement quirk: Документ= after the account section', () => {
  it('is accepted as the header kind with a warning naming its line', () => {
    const st = parseStatement(quirkyStatement());
    expect(st.header.documentKinds).toEqual(['Платежное поручение']);
    expect(st.documents).toHaveLength(1);
    expect(st.warnings).toEqual([{ line: 18, message: expect.stringMatching(/^Документ=Платежное поручение после секции счёта/) }]);
  });
  it('any other field there is still refused', () => {
    const bad = Buffer.from(quirkyStatement().toString('utf8').replace('Документ=Платежное поручение', 'Получатель=кто-то'), 'utf8');
    expect(() => parseStatement(bad)).toThrow(/вне секций/);
  });
});

describe('bank import --dry-run reports what the import does', () => {
  it('the dry run (the import rolled back) counts the paid order, carries the warning, and leaves every table as it was', () => {
    const db = freshDb();
    seed(db);
    const bank = new BankService(db);
    const before = snapshot(db);
    const dry = bank.importBytes(quirkyStatement(), { source: 'cli', name: 'kl_to_1c.txt' }, { dryRun: true });
    expect(snapshot(db)).toEqual(before);
    expect(db.inTransaction).toBe(false);
    const real = bank.importBytes(quirkyStatement(), { source: 'cli', name: 'kl_to_1c.txt' });
    expect(real.paidOrders).toEqual(['O-1']);
    expect({ ...dry, statementId: null }).toEqual({ ...real, statementId: null });
    expect(dry.statementId).toBeNull();
    expect(real.statementId).toEqual(expect.any(Number));
    expect(dry.warnings).toBe(1);
    expect(dry.notes).toEqual([{ line: 18, message: expect.stringMatching(/^Документ=Платежное поручение после секции счёта/) }]);
    expect(order(db, 'O-1')).toMatchObject({ status: 3 });
  });

  it('CLI: the dry run says 1 order paid and prints the warning; the database is untouched', () => {
    const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
    const tmp = mkdtempSync(join(tmpdir(), 'regate-cli-bank-'));
    afterAll(() => rmSync(tmp, { recursive: true, force: true }));
    const dbPath = join(tmp, 'regate.sqlite');
    const db = openDb(dbPath);
    seed(db);
    db.close();
    const file = join(tmp, 'kl_to_1c.txt');
    writeFileSync(file, quirkyStatement());
    const r = spawnSync(process.execPath, [join(root, 'bin/regate.mjs'), 'bank', 'import', file, '--dry-run'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, REGATE_DATABASE_PATH: dbPath },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^пробный прогон, ничего не записано: поступлений 1, новых 1, уже известных 0, зачтено 1, заказов оплачено 1, на проверку 0, предупреждений в выписке 1\n/);
    expect(r.stdout).toMatch(/предупреждение, строка 18: Документ=Платежное поручение после секции счёта/);
    const after = openDb(dbPath);
    expect(order(after, 'O-1')).toMatchObject({ status: 1, paid: 0 });
    after.close();
  });
});

describe('bank resolve (CLI) warns before applying a payment that does not fit', () => {
  it('15,000 from another INN to a 119.90 order: refused with both warnings; --yes applies it under --by', () => {
    const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
    const tmp = mkdtempSync(join(tmpdir(), 'regate-cli-resolve-'));
    afterAll(() => rmSync(tmp, { recursive: true, force: true }));
    const dbPath = join(tmp, 'regate.sqlite');
    const db = openDb(dbPath);
    addClient(db, 'C-A', CLIENT_A_INN);
    addOrder(db, { id: 'O-9', client: 'C-A', number: 'ТД00-000999', amountKopecks: 11990 });
    new BankService(db).importBytes(
      Buffer.from(statementText([docFromA({ number: '5', amount: '15000.00', payerInn: '7701234560', payerName: 'ИП Сидоров', purpose: 'Оплата' })]), 'utf8'),
      { source: 'cli', name: 'kl.txt' },
    );
    const id = String(db.prepare(`SELECT id FROM bank_payments`).pluck().get());
    db.close();
    const regate = (...args: string[]) =>
      spawnSync(process.execPath, [join(root, 'bin/regate.mjs'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, REGATE_DATABASE_PATH: dbPath } });
    const no = regate('bank', 'resolve', id, '--order', 'ТД00-000999');
    expect(no.status).toBe(1);
    expect(no.stderr).toMatch(/не зачтён:\n {2}- ИНН плательщика 7701234560 не совпадает с ИНН клиента 7707083893.*\n {2}- переплата: платёж больше суммы к оплате на 14\s880,10/);
    const yes = regate('bank', 'resolve', id, '--order', 'ТД00-000999', '--yes', '--by', 'Петров П. П.', '--note', 'согласовано');
    expect(yes.status, yes.stderr).toBe(0);
    expect(yes.stdout).toMatch(/зачтён на заказ O-9: заказ оплачен \(статус 3\).*\nпереплата 14\s880,10 руб\.: платёж остаётся в списке/);
    let after = openDb(dbPath);
    expect(order(after, 'O-9')).toMatchObject({ status: 3, paymentStatus: 2, paid: 1500000 });
    // the overpayment entry: the excess recorded, the payment still listed as an overpayment under the order
    expect(after.prepare(`SELECT excess_kopecks, coverage, review FROM bank_payments WHERE id = ?`).get(Number(id))).toEqual({ excess_kopecks: 1488010, coverage: 'over', review: 'open' });
    expect(after.prepare(`SELECT action, order_id AS orderId, by, note FROM bank_decisions`).all()).toEqual([{ action: 'applied', orderId: 'O-9', by: 'Петров П. П.', note: 'согласовано' }]);
    after.close();
    const list = regate('bank', 'unmatched');
    expect(list.stdout).toMatch(new RegExp(`#${id} .*15\\s000,00 руб\\. +matched: переплата: заказ оплачен, излишек требует решения`));
    expect(list.stdout).toMatch(/зачтён на заказ O-9 \(Петров П\. П\., .*\); переплата 14\s880,10 руб\./);

    // not yet in 1C: undone — the order is open and unpaid again, the 1C job dropped, the payment back in the list
    const undo = regate('bank', 'undo', id, '--by', 'Петров П. П.', '--note', 'ошиблись заказом');
    expect(undo.status, undo.stderr).toBe(0);
    expect(undo.stdout).toMatch(new RegExp(`зачёт платежа #${id} на заказ O-9 отменён: заказ в статусе 1 \\(создан, не оплачен\\), платёж снова ждёт решения; задание #\\d+ для 1С снято`));
    after = openDb(dbPath);
    expect(order(after, 'O-9')).toEqual({ status: 1, paymentStatus: 0, paid: 0 });
    expect(after.prepare(`SELECT state FROM outbox_jobs WHERE kind = 'bank.payment'`).pluck().all()).toEqual(['dropped']);
    expect(after.prepare(`SELECT COUNT(*) FROM payments`).pluck().get()).toBe(0);
    expect(after.prepare(`SELECT review, order_id, excess_kopecks FROM bank_payments WHERE id = ?`).get(Number(id))).toEqual({ review: 'open', order_id: null, excess_kopecks: null });
    expect(after.prepare(`SELECT event FROM order_history WHERE order_id = 'O-9' ORDER BY id`).pluck().all()).toEqual(['payment.bank', 'payment.bank.undone']);
    after.close();
    // nothing left to undo
    const again = regate('bank', 'undo', id);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/нет решения человека, которое можно отменить/);
  });
});

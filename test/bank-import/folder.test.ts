import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/open.js';
import { BankService } from '../../src/bank/import/index.js';
import { addClient, addOrder, freshDb, order, snapshot } from './helpers.js';
import { CLIENT_A_INN, bytesOf, docFromA } from './statement.js';

let dir: string;
let db: Db;
let bank: BankService;
const NOW = Date.parse('2026-11-28T07:00:00.000Z');

const doc = docFromA;
/** Drops a file with an mtime `ageMs` before NOW. */
const drop = (name: string, bytes: Uint8Array | string, ageMs = 60_000) => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  const t = new Date(NOW - ageMs);
  utimesSync(p, t, t);
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'regate-bank-folder-'));
  db = freshDb();
  addClient(db, 'C-A', CLIENT_A_INN);
  addOrder(db, { id: 'O-1', client: 'C-A', number: 'ТД00-000123', amountKopecks: 108000 });
  bank = new BankService(db, { folder: { dir, processedDir: 'processed', failedDir: 'failed', settleMs: 5000, now: () => NOW } });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('watched folder', () => {
  it('imports every settled file, moves it to processed/; a damaged one to failed/ with the reason beside it', async () => {
    drop('kl_to_1c.txt', bytesOf([doc()]));
    const cut = bytesOf([doc({ number: '2' })]).toString('utf8').replace('КонецФайла\r\n', '');
    drop('broken.txt', cut);
    mkdirSync(join(dir, 'archive')); // sub-folders are not statements
    drop('.hidden', 'x');

    const r = await bank.run();
    expect(r.folder?.imported.map((f) => [f.file, f.report.matched])).toEqual([['kl_to_1c.txt', 1]]);
    expect(r.folder?.failed.map((f) => f.file)).toEqual(['broken.txt']);
    expect(r.folder?.failed[0].error).toMatch(/^строка \d+: .+ \[TRUNCATED\]$/);
    expect(readdirSync(dir).sort()).toEqual(['.hidden', 'archive', 'failed', 'processed']);
    expect(readdirSync(join(dir, 'processed'))).toEqual(['kl_to_1c.txt']);
    expect(readdirSync(join(dir, 'failed')).sort()).toEqual(['broken.txt', 'broken.txt.error.txt']);
    expect(readFileSync(join(dir, 'failed', 'broken.txt.error.txt'), 'utf8')).toContain('TRUNCATED');
    expect(order(db, 'O-1')).toEqual({ status: 3, paymentStatus: 2, paid: 108000 });
    expect(db.prepare(`SELECT source, name FROM bank_statements`).all()).toEqual([{ source: 'folder', name: 'kl_to_1c.txt' }]);
  });

  it('a file still being written (changed within settleMs) waits for the next run', async () => {
    drop('kl_to_1c.txt', bytesOf([doc()]), 1000);
    const r = await bank.run();
    expect(r.folder).toEqual({ imported: [], failed: [], waiting: ['kl_to_1c.txt'], retry: [] });
    expect(existsSync(join(dir, 'kl_to_1c.txt'))).toBe(true);
    expect(db.prepare(`SELECT COUNT(*) FROM bank_statements`).pluck().get()).toBe(0);
  });

  it('the same statement dropped again (same name): nothing changes in the database, the copy is kept under a new name', async () => {
    drop('kl_to_1c.txt', bytesOf([doc()]));
    await bank.run();
    const before = snapshot(db);
    drop('kl_to_1c.txt', bytesOf([doc()]));
    const r = await bank.run();
    expect(r.folder?.imported[0].report).toMatchObject({ duplicate: true, newPayments: 0 });
    expect(snapshot(db)).toEqual(before);
    const kept = readdirSync(join(dir, 'processed')).sort();
    expect(kept).toHaveLength(2);
    expect(kept[0]).toMatch(/^kl_to_1c\.2026-11-28T07-00-00-000Z\.txt$/);
  });

  it('oldest first: a later statement sees the earlier one’s payments', async () => {
    addOrder(db, { id: 'O-2', client: 'C-A', number: 'ТД00-000124', amountKopecks: 100000 });
    drop('b-newer.txt', bytesOf([doc({ number: '2', date: '28.11.2026', amount: '600.00', purpose: 'Оплата по счету ТД00-000124' })]), 60_000);
    drop('a-older.txt', bytesOf([doc({ number: '1', amount: '400.00', purpose: 'Оплата по счету ТД00-000124' })]), 120_000);
    const r = await bank.run();
    expect(r.folder?.imported.map((f) => [f.file, f.report.partial, f.report.paidOrders])).toEqual([
      ['a-older.txt', 1, []],
      ['b-newer.txt', 0, ['O-2']],
    ]);
  });
});

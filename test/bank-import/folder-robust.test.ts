import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/open.js';
import { BankService } from '../../src/bank/import/index.js';
import { runFolder } from '../../src/bank/sources/folder.js';
import { addClient, addOrder, freshDb, order } from './helpers.js';
import { CLIENT_A_INN, bytesOf, docFromA } from './statement.js';

// Issue 13.6: one file over 2 GiB (or any unreadable file) blocked every import from the folder, was never moved to
// failed/, and the error named no file; the reader held whole files in the daemon's memory.
let dir: string;
let db: Db;
const NOW = Date.parse('2026-11-28T07:00:00.000Z');
const age = (p: string) => utimesSync(p, new Date(NOW - 60_000), new Date(NOW - 60_000));
const drop = (name: string, bytes: Uint8Array | string) => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  age(p);
  return p;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'regate-bank-robust-'));
  db = freshDb();
  addClient(db, 'C-A', CLIENT_A_INN);
  addOrder(db, { id: 'O-1', client: 'C-A', number: 'ТД00-000123', amountKopecks: 108000 });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('watched folder: one bad file never blocks the others', () => {
  it('a 2.5 GiB file (sparse) goes to failed/ unread, named in the error; the good file is imported', async () => {
    const huge = join(dir, 'a_huge.txt');
    writeFileSync(huge, '');
    truncateSync(huge, 2.5 * 2 ** 30); // sparse: no disk used, but readFile refuses anything over 2 GiB
    age(huge);
    drop('kl_to_1c.txt', bytesOf([docFromA()]));
    const bank = new BankService(db, { folder: { dir, processedDir: 'processed', failedDir: 'failed', settleMs: 5000, now: () => NOW } });
    const r = await bank.run();
    expect(r.folderError).toBeUndefined();
    expect(r.folder?.imported.map((f) => f.file)).toEqual(['kl_to_1c.txt']);
    expect(r.folder?.failed.map((f) => f.file)).toEqual(['a_huge.txt']);
    expect(r.folder?.failed[0].error).toContain('a_huge.txt');
    expect(r.folder?.failed[0].error).toMatch(/МБ/);
    expect(readdirSync(join(dir, 'failed')).sort()).toEqual(['a_huge.txt', 'a_huge.txt.error.txt']);
    expect(order(db, 'O-1').paid).toBe(108000);
  });

  it('a file over the configured limit is not read at all', async () => {
    drop('big.txt', Buffer.alloc(5000, 'x'));
    const reads: string[] = [];
    const r = await runFolder(
      { dir, processedDir: 'processed', failedDir: 'failed', settleMs: 0, now: () => NOW, maxFileBytes: 4096 },
      (_bytes, name) => {
        reads.push(name);
        throw new Error('must not be called');
      },
    );
    expect(reads).toEqual([]);
    expect(r.failed.map((f) => f.file)).toEqual(['big.txt']);
    expect(readFileSync(join(dir, 'failed', 'big.txt.error.txt'), 'utf8')).toContain('big.txt');
  });

  it('an unreadable file goes to failed/ with its name and the system error; the others are imported', async () => {
    drop('a_bad.txt', 'x');
    drop('kl_to_1c.txt', bytesOf([docFromA()]));
    const bank = new BankService(db, {
      folder: {
        dir, processedDir: 'processed', failedDir: 'failed', settleMs: 5000, now: () => NOW,
        read: async (path, max) => {
          if (path.endsWith('a_bad.txt')) throw Object.assign(new Error(`EIO: i/o error, read`), { code: 'EIO' });
          const { readBounded } = await import('../../src/bank/sources/folder.js');
          return readBounded(path, max);
        },
      },
    });
    const r = await bank.run();
    expect(r.folderError).toBeUndefined();
    expect(r.folder?.imported.map((f) => f.file)).toEqual(['kl_to_1c.txt']);
    expect(r.folder?.failed[0]).toMatchObject({ file: 'a_bad.txt' });
    expect(r.folder?.failed[0].error).toMatch(/a_bad\.txt.*EIO/);
    expect(existsSync(join(dir, 'failed', 'a_bad.txt'))).toBe(true);
  });

  it('a storage fault while importing leaves the file where it is (the file is not at fault) and stops the pass', async () => {
    drop('kl_to_1c.txt', bytesOf([docFromA()]));
    const r = await runFolder({ dir, processedDir: 'processed', failedDir: 'failed', settleMs: 0, now: () => NOW }, () => {
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    });
    expect(r.failed).toEqual([]);
    expect(r.retry.map((f) => f.file)).toEqual(['kl_to_1c.txt']);
    expect(r.retry[0].error).toContain('SQLITE_FULL');
    expect(existsSync(join(dir, 'kl_to_1c.txt'))).toBe(true);
  });
});

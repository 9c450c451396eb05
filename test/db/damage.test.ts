import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, StorageDamagedError } from '../../src/db/open.js';
import { checkWal } from '../../src/db/integrity.js';

// Issue 13.7: with the WAL deleted or corrupted after a crash the daemon started, reported ready and had silently
// lost acknowledged orders; "file is not a database" and "malformed" named neither the file nor what to do.
const root = resolve(import.meta.dirname, '../..');
let dir: string;
let crashed: string; // a database whose writer died with 20 acknowledged clients in its WAL

function damaged(fn: () => unknown): StorageDamagedError {
  let err: unknown;
  try {
    const db = fn() as { close?: () => void };
    db?.close?.();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected StorageDamagedError').toBeInstanceOf(StorageDamagedError);
  return err as StorageDamagedError;
}
/** A copy of the crashed database (file, WAL, markers) under a new name. */
function copyCrashed(name: string): string {
  const to = join(dir, name);
  for (const f of readdirSync(dir).filter((f) => f.startsWith('crashed.db'))) copyFileSync(join(dir, f), join(dir, f.replace('crashed.db', name)));
  // the dead writer's mark names the file it held (device:inode); the copy stands for that same file
  const st = statSync(to);
  for (const m of readdirSync(dir).filter((f) => f.startsWith(`${name}.open-`))) writeFileSync(join(dir, m), JSON.stringify({ file: `${st.dev}:${st.ino}` }));
  return to;
}
const clients = (path: string) => {
  const db = openDb(path);
  try {
    return db.prepare(`SELECT COUNT(*) FROM clients WHERE id LIKE 'crash-%'`).pluck().get() as number;
  } finally {
    db.close();
  }
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'regate-damage-'));
  crashed = join(dir, 'crashed.db');
  openDb(crashed).close(); // schema checkpointed into the file
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test/db/crash-writer.ts'), crashed, '20'], { cwd: root, encoding: 'utf8' });
  expect(child.stdout).toContain('committed');
  expect(child.signal).toBe('SIGKILL');
  expect(statSync(`${crashed}-wal`).size).toBeGreaterThan(20 * 4096);
}, 30_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('storage damage is detected and named at start', () => {
  it('after a crash with the WAL intact: opens, the acknowledged rows are there, the dead process\'s mark is cleared', () => {
    const p = copyCrashed('intact.db');
    expect(checkWal(`${p}-wal`)).toMatchObject({ ok: true, commits: 20 });
    expect(clients(p)).toBe(20);
    expect(readdirSync(dir).filter((f) => f.startsWith('intact.db.open-'))).toEqual([]);
    expect(clients(p)).toBe(20); // and again, after a clean close
  });

  it('WAL deleted after the crash → refuses to open, naming the file, the lost WAL and the recovery doc', () => {
    const p = copyCrashed('nowal.db');
    unlinkSync(`${p}-wal`);
    const e = damaged(() => openDb(p));
    expect(e.code).toBe('WAL_MISSING');
    expect(e.message).toContain(p);
    expect(e.message).toContain(`${p}-wal`);
    expect(e.message).toContain('troubleshooting.md');
    // read-only (regate status) says the same
    expect(damaged(() => openDb(p, { readonly: true })).code).toBe('WAL_MISSING');
  });

  it('a database restored over the crashed one (a new file renamed into place) is not taken for a lost WAL', () => {
    const p = copyCrashed('restored.db');
    unlinkSync(`${p}-wal`);
    const fresh = join(dir, 'fresh.db');
    openDb(fresh).close();
    renameSync(fresh, p); // what regate restore does
    expect(clients(p)).toBe(0);
    expect(readdirSync(dir).filter((f) => f.startsWith('restored.db.open-'))).toEqual([]);
  });

  it('WAL corrupted in a committed frame → refuses (SQLite would drop everything after it silently)', () => {
    const p = copyCrashed('badwal.db');
    const wal = readFileSync(`${p}-wal`);
    wal[32 + 24 + 100] ^= 0xff; // a byte of the first frame's page
    writeFileSync(`${p}-wal`, wal);
    expect(checkWal(`${p}-wal`).ok).toBe(false);
    const e = damaged(() => openDb(p));
    expect(e.code).toBe('WAL_CORRUPT');
    expect(e.message).toContain(`${p}-wal`);
  });

  it('a torn last frame (crash mid-write of an unacknowledged transaction) is not damage', () => {
    const p = copyCrashed('torn.db');
    const wal = readFileSync(`${p}-wal`);
    const frame = 24 + 4096;
    const frames = Math.floor((wal.length - 32) / frame);
    wal[32 + (frames - 1) * frame + 24 + 10] ^= 0xff; // the last frame: the 20th commit, torn
    writeFileSync(`${p}-wal`, wal);
    expect(checkWal(`${p}-wal`)).toMatchObject({ ok: true, commits: 19 });
    expect(clients(p)).toBe(19);
  });

  it('"file is not a database" and a malformed file are named with the path and the way out', () => {
    const garbage = join(dir, 'garbage.db');
    writeFileSync(garbage, Buffer.alloc(8192, 0x41));
    const e = damaged(() => openDb(garbage));
    expect(e.code).toBe('NOT_A_DATABASE');
    expect(e.message).toContain(garbage);
    expect(e.message).toContain('troubleshooting.md');

    const p = join(dir, 'malformed.db');
    const db = openDb(p);
    db.exec(`CREATE TABLE filler (x TEXT); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400) INSERT INTO filler SELECT hex(randomblob(500)) FROM n; CREATE INDEX filler_x ON filler (x)`);
    db.close();
    const bytes = readFileSync(p);
    const pageSize = bytes.readUInt16BE(16);
    bytes.fill(0x55, pageSize * (Math.floor(bytes.length / pageSize) - 2), pageSize * (Math.floor(bytes.length / pageSize) - 1)); // a page near the end
    writeFileSync(p, bytes);
    const m = damaged(() => openDb(p));
    expect(m.code).toBe('MALFORMED');
    expect(m.message).toContain(p);
  });

  it('regate status on a damaged database exits 2, as docs/ru/operations.md says', () => {
    const garbage = join(dir, 'status-garbage.db');
    writeFileSync(garbage, Buffer.alloc(8192, 0x41));
    const cfg = join(dir, 'regate.yaml');
    writeFileSync(cfg, `database:\n  path: ${garbage}\nonec:\n  url: http://127.0.0.1:9/odata\n`);
    const r = spawnSync(process.execPath, [join(root, 'bin/regate.mjs'), '--config', cfg, 'status', '--no-onec', '--url', 'http://127.0.0.1:9', '--timeout', '500'], { cwd: root, encoding: 'utf8' });
    expect(r.stderr + r.stdout).toContain(garbage);
    expect(r.status).toBe(2);
  }, 30_000);
});

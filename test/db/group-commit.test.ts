import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDb } from '../../src/db/open.js';
import { GroupCommit } from '../../src/db/group-commit.js';

const fresh = () => {
  const path = join(mkdtempSync(join(tmpdir(), 'regate-gc-')), 'db.sqlite');
  const db = openDb(path);
  db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)`);
  return { db, path };
};

describe('group commit', () => {
  it('writes of one turn share a transaction; a failing write rolls back only itself', async () => {
    const { db, path } = fresh();
    const gc = new GroupCommit(db);
    const results = await Promise.allSettled([
      gc.run(() => db.prepare(`INSERT INTO t (v) VALUES ('a')`).run().lastInsertRowid),
      gc.run(() => {
        db.prepare(`INSERT INTO t (v) VALUES ('b')`).run();
        db.prepare(`INSERT INTO t (v) VALUES ('a')`).run(); // UNIQUE: this write fails, 'b' must go too
      }),
      gc.run(() => db.prepare(`INSERT INTO t (v) VALUES ('c')`).run().lastInsertRowid),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    // Settled means committed: another connection sees exactly the successful writes.
    const other = new Database(path, { readonly: true });
    expect(other.prepare(`SELECT v FROM t ORDER BY v`).pluck().all()).toEqual(['a', 'c']);
    other.close();
  });

  it("savepoints 'on-failure': a write that fails after changing something takes the batch back, and it runs again with savepoints", async () => {
    const { db, path } = fresh();
    const gc = new GroupCommit(db, 256, undefined, 'on-failure');
    const runs = [0, 0, 0];
    const results = await Promise.allSettled([
      gc.run(() => (runs[0]++, db.prepare(`INSERT INTO t (v) VALUES ('a')`).run().lastInsertRowid)),
      gc.run(() => {
        runs[1]++;
        db.prepare(`INSERT INTO t (v) VALUES ('b')`).run();
        db.prepare(`INSERT INTO t (v) VALUES ('a')`).run(); // UNIQUE after 'b' was written: 'b' must not stay
      }),
      gc.run(() => (runs[2]++, db.prepare(`INSERT INTO t (v) VALUES ('c')`).run().lastInsertRowid)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    // 'c' never ran in the first pass: the batch was rolled back at the half-written write.
    expect(runs).toEqual([2, 2, 1]);
    const other = new Database(path, { readonly: true });
    expect(other.prepare(`SELECT v FROM t ORDER BY v`).pluck().all()).toEqual(['a', 'c']);
    other.close();
    // The next batch goes without savepoints again: a write refused before it changed anything fails alone.
    const next = await Promise.allSettled([
      gc.run(() => (runs[0]++, db.prepare(`INSERT INTO t (v) VALUES ('d')`).run().lastInsertRowid)),
      gc.run(() => {
        runs[1]++;
        throw new Error('refused before any write');
      }),
      gc.run(() => (runs[2]++, db.prepare(`INSERT INTO t (v) VALUES ('c')`).run())), // UNIQUE on its only statement
      gc.run(() => (runs[2]++, db.prepare(`INSERT INTO t (v) VALUES ('e')`).run().lastInsertRowid)),
    ]);
    expect(next.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(runs).toEqual([3, 3, 3]);
    expect(db.prepare(`SELECT v FROM t ORDER BY v`).pluck().all()).toEqual(['a', 'c', 'd', 'e']);
  });

  it('a failed COMMIT rejects every write of the batch and leaves nothing', async () => {
    const { db, path } = fresh();
    const gc = new GroupCommit(db);
    // Deferred foreign key violation: each statement succeeds, the COMMIT itself fails.
    db.exec(`CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE ch (pid INTEGER REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED)`);
    const results = await Promise.allSettled([
      gc.run(() => db.prepare(`INSERT INTO t (v) VALUES ('x')`).run()),
      gc.run(() => db.prepare(`INSERT INTO ch (pid) VALUES (42)`).run()),
    ]);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    const other = new Database(path, { readonly: true });
    expect(other.prepare(`SELECT COUNT(*) FROM t`).pluck().get()).toBe(0);
    other.close();
  });

  it('later writes wait for the next batch; order within a batch is preserved', async () => {
    const { db } = fresh();
    const gc = new GroupCommit(db, 3);
    const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => gc.run(() => Number(db.prepare(`INSERT INTO t (v) VALUES (?)`).run(`v${i}`).lastInsertRowid))));
    expect(ids).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

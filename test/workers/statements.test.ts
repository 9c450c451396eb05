import { threadId } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/open.js';
import { shareStatements } from '../../src/workers/statements.js';
import { createWriteLock, guardWrites } from '../../src/workers/write-lock.js';

// The delivery thread's connection compiles each SQL text once (src/workers/statements.ts); each db.prepare() still
// behaves as a statement of its own: its result mode, its bound parameters, an iteration left open.
function counted(max?: number): { db: Db; compiled: () => number } {
  const db = openDb(':memory:');
  let n = 0;
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => (n++, prepare(sql))) as Db['prepare'];
  shareStatements(db, max);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  db.exec("INSERT INTO t (v) VALUES ('a'), ('b'), ('c')");
  return { db, compiled: () => n };
}

describe('shared statements', () => {
  it('compiles a text once; a caller’s pluck/raw never reaches another caller of the same text', () => {
    const { db, compiled } = counted();
    const sql = 'SELECT id, v FROM t WHERE id = ?';
    const before = compiled();
    const plucked = db.prepare(sql).pluck();
    const rows = db.prepare(sql);
    const raw = db.prepare(sql).raw();
    expect(compiled() - before).toBe(1);
    expect(plucked.get(1)).toBe(1);
    expect(rows.get(2)).toEqual({ id: 2, v: 'b' });
    expect(raw.get(3)).toEqual([3, 'c']);
    expect(plucked.get(2)).toBe(2);
    expect(db.prepare(sql).all(1)).toEqual([{ id: 1, v: 'a' }]);
    expect(plucked.pluck(false).get(1)).toEqual({ id: 1, v: 'a' });
    expect(db.prepare(sql).pluck().all(1)).toEqual([1]);
    // Writes: one compile per text too, with the changes of each run.
    const upd = 'UPDATE t SET v = ? WHERE id = ?';
    expect(db.prepare(upd).run('x', 1).changes).toBe(1);
    expect(db.prepare(upd).run('y', 9).changes).toBe(0);
    expect(() => db.prepare(upd).pluck()).toThrow(/return data/);
    db.close();
  });

  it('an iteration left open, bind() and safeIntegers() do not disturb other callers of the text', () => {
    const { db } = counted();
    const sql = 'SELECT id FROM t ORDER BY id';
    const open = db.prepare(sql).pluck().iterate();
    expect(open.next().value).toBe(1);
    // The shared statement is busy: this one runs on a fresh statement (or better-sqlite3 refuses as it always did).
    let other: unknown;
    try {
      other = db.prepare(sql).pluck().all();
    } catch (e) {
      other = (e as Error).message;
    }
    expect([[1, 2, 3], 'This database connection is busy executing a query']).toContainEqual(other);
    open.return?.();
    const bound = db.prepare('SELECT v FROM t WHERE id = ?').pluck().bind(2);
    expect(bound.get()).toBe('b');
    expect(db.prepare('SELECT v FROM t WHERE id = ?').pluck().get(3)).toBe('c');
    const big = db.prepare('SELECT id FROM t WHERE id = 1').pluck().safeIntegers();
    expect(big.get()).toBe(1n);
    expect(db.prepare('SELECT id FROM t WHERE id = 1').pluck().get()).toBe(1);
    db.close();
  });

  it('keeps the last `max` texts; under the write lock, writes still take it', () => {
    const { db, compiled } = counted(2);
    const a = 'SELECT 1';
    const n0 = compiled();
    db.prepare(a).get();
    db.prepare('SELECT 2').get();
    db.prepare(a).get(); // a is the most recent again
    db.prepare('SELECT 3').get(); // evicts SELECT 2
    db.prepare(a).get();
    expect(compiled() - n0).toBe(3);
    db.prepare('SELECT 2').get();
    expect(compiled() - n0).toBe(4);
    db.close();

    // The delivery thread's order: the write lock's guard first, the sharing on top.
    const g = openDb(':memory:');
    const lock = createWriteLock();
    guardWrites(g, lock, 100);
    shareStatements(g);
    g.function('holder', () => Atomics.load(lock, 0));
    g.exec('CREATE TABLE w (v INTEGER)');
    g.prepare('INSERT INTO w (v) VALUES (holder())').run();
    g.prepare('INSERT INTO w (v) VALUES (holder())').run();
    expect(g.prepare('SELECT v FROM w').pluck().all()).toEqual([threadId + 1, threadId + 1]);
    expect(Atomics.load(lock, 0)).toBe(0);
    g.close();
  });
});

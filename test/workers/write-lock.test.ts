import { Worker, threadId } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/open.js';
import { GroupCommit } from '../../src/db/group-commit.js';
import { acquire, createWriteLock, guardWrites, lockOf, lockStats, release, releaseIfHeldBy, turn } from '../../src/workers/write-lock.js';

// The process-wide writer lock in front of SQLite's (src/workers/write-lock.ts): writes of a guarded connection take
// it, reads do not, a waiting writer goes in when the holder lets go, and a dead holder's lock can be taken back.
const me = threadId + 1;

describe('write lock', () => {
  it('a guarded connection holds the lock for its transactions and its write statements, not for reads', () => {
    const db = openDb(':memory:');
    const lock = createWriteLock();
    guardWrites(db, lock, 100);
    db.function('holder', () => Atomics.load(lock, 0));
    db.exec('CREATE TABLE t (v INTEGER)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (holder())');
    insert.run(); // autocommit write: takes the lock
    db.transaction(() => {
      insert.run(); // inside the transaction: already held
      db.transaction(() => insert.run())(); // nested (a savepoint): still the same hold
    }).immediate();
    expect(db.prepare('SELECT v FROM t').pluck().all()).toEqual([me, me, me]);
    expect(db.prepare('SELECT holder()').pluck().get()).toBe(0); // a read does not take it
    expect(Atomics.load(lock, 0)).toBe(0); // released after each write
    db.close();
  });

  it('a writer waits for another thread holding it and goes in as soon as it is released', async () => {
    const lock = createWriteLock();
    const w = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const a = workerData;
       Atomics.store(a, 0, 77);
       parentPort.postMessage('held');
       // Word 7 (unused by the lock) says the holder let go: whoever gets the lock must see it set.
       setTimeout(() => { Atomics.store(a, 7, 1); Atomics.store(a, 0, 0); Atomics.notify(a, 0, 1); }, 150);`,
      { eval: true, workerData: lock },
    );
    await new Promise((r) => w.once('message', r));
    const t = performance.now();
    const got = acquire(lock, 5000);
    const waited = performance.now() - t;
    try {
      expect(got).toBe(true);
      expect(Atomics.load(lock, 0)).toBe(me);
      expect(Atomics.load(lock, 7)).toBe(1); // it did wait for the holder
      expect(waited).toBeLessThan(4900); // and did not sit out its whole wait
    } finally {
      release(lock, got);
    }
    expect(Atomics.load(lock, 0)).toBe(0);
    await w.terminate();
  });

  it('gives up after its wait and lets SQLite decide; a dead holder is released by whoever sees it exit', () => {
    const lock = createWriteLock();
    Atomics.store(lock, 0, 42 + 1); // thread 42 holds it and is gone
    expect(acquire(lock, 30)).toBe(false);
    releaseIfHeldBy(lock, 41); // not the holder: nothing changes
    expect(Atomics.load(lock, 0)).toBe(43);
    releaseIfHeldBy(lock, 42);
    expect(Atomics.load(lock, 0)).toBe(0);
    const got = acquire(lock, 30);
    expect(got).toBe(true);
    release(lock, got);
  });

  it('turn(): the API thread waits for another thread’s hold without blocking its event loop, and lets a blocked writer go first', async () => {
    const lock = createWriteLock();
    expect(turn(lock)).toBeNull(); // free, nobody waiting: go now
    // The holder lets go when told: the wait does not depend on how fast this loaded host schedules either thread.
    const w = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const a = workerData;
       Atomics.store(a, 0, 77);
       parentPort.postMessage('held');
       parentPort.on('message', () => { Atomics.store(a, 0, 0); Atomics.notify(a, 0); });`,
      { eval: true, workerData: lock },
    );
    await new Promise((r) => w.once('message', r));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const wait = turn(lock, 10_000);
    expect(wait).not.toBeNull();
    let released = false;
    void wait!.then(() => (released = true));
    // This loop runs while turn() waits (an Atomics.wait would have frozen it: no tick, no release message sent).
    while (ticks < 4) await new Promise((r) => setTimeout(r, 5));
    expect(released).toBe(false);
    w.postMessage('release');
    await wait;
    clearInterval(timer);
    expect(Atomics.load(lock, 0)).toBe(0);
    await w.terminate();

    // Free, but a thread is blocked in acquire() for it (the waiter count): that thread goes first.
    Atomics.store(lock, 1, 1);
    const polite = turn(lock, 2000);
    expect(polite).not.toBeNull();
    let done = false;
    void polite!.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(done).toBe(false);
    Atomics.store(lock, 1, 0); // the waiter took its turn and left
    await polite;
    expect(done).toBe(true);
    // A waiter that never comes does not hold the API back past maxMs.
    Atomics.store(lock, 1, 1);
    const t2 = performance.now();
    await turn(lock, 40);
    expect(performance.now() - t2).toBeLessThan(1000);
    Atomics.store(lock, 1, 0);
  });

  it('config tuning.writeTurn = false (REGATE_TUNING_WRITE_TURN=0): turn() never waits, the API thread blocks as before', async () => {
    const { loadConfig } = await import('../../src/config/load.js');
    const off = loadConfig({ env: { REGATE_TUNING_WRITE_TURN: '0', REGATE_TUNING_WRITE_LOCK: 'false', REGATE_TUNING_CLAIM_WITH_OUTCOME: '0' } }).tuning;
    expect(off).toMatchObject({ writeTurn: false, writeLock: false, claimWithOutcome: false });
    expect(loadConfig({ env: {} }).tuning).toMatchObject({ writeTurn: true, writeLock: true, claimWithOutcome: true });
    const on = createWriteLock({ turns: true });
    const no = createWriteLock({ turns: off.writeTurn });
    for (const l of [on, no]) Atomics.store(l, 0, 42 + 1); // held by another thread
    const waiting = turn(on, 5);
    expect(waiting).toBeInstanceOf(Promise);
    expect(turn(no, 5)).toBeNull();
    await waiting;
  });

  it('counts blocked waits per role: the creating (API) thread apart from the others', () => {
    const lock = createWriteLock();
    Atomics.store(lock, 0, 42 + 1);
    expect(acquire(lock, 20)).toBe(false);
    Atomics.store(lock, 0, 0);
    const s = lockStats(lock);
    expect(s.api.waits).toBe(1);
    expect(s.api.waitedMs).toBeGreaterThanOrEqual(15);
    expect(s.other.waits).toBe(0);
    expect(Atomics.load(lock, 1)).toBe(0); // the waiter count is back to zero
  });

  it('a group commit behind the gate writes nothing while another thread holds the lock, then every write queued meanwhile', async () => {
    const db = openDb(':memory:');
    const lock = createWriteLock();
    guardWrites(db, lock, 2000);
    expect(lockOf(db)).toBe(lock);
    db.exec('CREATE TABLE t (v INTEGER)');
    const gc = new GroupCommit(db, 256, () => turn(lock, 10_000));
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    Atomics.store(lock, 0, 99); // another thread holds it
    const first = [1, 2, 3].map((v) => gc.run(() => (insert.run(v), v)));
    await new Promise((r) => setTimeout(r, 20));
    const later = [4, 5].map((v) => gc.run(() => (insert.run(v), v)));
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(0); // nothing written while it is held
    Atomics.store(lock, 0, 0);
    Atomics.notify(lock, 0);
    expect(await Promise.all([...first, ...later])).toEqual([1, 2, 3, 4, 5]);
    expect(db.prepare('SELECT v FROM t ORDER BY v').pluck().all()).toEqual([1, 2, 3, 4, 5]);
    db.close();
  });
});

describe('group commit and a waiting thread', () => {
  it('a batch commits what it has when another thread blocks for the lock; the rest follow in the next batch, in order', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'regate-gc-yield-'));
    const db = openDb(join(dir, 'a.sqlite'));
    const other = openDb(join(dir, 'a.sqlite')); // sees only what is committed (WAL)
    const lock = createWriteLock();
    guardWrites(db, lock, 2000);
    db.exec('CREATE TABLE t (v INTEGER)');
    const gc = new GroupCommit(db, 256, () => turn(lock, 50));
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const committedBefore: number[] = [];
    const write = (v: number) =>
      gc.run(() => {
        committedBefore.push(other.prepare('SELECT count(*) FROM t').pluck().get() as number);
        insert.run(v);
        // The second write is where another thread starts waiting (what acquire() does while it blocks).
        if (v === 2) Atomics.add(lock, 1, 1);
        return v;
      });
    const all = [1, 2, 3, 4].map(write);
    // The waiter is let in (it gives up its wait) once the batch has committed.
    setTimeout(() => Atomics.sub(lock, 1, 1), 30);
    expect(await Promise.all(all)).toEqual([1, 2, 3, 4]);
    // 1 and 2 in the first batch, committed before 3 ran; without the yield all four share one batch (0,0,0,0).
    expect(committedBefore).toEqual([0, 0, 2, 2]);
    expect(db.prepare('SELECT v FROM t ORDER BY rowid').pluck().all()).toEqual([1, 2, 3, 4]);
    db.close();
    other.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

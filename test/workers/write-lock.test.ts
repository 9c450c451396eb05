import { Worker, threadId } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/open.js';
import { acquire, createWriteLock, guardWrites, release, releaseIfHeldBy } from '../../src/workers/write-lock.js';

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
       setTimeout(() => { Atomics.store(a, 0, 0); Atomics.notify(a, 0, 1); }, 150);`,
      { eval: true, workerData: lock },
    );
    await new Promise((r) => w.once('message', r));
    const t = performance.now();
    const got = acquire(lock, 2000);
    const waited = performance.now() - t;
    expect(got).toBe(true);
    expect(Atomics.load(lock, 0)).toBe(me);
    expect(waited).toBeGreaterThan(100); // it did wait for the holder
    expect(waited).toBeLessThan(1900); // and did not sit out its whole wait
    release(lock, got);
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
});

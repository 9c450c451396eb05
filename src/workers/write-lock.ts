import { threadId } from 'node:worker_threads';
import type { Db } from '../db/open.js';

/**
 * One writer at a time among this process's threads, handed over at once (issue 19.1, delivery during a burst).
 *
 * SQLite lets one connection write at a time; a connection that finds the lock taken sleeps in its busy handler
 * (1, 2, 5, 10 … 50, 100 ms) and tries again. During a 500-connection booking burst the API thread's group commit
 * holds the lock batch after batch, and the delivery thread's claims and completions kept missing the gaps between
 * batches: measured in the delivery thread, 270–340 ms of every second inside SQLite calls (max 132 ms), its event
 * loop delay p99 65–107 ms, while its four 1C sessions waited on it — delivery fell to 0.27–0.34 of 1C's bound during
 * the burst (bench booking, load 4.7–9).
 *
 * This lock sits in front of SQLite's: a thread about to write takes it (Atomics.wait until the holder releases,
 * woken the moment it does), so a waiting writer goes in at the next gap instead of after a sleep. It only orders
 * the writers of this process's connections that share it (the API thread's and the delivery thread's); SQLite's
 * lock and busy timeout still decide correctness, and a writer that waited `waitMs` for this lock goes on to
 * SQLite's busy handler as before. The word holds the holder's thread id + 1, so a thread that dies holding it can
 * be released by the thread that sees it exit (releaseIfHeldBy).
 */
export type WriteLock = Int32Array;

export function createWriteLock(): WriteLock {
  return new Int32Array(new SharedArrayBuffer(4));
}

const me = threadId + 1;
let depth = 0;

/** Takes the lock (waiting at most waitMs); false when it went on without it. Re-entrant within a thread. */
export function acquire(lock: WriteLock, waitMs: number): boolean {
  if (depth > 0) {
    depth++;
    return true;
  }
  const until = performance.now() + waitMs;
  for (;;) {
    const holder = Atomics.compareExchange(lock, 0, 0, me);
    if (holder === 0 || holder === me) {
      depth = 1;
      return true;
    }
    const left = until - performance.now();
    if (left <= 0) return false;
    Atomics.wait(lock, 0, holder, Math.min(left, 50));
  }
}

export function release(lock: WriteLock, acquired: boolean): void {
  if (!acquired) return;
  if (--depth > 0) return;
  Atomics.compareExchange(lock, 0, me, 0);
  Atomics.notify(lock, 0, 1);
}

/** A thread that exited holding the lock (its id from the Worker object) leaves it to the others. */
export function releaseIfHeldBy(lock: WriteLock, exitedThreadId: number): void {
  if (Atomics.compareExchange(lock, 0, exitedThreadId + 1, 0) === exitedThreadId + 1) Atomics.notify(lock, 0, 1);
}

const guarded = new WeakSet<Db>();

/**
 * Makes this connection's writes take the lock: every outermost transaction (db.transaction(...) and its
 * .deferred / .immediate / .exclusive forms) and every write statement prepared from now on that runs outside a
 * transaction. Reads are untouched (WAL: readers never wait for a writer).
 */
export function guardWrites(db: Db, lock: WriteLock, waitMs: number): void {
  if (guarded.has(db)) return;
  guarded.add(db);
  const locked = <F extends (...args: any[]) => any>(f: F): F =>
    function (this: unknown, ...args: any[]) {
      if (db.inTransaction) return f.apply(this, args);
      const got = acquire(lock, waitMs);
      try {
        return f.apply(this, args);
      } finally {
        release(lock, got);
      }
    } as F;
  const transaction = db.transaction.bind(db);
  db.transaction = ((fn: (...args: any[]) => any) => {
    const t = transaction(fn) as any;
    const w = locked(t) as any;
    for (const k of ['default', 'deferred', 'immediate', 'exclusive'] as const) if (t[k]) w[k] = locked(t[k]);
    return w;
  }) as Db['transaction'];
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    const s = prepare(sql);
    if (!s.reader) s.run = locked(s.run.bind(s));
    return s;
  }) as Db['prepare'];
}

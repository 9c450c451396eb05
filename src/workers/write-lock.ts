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

/**
 * Words of the shared buffer: the holder's thread id + 1 (0 = free); how many threads block waiting for it; then
 * per role (0: the thread that created the lock, the API's; 1: any other, the delivery thread) the waits and the
 * time waited in 0.1 ms — what the booking bench reports as each thread's share of the hand-over.
 */
const HOLDER = 0;
const WAITERS = 1;
const STATS = 2; // role r: STATS + 2r = waits, STATS + 2r + 1 = tenths of a ms waited
const CREATOR = 6;
/** 1: turn() answers null at once, the API thread blocks for the lock (config tuning.writeTurn = false). */
const NO_TURNS = 8; // (word 7 is left unused: the tests mark things there)

export function createWriteLock(opts: { turns?: boolean } = {}): WriteLock {
  const lock = new Int32Array(new SharedArrayBuffer(4 * 9));
  lock[CREATOR] = threadId + 1;
  lock[NO_TURNS] = opts.turns === false ? 1 : 0;
  return lock;
}

/** Waits for the lock so far, per role: api = the thread that created it, other = the rest (delivery). */
export function lockStats(lock: WriteLock): { api: { waits: number; waitedMs: number }; other: { waits: number; waitedMs: number } } {
  const role = (r: number) => ({ waits: Atomics.load(lock, STATS + 2 * r), waitedMs: Atomics.load(lock, STATS + 2 * r + 1) / 10 });
  return { api: role(0), other: role(1) };
}

const me = threadId + 1;
let depth = 0;

/** Takes the lock (waiting at most waitMs); false when it went on without it. Re-entrant within a thread. */
export function acquire(lock: WriteLock, waitMs: number): boolean {
  if (depth > 0) {
    depth++;
    return true;
  }
  let holder = Atomics.compareExchange(lock, HOLDER, 0, me);
  if (holder === 0 || holder === me) {
    depth = 1;
    return true;
  }
  const started = performance.now();
  const until = started + waitMs;
  const role = lock[CREATOR] === me ? 0 : 1;
  Atomics.add(lock, WAITERS, 1);
  try {
    for (;;) {
      const left = until - performance.now();
      if (left <= 0) return false;
      Atomics.wait(lock, HOLDER, holder, Math.min(left, 50));
      holder = Atomics.compareExchange(lock, HOLDER, 0, me);
      if (holder === 0 || holder === me) {
        depth = 1;
        return true;
      }
    }
  } finally {
    Atomics.sub(lock, WAITERS, 1);
    Atomics.add(lock, STATS + 2 * role, 1);
    Atomics.add(lock, STATS + 2 * role + 1, Math.round((performance.now() - started) * 10));
  }
}

/**
 * For a thread whose event loop must not block (the API's): null when the lock can be taken now — free, and no other
 * thread blocked waiting for it — else a promise that resolves when it can, waiting without blocking (Atomics.waitAsync),
 * at most `maxMs` (then null: the caller takes it the blocking way, bounded by its own wait). A waiting thread goes
 * first: the API's group commit, which takes the lock batch after batch, lets the delivery thread's short claim or
 * completion in between instead of winning every race for it, and its event loop keeps reading requests meanwhile.
 */
export function turn(lock: WriteLock, maxMs = 100): Promise<void> | null {
  // tuning.writeTurn = false: the API thread blocks for the lock as before (the booking bench's same-run before).
  if (lock[NO_TURNS] === 1) return null;
  const ready = () => depth > 0 || (Atomics.load(lock, HOLDER) === 0 && Atomics.load(lock, WAITERS) === 0);
  if (ready()) return null;
  const until = performance.now() + maxMs;
  return (async () => {
    while (!ready() && performance.now() < until) {
      const holder = Atomics.load(lock, HOLDER);
      // Held: woken by its release (release notifies everyone). Free with a thread about to take it: no notify comes
      // when it does, so look again shortly.
      const left = Math.max(1, until - performance.now());
      const w = holder === 0 ? null : waitAsync(lock, HOLDER, holder, left);
      if (w?.async) await w.value;
      else if (holder === 0) await new Promise((r) => setTimeout(r, 1));
    }
  })();
}

// ES2024 (Node 16+ has it; the project's lib is ES2023).
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, ms: number): { async: boolean; value: Promise<string> | string } }).waitAsync;

/**
 * True when another thread is blocked waiting for the lock this connection's writes take (and turns are on): a long
 * write transaction here (the group commit's batch) should commit what it has and let it in (db/group-commit.ts).
 */
export function othersWaiting(db: Db): boolean {
  const lock = locks.get(db);
  return lock !== undefined && lock[NO_TURNS] !== 1 && Atomics.load(lock, WAITERS) > 0;
}

/** The lock a guarded connection's writes take (guardWrites), if any. */
export function lockOf(db: Db): WriteLock | undefined {
  return locks.get(db);
}

export function release(lock: WriteLock, acquired: boolean): void {
  if (!acquired) return;
  if (--depth > 0) return;
  Atomics.compareExchange(lock, HOLDER, me, 0);
  // Everyone: a blocked writer and the API thread's non-blocking turn() may both be waiting.
  Atomics.notify(lock, HOLDER);
}

/** A thread that exited holding the lock (its id from the Worker object) leaves it to the others. */
export function releaseIfHeldBy(lock: WriteLock, exitedThreadId: number): void {
  if (Atomics.compareExchange(lock, HOLDER, exitedThreadId + 1, 0) === exitedThreadId + 1) Atomics.notify(lock, HOLDER);
}

const locks = new WeakMap<Db, WriteLock>();

/**
 * Makes this connection's writes take the lock: every outermost transaction (db.transaction(...) and its
 * .deferred / .immediate / .exclusive forms) and every write statement prepared from now on that runs outside a
 * transaction. Reads are untouched (WAL: readers never wait for a writer).
 */
export function guardWrites(db: Db, lock: WriteLock, waitMs: number): void {
  if (locks.has(db)) return;
  locks.set(db, lock);
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

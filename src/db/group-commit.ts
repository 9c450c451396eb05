import { othersWaiting } from '../workers/write-lock.js';
import type { Db } from './open.js';

/** Thrown out of a batch's transaction to roll it back: a write failed after it had changed something. */
class HalfWritten extends Error {}

interface Pending<T> {
  fn: () => T;
  resolve: (value: T) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: writes that arrive in the same turn of the event loop share ONE transaction and so one fsync.
 *
 * With synchronous=FULL every commit waits for the disk, and a commit per booking capped acceptance at ~670/s
 * at 500 connections on the 2-core bench host (docs/benchmarks.md). Each write still runs in a savepoint of its
 * own — a failing write (a 409, a constraint) rolls back only itself — and every caller's promise settles only
 * after the shared COMMIT has returned, so a 2xx still means "on disk". Under light load a batch is one write and
 * this costs one setImmediate.
 *
 * `savepoints: 'on-failure'` runs the writes without one. A savepoint copies every page its write changes into a
 * sub-journal first: ~20 µs of a booking's ~0.12 ms write on the booking thread (bench/booking-write.ts), for a failure
 * that is rare (a booking refused for stock throws before it writes). A write that throws having changed nothing
 * (SQLite undoes a failed statement by itself) fails alone, as with a savepoint; one that throws after it changed
 * something rolls the batch back, and the batch runs again, this time with a savepoint for each write. For writes
 * that can run twice: the rolled-back run leaves nothing but what they do outside the database.
 */
export class GroupCommit {
  private queue: Pending<any>[] = [];
  private scheduled = false;
  /** The next batch runs with a savepoint per write (the last one rolled back a half-written write). */
  private replay = false;
  private totalChanges?: () => number;

  constructor(
    private readonly db: Db,
    private readonly maxBatch = 256,
    /** Before each batch: a promise to wait for first (another thread's turn at the write lock), or null to go. */
    private readonly gate?: () => Promise<void> | null,
    private readonly savepoints: 'always' | 'on-failure' = 'always',
  ) {
    if (savepoints === 'on-failure') {
      // Rows changed on this connection so far, triggers' included.
      const total = db.prepare('SELECT total_changes()').pluck();
      this.totalChanges = () => total.get() as number;
    }
  }

  run<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private requeue(rest: Pending<any>[]) {
    if (!rest.length) return;
    this.queue.unshift(...rest);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(waited = false) {
    if (this.db.inTransaction) {
      // A transaction is open on this connection (a BEGIN held across an await): ours would be a SAVEPOINT in it,
      // settled before anything is on disk and lost with its ROLLBACK. Look again shortly (as the worker does).
      setTimeout(() => this.flush(waited), 5);
      return;
    }
    // Waited for (once per batch) without blocking this loop: writes arriving meanwhile join the batch.
    const wait = waited ? null : this.gate?.();
    if (wait) {
      void wait.then(() => this.flush(true), () => this.flush(true));
      return;
    }
    this.scheduled = false;
    const batch = this.queue.splice(0, this.maxBatch);
    if (this.queue.length) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    const outcomes: ({ ok: true; value: unknown } | { ok: false; err: unknown })[] = [];
    const counted = this.replay ? undefined : this.totalChanges;
    this.replay = false;
    try {
      this.db.transaction(() => {
        let changes = counted?.();
        for (const p of batch) {
          // Another thread blocked for the write lock (the delivery thread, src/workers/write-lock.ts): commit what
          // this batch has and let it in; the rest go first in the next batch. A batch of a 500-connection burst
          // holds the lock for up to ~0.4 ms of CPU per booking, and the delivery thread, blocked behind it, stopped
          // its loop — and with it every 1C call in flight — for 20-40 ms a time (bench booking, load 8-10).
          if (outcomes.length > 0 && othersWaiting(this.db)) break;
          try {
            if (counted) {
              const value = p.fn();
              changes = counted();
              outcomes.push({ ok: true, value });
            }
            // A nested better-sqlite3 transaction is a SAVEPOINT: on throw only this write is rolled back.
            else outcomes.push({ ok: true, value: this.db.transaction(p.fn)() });
          } catch (err) {
            // SQLITE_FULL/IOERR/BUSY/NOMEM may make SQLite roll back the WHOLE transaction, not just the statement
            // (always so for a statement without a statement journal). Then the writes before this one are gone,
            // and the ones after must not run: outside a transaction each would commit on its own. Fail the batch
            // with this error (a storage fault → 503), not with the COMMIT's "no transaction is active".
            if (!this.db.inTransaction) throw err;
            if (counted && counted() !== changes) throw new HalfWritten();
            outcomes.push({ ok: false, err });
          }
        }
        // IMMEDIATE: the write lock is taken (or waited for, busy_timeout) at BEGIN. A deferred BEGIN whose first
        // write read first — a booking checks what is left to promise before it inserts — got SQLITE_BUSY at once,
        // no wait, when another connection (the delivery thread) committed in between: its snapshot was stale.
      }).immediate();
    } catch (err) {
      if (err instanceof HalfWritten) {
        // Rolled back whole: the same batch again, first, a savepoint for each write.
        this.replay = true;
        this.requeue(batch);
        return;
      }
      // The shared COMMIT failed (disk full, read-only, I/O error): nothing of this batch is on disk.
      for (const p of batch) p.reject(err);
      return;
    }
    // Writes the batch stopped short of (it let another thread in): first in the next batch.
    this.requeue(batch.splice(outcomes.length));
    batch.forEach((p, i) => {
      const o = outcomes[i];
      if (o.ok) p.resolve(o.value);
      else p.reject(o.err);
    });
  }
}

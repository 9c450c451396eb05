import { othersWaiting } from '../workers/write-lock.js';
import type { Db } from './open.js';

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
 */
export class GroupCommit {
  private queue: Pending<any>[] = [];
  private scheduled = false;

  constructor(
    private readonly db: Db,
    private readonly maxBatch = 256,
    /** Before each batch: a promise to wait for first (another thread's turn at the write lock), or null to go. */
    private readonly gate?: () => Promise<void> | null,
  ) {}

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
    try {
      this.db.transaction(() => {
        for (const p of batch) {
          // Another thread blocked for the write lock (the delivery thread, src/workers/write-lock.ts): commit what
          // this batch has and let it in; the rest go first in the next batch. A batch of a 500-connection burst
          // holds the lock for up to ~0.4 ms of CPU per booking, and the delivery thread, blocked behind it, stopped
          // its loop — and with it every 1C call in flight — for 20-40 ms a time (bench booking, load 8-10).
          if (outcomes.length > 0 && othersWaiting(this.db)) break;
          try {
            // A nested better-sqlite3 transaction is a SAVEPOINT: on throw only this write is rolled back.
            outcomes.push({ ok: true, value: this.db.transaction(p.fn)() });
          } catch (err) {
            // SQLITE_FULL/IOERR/BUSY/NOMEM may make SQLite roll back the WHOLE transaction, not just the statement
            // (always so for a statement without a statement journal). Then the writes before this one are gone,
            // and the ones after must not run: outside a transaction each would commit on its own. Fail the batch
            // with this error (a storage fault → 503), not with the COMMIT's "no transaction is active".
            if (!this.db.inTransaction) throw err;
            outcomes.push({ ok: false, err });
          }
        }
        // IMMEDIATE: the write lock is taken (or waited for, busy_timeout) at BEGIN. A deferred BEGIN whose first
        // write read first — a booking checks what is left to promise before it inserts — got SQLITE_BUSY at once,
        // no wait, when another connection (the delivery thread) committed in between: its snapshot was stale.
      }).immediate();
    } catch (err) {
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

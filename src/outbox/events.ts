import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import type { Db } from '../db/open.js';

/**
 * In-process notifications per database file: 'enqueued' wakes the worker at once (booking's confirmation window
 * is 3 s; a poll interval would eat a good part of it), 'settled' (job id) wakes waitFor(). Jobs written by other
 * processes (the CLI's retry) are found by the worker's polling fallback instead.
 *
 * Emitted on a microtask: enqueue() usually runs inside the caller's better-sqlite3 transaction, which is a
 * synchronous function, so by the time the microtask runs the transaction has committed or rolled back. A
 * listener must treat a notification as a hint and re-read the database (a rolled-back enqueue still notifies).
 *
 * Keyed by the file's path, not the connection: the API may enqueue on its own connection while the worker
 * claims on another, and the wake-up must still reach it. (In-memory databases share one bus; the only cost is a
 * spurious wake-up, which re-reads and finds nothing.)
 */
const buses = new Map<string, EventEmitter>();

/** Each connection's file, resolved once: notify() runs on every booking, and path.resolve was most of its cost. */
const files = new WeakMap<Db, string>();

function fileOf(db: Db): string {
  let file = files.get(db);
  if (file === undefined) files.set(db, (file = db.memory || db.name === '' ? ':memory:' : resolve(db.name)));
  return file;
}

export function busOf(db: Db): EventEmitter {
  const file = fileOf(db);
  let b = buses.get(file);
  if (!b) {
    buses.set(file, (b = new EventEmitter()));
    b.setMaxListeners(0); // one listener per waitFor() in flight; many concurrent bookings are normal
  }
  return b;
}

export function notify(db: Db, event: 'enqueued'): void;
export function notify(db: Db, event: 'settled', id: number): void;
export function notify(db: Db, event: 'enqueued' | 'settled', id?: number): void {
  const b = buses.get(fileOf(db));
  if (!b || b.listenerCount(event) === 0) return;
  queueMicrotask(() => b.emit(event, id));
}

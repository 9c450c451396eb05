import { EventEmitter } from 'node:events';
import type { Db } from '../db/open.js';

/**
 * In-process notifications per connection: 'enqueued' wakes the worker at once (booking's confirmation window
 * is 3 s; a poll interval would eat a good part of it), 'settled' (job id) wakes waitFor(). Jobs written by other
 * processes (the CLI's retry) are found by the worker's polling fallback instead.
 *
 * Emitted on a microtask: enqueue() usually runs inside the caller's better-sqlite3 transaction, which is a
 * synchronous function, so by the time the microtask runs the transaction has committed or rolled back. A
 * listener must treat a notification as a hint and re-read the database (a rolled-back enqueue still notifies).
 */
const buses = new WeakMap<Db, EventEmitter>();

export function busOf(db: Db): EventEmitter {
  let b = buses.get(db);
  if (!b) {
    buses.set(db, (b = new EventEmitter()));
    b.setMaxListeners(0); // one listener per waitFor() in flight; many concurrent bookings are normal
  }
  return b;
}

export function notify(db: Db, event: 'enqueued'): void;
export function notify(db: Db, event: 'settled', id: number): void;
export function notify(db: Db, event: 'enqueued' | 'settled', id?: number): void {
  const b = buses.get(db);
  if (!b || b.listenerCount(event) === 0) return;
  queueMicrotask(() => b.emit(event, id));
}

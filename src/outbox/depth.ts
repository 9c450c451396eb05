import type { Db } from '../db/open.js';
import { stmt } from './sql.js';

/** Per connection: the pending count as last read, and the jobs this connection enqueued since. */
const depths = new WeakMap<Db, { at: number; pending: number; since: number }>();

/**
 * Pending jobs, for backpressure (outbox.maxDepth): counted at most once per `maxAgeMs` per connection; in between,
 * the count read plus the jobs this connection enqueued since (claims by other connections are not subtracted, so
 * the figure errs high: a write is refused a little early, never let past the limit by a stale count). A booking
 * burst read the full stats() (six subqueries) once per booking: 3% of its profile (2026-12-03). The limit guards
 * against growing forever (default 100,000); a count up to 100 ms old decides it as well as an exact one.
 */
export function pendingDepth(db: Db, maxAgeMs = 100, now = performance.now()): number {
  const kept = depths.get(db);
  if (kept && now - kept.at < maxAgeMs) return kept.pending + kept.since;
  const pending = stmt(db, 'count_pending').pluck().get() as number;
  depths.set(db, { at: now, pending, since: 0 });
  return pending;
}

/** enqueue() on this connection created a job. */
export function noteEnqueued(db: Db): void {
  const kept = depths.get(db);
  if (kept) kept.since++;
}

import type { Db } from '../../db/open.js';
import { ODataError } from '../../onec/index.js';
import { retryJob } from '../../outbox/index.js';
import { JOB } from '../jobs.js';

/** Prefix of the error text of an attempt that failed because 1C could not be reached or did not answer. */
export const UNAVAILABLE_TAG = '[1C unavailable]';

/**
 * A 1C that is down or not answering (ODataUnavailable, ODataTimeout: `transient`) gets its error text tagged, so
 * that a job which used up its attempts on an outage can be told from one that failed on its own merits. Keeps the
 * error's retryAfterMs (a 503's Retry-After) for the outbox.
 */
export function tagUnavailable(e: unknown): unknown {
  if (!(e instanceof ODataError) || !e.transient) return e;
  const tagged = new Error(`${UNAVAILABLE_TAG} ${e.message}`, { cause: e });
  const after = (e as { retryAfterMs?: unknown }).retryAfterMs;
  if (typeof after === 'number') Object.assign(tagged, { retryAfterMs: after });
  return tagged;
}

const KINDS = [JOB.clientEnsure, JOB.clientUpdate, JOB.bookingCreate, JOB.bookingUpdate, JOB.paymentCard, JOB.refundCreate, JOB.orderStatus, JOB.bankPayment];

/**
 * Outbox attempts are counted (outbox.maxAttempts, ≈ 9 minutes of backoff with the defaults), but 1C is routinely
 * down longer than that: nightly backups, configuration updates, a dead IIS. An acknowledged booking must still
 * reach 1C when it is back, so jobs of the write path that died ONLY because 1C was unreachable get fresh attempts
 * here (run on the reconciliation schedule, every 5 minutes by default), once one request to 1C succeeds. Jobs older than `maxAgeHours` stay dead
 * for the administrator, as do those whose last error was anything else. Returns the revived job ids.
 */
export async function reviveUnavailable(db: Db, opts: { maxAgeHours: number; ping: () => Promise<unknown>; now?: number }): Promise<number[]> {
  const now = opts.now ?? Date.now();
  const ids = db
    .prepare(
      `SELECT id FROM outbox_jobs WHERE state = 'dead' AND kind IN (${KINDS.map(() => '?').join(', ')})
         AND last_error LIKE ? AND created_at >= ? ORDER BY id`,
    )
    .pluck()
    .all(...KINDS, `gave up after % attempts: ${UNAVAILABLE_TAG}%`, now - opts.maxAgeHours * 3_600_000) as number[];
  if (!ids.length) return [];
  // Still down: reviving now would only spend the fresh attempts on the same outage.
  try {
    await opts.ping();
  } catch {
    return [];
  }
  return ids.filter((id) => retryJob(db, id, Date.now()).ok);
}

import { randomBytes } from 'node:crypto';
import type { Db } from '../db/open.js';
import { backoffMs } from './backoff.js';
import { noteEnqueued } from './depth.js';
import { notify } from './events.js';
import { stmt } from './sql.js';
import {
  rowToJob,
  type ClaimedJob,
  type Json,
  type LeaseHolder,
  type NewJob,
  type OutboxPolicy,
  type RawJobRow,
} from './types.js';

export interface EnqueueResult {
  id: number;
  /** false when a live job with the same dedupe key existed: id is that job's. */
  created: boolean;
}

/**
 * Adds a job. Plain and synchronous so that it can run inside the caller's `db.transaction(...)`: the order row
 * and its job commit together or not at all. The worker of this connection is woken right after the caller's
 * transaction ends (see events.ts).
 */
export function enqueue(db: Db, job: NewJob, now = Date.now()): EnqueueResult {
  if (!job.kind) throw new TypeError('outbox job needs a kind');
  if (typeof job.key !== 'string' || !job.key) throw new TypeError('outbox job needs a key (e.g. the order id)');
  const payload = JSON.stringify(job.payload ?? null);
  const runAt = job.runAt === undefined ? now : +job.runAt;
  const dedupeKey = job.dedupeKey ?? null;
  const row = stmt(db, 'enqueue').get({ kind: job.kind, key: job.key, payload, dedupeKey, runAt, now }) as
    | { id: number }
    | undefined;
  if (row) {
    noteEnqueued(db);
    notify(db, 'enqueued');
    return { id: row.id, created: true };
  }
  // Only a conflict on outbox_jobs_dedupe returns no row (the PK is ours to assign).
  const existing = stmt(db, 'find_live_dedupe').pluck().get({ dedupeKey }) as number | undefined;
  if (existing === undefined) throw new Error(`outbox: enqueue of ${job.kind}/${job.key} inserted nothing`);
  return { id: existing, created: false };
}

export interface ClaimOptions {
  policy: Pick<OutboxPolicy, 'leaseMs' | 'maxAttempts'>;
  holder: LeaseHolder;
  /** Kinds this worker can handle; undefined = any. Other kinds stay pending (and block their keys). */
  kinds?: readonly string[];
  /** The most live leases allowed at once across all processes on this file (onec.sessions). */
  limit?: number;
  now?: number;
}

/**
 * Claims up to `max` runnable jobs in one write transaction (one fsync for the batch, not one per job). A job is
 * runnable when due, of a handled kind, and the head of its key (see sql/pick.sql). Each gets a fresh random
 * lease token and a lease until now + leaseMs.
 */
export function claimBatch(db: Db, max: number, opts: ClaimOptions): ClaimedJob[] {
  const now = opts.now ?? Date.now();
  const kinds = opts.kinds ? JSON.stringify(opts.kinds) : null;
  const limit = opts.limit ?? Infinity;
  return db.transaction(() => {
    const out: ClaimedJob[] = [];
    let running = stmt(db, 'count_running').pluck().get({ now }) as number;
    while (out.length < max && running < limit) {
      const pick = stmt(db, 'pick').get({ now, kinds }) as
        | { id: number; state: string; attempts: number }
        | undefined;
      if (!pick) break;
      if (pick.state === 'running' && pick.attempts >= opts.policy.maxAttempts) {
        stmt(db, 'bury_expired').run({ id: pick.id, now });
        notify(db, 'settled', pick.id);
        continue;
      }
      const row = stmt(db, 'claim').get({
        id: pick.id,
        now,
        leaseMs: opts.policy.leaseMs,
        token: randomBytes(16).toString('base64url'),
        host: opts.holder.host,
        pid: opts.holder.pid,
        boot: opts.holder.boot,
      }) as RawJobRow;
      out.push(rowToJob(row) as ClaimedJob);
      running++;
    }
    return out;
  }).immediate();
}

/** Claims the next runnable job, or null. */
export function claim(db: Db, opts: ClaimOptions): ClaimedJob | null {
  return claimBatch(db, 1, opts)[0] ?? null;
}

/**
 * Marks the job done with the handler's result. Returns false when `token` is no longer the job's lease token
 * (the lease expired and another worker re-claimed it): the caller's result is discarded, the new holder's stands.
 */
export function complete(db: Db, id: number, token: string, result?: Json, now = Date.now()): boolean {
  const text = result === undefined ? null : (JSON.stringify(result) ?? null); // stringify(fn) is undefined
  const r = stmt(db, 'complete').run({ id, token, result: text, now });
  if (r.changes === 1) notify(db, 'settled', id);
  return r.changes === 1;
}

/**
 * An error retrying cannot fix (1C answered 400: a bad document, a missing item). fail() makes the job dead at once.
 * Any error with `permanent: true` counts the same, so a handler may also mark its own error classes. The outbox
 * does not look at onec's `transient` flag itself: "not transient" includes 401/403, which an admin fixes in the
 * config, after which the retries should simply succeed — the handler decides what is permanent.
 */
export class PermanentError extends Error {
  readonly permanent = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

export function isPermanent(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { permanent?: unknown }).permanent === true;
}

export interface FailOptions {
  policy: Pick<OutboxPolicy, 'maxAttempts' | 'backoffBaseMs' | 'backoffMaxMs'>;
  /** Dead at once, no retry. Default: isPermanent(error). */
  permanent?: boolean;
  /** Wait at least this long before the retry (a 503's Retry-After), still capped by backoffMaxMs. Default: the
   *  error's own numeric `retryAfterMs` property, if it has one. */
  retryAfterMs?: number;
  now?: number;
  random?: () => number;
}

export type FailOutcome = { outcome: 'retry'; runAt: number } | { outcome: 'dead' } | { outcome: 'stale' };

/**
 * Records a failed attempt by the lease holder: a retry after a jittered, capped backoff, or the dead letter
 * when the error is permanent or the job used its maxAttempts. 'stale' when `token` lost the lease.
 */
export function fail(db: Db, id: number, token: string, error: unknown, opts: FailOptions): FailOutcome {
  const now = opts.now ?? Date.now();
  const message = errorText(error);
  const permanent = opts.permanent ?? isPermanent(error);
  const res = db.transaction((): FailOutcome => {
    const row = stmt(db, 'get_leased').get({ id, token }) as { id: number; attempts: number } | undefined;
    if (!row) return { outcome: 'stale' };
    const { maxAttempts, backoffBaseMs, backoffMaxMs } = opts.policy;
    if (permanent || row.attempts >= maxAttempts) {
      const why = permanent ? 'permanent' : `gave up after ${row.attempts} attempts`;
      stmt(db, 'fail').run({ id, token, state: 'dead', runAt: now, error: `${why}: ${message}`, now });
      return { outcome: 'dead' };
    }
    let delay = backoffMs(row.attempts, backoffBaseMs, backoffMaxMs, opts.random);
    const after = opts.retryAfterMs ?? (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
    if (typeof after === 'number' && after > 0) delay = Math.min(backoffMaxMs, Math.max(delay, after));
    const runAt = now + delay;
    stmt(db, 'fail').run({ id, token, state: 'pending', runAt, error: message, now });
    return { outcome: 'retry', runAt };
  }).immediate();
  if (res.outcome === 'dead') notify(db, 'settled', id);
  return res;
}

/** Pushes the lease forward for a handler still at work; false when the lease was lost. */
export function extendLease(db: Db, id: number, token: string, leaseMs: number, now = Date.now()): boolean {
  return stmt(db, 'extend').run({ id, token, leaseMs, now }).changes === 1;
}

/**
 * On start: releases at once the leases of this daemon's previous run on this host, instead of letting them sit
 * until leaseMs (2 min by default) while booking confirmations wait. A holder is known dead when its pid no
 * longer exists, or when its pid is ours but its boot id is not (a container restarts as pid 1 every time).
 * A live pid of another process is left alone: it may be a second daemon on the same file, or a recycled pid;
 * either way its leases expire normally. Returns the number of jobs released.
 */
export function recover(db: Db, me: LeaseHolder, now = Date.now()): number {
  const pids = stmt(db, 'lease_pids').pluck().all({ host: me.host }) as number[];
  let released = 0;
  for (const pid of pids) {
    if (pid !== me.pid && pidAlive(pid)) continue;
    released += stmt(db, 'release_dead_holder').run({ host: me.host, pid, boot: me.boot, now }).changes;
  }
  if (released) notify(db, 'enqueued');
  return released;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else — alive.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The earliest run_at among open jobs (the worker sleeps until then at most), or null. */
export function nextDue(db: Db): number | null {
  return (stmt(db, 'next_due').pluck().get() as number | null) ?? null;
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return (e.message || e.name).slice(0, 2000);
  return String(e).slice(0, 2000);
}

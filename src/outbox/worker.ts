import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from '../db/open.js';
import { busOf } from './events.js';
import { PermanentError, claimBatch, complete, errorText, extendLease, fail, nextDue, recover } from './queue.js';
import type { ClaimedJob, Json, LeaseHolder, OutboxPolicy } from './types.js';
import { waitFor, type WaitOutcome } from './wait.js';

export interface HandlerContext {
  /** Aborted when the lease was lost (heartbeat failed) or the worker stops past its grace period. */
  signal: AbortSignal;
  /** 1 on the first delivery; >1 means an earlier attempt may have reached 1C: check before creating. */
  attempt: number;
  /**
   * A local write recording what this attempt did (an order's 1C number), run in the transaction that records the
   * job done and claims the next one: one commit for both, where a handler's own transaction before it returns was a
   * commit of its own. The delivery thread commits about twice per order and each commit's fsync stops its event
   * loop with every 1C call in flight: 3.7-6.2 s of the thread's 16-24 s busy time in the booking bench's profiles
   * went to the handler's own confirmation commit (load 10-14, 2026-12-03).
   * Runs only when the handler returns and the lease is still this worker's; a write that throws fails the attempt
   * with its error (nothing of it or of the completion is kept). Must be idempotent: a completion that could not be
   * written is tried again, and without the shared transaction (tuning.claimWithOutcome = false) it commits on its own.
   */
  onDone(write: () => void): void;
}

/** Returns the job's result (stored as JSON, e.g. the 1C document number). Throw to fail the attempt;
 *  throw a PermanentError (or any error with `permanent: true`) to make the job dead at once. */
export type Handler = (job: ClaimedJob, ctx: HandlerContext) => Promise<Json | void> | Json | void;

export type WorkerEvent =
  | { type: 'claimed'; job: ClaimedJob }
  | { type: 'done'; job: ClaimedJob; ms: number }
  | { type: 'retry'; job: ClaimedJob; ms: number; error: string; runAt: number }
  | { type: 'dead'; job: ClaimedJob; ms: number; error: string }
  /** Our lease was taken over before we finished: our outcome was discarded. */
  | { type: 'stale'; job: ClaimedJob; ms: number }
  | { type: 'error'; error: unknown; job?: ClaimedJob };

export interface WorkerOptions {
  /** config.outbox as is. */
  policy: OutboxPolicy;
  /** Handlers running at once: the 1C session limit (config.onec.sessions). Also the cap on live leases
   *  across all processes sharing the file. */
  concurrency: number;
  /** Polling fallback for jobs enqueued by other processes; retries falling due sooner wake it earlier. */
  pollMs?: number;
  /** Renew leases of running handlers every leaseMs/3 (default true). */
  heartbeat?: boolean;
  /**
   * A handler running longer than this (default leaseMs) is presumed hung: its signal is aborted and its lease no
   * longer renewed, so the job becomes claimable leaseMs after the last renewal instead of holding its key
   * forever. A handler that ignores the signal still occupies its slot until it returns.
   */
  handlerTimeoutMs?: number;
  holder?: LeaseHolder;
  /**
   * Record a finished job's outcome and claim the next job for its slot in one transaction (default true; config
   * tuning.claimWithOutcome). false: two transactions, as before (the booking bench's same-run before).
   */
  claimWithOutcome?: boolean;
  onEvent?: (e: WorkerEvent) => void;
  now?: () => number;
  random?: () => number;
}

/** A fresh lease holder identity for this process. */
/** How often an outcome that could not be written is tried again (a full disk freed, a lock released). */
const RECORD_RETRY_MS = 250;

export function newHolder(): LeaseHolder {
  return { host: hostname(), pid: process.pid, boot: randomBytes(8).toString('hex') };
}

interface InFlight {
  job: ClaimedJob;
  promise: Promise<void>;
  abort: AbortController;
  heartbeat?: NodeJS.Timeout;
  timeout?: NodeJS.Timeout;
}

/**
 * The only thing that delivers jobs. One loop: claim as many jobs as there are free slots (one transaction), run
 * each handler, record the outcome, sleep until woken (enqueue in this process, a handler finishing) or until the
 * poll interval / next due retry. Per-key order is enforced by the claim itself (sql/pick.sql), so handlers of
 * different keys run in parallel and the worker needs no per-key bookkeeping.
 */
export class OutboxWorker {
  readonly holder: LeaseHolder;
  private readonly handlers = new Map<string, Handler>();
  /** By lease token, not job id: if a lease is lost (event loop stalled past leaseMs) this worker may re-claim
   *  the same job while its first handler still runs, and the two must not overwrite each other's entry. */
  private readonly inflight = new Map<string, InFlight>();
  private readonly pollMs: number;
  private readonly now: () => number;
  private stopping = false;
  private loopDone: Promise<void> | undefined;
  private wakeup: (() => void) | undefined;
  private woken = false;
  private readonly onEnqueued = () => this.wake();

  constructor(
    private readonly db: Db,
    private readonly opts: WorkerOptions,
  ) {
    if (!(opts.concurrency >= 1)) throw new RangeError('outbox worker concurrency must be >= 1');
    this.holder = opts.holder ?? newHolder();
    this.pollMs = opts.pollMs ?? 500;
    this.now = opts.now ?? Date.now;
  }

  handle(kind: string, handler: Handler): this {
    this.handlers.set(kind, handler);
    this.wake();
    return this;
  }

  /** The job kinds this worker handles. */
  kinds(): string[] {
    return [...this.handlers.keys()];
  }

  /**
   * Stops handling these kinds here: another worker on the same file handles them (the delivery thread,
   * src/workers/outbox.ts), and this one keeps the rest.
   */
  handOff(kinds: string[]): this {
    for (const k of kinds) this.handlers.delete(k);
    return this;
  }

  /** Jobs being handled right now. */
  get running(): number {
    return this.inflight.size;
  }

  /** Releases this daemon's previous run's leases (see recover()), then starts the loop. */
  start(): this {
    if (this.loopDone) return this;
    try {
      recover(this.db, this.holder, this.now());
    } catch (e) {
      this.emit({ type: 'error', error: e });
    }
    busOf(this.db).on('enqueued', this.onEnqueued);
    this.loopDone = this.loop();
    return this;
  }

  /**
   * Graceful stop: claim nothing more and wait up to `graceMs` for running handlers. Handlers still running then
   * get their signal aborted and one more short wait (up to 1 s) to settle: a handler that honours the signal
   * throws, and its job is recorded as a failed attempt (retried later, not lost). Whatever is still running after
   * that is left under our lease: the next start of this daemon releases it at once (recover), anyone else after
   * leaseMs. Close the database only after this resolves.
   */
  async stop(graceMs = 10_000): Promise<{ aborted: number[]; unfinished: number[] }> {
    this.stopping = true;
    busOf(this.db).off('enqueued', this.onEnqueued);
    this.wake();
    await this.loopDone;
    const settled = (ms: number) => {
      const all = Promise.allSettled([...this.inflight.values()].map((f) => f.promise));
      let timer: NodeJS.Timeout | undefined;
      return Promise.race([all, new Promise<void>((r) => (timer = setTimeout(r, ms)))]).finally(() => clearTimeout(timer));
    };
    await settled(graceMs);
    const aborted = [...this.inflight.values()].map((f) => f.job.id);
    if (aborted.length) {
      for (const f of this.inflight.values()) {
        clearInterval(f.heartbeat);
        clearTimeout(f.timeout);
        f.abort.abort(new Error('outbox worker stopping'));
      }
      await settled(Math.min(1000, graceMs));
    }
    return { aborted, unfinished: [...this.inflight.values()].map((f) => f.job.id) };
  }

  /** waitFor() on this worker's connection. */
  waitFor(id: number, timeoutMs: number): Promise<WaitOutcome> {
    return waitFor(this.db, id, timeoutMs);
  }

  /** Look for work now. */
  wake(): void {
    this.woken = true;
    this.wakeup?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      this.woken = false;
      let delay = this.pollMs;
      try {
        if (this.db.inTransaction) {
          // Someone holds a transaction open on our connection across an await: claiming now would nest inside
          // it (and roll back with it). Look again shortly.
          delay = 5;
        } else {
          this.pump();
          const due = nextDue(this.db);
          const now = this.now();
          if (due !== null && due > now) delay = Math.min(delay, due - now + 1);
        }
      } catch (e) {
        this.emit({ type: 'error', error: e });
      }
      if (this.stopping || this.woken) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, delay);
        function done() {
          clearTimeout(t);
          resolve();
        }
        this.wakeup = done;
      });
      this.wakeup = undefined;
    }
  }

  private pump(): void {
    for (const job of this.claimFree(0)) this.run(job);
  }

  /** Claims jobs for the free slots (plus `extra` about to be freed); the caller runs them. */
  private claimFree(extra: number): ClaimedJob[] {
    const free = this.opts.concurrency - this.inflight.size + extra;
    if (free <= 0 || this.handlers.size === 0 || this.stopping) return [];
    return claimBatch(this.db, free, {
      policy: this.opts.policy,
      holder: this.holder,
      kinds: [...this.handlers.keys()],
      limit: this.opts.concurrency,
      now: this.now(),
    });
  }

  /**
   * A finished job's outcome and the claim of the next job for its slot in ONE transaction: one commit, so one fsync
   * and one turn at the write lock, where there were two (the delivery thread commits about three times per order,
   * and with synchronous=FULL a commit here took 0.2 ms at the median, 8 ms at p90 and 69 ms at worst at load 7.6,
   * each stopping its one event loop). The claimed jobs are started by the caller, after the commit.
   */
  private recordAndClaim(record: () => WorkerEvent): { event: WorkerEvent; next: ClaimedJob[] } {
    if (this.opts.claimWithOutcome === false || this.stopping || this.db.inTransaction || this.handlers.size === 0) return { event: record(), next: [] };
    let event: WorkerEvent | undefined;
    let next: ClaimedJob[] = [];
    this.db.transaction(() => {
      event = record();
      // This job is still counted in flight: its slot is the one being filled.
      next = this.claimFree(1);
    }).immediate();
    return { event: event!, next };
  }

  private run(job: ClaimedJob): void {
    const abort = new AbortController();
    const f: InFlight = { job, abort, promise: Promise.resolve() };
    const { leaseMs } = this.opts.policy;
    if (this.opts.heartbeat !== false) {
      f.heartbeat = setInterval(() => {
        try {
          if (!extendLease(this.db, job.id, job.leaseToken, leaseMs, this.now())) {
            clearInterval(f.heartbeat);
            abort.abort(new Error(`lease on outbox job #${job.id} lost`));
          }
        } catch (e) {
          this.emit({ type: 'error', error: e, job });
        }
      }, Math.max(10, Math.floor(leaseMs / 3)));
    }
    const limitMs = this.opts.handlerTimeoutMs ?? leaseMs;
    f.timeout = setTimeout(() => {
      clearInterval(f.heartbeat);
      abort.abort(new Error(`outbox handler for #${job.id} (${job.kind}) ran over ${limitMs} ms`));
      this.emit({ type: 'error', error: abort.signal.reason, job });
    }, limitMs);
    this.inflight.set(job.leaseToken, f);
    this.emit({ type: 'claimed', job });
    const started = this.now();
    f.promise = this.deliver(job, abort.signal, started).finally(() => {
      clearInterval(f.heartbeat);
      clearTimeout(f.timeout);
      this.inflight.delete(job.leaseToken);
      this.wake(); // a slot is free, and this key's next job may be runnable now
    });
  }

  private async deliver(job: ClaimedJob, signal: AbortSignal, started: number): Promise<void> {
    const handler = this.handlers.get(job.kind);
    let result: Json | undefined;
    let failure: unknown;
    let failed = false;
    const writes: (() => void)[] = [];
    try {
      if (!handler) throw new Error(`no handler for outbox kind '${job.kind}'`);
      result = (await handler(job, { signal, attempt: job.attempts, onDone: (w) => void writes.push(w) })) ?? undefined;
      // A result that cannot be stored is a bug in the handler, not a 1C hiccup: no point retrying it.
      if (result !== undefined) JSON.stringify(result);
    } catch (e) {
      failed = true;
      failure = e instanceof TypeError && /JSON|BigInt|circular/i.test(e.message)
        ? new PermanentError(`handler result is not JSON: ${e.message}`)
        : e;
    }
    const ms = () => this.now() - started;
    // Writes the outcome and says what to emit once it is committed.
    const record = (): WorkerEvent => {
      if (!failed && writes.length) {
        // The handler's writes with the completion, in a savepoint: a write that throws undoes both, and the attempt
        // is recorded as failed with that error below. A storage fault that ended the whole transaction is not the
        // handler's: thrown on, and the outcome is tried again (the writes with it).
        let ok = false;
        const outer = this.db.inTransaction;
        try {
          this.db.transaction(() => {
            ok = complete(this.db, job.id, job.leaseToken, result, this.now());
            if (ok) for (const w of writes) w();
          })();
        } catch (e) {
          if (outer && !this.db.inTransaction) throw e;
          failed = true;
          failure = e;
        }
        if (!failed) return ok ? { type: 'done', job, ms: ms() } : { type: 'stale', job, ms: ms() };
      } else if (!failed) {
        const ok = complete(this.db, job.id, job.leaseToken, result, this.now());
        return ok ? { type: 'done', job, ms: ms() } : { type: 'stale', job, ms: ms() };
      }
      const o = fail(this.db, job.id, job.leaseToken, failure, {
        policy: this.opts.policy,
        now: this.now(),
        random: this.opts.random,
      });
      const error = errorText(failure);
      if (o.outcome === 'retry') return { type: 'retry', job, ms: ms(), error, runAt: o.runAt };
      if (o.outcome === 'dead') return { type: 'dead', job, ms: ms(), error };
      return { type: 'stale', job, ms: ms() };
    };
    // The outcome could not be recorded (disk full, read-only, locked past busy_timeout). It used to be left at that:
    // the job stayed `running` until its lease ran out (2 minutes), silently, and was then delivered again (issue
    // 13.8). Now: said at once, naming the job, and tried again every RECORD_RETRY_MS while the lease is ours (the
    // heartbeat keeps it, when it can write). If the worker stops first, the lease expires and the job is delivered
    // again — handlers check 1C before creating, so that is safe, only slower.
    const until = this.now() + this.opts.policy.leaseMs;
    for (let attempt = 1; ; attempt++) {
      try {
        // The first try also claims the job for the slot this one frees, in the same transaction.
        const { event, next } = attempt === 1 ? this.recordAndClaim(record) : { event: record(), next: [] };
        this.emit(event);
        for (const j of next) this.run(j);
        if (attempt > 1) this.emit({ type: 'error', error: new Error(`outbox job #${job.id} (${job.kind}): outcome recorded after ${attempt} tries`), job });
        return;
      } catch (dbError) {
        const what = failed ? 'failure' : 'completion';
        this.emit({
          type: 'error',
          error: Object.assign(new Error(`outbox job #${job.id} (${job.kind}, key ${job.key}) finished, but its ${what} was not recorded (${errorText(dbError)}); retrying every ${RECORD_RETRY_MS} ms, the job stays running until then`), { cause: dbError }),
          job,
        });
        if (this.stopping || this.now() + RECORD_RETRY_MS >= until) return;
        await new Promise((r) => setTimeout(r, RECORD_RETRY_MS));
      }
    }
  }

  private emit(e: WorkerEvent): void {
    try {
      this.opts.onEvent?.(e);
    } catch {
      // a metrics hook must not break delivery
    }
  }
}

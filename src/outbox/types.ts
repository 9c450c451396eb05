/** Any value JSON.stringify round-trips. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export type JobState = 'pending' | 'running' | 'done' | 'dead' | 'dropped';

/** What a caller enqueues. */
export interface NewJob {
  /** What to do: 'booking.create', 'payment.card', 'refund.create', 'bank.payment', 'webhook', ... */
  kind: string;
  /** Ordering key (the order id): jobs of one key are delivered strictly in enqueue order. */
  key: string;
  payload: Json;
  /** While a job with this dedupe key is pending, running or done, enqueueing another returns the first. */
  dedupeKey?: string;
  /** Not before this moment (epoch ms or Date); default now. */
  runAt?: number | Date;
}

/** A job row as stored (JSON columns parsed). */
export interface Job {
  id: number;
  kind: string;
  key: string;
  payload: Json;
  dedupeKey: string | null;
  state: JobState;
  attempts: number;
  /** Pending: earliest next claim. Running: lease expiry. Finished: the last value, meaningless. */
  runAt: number;
  leaseToken: string | null;
  leaseHost: string | null;
  leasePid: number | null;
  leaseBoot: string | null;
  lastError: string | null;
  result: Json | undefined;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

/** A job with its lease: what claim() hands to a worker. */
export interface ClaimedJob extends Job {
  state: 'running';
  leaseToken: string;
}

/** The knobs of config.outbox that the queue functions need (pass config.outbox as is). */
export interface OutboxPolicy {
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  leaseMs: number;
}

/** Who holds a lease: host + pid + boot id (random per process start). */
export interface LeaseHolder {
  host: string;
  pid: number;
  boot: string;
}

export interface RawJobRow {
  id: number;
  kind: string;
  key: string;
  payload: string;
  dedupe_key: string | null;
  state: JobState;
  attempts: number;
  run_at: number;
  lease_token: string | null;
  lease_host: string | null;
  lease_pid: number | null;
  lease_boot: string | null;
  last_error: string | null;
  result: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export function rowToJob(r: RawJobRow): Job {
  return {
    id: r.id,
    kind: r.kind,
    key: r.key,
    payload: JSON.parse(r.payload) as Json,
    dedupeKey: r.dedupe_key,
    state: r.state,
    attempts: r.attempts,
    runAt: r.run_at,
    leaseToken: r.lease_token,
    leaseHost: r.lease_host,
    leasePid: r.lease_pid,
    leaseBoot: r.lease_boot,
    lastError: r.last_error,
    result: r.result === null ? undefined : (JSON.parse(r.result) as Json),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
  };
}
